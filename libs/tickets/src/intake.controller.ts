import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentUser, phoneVisibilityFor, RequirePermission } from '@app/auth';
import type { AuthenticatedUser } from '@app/domain';
import { WorkCalendarService } from '@app/sla';
import { IntakeDto, IntakeQueryDto } from './dto/intake.dto';
import { mapTicket } from './dto/ticket.dto';
import { IntakeService } from './intake.service';

/**
 * The operator's new-ticket form (issue 10), called while the phone or address is typed. Its own path: one
 * under /tickets would be taken by GET /tickets/{id}.
 */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid token.' })
@Controller('intake')
export class IntakeController {
  constructor(
    private readonly intake: IntakeService,
    private readonly calendars: WorkCalendarService,
  ) {}

  @Get()
  @RequirePermission('tickets.create')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'What a submit of the form would meet now: the ticket it would be a repeat call (催办) on, the caller’s open tickets, and the company it would go to',
    description:
      'Reads only, by the rules POST /tickets applies (nothing is locked or recorded). Every parameter is optional; one left out, or empty, is not given, and what is given is validated as on create. `repeatOf` needs citizenPhone, address and category; `openTickets` the phone; `company` the district.',
  })
  @ApiOkResponse({ type: IntakeDto })
  @ApiBadRequestResponse({ description: 'A bad citizenPhone, district, address or category, naming the field.' })
  @ApiForbiddenResponse({ description: 'Not an operator.' })
  async preview(@Query() query: IntakeQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<IntakeDto> {
    const preview = await this.intake.preview(query);
    return {
      repeatOf: preview.repeatOf ? mapTicket(preview.repeatOf, phoneVisibilityFor(user), await this.calendars.coverage()) : null,
      openTickets: preview.openTickets,
      company: preview.company,
      companyProblem: preview.companyProblem,
    };
  }
}
