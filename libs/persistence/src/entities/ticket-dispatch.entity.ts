import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { CallbackRecord, DispatchCause, DispatchOutcome, EscalationLevel, ExtensionState } from '@app/domain';
import type { TicketStages } from './ticket.entity';

/**
 * One dispatch of a ticket: the company that held it from `dispatchedAt`, its stages (deadlines, done
 * instants, overdue marks, rungs), its extension, the callback that judged its reply, and how it ended.
 * Written in the transaction of every change of the ticket; the current one mirrors the ticket's stages.
 * Reports judge every dispatch against the company that held it, so returning a ticket washes nothing.
 */
@Entity({ name: 'ticket_dispatches' })
@Unique('uq_ticket_dispatches_seq', ['ticketId', 'seq'])
@Unique('uq_ticket_dispatches_instant', ['ticketId', 'dispatchedAt'])
export class TicketDispatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  /** 1 for the creation, then + 1 per reassignment or reopening. */
  @Column({ type: 'int' })
  seq: number;

  @Column({ name: 'company_id', type: 'uuid' })
  companyId: string;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt: Date;

  @Column({ type: 'text' })
  cause: DispatchCause;

  @Column({ type: 'jsonb' })
  stages: TicketStages;

  @Column({ type: 'jsonb', nullable: true })
  extension: ExtensionState | null;

  /** The highest rung fired in this dispatch. */
  @Column({ name: 'escalation_level', type: 'text', default: 'NONE' })
  escalationLevel: EscalationLevel;

  /** The callback (回访) that judged this dispatch's reply. */
  @Column({ type: 'jsonb', nullable: true })
  callback: CallbackRecord | null;

  /** Return requests (退单) the company made in this dispatch, granted or refused. */
  @Column({ name: 'return_requests', type: 'int', default: 0 })
  returnRequests: number;

  /** Repeat calls (催办) received while this dispatch was current. */
  @Column({ name: 'repeat_calls', type: 'int', default: 0 })
  repeatCalls: number;

  /** Visits with readings (测温) in this dispatch, and those whose readings all met the standard. */
  @Column({ name: 'temperature_tests', type: 'int', default: 0 })
  temperatureTests: number;

  @Column({ name: 'temperature_passed', type: 'int', default: 0 })
  temperaturePassed: number;

  /** Approved pauses (resident away, entry refused) that ended in this dispatch, and how long they stopped the clock. */
  @Column({ type: 'int', default: 0 })
  pauses: number;

  @Column({ name: 'paused_seconds', type: 'int', default: 0 })
  pausedSeconds: number;

  /** Null while current. */
  @Column({ type: 'text', nullable: true })
  outcome: DispatchOutcome | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
