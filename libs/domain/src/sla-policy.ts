import { Priority } from './categories';
import { parseDurationMs } from './duration';
import { RungLevel, rungLevelsOf, Stage } from './ticket-status';
import { addDuration, CalendarKind, WorkCalendar, workingTimeBetween } from './work-calendar';

/** One version of the time limits for a priority: ISO 8601 durations (docs/product.md, SLA). */
export interface SlaPolicyTerms {
  readonly accept: string;
  readonly contact: string;
  readonly visit: string | null;
  readonly reply: string;
  readonly remediate: string | null;
  readonly warningAfter: string;
  readonly noticeAfter: string;
  readonly calendar: CalendarKind;
  /** How long after a dispatch the company may return the ticket (退单), in the policy's calendar (domain.md §2.2). */
  readonly returnWindow: string;
  /** The longest extension (延期) one request may ask for (domain.md §2.4). */
  readonly extensionCap: string;
  /** The dispatch (creation, then each reassignment) from which the company can no longer return it: 指定承办 (§2.2). */
  readonly designatedFromDispatch: number;
  /** When the callback (回访) is due after the reply, always in working days: the next working day (domain.md §2.5). */
  readonly callbackWithin: string;
  /** Callbacks that do not reach the citizen before the ticket closes as 未联系上 (§2.5). */
  readonly callbackAttempts: number;
  /** The longest a stage's clock stays stopped by an approved pause (resident away, entry refused) before it runs again by itself. */
  readonly pauseCap: string;
}

export interface SlaPolicySnapshot extends SlaPolicyTerms {
  readonly priority: Priority;
  readonly version: number;
}

/** The defaults of docs/product.md, SLA; the first version of each priority's policy, seeded by the initial migration. */
export const DEFAULT_SLA_POLICIES: Record<Priority, SlaPolicyTerms> = {
  P0: {
    accept: 'PT15M',
    contact: 'PT20M',
    visit: 'PT30M',
    reply: 'PT24H',
    remediate: 'PT24H',
    warningAfter: 'PT1H',
    noticeAfter: 'PT12H',
    calendar: '24x7',
    returnWindow: 'PT2H',
    extensionCap: 'PT24H',
    designatedFromDispatch: 3,
    callbackWithin: 'P1D',
    callbackAttempts: 3,
    pauseCap: 'PT48H',
  },
  P1: {
    accept: 'PT30M',
    contact: 'PT1H',
    visit: 'PT6H',
    reply: 'PT24H',
    remediate: 'PT24H',
    warningAfter: 'PT2H',
    noticeAfter: 'PT24H',
    calendar: '24x7',
    returnWindow: 'PT2H',
    extensionCap: 'PT24H',
    designatedFromDispatch: 3,
    callbackWithin: 'P1D',
    callbackAttempts: 3,
    pauseCap: 'PT48H',
  },
  P2: {
    accept: 'P1D',
    contact: 'P1D',
    visit: null,
    reply: 'P5D',
    remediate: null,
    warningAfter: 'P1D',
    noticeAfter: 'P5D',
    calendar: 'workdays',
    returnWindow: 'P1D',
    extensionCap: 'P5D',
    designatedFromDispatch: 3,
    callbackWithin: 'P1D',
    callbackAttempts: 3,
    pauseCap: 'PT48H',
  },
};

/** Share of a stage's window after which the 黄灯 DUE_SOON reminder fires. */
export const DUE_SOON_FRACTION = 0.8;

export interface StageDeadline {
  readonly stage: Stage;
  /** Start of the stage's window: the dispatch instant, or the failed reading for `remediate`. */
  readonly startsAt: Date;
  readonly dueAt: Date;
}

export interface Rung {
  readonly stage: Stage;
  readonly level: RungLevel;
  readonly at: Date;
}

/**
 * Absolute deadlines of the stages that count from a dispatch (creation, reassignment or reopening).
 * The visit stage exists only for categories that need a visit and policies that set one.
 */
export function dispatchDeadlines(
  dispatchedAt: Date,
  policy: SlaPolicyTerms,
  visitNeeded: boolean,
  calendar: WorkCalendar,
): StageDeadline[] {
  const due = (duration: string): Date => addDuration(dispatchedAt, parseDurationMs(duration), policy.calendar, calendar);
  const deadlines: StageDeadline[] = [
    { stage: 'accept', startsAt: dispatchedAt, dueAt: due(policy.accept) },
    { stage: 'contact', startsAt: dispatchedAt, dueAt: due(policy.contact) },
  ];
  if (visitNeeded && policy.visit) deadlines.push({ stage: 'visit', startsAt: dispatchedAt, dueAt: due(policy.visit) });
  deadlines.push({ stage: 'reply', startsAt: dispatchedAt, dueAt: due(policy.reply) });
  return deadlines;
}

/**
 * The four rungs of one stage's escalation ladder as absolute instants. DUE_SOON is 80 % of the
 * window counted in the policy's calendar (elapsed time for `24x7`; working time for `workdays`, so it
 * never falls on a day off); WARNING and PUBLIC_NOTICE count from the deadline in the policy's calendar.
 */
