import { Body, Controller, Get, HttpStatus, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AnySignedInUser, RequirePermission } from '@app/auth';
import { PRIORITIES } from '@app/domain';
import type { Priority } from '@app/domain';
import { ProblemException } from '@app/http';
import { CalendarDto, CalendarYearDto, SlaPolicyDto, SlaPolicyTermsDto } from './dto/sla.dto';
import { SlaPolicyService } from './sla-policy.service';
import { WorkCalendarService } from './work-calendar.service';

const YEAR = new ParseIntPipe({
  exceptionFactory: () => new ProblemException(HttpStatus.BAD_REQUEST, 'year must be a number such as 2027', { title: 'Validation failed', errors: [{ field: 'year', message: 'year must be an integer' }] }),
});

@ApiTags('sla')
@ApiBearerAuth()
@Controller()
export class SlaController {
  constructor(
    private readonly policies: SlaPolicyService,
    private readonly calendars: WorkCalendarService,
  ) {}

  @Get('sla-policies')
  @AnySignedInUser()
  @ApiOperation({ summary: 'The current version of each priority’s policy' })
  @ApiOkResponse({ type: [SlaPolicyDto] })
  list(): Promise<SlaPolicyDto[]> {
    return this.policies.currentAll();
  }

  @Put('sla-policies/:priority')
  @RequirePermission('sla.manage')
  @ApiParam({ name: 'priority', enum: PRIORITIES })
  @ApiOperation({ summary: 'Store a new version of a priority’s policy (new tickets take it; tickets in flight keep theirs)' })
  @ApiOkResponse({ type: SlaPolicyDto })
  @ApiBadRequestResponse({ description: 'A bad duration, or notice not after warning; nothing stored.' })
  put(@Param('priority') priority: string, @Body() terms: SlaPolicyTermsDto): Promise<SlaPolicyDto> {
    if (!(PRIORITIES as readonly string[]).includes(priority)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, `priority must be one of ${PRIORITIES.join(', ')}`, {
        title: 'Validation failed',
        errors: [{ field: 'priority', message: `priority must be one of ${PRIORITIES.join(', ')}` }],
      });
    }
    return this.policies.storeVersion(priority as Priority, terms);
  }

  @Get('calendar/:year')
  @AnySignedInUser()
  @ApiOperation({
    summary: 'Holidays and make-up working days of a year, and where they come from',
    description: 'The State Council’s schedule ships with the service (SHIPPED) for every year it has been published; an admin’s PUT replaces a year (OVERRIDDEN); a year with neither is NONE (Monday–Friday only, and deadlines counted over it say so in calendarWarning).',
  })
  @ApiOkResponse({ type: CalendarDto })
  getYear(@Param('year', YEAR) year: number): Promise<CalendarDto> {
    return this.calendars.year(year);
  }

  @Put('calendar/:year')
  @RequirePermission('sla.manage')
  @ApiOperation({ summary: 'Replace a year’s holidays and make-up working days entirely, shipped data included (affects deadlines computed from now on)' })
  @ApiOkResponse({ type: CalendarDto })
  @ApiBadRequestResponse({ description: 'A date outside the year, or listed as both; nothing stored.' })
  putYear(@Param('year', YEAR) year: number, @Body() body: CalendarYearDto): Promise<CalendarDto> {
    return this.calendars.replaceYear(year, body);
  }
}
