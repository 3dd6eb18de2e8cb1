import { CalendarDayEntity } from './calendar-day.entity';
import { CompanyEntity } from './company.entity';
import { EscalationEntity } from './escalation.entity';
import { SlaPolicyEntity } from './sla-policy.entity';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketNumberCounterEntity } from './ticket-number-counter.entity';
import { TicketEntity } from './ticket.entity';

export {
  CalendarDayEntity,
  CompanyEntity,
  EscalationEntity,
  SlaPolicyEntity,
  TicketEventEntity,
  TicketNumberCounterEntity,
  TicketEntity,
};
export type { StageState, TicketStages } from './ticket.entity';

export const ENTITIES = [
  CalendarDayEntity,
  CompanyEntity,
  EscalationEntity,
  SlaPolicyEntity,
  TicketEventEntity,
  TicketNumberCounterEntity,
  TicketEntity,
];
