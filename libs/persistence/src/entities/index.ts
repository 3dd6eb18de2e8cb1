import { CalendarDayEntity } from './calendar-day.entity';
import { CompanyEntity } from './company.entity';
import { EscalationEntity } from './escalation.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { NoticeEntity } from './notice.entity';
import { RepeatCallEntity } from './repeat-call.entity';
import { SlaPolicyEntity } from './sla-policy.entity';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketNumberCounterEntity } from './ticket-number-counter.entity';
import { TicketEntity } from './ticket.entity';
import { UserEntity } from './user.entity';

export {
  CalendarDayEntity,
  CompanyEntity,
  EscalationEntity,
  IdempotencyKeyEntity,
  NoticeEntity,
  RepeatCallEntity,
  SlaPolicyEntity,
  TicketEventEntity,
  TicketNumberCounterEntity,
  TicketEntity,
  UserEntity,
};
export type { StageState, TicketStages } from './ticket.entity';

export const ENTITIES = [
  CalendarDayEntity,
  CompanyEntity,
  EscalationEntity,
  IdempotencyKeyEntity,
  NoticeEntity,
  RepeatCallEntity,
  SlaPolicyEntity,
  TicketEventEntity,
  TicketNumberCounterEntity,
  TicketEntity,
  UserEntity,
];
