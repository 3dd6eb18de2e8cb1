import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A date that departs from the Monday–Friday rule: a holiday, or a make-up working day (调休). */
@Entity({ name: 'calendar_days' })
export class CalendarDayEntity {
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'text' })
  kind: 'HOLIDAY' | 'WORKDAY';
}
