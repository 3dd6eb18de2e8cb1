import { proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { RUNG_LEVELS } from '@app/domain';
import { ArmedRung, TicketActivities, TicketWorkflowInput, ticketStateQuery } from './contract';

const { recordRung } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay a rung, never drop it: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Rungs in firing order; rungs due at the same instant keep ladder order (DUE_SOON before OVERDUE…). */
export function orderRungs(rungs: readonly ArmedRung[]): ArmedRung[] {
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
  const fired: ArmedRung[] = [];
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
