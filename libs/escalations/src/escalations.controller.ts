import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@app/auth';
import type { AuthenticatedUser } from '@app/auth';
import { EscalationDto, ListEscalationsQueryDto, NoticePageDto, PageQueryDto } from './escalation.dto';
import { EscalationsService } from './escalations.service';

@ApiTags('escalations')
@Controller()
export class EscalationsController {
  constructor(private readonly escalations: EscalationsService) {}

  @Get('escalations')
  @ApiBearerAuth()
  @Roles('supervisor', 'crew')
  @ApiOperation({ summary: 'Fired escalation rungs (supervisors: all; crews: their company’s), newest first' })
  @ApiOkResponse({ type: [EscalationDto] })
  list(@Query() query: ListEscalationsQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<EscalationDto[]> {
    return this.escalations.list(query, user.role === 'crew' ? (user.companyId ?? undefined) : undefined);
  }

  @Get('public/notices')
  @Public()
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'Published public notices (通报批评), newest first; no login, no personal data' })
  @ApiOkResponse({ type: NoticePageDto })
  publicNotices(@Query() query: PageQueryDto): Promise<NoticePageDto> {
    return this.escalations.publicNotices(query.limit ?? 50, query.cursor);
  }
}
