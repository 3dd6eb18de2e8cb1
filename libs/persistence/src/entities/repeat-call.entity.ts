import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Priority } from '@app/domain';

/**
 * A repeat call (催办) recorded against a ticket, in the same transaction as its repeatCount and audit
 * event. One that found the ticket closed must reach its workflow (to reopen it): `deliveredAt` stays null
 * until it has, and the worker's sweeper retries until then.
 */
@Entity({ name: 'repeat_calls' })
export class RepeatCallEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  role: string;

  /** Whether the call must reach the workflow: the ticket was closed when it came in. */
  @Column({ name: 'needs_delivery', type: 'boolean' })
  needsDelivery: boolean;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** The priority this call raises an open ticket to (the second repeat call); delivered through the workflow. */
  @Column({ name: 'raises_priority_to', type: 'text', nullable: true })
  raisesPriorityTo: Priority | null;

  /** Why a delivery did not reopen the ticket (its workflow had ended, say); null when it did or was not needed. */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;
}
