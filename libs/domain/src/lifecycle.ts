import { CATEGORY_DEFAULTS, Category, outranks, Priority, readingsRequired } from './categories';
import { parseDurationMs } from './duration';
import { IndoorStandardTerms, Reading, readingJudges, readingsFail, RefundExclusion } from './indoor-temperature';
import { STAGE_ORDER } from './sla-policy';
import { isOpenStatus, Stage, TicketStatus } from './ticket-status';

/** Every action that changes a ticket (docs/product.md, Lifecycle), plus a repeat call (催办 / reopen within 7 days). */
export const TICKET_ACTIONS = [
  'accept',
  'contact',
  'visit',
  'reply',
  'return',
  'reassign',
  'reject-return',
  'extension',
  'extension-approve',
  'extension-reject',
  'extension-notified',
  'pause',
  'pause-approve',
  'pause-reject',
  'resume',
  'refund-exclusion',
  'callback',
  'cancel',
  'repeat-call',
  'raise-priority',
  'review-confirm',
  'review-reopen',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** How each action reads on screen and in the timeline (the console's buttons carry these names). */
export const TICKET_ACTION_NAMES_ZH: Record<TicketAction, string> = {
  accept: '签收',
  contact: '联系群众',
  visit: '上门服务',
  reply: '办理回复',
  return: '退单',
  reassign: '改派',
  'reject-return': '驳回退单',
  extension: '申请延期',
  'extension-approve': '批准延期',
  'extension-reject': '驳回延期',
  'extension-notified': '告知延期',
  pause: '申请暂停',
  'pause-approve': '批准暂停',
  'pause-reject': '驳回暂停',
  resume: '恢复计时',
  'refund-exclusion': '登记退费除外情形',
  callback: '回访',
  cancel: '撤销',
  'repeat-call': '催办',
  'raise-priority': '提升优先级',
  'review-confirm': '确认办结',
  'review-reopen': '重办',
};

export const SATISFACTION_LEVELS = ['SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED'] as const;
export type Satisfaction = (typeof SATISFACTION_LEVELS)[number];

/** The national 好差评 scale (domain.md §2.5, [G8]), 非常满意 … 非常不满意. */
export const EVALUATION_LEVELS = ['VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'VERY_UNSATISFIED'] as const;
export type Evaluation = (typeof EVALUATION_LEVELS)[number];

/** How each answer of the national scale reads on the three levels the reports use: the one mapping. */
export const EVALUATION_SATISFACTION: Record<Evaluation, Satisfaction> = {
  VERY_SATISFIED: 'SATISFIED',
  SATISFIED: 'SATISFIED',
  BASICALLY_SATISFIED: 'BASICALLY_SATISFIED',
  UNSATISFIED: 'UNSATISFIED',
  VERY_UNSATISFIED: 'UNSATISFIED',
};

export function satisfactionOf(evaluation: Evaluation): Satisfaction {
  return EVALUATION_SATISFACTION[evaluation];
}

/** Callbacks that do not reach the citizen before the ticket closes as 未联系上, when a state does not say (§2.5). */
export const DEFAULT_CALLBACK_ATTEMPTS = 3;

/**
 * What a callback came to: an evaluation (满意…不满意), or 未联系上 after the last attempt that did not reach
 * the citizen. A valid evaluation is an EVALUATED one; 未联系上 counts in no satisfaction rate.
 */
export const CALLBACK_OUTCOMES = ['EVALUATED', 'UNREACHED'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export interface CallbackInput {
  readonly reached: boolean;
  /** 是否解决; absent when the citizen was not reached. */
  readonly solved?: boolean;
  /** The three levels the reports use; absent when the citizen was not reached. */
  readonly satisfaction?: Satisfaction;
  /** The answer on the national five-level scale, when it was given on it (`satisfaction` is its reading). */
  readonly evaluation?: Evaluation;
  /** 是否联系: whether the company contacted the citizen (feeds 响应率); absent when not reached. */
  readonly contacted?: boolean;
  /** Whether an UNSATISFIED answer is the unit's fault (主观原因: 重办) or not (objective: the review queue). */
  readonly unitAtFault?: boolean;
  readonly note: string;
}

/** A 不满意 for objective reasons waits for a supervisor: closed as it is, or reopened (重办) (domain.md §2.5 [A]). */
export type ReviewStatus = 'PENDING' | 'CONFIRMED' | 'REOPENED';

/** A callback as stored on the ticket and on the dispatch whose reply it judged. */
export interface CallbackRecord extends CallbackInput {
  readonly at: string;
  readonly by: string;
  /** Absent on callbacks recorded before outcomes were (all of them evaluations, or unreached ones that closed). */
  readonly outcome?: CallbackOutcome;
  /** The attempt this was (1 for the first callback of the reply). */
  readonly attempts?: number;
}

export interface ReviewState {
  readonly status: ReviewStatus;
  readonly requestedAt: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly reason?: string;
}

/** A crew step that also records the citizen was told of the approved extension (domain.md §2.4), in passing. */
export interface TellsOfExtension {
  readonly extensionNotified?: boolean;
}

/** Whether `input` records, with its step, that the citizen was told of the approved extension. */
export function tellsOfExtension(input: ActionInput): boolean {
  return (input.action === 'contact' || input.action === 'visit' || input.action === 'reply') && input.extensionNotified === true;
}

/** The inputs of each action, as validated at the HTTP edge. */
export type ActionInput =
  | { readonly action: 'accept' }
  | ({ readonly action: 'contact'; readonly note: string } & TellsOfExtension)
  | ({ readonly action: 'visit'; readonly note: string; readonly readings: readonly Reading[] } & TellsOfExtension)
  | ({ readonly action: 'reply'; readonly resolution: string } & TellsOfExtension)
  | { readonly action: 'return'; readonly reason: string }
  | { readonly action: 'reassign'; readonly companyId: string }
  | { readonly action: 'reject-return'; readonly reason: string }
  | { readonly action: 'extension'; readonly reason: string; readonly extendBy: string }
  | { readonly action: 'extension-approve' }
  | { readonly action: 'extension-reject'; readonly reason?: string }
  | { readonly action: 'extension-notified'; readonly note?: string }
  | { readonly action: 'pause'; readonly reason: PauseReason; readonly note: string; readonly callAttempts: number }
  | { readonly action: 'pause-approve' }
  | { readonly action: 'pause-reject'; readonly reason?: string }
  | {
      readonly action: 'resume';
      readonly note?: string;
      /** The workflow's own resume when the pause reached the policy's cap (actor `system`). */
      readonly atCap?: boolean;
    }
  | { readonly action: 'refund-exclusion'; readonly exclusion: RefundExclusion; readonly note: string }
  | ({ readonly action: 'callback' } & CallbackInput)
  | { readonly action: 'raise-priority'; readonly priority: Priority; readonly reason: string }
  | { readonly action: 'cancel'; readonly reason: string }
  | { readonly action: 'review-confirm'; readonly reason?: string }
  | { readonly action: 'review-reopen'; readonly reason: string }
  | {
      readonly action: 'repeat-call';
      /** The recorded repeat call this delivers (absent in histories of the first lifecycle release). */
      readonly repeatCallId?: string;
      /** When the call came in: the instant its reopen is decided at, however late it is delivered. */
      readonly receivedAt?: string;
      /** The priority an open ticket is raised to by this call (the second repeat call, domain.md §2.6). */
      readonly raisesPriorityTo?: Priority;
    };

export type ExtensionStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface ExtensionState {
  readonly status: ExtensionStatus;
  readonly stage: Stage;
  readonly reason: string;
  readonly extendBy: string;
  readonly requestedAt: string;
  readonly requestedBy: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  /** When the crew recorded that the citizen was told the approved new date and the reason (domain.md §2.4). */
  readonly citizenNotifiedAt?: string;
  readonly citizenNotifiedNote?: string | null;
}

/** Why a crew asks to stop a stage's clock: the resident is away, or refuses entry. */
export const PAUSE_REASONS = ['RESIDENT_AWAY', 'ENTRY_REFUSED'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
export const PAUSE_REASON_NAMES_ZH: Record<PauseReason, string> = { RESIDENT_AWAY: '住户不在家', ENTRY_REFUSED: '住户拒绝入户' };

/** The stages whose clock a pause may stop: those that need the resident (not 签收, not the hotline's 回访). */
export const PAUSABLE_STAGES: readonly Stage[] = ['contact', 'visit', 'remediate', 'reply'];

/**
 * A pause request and what came of it: PENDING until a supervisor decides; ACTIVE while the clock stands
 * still; ENDED when the crew resumed, the cap was reached, or the stage was done; REJECTED; WITHDRAWN when
 * the stage was done (or the dispatch ended) before anyone decided.
 */
export type PauseStatus = 'PENDING' | 'ACTIVE' | 'ENDED' | 'REJECTED' | 'WITHDRAWN';

export interface PauseState {
  readonly status: PauseStatus;
  readonly stage: Stage;
  readonly reason: PauseReason;
  readonly note: string;
  /** The calls the crew made before asking (evidence). */
  readonly callAttempts: number;
  readonly requestedAt: string;
  readonly requestedBy: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly decisionReason?: string;
  /** When the clock stopped (the approval) and when it runs again by itself at the latest (the cap). */
  readonly startedAt?: string;
  readonly endsBy?: string;
  readonly endedAt?: string;
  readonly endedBy?: string;
  /** Whether the cap ended it (the crew did not resume). */
  readonly endedAtCap?: boolean;
  /** How long the clock stood still (ms); the stage's deadline and rungs moved by it in the policy's clock. */
  readonly pausedMs?: number;
}

/** Whether a pause holds a stage's clock now. */
export function pauseActive(pause: PauseState | null | undefined): pause is PauseState & { startedAt: string; endsBy: string } {
  return pause?.status === 'ACTIVE';
}

/** The stages whose rungs stand still while `stage` is paused: it and every later one waiting on it (STAGE_ORDER). */
export function stagesHeldByPause(stage: Stage): readonly Stage[] {
  return STAGE_ORDER.slice(STAGE_ORDER.indexOf(stage));
}

/** What the rules need to know of a ticket; the workflow keeps it, the database stores it. */
export interface LifecycleState {
  readonly status: TicketStatus;
  readonly category: Category;
  readonly statusBeforeReturn: TicketStatus | null;
  readonly stages: Partial<Record<Stage, { readonly dueAt: string; readonly doneAt: string | null }>>;
  readonly extension: ExtensionState | null;
  /** At most one approved extension per ticket. */
  readonly approvedExtensions: number;
  readonly closedAt: string | null;
  /** The ticket's priority (absent in the state of workflows started before it was part of it). */
  readonly priority?: Priority;
  /** Until when the current dispatch's company may return the ticket; absent/null: no limit known. */
  readonly returnAllowedUntil?: string | null;
  /** 指定承办: the current company can no longer return it. */
  readonly designated?: boolean;
  /** Callbacks of the current reply that did not reach the citizen (absent in older workflow states: none). */
  readonly callbackAttempts?: number;
  /** The policy's attempts before 未联系上 (absent in older workflow states: DEFAULT_CALLBACK_ATTEMPTS). */
  readonly callbackAttemptLimit?: number;
  /** The supervisor review of an objective 不满意, if one is pending or was decided on this reply. */
  readonly review?: ReviewStatus | null;
  /** The latest pause request of the current dispatch (absent in older workflow states: none). */
  readonly pause?: PauseState | null;
  /** Stages of the current dispatch that had their one pause. */
  readonly pausedStages?: readonly Stage[];
  /** Whether the crew recorded why no refund is due (domain.md §3); absent in older workflow states: no. */
  readonly refundExcluded?: boolean;
}

/** Repeat calls reopen a ticket closed less than this long ago (docs/product.md, Repeat calls). */
export const REOPEN_WINDOW_MS = 7 * 24 * 3_600_000;

/** The repeat call of an open ticket that raises its priority one step: the second (domain.md §2.6). */
export const PRIORITY_RAISING_REPEAT_CALL = 2;

/** The priority the `repeatCount`-th repeat call on an open ticket raises it to, if it raises it. */
export function priorityAfterRepeatCall(priority: Priority, repeatCount: number): Priority | null {
  if (repeatCount !== PRIORITY_RAISING_REPEAT_CALL) return null;
  return priority === 'P2' ? 'P1' : priority === 'P1' ? 'P0' : null;
}

/** The instant a closed ticket stops taking reopens (its workflow may end then). */
export function reopenWindowEnd(closedAt: string): number {
  return Date.parse(closedAt) + REOPEN_WINDOW_MS;
}

/** Whether a ticket closed at `closedAt` may still be reopened by a call at `at` (epoch ms). */
export function withinReopenWindow(closedAt: string | null, at: number): boolean {
  return closedAt !== null && at < reopenWindowEnd(closedAt);
}

/** The earliest closing instant a call at `at` (epoch ms) can still reopen: the same bound, for queries. */
export function earliestReopenableClose(at: number): Date {
  return new Date(at - REOPEN_WINDOW_MS);
}

/**
 * The instant an action is decided at (and stamped with): a repeat call at the moment it was received,
 * so a delivery delayed by an outage reopens what the caller would have reopened; anything else now.
 */
export function decisionInstant(input: ActionInput, now: number): number {
  return input.action === 'repeat-call' && input.receivedAt ? Date.parse(input.receivedAt) : now;
}

/**
 * How a dispatch (派单: one company holding the ticket from one instant) ended: 退单 then reassigned,
 * reassigned without a return, reopened (重办) after its reply, cancelled, or closed after a callback.
 * A current dispatch has none.
 */
export const DISPATCH_OUTCOMES = ['RETURNED', 'REASSIGNED', 'REOPENED', 'CANCELLED', 'CLOSED'] as const;
export type DispatchOutcome = (typeof DISPATCH_OUTCOMES)[number];

/** How a dispatch began: the ticket's creation, a reassignment, or a reopening. */
export const DISPATCH_CAUSES = ['CREATED', 'REASSIGNED', 'REOPENED'] as const;
export type DispatchCause = (typeof DISPATCH_CAUSES)[number];

/** How a transition changes the ticket; applied by an activity, decided by the same rules everywhere. */
export interface TransitionPlan {
  readonly status: TicketStatus;
  /** Stages this transition completes. */
  readonly completes: readonly Stage[];
  /** A new dispatch: fresh deadlines for every stage (reassign, reopen). */
  readonly freshDispatch: 'reassign' | 'reopen' | null;
  /** A failed temperature reading starts the remediate stage (unless it already runs). */
  readonly startsRemediation: boolean;
  readonly closes: boolean;
  /** How the transition ends the current dispatch, if it does (a closed one may still become REOPENED). */
  readonly endsDispatch: DispatchOutcome | null;
  /** A raised priority: the current dispatch's open stages are re-armed from that priority's policy. */
  readonly raisesPriority: Priority | null;
  /** A reply opens the callback stage (回访), due the policy's `callbackWithin` later in working days. */
  readonly opensCallback: boolean;
  /** What a callback came to, when it is final (an unreached attempt before the last is not). */
  readonly callbackOutcome: CallbackOutcome | null;
  /** A change of the supervisor review: an objective 不满意 queues it, a decision ends it. */
  readonly review: ReviewStatus | null;
  /**
   * An active pause this transition ends: resumed (by the crew, or at the cap), or the paused stage done,
   * the dispatch ended or the ticket closed. The stage's clock moves by the paused time first.
   */
  readonly endsPause: boolean;
  /** A pending pause request this transition withdraws (its stage done or its dispatch ended first). */
  readonly withdrawsPause: boolean;
}

/** A plan's fields when a transition changes nothing but perhaps the status: each change starts from it. */
export const UNCHANGED: Omit<TransitionPlan, 'status'> = {
  completes: [],
  freshDispatch: null,
  startsRemediation: false,
  closes: false,
  endsDispatch: null,
  raisesPriority: null,
  opensCallback: false,
  callbackOutcome: null,
  review: null,
  endsPause: false,
  withdrawsPause: false,
};

export class TransitionRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransitionRefusedError';
  }
}

const refuse = (message: string): never => {
  throw new TransitionRefusedError(message);
};

/** domain.md §2.4: once approved, the unit tells the citizen the new date and the reason; recorded once. */
function refuseUnlessCitizenMayBeTold(state: LifecycleState): void {
  if (state.extension?.status !== 'APPROVED') refuse('no approved extension to tell the citizen about');
  if (state.extension!.citizenNotifiedAt) refuse(`the citizen was already told of this extension at ${state.extension!.citizenNotifiedAt}`);
}

const ACTION_ALLOWED_FROM: Partial<Record<TicketAction, readonly TicketStatus[]>> = {
  accept: ['RECEIVED'],
  contact: ['ACCEPTED'],
  visit: ['CONTACTED', 'REMEDIATING'],
  return: ['RECEIVED', 'ACCEPTED'],
  reassign: ['RETURN_REQUESTED', 'RECEIVED', 'ACCEPTED'],
  'reject-return': ['RETURN_REQUESTED'],
  callback: ['REPLIED'],
  'review-confirm': ['REPLIED'],
  'review-reopen': ['REPLIED'],
};

/** The stage whose deadline the crew is working against in a status, if any. */
export function currentStage(state: Pick<LifecycleState, 'status' | 'category'>): Stage | null {
  switch (state.status) {
    case 'RECEIVED':
    case 'RETURN_REQUESTED':
      return 'accept';
    case 'ACCEPTED':
      return 'contact';
    case 'CONTACTED':
      return CATEGORY_DEFAULTS[state.category].visitNeeded ? 'visit' : 'reply';
    case 'VISITED':
      return 'reply';
    case 'REMEDIATING':
      return 'remediate';
    default:
      return null;
  }
}

/**
 * The rules of docs/product.md, Lifecycle, in one place: whether `input` may happen to a ticket in `state` at `now`, and
 * what it changes. Throws TransitionRefusedError (answered 409) when it may not. Pure: the workflow
 * validates updates with it, and the activity applies its plan.
 */
export function planTransition(
  state: LifecycleState,
  input: ActionInput,
  now: number,
  standard: Pick<IndoorStandardTerms, 'celsius' | 'rooms'>,
): TransitionPlan {
  const { status } = state;
  const allowedFrom = ACTION_ALLOWED_FROM[input.action];
  if (allowedFrom && !allowedFrom.includes(status)) {
    refuse(`${input.action} is not allowed when the ticket is ${status} (only from ${allowedFrom.join(', ')})`);
  }
  if (tellsOfExtension(input)) refuseUnlessCitizenMayBeTold(state);
  const plan = (changes: Partial<TransitionPlan> & Pick<TransitionPlan, 'status'>): TransitionPlan => {
    const planned = { ...UNCHANGED, ...changes };
    // A pause belongs to its stage in this dispatch: done, ended or closed, it ends (or is withdrawn) with it.
    const pause = state.pause;
    const overtaken = !!pause && (planned.completes.includes(pause.stage) || planned.freshDispatch !== null || planned.closes);
    // A raised priority restarts the clock too: it re-arms the stages from now, so the pause ends first.
    const raisedWhilePaused = planned.raisesPriority !== null && pause?.status === 'ACTIVE';
    return {
      ...planned,
      endsPause: planned.endsPause || raisedWhilePaused || (overtaken && pause!.status === 'ACTIVE'),
      withdrawsPause: overtaken && pause!.status === 'PENDING',
    };
  };
  const visitNeeded = CATEGORY_DEFAULTS[state.category].visitNeeded;

  switch (input.action) {
    case 'accept':
      return plan({ status: 'ACCEPTED', completes: ['accept'] });
    case 'contact':
      return plan({ status: 'CONTACTED', completes: ['contact'] });
    case 'visit': {
      if (!visitNeeded) refuse(`a ${state.category} ticket needs no visit; reply instead`);
      if (input.readings.length === 0 && readingsRequired(state.category)) {
        refuse('a visit for a temperature complaint must record at least one reading');
      }
      if (readingsRequired(state.category) && !input.readings.some((reading) => readingJudges(reading, standard))) {
        refuse('a visit for a temperature complaint must record at least one reading of a room the standard names, measured by the method');
      }
      const fails = readingsFail(input.readings, standard);
      const completes: Stage[] = status === 'CONTACTED' ? ['visit'] : [];
      if (status === 'REMEDIATING' && !fails) completes.push('remediate');
      return plan({
        status: fails ? 'REMEDIATING' : 'VISITED',
        completes,
        startsRemediation: fails && !state.stages.remediate,
      });
    }
    case 'reply':
      if (!(status === 'VISITED' || (status === 'CONTACTED' && !visitNeeded))) {
        refuse(
          visitNeeded
            ? `reply is not allowed when the ticket is ${status} (only from VISITED: this category needs a visit first)`
            : `reply is not allowed when the ticket is ${status} (only from CONTACTED or VISITED)`,
        );
      }
      return plan({ status: 'REPLIED', completes: ['reply'], opensCallback: true });
    case 'return':
      if (state.designated) refuse('the ticket is designated (指定承办) to this company after repeated dispatches: it can no longer be returned');
      if (state.returnAllowedUntil && now > Date.parse(state.returnAllowedUntil)) {
        refuse(`a return was allowed until ${state.returnAllowedUntil} (the return window after dispatch); the company must handle the ticket now`);
      }
      return plan({ status: 'RETURN_REQUESTED' });
    case 'reject-return':
      return plan({ status: state.statusBeforeReturn ?? 'RECEIVED' });
    case 'reassign':
      // A reassignment after a return request ends the dispatch as RETURNED: it counts for the company that gave it back.
      return plan({ status: 'RECEIVED', freshDispatch: 'reassign', endsDispatch: status === 'RETURN_REQUESTED' ? 'RETURNED' : 'REASSIGNED' });
    case 'extension': {
      if (!isOpenStatus(status)) refuse(`no extension for a ${status} ticket`);
      if (state.extension?.status === 'PENDING') refuse('an extension request is already pending');
      if (state.approvedExtensions >= 1) refuse('this ticket already had its one approved extension');
      const stage = currentStage(state);
      const deadline = stage ? state.stages[stage] : undefined;
      if (!stage || !deadline) refuse(`no stage with a deadline is under way while the ticket is ${status}`);
      // A paused stage's clock stands still (its pause was approved before the deadline): its deadline has not passed.
      const standing = pauseActive(state.pause) && state.pause.stage === stage;
      if (!standing && now >= Date.parse(deadline!.dueAt)) refuse(`the ${stage} deadline has already passed; an extension must be asked before it`);
      parseDurationMs(input.extendBy);
      return plan({ status });
    }
    case 'extension-approve':
    case 'extension-reject': {
      if (state.extension?.status !== 'PENDING') refuse('no extension request is pending');
      if (!isOpenStatus(status)) refuse(`the ticket is ${status}`);
      if (input.action === 'extension-approve' && state.stages[state.extension!.stage]?.doneAt) {
        refuse(`the ${state.extension!.stage} stage is already done; nothing to extend`);
      }
      return plan({ status });
    }
    case 'extension-notified':
      refuseUnlessCitizenMayBeTold(state);
      if (!isOpenStatus(status)) refuse(`the ticket is ${status}`);
      return plan({ status });
    case 'pause': {
      if (!isOpenStatus(status)) refuse(`no pause for a ${status} ticket`);
      if (state.pause?.status === 'PENDING') refuse('a pause request is already pending');
      if (state.pause?.status === 'ACTIVE') refuse(`the ${state.pause.stage} stage is already paused`);
      const stage = currentStage(state);
      const deadline = stage ? state.stages[stage] : undefined;
      if (!stage || !deadline || deadline.doneAt) refuse(`no stage with a deadline is under way while the ticket is ${status}`);
      if (!PAUSABLE_STAGES.includes(stage!)) refuse(`the ${stage} stage cannot be paused (only ${PAUSABLE_STAGES.join(', ')}: they need the resident)`);
      if (state.pausedStages?.includes(stage!)) refuse(`the ${stage} stage already had its one pause in this dispatch`);
      if (now >= Date.parse(deadline!.dueAt)) refuse(`the ${stage} deadline has already passed; a pause must be asked before it`);
      return plan({ status });
    }
    case 'pause-approve':
    case 'pause-reject': {
      if (state.pause?.status !== 'PENDING') refuse('no pause request is pending');
      if (!isOpenStatus(status)) refuse(`the ticket is ${status}`);
      const paused = state.stages[state.pause!.stage];
      // Stopping a clock that already ran out would hold back the 约谈 and 通报 of a late stage.
      if (input.action === 'pause-approve' && paused && now >= Date.parse(paused.dueAt)) {
        refuse(`the ${state.pause!.stage} deadline (${paused.dueAt}) passed while the request waited; it can only be rejected`);
      }
      return plan({ status });
    }
    case 'refund-exclusion':
      if (!readingsRequired(state.category)) refuse(`a ${state.category} ticket has no indoor temperature to refund`);
      if (!isOpenStatus(status)) refuse(`the ticket is ${status}; an exclusion is recorded while it is handled`);
      if (state.refundExcluded) refuse('a refund exclusion is already recorded for this ticket');
      return plan({ status });
    case 'resume':
      if (!pauseActive(state.pause)) refuse('no stage is paused');
      if (input.atCap && now < Date.parse(state.pause!.endsBy!)) refuse(`the pause runs until ${state.pause!.endsBy} unless the crew resumes it`);
      return plan({ status, endsPause: true });
    case 'callback': {
      if (state.review === 'PENDING') refuse('the callback judged the reply unsatisfactory for objective reasons: a supervisor reviews it (confirm or reopen)');
      if (!input.reached) {
        // 未联系上: the attempt is recorded; after the policy's last attempt the ticket closes as UNREACHED.
        const attempts = (state.callbackAttempts ?? 0) + 1;
        if (attempts < (state.callbackAttemptLimit ?? DEFAULT_CALLBACK_ATTEMPTS)) return plan({ status });
        return plan({ status: 'CLOSED', completes: ['callback'], closes: true, endsDispatch: 'CLOSED', callbackOutcome: 'UNREACHED' });
      }
      if (input.satisfaction === 'UNSATISFIED' && !input.unitAtFault) {
        return plan({ status, completes: ['callback'], callbackOutcome: 'EVALUATED', review: 'PENDING' });
      }
      const reopens = input.satisfaction === 'UNSATISFIED';
      return reopens
        ? plan({ status: 'RECEIVED', completes: ['callback'], freshDispatch: 'reopen', endsDispatch: 'REOPENED', callbackOutcome: 'EVALUATED' })
        : plan({ status: 'CLOSED', completes: ['callback'], closes: true, endsDispatch: 'CLOSED', callbackOutcome: 'EVALUATED' });
    }
    case 'review-confirm':
    case 'review-reopen':
      if (state.review !== 'PENDING') refuse('no callback is waiting for a supervisor review');
      return input.action === 'review-confirm'
        ? plan({ status: 'CLOSED', closes: true, endsDispatch: 'CLOSED', review: 'CONFIRMED' })
        : plan({ status: 'RECEIVED', freshDispatch: 'reopen', endsDispatch: 'REOPENED', review: 'REOPENED' });
    case 'raise-priority':
      if (!isOpenStatus(status)) refuse(`the priority of a ${status} ticket cannot change`);
      if (state.priority && !outranks(input.priority, state.priority)) {
        refuse(`the ticket is already ${state.priority}; a priority can only be raised (P2 → P1 → P0)`);
      }
      return plan({ status, raisesPriority: input.priority });
    case 'cancel':
      if (!isOpenStatus(status)) refuse(`a ${status} ticket cannot be cancelled`);
      return plan({ status: 'CANCELLED', closes: true, endsDispatch: 'CANCELLED' });
    case 'repeat-call': {
      if (status === 'CANCELLED') refuse('a cancelled ticket is not reopened by a repeat call');
      if (status === 'CLOSED') {
        if (!withinReopenWindow(state.closedAt, now)) {
          refuse('the ticket was closed 7 days ago or more; a repeat call makes a new ticket');
        }
        return plan({ status: 'RECEIVED', freshDispatch: 'reopen', endsDispatch: 'REOPENED' });
      }
      if (input.raisesPriorityTo && (!state.priority || outranks(input.raisesPriorityTo, state.priority))) {
        return plan({ status, raisesPriority: input.raisesPriorityTo });
      }
      return plan({ status });
    }
  }
}
