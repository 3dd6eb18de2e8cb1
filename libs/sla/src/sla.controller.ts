import { Body, Controller, Get, HttpStatus, Param, PipeTransform, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AnySignedInUser, RequirePermission } from '@app/auth';
import { PRIORITIES } from '@app/domain';
import type { Priority } from '@app/domain';
import { ProblemException } from '@app/http';
import { CalendarDto, CalendarYearDto, SlaPolicyDto, SlaPolicyTermsDto } from './dto/sla.dto';
import { SlaPolicyService } from './sla-policy.service';
import { WorkCalendarService } from './work-calendar.service';

/** The years a calendar can be asked for or set: the service's lifetime, not any integer (99999999999, -5). */
export const CALENDAR_YEARS = { min: 2000, max: 2100 } as const;

/** `:year` as an integer within CALENDAR_YEARS, else 400 naming it. */
const YEAR: PipeTransform<string, number> = {
  transform: (value: string): number => {
    const year = /^\d{4}$/.test(value) ? Number(value) : Number.NaN;
    if (year >= CALENDAR_YEARS.min && year <= CALENDAR_YEARS.max) return year;
    const message = `year must be an integer from ${CALENDAR_YEARS.min} to ${CALENDAR_YEARS.max}, such as 2027`;
    throw new ProblemException(HttpStatus.BAD_REQUEST, message, { title: 'Validation failed', errors: [{ field: 'year', message }] });
  },
};

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
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: CALENDAR_YEARS.min, maximum: CALENDAR_YEARS.max } })
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
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: CALENDAR_YEARS.min, maximum: CALENDAR_YEARS.max } })
  @RequirePermission('sla.manage')
  @ApiOperation({ summary: 'Replace a year’s holidays and make-up working days entirely, shipped data included (affects deadlines computed from now on)' })
  @ApiOkResponse({ type: CalendarDto })
  @ApiBadRequestResponse({ description: 'A date outside the year, or listed as both; nothing stored.' })
  putYear(@Param('year', YEAR) year: number, @Body() body: CalendarYearDto): Promise<CalendarDto> {
    return this.calendars.replaceYear(year, body);
  }
}
