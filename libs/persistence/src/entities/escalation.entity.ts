import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { RungLevel, Stage } from '@app/domain';

/**
 * A fired rung. The unique key (ticket, dispatch instant, stage, level) makes a second firing of the
 * same rung (an activity retried after a crash, say) a no-op in the database too.
 */
@Entity({ name: 'escalations' })
@Unique('uq_escalations_rung', ['ticketId', 'dispatchedAt', 'stage', 'level'])
export class EscalationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ name: 'ticket_number', type: 'text' })
  ticketNumber: string;

  @Column({ name: 'company_id', type: 'uuid' })
  companyId: string;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt: Date;

  @Column({ type: 'text' })
  stage: Stage;

  @Column({ type: 'text' })
  level: RungLevel;

  /** The rung's instant. */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'fired_at', type: 'timestamptz' })
  firedAt: Date;
}
