import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CATEGORIES, DISTRICTS, ESCALATION_LEVELS, normalizePhone, TICKET_STATUSES } from '@app/domain';
import type { Category, District, EscalationLevel, TicketStatus } from '@app/domain';
import { IsCitizenPhone } from './create-ticket.dto';
import { TicketDto } from './ticket.dto';

/** The caller's open tickets GET /intake lists at most. */
export const MAX_INTAKE_OPEN_TICKETS = 10;

/** A field the form has not filled yet (empty or blanks) is not given; anything else is trimmed and validated. */
const trimOrAbsent = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** What the operator's new-ticket form has so far; every field optional, what is given validated as on create. */
export class IntakeQueryDto {
  @ApiPropertyOptional({ example: '13812345678', description: 'Mainland mobile, or landline with area code; matched in its canonical form.' })
  @IsOptional()
  @Transform(({ value }) => {
    const given = trimOrAbsent({ value });
    return typeof given === 'string' ? normalizePhone(given) : given;
  })
  @IsCitizenPhone()
  citizenPhone?: string;

  @ApiPropertyOptional({ enum: DISTRICTS, example: 'NANKAI' })
  @IsOptional()
  @Transform(trimOrAbsent)
  @IsIn(DISTRICTS)
  district?: District;

  @ApiPropertyOptional({ example: '鞍山西道100号3门201', maxLength: 300 })
  @IsOptional()
  @Transform(trimOrAbsent)
  @IsString()
  @MaxLength(300)
  address?: string;

  @ApiPropertyOptional({ enum: CATEGORIES, example: 'NOT_WARM' })
  @IsOptional()
  @Transform(trimOrAbsent)
  @IsIn(CATEGORIES)
  category?: Category;
}

/** One of the caller's open tickets: what the form shows, no citizen data. */
export class IntakeTicketDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '8890-20261128-000042' }) number: string;
  @ApiProperty({ enum: TICKET_STATUSES }) status: TicketStatus;
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty() address: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ enum: ESCALATION_LEVELS }) escalationLevel: EscalationLevel;
}

export class IntakeCompanyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '南开供热公司' }) name: string;
}

export class IntakeDto {
  @ApiProperty({
    type: TicketDto,
    nullable: true,
    description:
      'The ticket a submit with this phone, address and category would be recorded against as a repeat call (催办, 200 with it; reopened if closed), as POST /tickets decides it now; null when none matches or one of the three is not given.',
  })
  repeatOf: TicketDto | null;

  @ApiProperty({ type: [IntakeTicketDto], description: `The caller’s open tickets by phone (any address or category), newest first, at most ${MAX_INTAKE_OPEN_TICKETS}; empty without a phone.` })
  openTickets: IntakeTicketDto[];

  @ApiProperty({
    type: IntakeCompanyDto,
    nullable: true,
    description: 'The company a new ticket in the district would be routed to now (active, covering the district, fewest open tickets, then code); null without a district or when none covers it.',
  })
  company: IntakeCompanyDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '该区暂无在用的供热单位承办，提交将被拒绝（422）：请指定承办单位或登记该区的单位。 No active heating company covers the district: a submit is refused (422) unless it names companyId.',
    description: 'Set (Chinese, then English) when a district is given and no active company covers it; null otherwise.',
  })
  companyProblem: string | null;
}
