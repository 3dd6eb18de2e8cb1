import {
  ActionInput,
  addDuration,
  callbackDeadline,
  callbackRungTerms,
  CATEGORY_DEFAULTS,
  currentStage,
  deadlineAfterPause,
  dispatchDeadlines,
  rungInstants,
  isDesignatedDispatch,
  laterStagesToHold,
  parseDurationMs,
  pauseEndsBy,
  returnAllowedUntil,
  SlaPolicySnapshot,
  SlaPolicyTerms,
  STAGES,
  StageDeadline,
  tellsOfExtension,
  TransitionPlan,
  WorkCalendar,
} from '@app/domain';
import type { AuthenticatedUser, Stage } from '@app/domain';
import type { StageState, TicketEntity, TicketStages } from '@app/persistence';

/** How the timeline names the step the citizen was told of an extension with. */
const TELLING_STEP_ZH = { contact: '联系', visit: '上门', reply: '回复' } as const;

/**
 * A stage under way from a deadline set now: the deadline and every rung's instant are fixed here, with
 * the calendar of this moment, and never recomputed.
 */
export function openStage(deadline: StageDeadline, policy: SlaPolicyTerms, calendar: WorkCalendar): StageState {
  return {
    startsAt: deadline.startsAt.toISOString(),
    dueAt: deadline.dueAt.toISOString(),
    doneAt: null,
    overdue: false,
    rungs: rungInstants(deadline, policy, calendar),
  };
}

/** What a dispatch fixes besides its deadlines: until when a return is allowed, and whether it is 指定承办. */
export function dispatchTerms(
  ticket: Pick<TicketEntity, 'policy' | 'dispatchCount'>,
  dispatchedAt: Date,
  calendar: WorkCalendar,
): Pick<TicketEntity, 'returnAllowedUntil' | 'designated'> {
  return { returnAllowedUntil: returnAllowedUntil(dispatchedAt, ticket.policy, calendar), designated: isDesignatedDispatch(ticket.dispatchCount, ticket.policy) };
}

/**
 * Moves the later open stages that would fall due before `stage` (after its deadline moved) to its
 * deadline, their rungs fixed anew: a later stage never falls due before one it waits on. Returns the moves
 * for the audit trail.
 */
export function holdLaterStages(ticket: TicketEntity, stage: Stage, calendar: WorkCalendar): StageMove[] {
  const held = ticket.stages[stage];
  if (!held) return [];
  const moves = laterStagesToHold(ticket.stages, stage, new Date(held.dueAt));
  for (const move of moves) {
    const state = ticket.stages[move.stage]!;
    const moved = openStage({ stage: move.stage, startsAt: new Date(state.startsAt), dueAt: new Date(move.to) }, ticket.policy, calendar);
    ticket.stages = { ...ticket.stages, [move.stage]: { ...state, dueAt: moved.dueAt, rungs: moved.rungs } };
  }
  return moves;
}

export type StageMove = ReturnType<typeof laterStagesToHold>[number];

/**
 * Ends the active pause at `now` (at most at its cap): the paused stage's deadline and rungs move by the
 * time its clock stood still, in the policy's clock, and the later stages waiting on it are held. Returns
 * the later stages' moves for the audit trail.
 */
export function endPause(
  ticket: TicketEntity,
  now: Date,
  actor: Pick<AuthenticatedUser, 'username'>,
  atCap: boolean,
  calendar: WorkCalendar,
): { readonly held: StageMove[]; readonly pausedMs: number } {
  const pause = ticket.pause!;
  const from = new Date(pause.startedAt!);
  const to = new Date(Math.min(now.getTime(), Date.parse(pause.endsBy!)));
  const pausedMs = Math.max(0, to.getTime() - from.getTime());
  ticket.pause = { ...pause, status: 'ENDED', endedAt: to.toISOString(), endedBy: actor.username, endedAtCap: atCap, pausedMs };
  const state = ticket.stages[pause.stage];
  if (!state) return { held: [], pausedMs };
  // The deadline and every rung move by the paused time (not recomputed: the 黄灯 keeps its distance to the deadline).
  const shift = (instant: string): string => deadlineAfterPause(new Date(instant), from, to, ticket.policy.calendar, calendar).toISOString();
  const moved = state.doneAt ? state : { dueAt: shift(state.dueAt), rungs: Object.fromEntries(Object.entries(state.rungs).map(([level, at]) => [level, shift(at)])) };
  ticket.stages = { ...ticket.stages, [pause.stage]: { ...state, dueAt: moved.dueAt, rungs: moved.rungs, pausedMs } };
  return { held: holdLaterStages(ticket, pause.stage, calendar), pausedMs };
}

