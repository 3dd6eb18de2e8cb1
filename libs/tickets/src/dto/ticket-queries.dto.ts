import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, registerDecorator } from 'class-validator';
import { PageQueryDto } from '@app/http';
import { DISTRICTS, PRIORITIES, TICKET_STATUSES } from '@app/domain';
import type { District, Priority, TicketStatus } from '@app/domain';
import type { TicketEventEntity } from '@app/persistence';
import { TicketDto } from './ticket.dto';

/** `?flag=true|false` as a boolean; anything else is left for IsBoolean to refuse. */
const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/** The extension-request statuses GET /tickets can queue by: the pending ones, waiting for a supervisor. */
export const QUEUED_EXTENSION_STATUSES = ['PENDING'] as const;

/** The review statuses GET /tickets can queue by: callbacks waiting for a supervisor's decision. */
export const QUEUED_REVIEW_STATUSES = ['PENDING'] as const;

/** The pause-request statuses GET /tickets can queue by: requests waiting for a supervisor. */
export const QUEUED_PAUSE_STATUSES = ['PENDING'] as const;

/** A queue's ordering is its own: two queues at once are refused, naming this one. */
function NotWith(other: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args) => (args?.object as Record<string, unknown>)[other] === undefined,
        defaultMessage: (args) => `${args?.property} and ${other} are two queues, each in its own order: ask for one at a time`,
      },
    });
}

export class ListTicketsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: '13812345678',
    maxLength: 100,
    description: 'Search: a ticket number (8890-20261201-000001), a caller’s phone (any written form), or part of an address (compared folded, like repeat calls).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsString()
  @MaxLength(100)
  q?: string;

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
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ description: 'true: only open tickets (not CLOSED or CANCELLED); false: only closed ones.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  open?: boolean;

  @ApiPropertyOptional({
    description: 'false: tickets of companies that were deactivated (to reassign their open ones, with `open=true`); true: of active companies.',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  companyActive?: boolean;

  @ApiPropertyOptional({
    enum: QUEUED_EXTENSION_STATUSES,
    description: 'PENDING: the extension queue, tickets whose extension request waits for a supervisor, **oldest request first**.',
  })
  @IsOptional()
  @IsIn(QUEUED_EXTENSION_STATUSES, { message: 'extension must be PENDING (the queue of extension requests); leave it out for every ticket' })
  extension?: (typeof QUEUED_EXTENSION_STATUSES)[number];

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true (the only value): the return queue, tickets in RETURN_REQUESTED waiting for an operator, **oldest request first**. Not with `extension`.',
  })
  @IsOptional()
  @Transform(toBoolean)
  @Equals(true, { message: 'returnRequested must be true (the queue of return requests); leave it out for every ticket' })
  @NotWith('extension')
  returnRequested?: true;

  @ApiPropertyOptional({
    enum: QUEUED_REVIEW_STATUSES,
    description:
      'PENDING: the review queue (supervisors), tickets whose callback was 不满意 for objective reasons, to confirm closure or reopen (domain.md §2.5), **oldest first**. Not with `extension` or `returnRequested`.',
  })
  @IsOptional()
  @IsIn(QUEUED_REVIEW_STATUSES, { message: 'review must be PENDING (the queue of callbacks to review); leave it out for every ticket' })
  @NotWith('extension')
  @NotWith('returnRequested')
  review?: (typeof QUEUED_REVIEW_STATUSES)[number];

  @ApiPropertyOptional({
    enum: QUEUED_PAUSE_STATUSES,
    description: 'PENDING: the pause queue (supervisors), tickets whose crew asked to stop a stage’s clock (resident away, entry refused), **oldest request first**. Not with another queue.',
  })
  @IsOptional()
  @IsIn(QUEUED_PAUSE_STATUSES, { message: 'pause must be PENDING (the queue of pause requests); leave it out for every ticket' })
  @NotWith('extension')
  @NotWith('returnRequested')
  @NotWith('review')
  pause?: (typeof QUEUED_PAUSE_STATUSES)[number];
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
