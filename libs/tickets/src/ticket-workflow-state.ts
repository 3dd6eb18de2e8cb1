import { isOpenStatus, LifecycleState, RUNG_LEVELS, STAGES } from '@app/domain';
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
    priority: ticket.priority,
    returnAllowedUntil: ticket.returnAllowedUntil ? ticket.returnAllowedUntil.toISOString() : null,
    designated: ticket.designated,
  };
}

/** The rungs of every stage of the current dispatch that is not done yet, at the instants fixed with its deadline. */
export function pendingRungs(ticket: TicketEntity): ArmedRung[] {
  if (!isOpenStatus(ticket.status)) return [];
  return STAGES.flatMap((stage) => {
    const state = ticket.stages[stage];
    if (!state || state.doneAt) return [];
    return RUNG_LEVELS.map((level) => ({ stage, level, at: state.rungs[level] }));
  });
}

/** What the ticket's workflow holds: rules state, transition counter and the armed rungs. */
export function workflowStateOf(ticket: TicketEntity, temperatureStandard: number): WorkflowTicketState {
  return {
    ...lifecycleStateOf(ticket),
    ticketId: ticket.id,
    dispatchedAt: ticket.dispatchedAt.toISOString(),
    transitionSeq: ticket.transitionSeq,
    temperatureStandard,
    rungs: pendingRungs(ticket),
  };
}
