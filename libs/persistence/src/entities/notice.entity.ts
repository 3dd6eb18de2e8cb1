import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { District, Stage } from '@app/domain';

/** A published 通报批评: public, so it holds no personal data of the citizen. */
@Entity({ name: 'notices' })
export class NoticeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'escalation_id', type: 'uuid', unique: true })
  escalationId: string;

  @Column({ name: 'company_id', type: 'uuid' })
  companyId: string;

  @Column({ name: 'company_name', type: 'text' })
  companyName: string;

  @Column({ name: 'ticket_number', type: 'text' })
  ticketNumber: string;

  @Column({ type: 'text' })
  district: District;

  @Column({ type: 'text' })
  stage: Stage;

  @Column({ name: 'overdue_by_seconds', type: 'int' })
  overdueBySeconds: number;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;
}
