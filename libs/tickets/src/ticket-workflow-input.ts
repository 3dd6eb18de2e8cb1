import { escalationRungs, STAGES, WorkCalendar } from '@app/domain';
import type { TicketEntity } from '@app/persistence';
import type { ArmedRung, TicketWorkflowInput } from '@app/workflows';

/** The rungs of every stage of the current dispatch that is not done yet, at absolute instants. */
export function buildTicketWorkflowInput(ticket: TicketEntity, calendar: WorkCalendar): TicketWorkflowInput {
  const rungs: ArmedRung[] = [];
  for (const stage of STAGES) {
    const state = ticket.stages[stage];
    if (!state || state.doneAt) continue;
    const deadline = { stage, startsAt: new Date(state.startsAt), dueAt: new Date(state.dueAt) };
    for (const rung of escalationRungs(deadline, ticket.policy, calendar)) {
      rungs.push({ stage: rung.stage, level: rung.level, at: rung.at.toISOString() });
    }
  }
  return { ticketId: ticket.id, dispatchedAt: ticket.dispatchedAt.toISOString(), rungs };
}