export function escalationRungs(deadline: StageDeadline, policy: SlaPolicyTerms, calendar: WorkCalendar): Rung[] {
  const { stage, startsAt, dueAt } = deadline;
  const windowMs = policy.calendar === 'workdays' ? workingTimeBetween(startsAt, dueAt, calendar) : dueAt.getTime() - startsAt.getTime();
  const after = (duration: string): Date => addDuration(dueAt, parseDurationMs(duration), policy.calendar, calendar);
  const rungs: Rung[] = [
    { stage, level: 'DUE_SOON', at: addDuration(startsAt, Math.floor(windowMs * DUE_SOON_FRACTION), policy.calendar, calendar) },
    { stage, level: 'OVERDUE', at: dueAt },
    { stage, level: 'WARNING', at: after(policy.warningAfter) },
    { stage, level: 'PUBLIC_NOTICE', at: after(policy.noticeAfter) },
  ];
  // The callback is the hotline's: only its reminder and overdue mark (rungLevelsOf).
  return rungs.filter((rung) => rungLevelsOf(stage).includes(rung.level));
}

/** A stage's rungs as a ticket stores them: each of its levels' instant (ISO 8601), fixed with its deadline. */
export function rungInstants(deadline: StageDeadline, policy: SlaPolicyTerms, calendar: WorkCalendar): Partial<Record<RungLevel, string>> {
  return Object.fromEntries(escalationRungs(deadline, policy, calendar).map((rung) => [rung.level, rung.at.toISOString()]));
}

/** The callback stage (回访) from a reply at `repliedAt`: due `callbackWithin` later in working days (domain.md §2.5). */
export function callbackDeadline(repliedAt: Date, policy: Pick<SlaPolicyTerms, 'callbackWithin'>, calendar: WorkCalendar): StageDeadline {
  return { stage: 'callback', startsAt: repliedAt, dueAt: addDuration(repliedAt, parseDurationMs(policy.callbackWithin), 'workdays', calendar) };
}

/** The terms a callback stage's rungs are fixed with: the policy's, counted in working days like its deadline. */
export function callbackRungTerms(policy: SlaPolicyTerms): SlaPolicyTerms {
  return { ...policy, calendar: 'workdays' };
}

/** Until when the company a ticket was dispatched to may return it (退单), fixed at the dispatch (domain.md §2.2). */
export function returnAllowedUntil(dispatchedAt: Date, policy: Pick<SlaPolicyTerms, 'returnWindow' | 'calendar'>, calendar: WorkCalendar): Date {
  return addDuration(dispatchedAt, parseDurationMs(policy.returnWindow), policy.calendar, calendar);
}

/** 指定承办: from the policy's dispatch on (the third by default) the company it lands on must handle it (§2.2). */
export function isDesignatedDispatch(dispatchCount: number, policy: Pick<SlaPolicyTerms, 'designatedFromDispatch'>): boolean {
  return dispatchCount >= policy.designatedFromDispatch;
}

/** Whether an extension request asks for more than the policy allows one request to (domain.md §2.4). */
export function exceedsExtensionCap(extendBy: string, policy: Pick<SlaPolicyTerms, 'extensionCap'>): boolean {
  return parseDurationMs(extendBy) > parseDurationMs(policy.extensionCap);
}

/**
 * The order stages wait on each other in: a later stage is never due before an earlier open stage it
 * waits on (the reply waits on the visit and on a remediation; the callback, opened by the reply, comes last).
 */
export const STAGE_ORDER: readonly Stage[] = ['accept', 'contact', 'visit', 'remediate', 'reply', 'callback'];

/**
 * The later stages that must move when `moved` falls due at `dueAt`: each open one due before it moves to
 * it. Pure; the caller re-arms their rungs and audits each move.
 */
export function laterStagesToHold(
  stages: Partial<Record<Stage, { readonly dueAt: string; readonly doneAt: string | null }>>,
  moved: Stage,
  dueAt: Date,
): Array<{ readonly stage: Stage; readonly from: string; readonly to: string }> {
  const after = STAGE_ORDER.slice(STAGE_ORDER.indexOf(moved) + 1);
  return after.flatMap((stage) => {
    const state = stages[stage];
    if (!state || state.doneAt || Date.parse(state.dueAt) >= dueAt.getTime()) return [];
    return [{ stage, from: state.dueAt, to: dueAt.toISOString() }];
  });
}

/** When an approved pause ends by itself if the crew has not resumed: the policy's cap after it started (wall time). */
export function pauseEndsBy(startedAt: Date, policy: Pick<SlaPolicyTerms, 'pauseCap'>): Date {
  return new Date(startedAt.getTime() + parseDurationMs(policy.pauseCap));
}

/**
 * A stage's deadline after its clock stood still from `from` to `to`: moved by the time the pause took in
 * the policy's clock (elapsed time for `24x7`, working time for `workdays`), so a pause over a weekend
 * gives a working-day stage no days it would not have had.
 */
export function deadlineAfterPause(dueAt: Date, from: Date, to: Date, kind: CalendarKind, calendar: WorkCalendar): Date {
  const pausedMs = kind === 'workdays' ? workingTimeBetween(from, to, calendar) : Math.max(0, to.getTime() - from.getTime());
  // No time of the policy's clock passed (a pause over a weekend): the deadline stays where it is.
  return pausedMs === 0 ? dueAt : addDuration(dueAt, pausedMs, kind, calendar);
}
