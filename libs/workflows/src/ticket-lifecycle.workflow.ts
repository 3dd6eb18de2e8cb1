import { ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { decisionInstant, planTransition, reopenWindowEnd, ROOM_TYPES, TransitionRefusedError } from '@app/domain';
import type { IndoorStandardTerms } from '@app/domain';
import {
  SYSTEM_ACTOR,
  TicketActionRequest,
  ticketActionUpdate,
  TicketActivities,
  TicketLifecycleInput,
  ticketLifecycleQuery,
  TRANSITION_REFUSED,
  WorkflowTicketState,
} from './contract';
import { WORKFLOW_PATCHES } from './patches';
import { orderRungs, rungKey } from './rung-order';

const { recordRung, applyTransition } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must delay a rung or an action, never drop it: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, nonRetryableErrorTypes: [TRANSITION_REFUSED] },
});

/**
 * Rungs are recorded by a local activity: it runs in the worker inside the workflow task the timer woke, so a
 * rung is one workflow task and one marker in the history (was two workflow tasks and an activity task, with
 * their round trips to the server). Exactly-once stays with the database's unique key, as before: a local
 * activity is at least once too. A worker that dies mid-rung leaves its workflow task to time out (10 s, was
 * the activity's 30 s) and the next worker runs the rung again; a repeat changes nothing. A database outage
 * retries without limit, as before: backoffs up to 8 s wait in the worker, longer ones (up to a minute) wait
 * on a durable timer, so an outage of hours does not fill the history with workflow-task heartbeats.
 */
const { recordRung: recordRungLocally } = proxyLocalActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});


/** Refusal as a non-retryable failure of the Update (the workflow goes on); the API answers 409. */
function refusal(error: unknown): ApplicationFailure {
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.nonRetryable(message, TRANSITION_REFUSED);
}

/** The standard a ticket's readings are judged by; a state from before the snapshot judged every room. */
function standardOf(state: WorkflowTicketState): Pick<IndoorStandardTerms, 'celsius' | 'rooms'> {
  return state.indoorStandard ?? { celsius: state.temperatureStandard, rooms: ROOM_TYPES };
}

/** The rules' decision at `at` (epoch ms): the same instant the activity then checks and stamps with. */
function check(state: WorkflowTicketState, request: TicketActionRequest, at: number): void {
  try {
    planTransition(state, request.input, at, standardOf(state));
  } catch (error) {
    if (error instanceof TransitionRefusedError) throw refusal(error);
    throw error;
  }
}

/**
 * One workflow per ticket, for its whole life. It holds the ticket's SLA clock (every rung armed at an
 * absolute instant) and is the only way the ticket changes: actions arrive as Updates, are checked by the
 * pure rules, applied by an activity, and re-arm the rungs. Actions and rungs run one at a time, so an
 * action racing a deadline has one defined order. An approved pause that reaches its cap is resumed here,
 * as the system's own action. A closed ticket's workflow waits 7 days for a reopen.
 */
export async function ticketLifecycleWorkflow(input: TicketLifecycleInput): Promise<void> {
  let state = input.state;
  const fired = new Set<string>();
  let changed = false;
  // The cap instant already handled: a resume the rules refused is not tried again for the same pause.
  let capHandled: string | null = null;

  // Actions and rungs are applied strictly one after another.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step);
    queue = run.catch(() => undefined);
    return run;
  };

  setHandler(ticketLifecycleQuery, () => state);
  setHandler(
    ticketActionUpdate,
    (request) =>
      serialized(async () => {
        // Again, at the instant it is applied: an action queued behind another sees the state that one left.
        const at = decisionInstant(request.input, Date.now());
        check(state, request, at);
        state = await applyTransition({ ticketId: state.ticketId, seq: state.transitionSeq + 1, request, at: new Date(at).toISOString() });
        changed = true;
        return { status: state.status, transitionSeq: state.transitionSeq };
      }),
    { validator: (request) => check(state, request, decisionInstant(request.input, Date.now())) },
  );

  for (;;) {
    if (state.status === 'CANCELLED') break;
    if (state.status === 'CLOSED') {
      const windowEnd = reopenWindowEnd(state.closedAt ?? new Date(Date.now()).toISOString());
      const reopened = await condition(() => state.status !== 'CLOSED', Math.max(0, windowEnd - Date.now()));
      if (!reopened) break;
      continue;
    }
    const next = orderRungs(state.rungs).find((rung) => !fired.has(rungKey(state.dispatchedAt, rung)));
    const pauseEnd = state.pauseEndsAt && state.pauseEndsAt !== capHandled ? Date.parse(state.pauseEndsAt) : null;
    changed = false;
    if (!next && pauseEnd === null) {
      await condition(() => changed);
      continue;
    }
    const waitMs = Math.min(next ? Date.parse(next.at) : Infinity, pauseEnd ?? Infinity) - Date.now();
    if (waitMs > 0 && (await condition(() => changed, waitMs))) continue; // an action changed the clock

    if (pauseEnd !== null && (!next || pauseEnd <= Date.parse(next.at))) {
      await serialized(async () => {
        // The crew may have resumed while this waited its turn.
        if (!state.pauseEndsAt || Date.parse(state.pauseEndsAt) > Date.now()) return;
        capHandled = state.pauseEndsAt;
        const request: TicketActionRequest = { input: { action: 'resume', atCap: true }, actor: SYSTEM_ACTOR };
        const at = Date.now();
        try {
          check(state, request, at);
        } catch {
          return;
        }
        try {
          state = await applyTransition({ ticketId: state.ticketId, seq: state.transitionSeq + 1, request, at: new Date(at).toISOString() });
          changed = true;
        } catch {
          // Refused by the activity's own check (the row changed meanwhile): the ticket's workflow goes on.
        }
      });
      continue;
    }
    if (!next) continue;

    await serialized(async () => {
      // An action may have run while this rung waited its turn: fire it only if it is still armed and due.
      const armed = state.rungs.find((rung) => rung.stage === next.stage && rung.level === next.level);
      const key = rungKey(state.dispatchedAt, next);
      if (!armed || fired.has(key) || Date.parse(armed.at) > Date.now()) return;
      const rung = { ticketId: state.ticketId, dispatchedAt: state.dispatchedAt, stage: armed.stage, level: armed.level, dueAt: armed.at };
      await (patched(WORKFLOW_PATCHES.localRungs) ? recordRungLocally(rung) : recordRung(rung));
      fired.add(key);
    });
  }
  await condition(allHandlersFinished);
}
