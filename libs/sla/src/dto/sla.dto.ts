import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { CALENDAR_KINDS, PRIORITIES } from '@app/domain';
import { IsSlaDuration } from '@app/http';
import type { CalendarKind, Priority, SlaPolicySnapshot } from '@app/domain';

export class SlaPolicyTermsDto {
  @ApiProperty({ example: 'PT30M' }) @IsSlaDuration() accept: string;
  @ApiProperty({ example: 'PT1H' }) @IsSlaDuration() contact: string;
  @ApiProperty({ example: 'PT6H', nullable: true, type: String, description: 'null: no visit stage.' })
  @ValidateIf((_, value) => value !== null)
  @IsSlaDuration()
  visit: string | null;
  @ApiProperty({ example: 'PT24H' }) @IsSlaDuration() reply: string;
  @ApiProperty({ example: 'PT24H', nullable: true, type: String, description: 'After a failed temperature test; null: none.' })
  @ValidateIf((_, value) => value !== null)
  @IsSlaDuration()
  remediate: string | null;
  @ApiProperty({ example: 'PT2H', description: '约谈 this long after a missed deadline.' }) @IsSlaDuration() warningAfter: string;
  @ApiProperty({ example: 'PT24H', description: '通报批评 this long after a missed deadline.' }) @IsSlaDuration() noticeAfter: string;
  @ApiProperty({ enum: CALENDAR_KINDS }) @IsIn(CALENDAR_KINDS) calendar: CalendarKind;
  @ApiPropertyOptional({ example: 'PT2H', description: 'How long after a dispatch the company may return the ticket (退单). Omitted: unchanged.' })
  @IsOptional()
  @IsSlaDuration()
  returnWindow?: string;
  @ApiPropertyOptional({ example: 'PT24H', description: 'The longest extension one request may ask for. Omitted: unchanged.' })
  @IsOptional()
  @IsSlaDuration()
  extensionCap?: string;
  @ApiPropertyOptional({ example: 3, minimum: 2, maximum: 10, description: 'From this dispatch on the company can no longer return the ticket (指定承办). Omitted: unchanged.' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(10)
  designatedFromDispatch?: number;
  @ApiPropertyOptional({ example: 'P1D', description: 'When the callback (回访) is due after the reply, in working days (domain.md §2.5: the next working day). Omitted: unchanged.' })
  @IsOptional()
  @IsSlaDuration()
  callbackWithin?: string;
  @ApiPropertyOptional({ example: 3, minimum: 1, maximum: 10, description: 'Callbacks not reaching the citizen before the ticket closes as 未联系上. Omitted: unchanged.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  callbackAttempts?: number;
  @ApiPropertyOptional({ example: 'PT48H', description: 'The longest an approved pause (resident away, entry refused) stops a stage’s clock before it runs again by itself. Omitted: unchanged.' })
  @IsOptional()
  @IsSlaDuration()
  pauseCap?: string;
}

export class SlaPolicyDto extends SlaPolicyTermsDto {
  @ApiProperty({ example: 'PT2H' }) declare returnWindow: string;
  @ApiProperty({ example: 'PT24H' }) declare extensionCap: string;
  @ApiProperty({ example: 3 }) declare designatedFromDispatch: number;
  @ApiProperty({ example: 'P1D' }) declare callbackWithin: string;
  @ApiProperty({ example: 3 }) declare callbackAttempts: number;
  @ApiProperty({ example: 'PT48H' }) declare pauseCap: string;
  @ApiProperty({ enum: PRIORITIES }) priority: Priority;
  @ApiProperty({ description: 'New tickets snapshot the newest version; tickets in flight keep theirs.' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function mapPolicy(policy: SlaPolicySnapshot, createdAt: Date): SlaPolicyDto {
  return { ...policy, createdAt: createdAt.toISOString() };
}

export class CalendarYearDto {
  @ApiProperty({ type: [String], example: ['2027-01-01', '2027-02-16'], description: 'Days off (YYYY-MM-DD, Asia/Shanghai).' })
  @IsArray()
  @ArrayMaxSize(120)
  @IsISO8601({ strict: true }, { each: true })
  holidays: string[];

  @ApiProperty({ type: [String], example: ['2027-02-07'], description: 'Make-up working days (调休), usually weekends.' })
  @IsArray()
  @ArrayMaxSize(60)
  @IsISO8601({ strict: true }, { each: true })
  workdays: string[];
}

/** Where a year's days come from: the shipped State Council schedule, an admin's override, or nowhere yet. */
export const CALENDAR_SOURCES = ['SHIPPED', 'OVERRIDDEN', 'NONE'] as const;
export type CalendarSource = (typeof CALENDAR_SOURCES)[number];

export class CalendarDto extends CalendarYearDto {
  @ApiProperty({ example: 2027 }) year: number;

  @ApiProperty({
    enum: CALENDAR_SOURCES,
    description:
      'SHIPPED: the State Council’s schedule shipped with the service (package chinese-days); OVERRIDDEN: replaced by PUT /calendar/{year}; NONE: no data for the year, only Monday–Friday counts.',
  })
  source: CalendarSource;

  @ApiProperty({ description: 'Whether the service ships the schedule of this year (an override replaces it while it lasts).' })
  shipped: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the year was last replaced; null unless OVERRIDDEN.' })
  overriddenAt: string | null;
}
