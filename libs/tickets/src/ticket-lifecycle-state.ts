import { isOpenStatus, LifecycleState, pauseActive, rungLevelsOf, stagesHeldByPause, STAGES } from '@app/domain';
import type { Stage } from '@app/domain';
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
    callbackAttempts: ticket.callbackAttempts,
    callbackAttemptLimit: ticket.policy.callbackAttempts,
    review: ticket.review?.status ?? null,
    pause: ticket.pause,
    pausedStages: STAGES.filter((stage) => ticket.stages[stage]?.pausedMs !== undefined),
    refundExcluded: ticket.refundExclusion !== null,
  };
}

/**
 * The rungs of every stage of the current dispatch that is not done yet, at the instants fixed with its
 * deadline. While a pause holds a stage's clock, its rungs and those of the stages waiting on it stand still.
 */
export function pendingRungs(ticket: TicketEntity): ArmedRung[] {
  if (!isOpenStatus(ticket.status)) return [];
  const standing: readonly Stage[] = pauseActive(ticket.pause) ? stagesHeldByPause(ticket.pause.stage) : [];
  return STAGES.flatMap((stage) => {
    const state = ticket.stages[stage];
    if (!state || state.doneAt || standing.includes(stage)) return [];
    // A stage carries the rungs of its ladder only (the callback: DUE_SOON and OVERDUE).
    return rungLevelsOf(stage).flatMap((level) => {
      const at = state.rungs[level];
      return at ? [{ stage, level, at }] : [];
    });
  });
}

/** What the ticket's workflow holds: rules state, transition counter, the armed rungs and when a pause runs out. */
export function workflowStateOf(ticket: TicketEntity): WorkflowTicketState {
  return {
    ...lifecycleStateOf(ticket),
    ticketId: ticket.id,
    dispatchedAt: ticket.dispatchedAt.toISOString(),
    transitionSeq: ticket.transitionSeq,
    temperatureStandard: ticket.indoorStandard.celsius,
    indoorStandard: ticket.indoorStandard,
    rungs: pendingRungs(ticket),
    pauseEndsAt: pauseActive(ticket.pause) && isOpenStatus(ticket.status) ? ticket.pause.endsBy : null,
  };
}
