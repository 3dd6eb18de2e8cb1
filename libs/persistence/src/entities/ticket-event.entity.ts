import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only audit trail: every action and every rung of a ticket. */
@Entity({ name: 'ticket_events' })
export class TicketEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ type: 'text' })
  type: string;

  /** Username, or "system" for the workflow's own rungs. */
  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  role: string;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