/** Fresh deadlines of every dispatch stage, counted from `dispatchedAt` with the ticket's policy snapshot. */
export function freshStages(ticket: Pick<TicketEntity, 'policy' | 'category'>, dispatchedAt: Date, calendar: WorkCalendar): TicketStages {
  const stages: TicketStages = {};
  for (const deadline of dispatchDeadlines(dispatchedAt, ticket.policy, CATEGORY_DEFAULTS[ticket.category].visitNeeded, calendar)) {
    stages[deadline.stage] = openStage(deadline, ticket.policy, calendar);
  }
  return stages;
}

/**
 * Applies a transition the rules allowed (`plan`) to a ticket, in place: the one place that knows which
 * fields each action writes. `now` is the transition instant.
 */
export function applyTransitionPlan(
  ticket: TicketEntity,
  plan: TransitionPlan,
  input: ActionInput,
  actor: Pick<AuthenticatedUser, 'username'>,
  now: Date,
  calendar: WorkCalendar,
): { readonly held: StageMove[]; readonly pausedMs: number } {
  const held: StageMove[] = [];
  let pausedMs = 0;
  const at = now.toISOString();
  const previousStatus = ticket.status;
  const stageBefore = currentStage(ticket);
  ticket.status = plan.status;
  // The clock runs again before anything completes: a stage done while paused is judged by its moved deadline.
  if (plan.endsPause) {
    const ended = endPause(ticket, now, actor, input.action === 'resume' && !!input.atCap, calendar);
    held.push(...ended.held);
    pausedMs = ended.pausedMs;
  }
  if (plan.withdrawsPause) ticket.pause = { ...ticket.pause!, status: 'WITHDRAWN', decidedAt: at };
  for (const stage of plan.completes) {
    const state = ticket.stages[stage];
    if (state && !state.doneAt) ticket.stages = { ...ticket.stages, [stage]: { ...state, doneAt: at } };
  }
  if (plan.startsRemediation && ticket.policy.remediate) {
    const dueAt = addDuration(now, parseDurationMs(ticket.policy.remediate), ticket.policy.calendar, calendar);
    ticket.stages = { ...ticket.stages, remediate: openStage({ stage: 'remediate', startsAt: now, dueAt }, ticket.policy, calendar) };
    held.push(...holdLaterStages(ticket, 'remediate', calendar));
  }
  if (plan.opensCallback && ticket.policy.callbackWithin) {
    // The hotline's callback (回访) of this reply: the next working day by default, DUE_SOON and OVERDUE only.
    ticket.stages = { ...ticket.stages, callback: openStage(callbackDeadline(now, ticket.policy, calendar), callbackRungTerms(ticket.policy), calendar) };
    ticket.callbackAttempts = 0;
    ticket.review = null;
  }
  if (plan.review === 'PENDING') ticket.review = { status: 'PENDING', requestedAt: at };
  else if (plan.review) {
    const reason = 'reason' in input ? input.reason : undefined;
    ticket.review = { ...ticket.review!, status: plan.review, decidedAt: at, decidedBy: actor.username, ...(reason ? { reason } : {}) };
  }
  if (tellsOfExtension(input)) {
    ticket.extension = { ...ticket.extension!, citizenNotifiedAt: at, citizenNotifiedNote: `随${TELLING_STEP_ZH[input.action as keyof typeof TELLING_STEP_ZH]}告知` };
  }
  if (plan.closes) {
    ticket.closedAt = now;
    // A request nobody can decide any more (the ticket is closed or cancelled) is withdrawn.
    if (ticket.extension?.status === 'PENDING') ticket.extension = null;
  }

  switch (input.action) {
    case 'visit':
      // Who measured is the crew member who records it unless the body names someone else.
      ticket.readings = [...ticket.readings, ...input.readings.map((reading) => ({ ...reading, measuredBy: reading.measuredBy ?? actor.username, at }))];
      break;
    case 'reply':
      ticket.resolution = input.resolution;
      break;
    case 'return':
      ticket.statusBeforeReturn = previousStatus;
      break;
    case 'reject-return':
      ticket.statusBeforeReturn = null;
      break;
    case 'reassign':
      ticket.companyId = input.companyId;
      ticket.dispatchCount += 1;
      break;
    case 'extension':
      ticket.extension = {
        status: 'PENDING',
        stage: stageBefore!,
        reason: input.reason,
        extendBy: input.extendBy,
        requestedAt: at,
        requestedBy: actor.username,
      };
      break;
    case 'extension-approve': {
      const extension = ticket.extension!;
      const stage = ticket.stages[extension.stage]!;
      const dueAt = addDuration(new Date(stage.dueAt), parseDurationMs(extension.extendBy), ticket.policy.calendar, calendar);
      const moved = openStage({ stage: extension.stage, startsAt: new Date(stage.startsAt), dueAt }, ticket.policy, calendar);
      ticket.stages = { ...ticket.stages, [extension.stage]: { ...stage, dueAt: moved.dueAt, rungs: moved.rungs } };
      ticket.extension = { ...extension, status: 'APPROVED', decidedAt: at, decidedBy: actor.username };
      ticket.approvedExtensions += 1;
      held.push(...holdLaterStages(ticket, extension.stage, calendar));
      break;
    }
    case 'extension-reject':
      ticket.extension = { ...ticket.extension!, status: 'REJECTED', decidedAt: at, decidedBy: actor.username };
      break;
    case 'extension-notified':
      ticket.extension = { ...ticket.extension!, citizenNotifiedAt: at, citizenNotifiedNote: input.note ?? null };
      break;
    case 'pause':
      ticket.pause = {
        status: 'PENDING',
        stage: stageBefore!,
        reason: input.reason,
        note: input.note,
        callAttempts: input.callAttempts,
        requestedAt: at,
        requestedBy: actor.username,
      };
      break;
    case 'pause-approve':
      // The clock stops now; it runs again when the crew resumes, or by itself at the policy's cap.
      ticket.pause = { ...ticket.pause!, status: 'ACTIVE', decidedAt: at, decidedBy: actor.username, startedAt: at, endsBy: pauseEndsBy(now, ticket.policy).toISOString() };
      break;
    case 'refund-exclusion':
      ticket.refundExclusion = { exclusion: input.exclusion, note: input.note, at, by: actor.username };
      break;
    case 'pause-reject':
      ticket.pause = { ...ticket.pause!, status: 'REJECTED', decidedAt: at, decidedBy: actor.username, ...(input.reason ? { decisionReason: input.reason } : {}) };
      break;
    case 'callback': {
      // Every callback of the reply is an attempt; only a final one (an evaluation, or 未联系上) is the ticket's callback.
      ticket.callbackAttempts += 1;
      const { action: _action, ...callback } = input;
      if (plan.callbackOutcome) ticket.callback = { ...callback, at, by: actor.username, outcome: plan.callbackOutcome, attempts: ticket.callbackAttempts };
      break;
    }
    case 'repeat-call':
      // A recorded repeat call was counted when it came in; only a first-release Update counts here.
      if (!input.repeatCallId) ticket.repeatCount += 1;
      break;
    default:
      break;
  }

  return { held, pausedMs };
}

