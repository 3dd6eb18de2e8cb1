import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@app/http';
import { DISTRICTS, PRIORITIES, TICKET_STATUSES } from '@app/domain';
import type { District, Priority, TicketStatus } from '@app/domain';
import type { TicketEventEntity } from '@app/persistence';
import { TicketDto } from './ticket.dto';

export class ListTicketsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  companyId?: string;

  @ApiPropertyOptional({ enum: DISTRICTS })
  @IsOptional()
  @IsIn(DISTRICTS)
  district?: District;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ description: 'true: only open tickets with a stage past its deadline and not done.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

export class TicketPageDto {
  @ApiProperty({ type: [TicketDto] })
  items: TicketDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor: string | null;
}

export class TicketEventDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'ACCEPT', description: 'CREATED, an action (ACCEPT, VISIT, …, REPEAT_CALL) or a rung (ESCALATION_OVERDUE, …).' }) type: string;
  @ApiProperty({ description: 'Username, or "system" for rungs.' }) actor: string;
  @ApiProperty() role: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export function mapTicketEvent(event: TicketEventEntity): TicketEventDto {
  return { id: String(event.id), type: event.type, actor: event.actor, role: event.role, payload: event.payload, at: event.at.toISOString() };
}
