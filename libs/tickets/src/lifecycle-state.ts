import { escalationRungs, LifecycleState, STAGES, WorkCalendar } from '@app/domain';
import type { TicketEntity } from '@app/persistence';
import type { ArmedRung, WorkflowTicketState } from '@app/workflows';

/** The rules' view of a stored ticket. */
export function lifecycleStateOf(ticket: TicketEntity): LifecycleState {
  const stages: LifecycleState['stages'] = Object.fromEntries(
    Object.entries(ticket.stages).map(([stage, state]) => [stage, { dueAt: state.dueAt, doneAt: state.doneAt }]),
  );
  return {
    status: ticket.status,
    category: ticket.category,
    statusBeforeReturn: ticket.statusBeforeReturn,
    stages,
    extension: ticket.extension,
    approvedExtensions: ticket.approvedExtensions,
    closedAt: ticket.closedAt ? ticket.closedAt.toISOString() : null,
  };
}

/** The rungs of every stage of the current dispatch that is not done yet, at absolute instants. */
export function pendingRungs(ticket: TicketEntity, calendar: WorkCalendar): ArmedRung[] {
  const rungs: ArmedRung[] = [];
  for (const stage of STAGES) {
    const state = ticket.stages[stage];
    if (!state || state.doneAt) continue;
    const deadline = { stage, startsAt: new Date(state.startsAt), dueAt: new Date(state.dueAt) };
    for (const rung of escalationRungs(deadline, ticket.policy, calendar)) {
      rungs.push({ stage: rung.stage, level: rung.level, at: rung.at.toISOString() });
    }
  }
  return rungs;
}

/** What the ticket's workflow holds: rules state, transition counter and the armed rungs. */
export function workflowStateOf(ticket: TicketEntity, calendar: WorkCalendar, temperatureStandard: number): WorkflowTicketState {
  return {
    ...lifecycleStateOf(ticket),
    ticketId: ticket.id,
    dispatchedAt: ticket.dispatchedAt.toISOString(),
    transitionSeq: ticket.transitionSeq,
    temperatureStandard,
    rungs: ticket.status === 'CLOSED' || ticket.status === 'CANCELLED' ? [] : pendingRungs(ticket, calendar),
  };
}
