import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Last ticket sequence handed out per local day (8890-YYYYMMDD-NNNNNN). */
@Entity({ name: 'ticket_number_counters' })
export class TicketNumberCounterEntity {
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ name: 'last_value', type: 'int' })
  lastValue: number;
}
