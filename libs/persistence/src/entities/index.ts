import { CalendarDayEntity } from './calendar-day.entity';
import { CompanyEntity } from './company.entity';
import { EscalationEntity } from './escalation.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IndoorStandardEntity } from './indoor-standard.entity';
import { LoginFailureEntity } from './login-failure.entity';
import { NoticeEntity } from './notice.entity';
import { RepeatCallEntity } from './repeat-call.entity';
import { SlaPolicyEntity } from './sla-policy.entity';
import { TicketDispatchEntity } from './ticket-dispatch.entity';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketNumberCounterEntity } from './ticket-number-counter.entity';
import { TicketEntity } from './ticket.entity';
import { UserEntity } from './user.entity';

export * from './calendar-day.entity';
export * from './company.entity';
export * from './escalation.entity';
export * from './idempotency-key.entity';
export * from './indoor-standard.entity';
export * from './login-failure.entity';
export * from './notice.entity';
export * from './repeat-call.entity';
export * from './sla-policy.entity';
export * from './ticket-dispatch.entity';
export * from './ticket-event.entity';
export * from './ticket-number-counter.entity';
export * from './ticket.entity';
export * from './user.entity';

/** Every entity, for the DataSource. */
export const ENTITIES = [
  CalendarDayEntity,
  CompanyEntity,
  EscalationEntity,
  IdempotencyKeyEntity,
  IndoorStandardEntity,
  LoginFailureEntity,
  NoticeEntity,
  RepeatCallEntity,
  SlaPolicyEntity,
  TicketDispatchEntity,
  TicketEventEntity,
  TicketNumberCounterEntity,
  TicketEntity,
  UserEntity,
];
