import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { CalendarKind, Priority } from '@app/domain';

/** One immutable version of a priority's time limits; new tickets snapshot the newest. */
@Entity({ name: 'sla_policies' })
export class SlaPolicyEntity {
  @PrimaryColumn({ type: 'text' })
  priority: Priority;

  @PrimaryColumn({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  accept: string;

  @Column({ type: 'text' })
  contact: string;

  @Column({ type: 'text', nullable: true })
  visit: string | null;

  @Column({ type: 'text' })
  reply: string;

  @Column({ type: 'text', nullable: true })
  remediate: string | null;

  @Column({ name: 'warning_after', type: 'text' })
  warningAfter: string;

  @Column({ name: 'notice_after', type: 'text' })
  noticeAfter: string;

  @Column({ type: 'text' })
  calendar: CalendarKind;

  @Column({ name: 'return_window', type: 'text' })
  returnWindow: string;

  @Column({ name: 'extension_cap', type: 'text' })
  extensionCap: string;

  @Column({ name: 'designated_from_dispatch', type: 'int' })
  designatedFromDispatch: number;

  /** When the callback (回访) is due after the reply, in working days. */
  @Column({ name: 'callback_within', type: 'text' })
  callbackWithin: string;

  /** Callbacks not reaching the citizen before the ticket closes as 未联系上. */
  @Column({ name: 'callback_attempts', type: 'int' })
  callbackAttempts: number;

  /** The longest an approved pause stops a stage's clock before it runs again by itself. */
  @Column({ name: 'pause_cap', type: 'text' })
  pauseCap: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
