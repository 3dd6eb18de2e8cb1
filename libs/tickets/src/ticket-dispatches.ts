import { EntityManager } from 'typeorm';
import type { ActionInput, DispatchCause, DispatchOutcome, TransitionPlan } from '@app/domain';
import { TicketDispatchEntity, TicketEntity } from '@app/persistence';

/** What a change of the ticket does to its current dispatch's record, beyond mirroring the ticket. */
export interface DispatchChange {
  readonly outcome?: DispatchOutcome | null;
  /** The callback that judged this dispatch's reply. */
  readonly callback?: TicketEntity['callback'];
  readonly temperatureTest?: { readonly passed: boolean } | null;
  readonly repeatCall?: boolean;
  readonly returnRequested?: boolean;
  /** An approved pause that ended: how long it stopped the clock (ms). */
  readonly pausedMs?: number;
  /** When the change happened: the dispatch's end, if it ends one. */
  readonly at?: Date;
}

/** What an applied transition does to the dispatch that was current when it came (pure). */
export function dispatchChangeOf(plan: TransitionPlan, input: ActionInput, ticket: Pick<TicketEntity, 'callback'>, at: Date): DispatchChange {
  return {
    at,
    outcome: plan.endsDispatch,
    callback: input.action === 'callback' && plan.callbackOutcome ? ticket.callback : null,
    temperatureTest: input.action === 'visit' && input.readings.length > 0 ? { passed: plan.status === 'VISITED' } : null,
    returnRequested: input.action === 'return',
  };
}

/**
 * Opens the ticket's next dispatch from its row as it is now (company, dispatch instant, fresh stages).
 * `first`: the ticket was inserted in this transaction, so it has no dispatch yet (no read of the last one).
 */
export async function openDispatch(manager: EntityManager, ticket: TicketEntity, cause: DispatchCause, { first = false } = {}): Promise<void> {
  const last = first ? null : await manager.findOne(TicketDispatchEntity, { where: { ticketId: ticket.id }, order: { seq: 'DESC' } });
  await manager.insert(TicketDispatchEntity, {
    ticketId: ticket.id,
    seq: (last?.seq ?? 0) + 1,
    companyId: ticket.companyId,
    dispatchedAt: ticket.dispatchedAt,
    cause,
    stages: ticket.stages,
    extension: ticket.extension,
    escalationLevel: ticket.escalationLevel,
  });
}

/**
 * Brings the current dispatch (the one at the ticket's dispatch instant) up to date with the ticket's row
 * as this transaction left it, and records what the change did to it. Raw SQL: the copy is one
 * UPDATE … FROM, in the caller's transaction, so the two rows can never disagree.
 */
export async function syncCurrentDispatch(manager: EntityManager, ticketId: string, change: DispatchChange = {}): Promise<void> {
  await manager.query(
    `UPDATE ticket_dispatches d
        SET stages = t.stages,
            extension = t.extension,
            escalation_level = t.escalation_level,
            outcome = coalesce($2, d.outcome),
            ended_at = CASE WHEN $2::text IS NULL THEN d.ended_at ELSE coalesce(d.ended_at, $7, now()) END,
            callback = coalesce($3, d.callback),
            temperature_tests = d.temperature_tests + $4,
            temperature_passed = d.temperature_passed + $5,
            repeat_calls = d.repeat_calls + $6,
            return_requests = d.return_requests + $8,
            pauses = d.pauses + $9,
            paused_seconds = d.paused_seconds + $10
       FROM tickets t
      WHERE t.id = $1 AND d.ticket_id = t.id AND d.dispatched_at = t.dispatched_at`,
    [
      ticketId,
      change.outcome ?? null,
      change.callback ?? null,
      change.temperatureTest ? 1 : 0,
      change.temperatureTest?.passed ? 1 : 0,
      change.repeatCall ? 1 : 0,
      change.at ?? null,
      change.returnRequested ? 1 : 0,
      change.pausedMs !== undefined ? 1 : 0,
      Math.round((change.pausedMs ?? 0) / 1000),
    ],
  );
}