/**
 * A raised priority: the ticket takes the newest policy of that priority, and every stage of the current
 * dispatch still under way is due by that policy counted from the raise, but never later than it already
 * was (a raise never gives more time). Done stages and overdue marks stay as they are.
 */
export function raisePriority(ticket: TicketEntity, policy: SlaPolicySnapshot, now: Date, calendar: WorkCalendar): void {
  ticket.priority = policy.priority;
  ticket.policy = policy;
  ticket.policyVersion = policy.version;
  const limits: Partial<Record<Stage, Date>> = Object.fromEntries(
    dispatchDeadlines(now, policy, CATEGORY_DEFAULTS[ticket.category].visitNeeded, calendar).map((deadline) => [deadline.stage, deadline.dueAt]),
  );
  if (policy.remediate) limits.remediate = addDuration(now, parseDurationMs(policy.remediate), policy.calendar, calendar);
  const stages: TicketStages = { ...ticket.stages };
  for (const stage of STAGES) {
    const state = stages[stage];
    const limit = limits[stage];
    if (!state || state.doneAt || !limit || limit.getTime() >= Date.parse(state.dueAt)) continue;
    // The overdue mark and the stage's one pause stay: a raise changes the limit, not the stage's record.
    stages[stage] = { ...state, ...openStage({ stage, startsAt: new Date(state.startsAt), dueAt: limit }, policy, calendar), overdue: state.overdue };
  }
  ticket.stages = stages;
}

/**
 * A new dispatch (reassignment, reopening) from `now`: fresh deadlines and rungs, no overdue marks and no
 * escalation — the previous dispatch keeps those in its own record (TicketDispatchEntity).
 */
export function startFreshDispatch(ticket: TicketEntity, plan: TransitionPlan, now: Date, calendar: WorkCalendar): void {
  if (plan.freshDispatch) {
    ticket.dispatchedAt = now;
    ticket.stages = freshStages(ticket, now, calendar);
    Object.assign(ticket, dispatchTerms(ticket, now, calendar));
    ticket.statusBeforeReturn = null;
    ticket.escalationLevel = 'NONE';
    // A pause belongs to the dispatch it was asked in (ended or withdrawn by the plan already).
    ticket.pause = null;
    ticket.closedAt = null;
    if (ticket.extension?.status === 'PENDING') ticket.extension = null;
    if (plan.freshDispatch === 'reopen') ticket.reopenCount += 1;
  }
}

/** Audit event type of an action: `extension-approve` → `EXTENSION_APPROVE`. */
export function eventTypeOf(input: ActionInput): string {
  return input.action.toUpperCase().replaceAll('-', '_');
}
