import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, ValidateIf } from 'class-validator';
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
}

export class SlaPolicyDto extends SlaPolicyTermsDto {
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

export class CalendarDto extends CalendarYearDto {
  @ApiProperty({ example: 2027 }) year: number;
}
