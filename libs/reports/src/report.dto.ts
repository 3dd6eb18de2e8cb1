import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, registerDecorator } from 'class-validator';
import { CATEGORIES, DISTRICTS, ESCALATION_LEVELS, PRIORITIES, STAGES, TICKET_STATUSES } from '@app/domain';
import type { Category, District, EscalationLevel, Priority, Stage, TicketStatus } from '@app/domain';
import { parseReportInstant } from './report-range';

/** A query bound: an ISO 8601 date or date-time (no offset means Asia/Shanghai). */
function IsReportInstant(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isReportInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseReportInstant(value) !== undefined,
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 date or date-time (e.g. 2025-01-10 or 2025-01-10T08:00:00+08:00)`,
      },
    });
}

const RANGE_NOTE = 'A date or date-time (ISO 8601); without an offset it is Asia/Shanghai time.';

export class ReportRangeQueryDto {
  @ApiPropertyOptional({ example: '2025-01-06', description: `Start, inclusive. ${RANGE_NOTE} Default: 7 days before \`to\`.` })
  @IsOptional()
  @IsReportInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2025-01-13', description: `End, exclusive. ${RANGE_NOTE} Default: now (or 7 days after \`from\`). At most 366 days after \`from\`.` })
  @IsOptional()
  @IsReportInstant()
  to?: string;

  @ApiPropertyOptional({
    example: '2026-2027',
    description: 'A heating season instead of from/to: its first day to the day after its last (Asia/Shanghai), as GET /seasons shows it (stored, or the statutory 11-15 → 03-15). Not with from or to.',
  })
  @IsOptional()
  @IsString()
  season?: string;
}

export class OverdueQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Ignored for crews: they always see their own company.' })
  @IsOptional()
  @IsUUID()
  companyId?: string;

  @ApiPropertyOptional({ enum: DISTRICTS })
  @IsOptional()
  @IsIn(DISTRICTS)
  district?: District;

  @ApiPropertyOptional({ enum: STAGES })
  @IsOptional()
  @IsIn(STAGES)
  stage?: Stage;
}

export class OverdueRowDto {
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty({ example: '8890-20250110-000042' }) ticketNumber: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty() companyName: string;
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty({ enum: PRIORITIES }) priority: Priority;
  @ApiProperty({ enum: TICKET_STATUSES }) status: TicketStatus;
  @ApiProperty({ enum: STAGES }) stage: Stage;
  @ApiProperty({ format: 'date-time', description: 'The stage’s deadline.' }) dueAt: string;
  @ApiProperty({ example: 'PT2H5M', description: 'How late the stage is at the time of the answer (ISO 8601 duration).' }) overdueBy: string;
  @ApiProperty({ enum: ESCALATION_LEVELS }) escalationLevel: EscalationLevel;
  @ApiProperty({ example: '138****5678', description: 'Always masked; reports never carry the citizen’s name or address.' }) citizenPhone: string;
}

export class CompanyReportRowDto {
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty() companyName: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ description: 'Tickets created (dispatched) in the range and now assigned to the company.' }) dispatched: number;
  @ApiProperty({ type: Number, nullable: true, description: '及时签收率: accept stages done by the deadline and never overdue / decided accept stages.' }) acceptOnTimeRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '联系 on time / decided contact stages.' }) contactOnTimeRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '上门 on time / decided visit stages.' }) visitOnTimeRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '回复 on time / decided reply stages.' }) replyOnTimeRate: number | null;
  @ApiProperty({ description: 'Callbacks (回访) recorded on these tickets.' }) callbacks: number;
  @ApiProperty({ type: Number, nullable: true, description: '解决率: callbacks answering solved / callbacks.' }) solvedRate: number | null;
  @ApiProperty({ description: 'Valid evaluations (有效评价): callbacks that reached the citizen and were answered.' }) evaluations: number;
  @ApiProperty({ type: Number, nullable: true, description: '满意率: SATISFIED + BASICALLY_SATISFIED / valid evaluations (未联系上 counts in none).' }) satisfactionRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '响应率: callbacks answering that the company contacted the citizen / callbacks.' }) responseRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '重办率: tickets reopened at least once / dispatched.' }) reopenRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '重复来电率: tickets with a repeat call / dispatched.' }) repeatCallRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '退单率: tickets with a return request / dispatched.' }) returnRate: number | null;
  @ApiProperty({ description: 'WARNING rungs (约谈) fired in the range.' }) warnings: number;
  @ApiProperty({ description: 'Public notices (通报批评) published in the range.' }) notices: number;
  @ApiProperty({ description: 'Visits with at least one reading.' }) temperatureTests: number;
  @ApiProperty({ type: Number, nullable: true, description: '室温合格率: visits whose readings all met the standard / visits with readings.' }) temperaturePassRate: number | null;
  @ApiProperty({ description: 'Approved pauses (暂停计时: resident away, entry refused) that ended in these dispatches.' }) pauses: number;
  @ApiProperty({ description: 'How long those pauses stopped the clock, in seconds.' }) pausedSeconds: number;
}

export class CompanyReportDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [CompanyReportRowDto] }) items: CompanyReportRowDto[];
}

export class LeagueRowDto {
  @ApiProperty({ description: '1 is best.' }) rank: number;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty() companyName: string;
  @ApiProperty() dispatched: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Accept, contact, visit and reply stages on time / all decided ones.' }) onTimeRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '满意率.' }) satisfactionRate: number | null;
  @ApiProperty({ description: 'Public notices published in the range.' }) notices: number;
}

export class LeagueTableDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [LeagueRowDto], description: 'Best first: on-time rate, then satisfaction rate (unrated last), then fewer notices.' }) items: LeagueRowDto[];
}

export class DayTrendDto {
  @ApiProperty({ example: '2025-01-10', description: 'Asia/Shanghai calendar day.' }) day: string;
  @ApiProperty() tickets: number;
  @ApiProperty({ description: 'Of those, tickets with any stage marked overdue.' }) overdue: number;
}

export class DistrictTrendDto {
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty() tickets: number;
  @ApiProperty() overdue: number;
}

export class TrendsDto {
  @ApiProperty({ type: [DayTrendDto], description: 'Every day of the range, oldest first.' }) byDay: DayTrendDto[];
  @ApiProperty({ type: [DistrictTrendDto], description: 'All 16 districts in the usual order.' }) byDistrict: DistrictTrendDto[];
}
