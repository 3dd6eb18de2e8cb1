import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { companyFilterFor, CurrentUser, RequirePermission, Public } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { PageQueryDto } from '@app/http';
import { EscalationPageDto, ListEscalationsQueryDto, NoticePageDto } from './escalation.dto';
import { EscalationsService } from './escalations.service';

@ApiTags('escalations')
@Controller()
export class EscalationsController {
  constructor(private readonly escalations: EscalationsService) {}

  @Get('escalations')
  @ApiBearerAuth()
  @RequirePermission('escalations.read')
  @ApiOperation({ summary: 'Fired escalation rungs (crews: their company’s), newest first, by cursor pages' })
  @ApiOkResponse({ type: EscalationPageDto })
  async list(@Query() query: ListEscalationsQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<EscalationPageDto> {
    const filter = companyFilterFor(user, query.companyId);
    return filter ? this.escalations.list(query, filter.companyId) : { items: [], nextCursor: null };
  }

  @Get('public/notices')
  @Public()
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'Published public notices (通报批评), newest first; no login, no personal data' })
  @ApiOkResponse({ type: NoticePageDto })
  publicNotices(@Query() query: PageQueryDto): Promise<NoticePageDto> {
    return this.escalations.publicNotices(query);
  }
}
