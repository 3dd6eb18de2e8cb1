import { ApiProperty } from '@nestjs/swagger';
import { DISTRICTS, ROOM_TYPES } from '@app/domain';
import type { District, RoomType } from '@app/domain';

/** More rows than a screen or a spreadsheet should take at once: narrow the range instead. */
export const MAX_REFUND_ROWS = 5000;

/** One room of one household on one day it is owed a refund (domain.md §3), as `ticketRefundLines` computes it. */
export class RefundRowDto {
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty({ example: '8890-20261201-000042' }) ticketNumber: string;
  @ApiProperty({ format: 'uuid', description: 'The company whose remediation (整改复测) missed its deadline: it held the ticket on that day.' }) companyId: string;
  @ApiProperty() companyName: string;
  @ApiProperty({ enum: DISTRICTS }) district: District;
  @ApiProperty({ description: 'The household’s address, on screen (the refund is paid to it); the CSV carries only the building.' }) address: string;
  @ApiProperty({ nullable: true, type: String, description: 'The building (楼栋) the address names, as hot spots read it; null when it names none.' }) building: string | null;
  @ApiProperty({ example: '主卧' }) room: string;
  @ApiProperty({ enum: ROOM_TYPES, nullable: true, type: String, description: 'Null on readings recorded before room types were.' }) roomType: RoomType | null;
  @ApiProperty({ example: '2026-12-02', description: 'Local day (Asia/Shanghai).' }) day: string;
  @ApiProperty({ description: 'The day’s reading that counts (°C).' }) celsius: number;
  @ApiProperty({ description: '°C below the ticket’s standard.' }) shortfall: number;
  @ApiProperty({ example: 50, description: 'Percent of the room’s heating fee for the day, by the standard’s tiers.' }) percent: number;
}

export class RefundReportDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [RefundRowDto], description: `By day, ticket number, room. At most ${MAX_REFUND_ROWS} rows (then \`truncated\`).` }) rows: RefundRowDto[];
  @ApiProperty({ description: 'Tickets with at least one refund day in the range (all of them, also when the rows are truncated).' }) tickets: number;
  @ApiProperty({ description: 'Room-days owed a refund in the range (all of them, also when the rows are truncated).' }) roomDays: number;
  @ApiProperty({ description: `More than ${MAX_REFUND_ROWS} room-days: \`rows\` holds the first ${MAX_REFUND_ROWS}; narrow the range to see the rest.` }) truncated: boolean;
}
