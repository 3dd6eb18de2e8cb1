// First release: the rungs-only `ticketWorkflow`. Kept only so tickets started by the first release finish
// and their recorded histories replay (test/histories/ticket-workflow-*.json). Never change it: any edit
// can break the replay of a running ticket. New tickets run `ticketLifecycleWorkflow`. It imports nothing
// from the live workflow files (its ordering is a frozen copy), so changes there cannot reach it.
import { proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { RUNG_LEVELS } from '@app/domain';
import { ArmedRungV1, TicketActivitiesV1, TicketWorkflowInput, ticketStateQuery } from './contract.v1';

const { recordRung } = proxyActivities<TicketActivitiesV1>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay a rung, never drop it: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Rungs in firing order; rungs due at the same instant keep ladder order (DUE_SOON before OVERDUE…). */
function orderRungs(rungs: readonly ArmedRungV1[]): ArmedRungV1[] {
  return [...rungs].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || RUNG_LEVELS.indexOf(a.level) - RUNG_LEVELS.indexOf(b.level),
  );
}

/**
 * One workflow per ticket. It owns the ticket's SLA clock: every rung is armed at an absolute instant
 * computed at dispatch, so a late start or a worker restart never stretches a deadline; a rung whose
 * instant has passed fires at once.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<void> {
  const pending = orderRungs(input.rungs);
  const fired: ArmedRungV1[] = [];
  setHandler(ticketStateQuery, () => ({
    ticketId: input.ticketId,
    dispatchedAt: input.dispatchedAt,
    pendingRungs: [...pending],
    firedRungs: [...fired],
  }));

  while (pending.length > 0) {
    const next = pending[0];
    const waitMs = Date.parse(next.at) - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    await recordRung({
      ticketId: input.ticketId,
      dispatchedAt: input.dispatchedAt,
      stage: next.stage,
      level: next.level,
      dueAt: next.at,
    });
    pending.shift();
    fired.push(next);
  }
}
