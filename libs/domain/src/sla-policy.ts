import { Priority } from './categories';
import { parseDurationMs } from './duration';
import { RungLevel, Stage } from './ticket-status';
import { addDuration, CalendarKind, WorkCalendar } from './work-calendar';

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
 * window in elapsed time; WARNING and PUBLIC_NOTICE count from the deadline in the policy's calendar.
 */
export function escalationRungs(deadline: StageDeadline, policy: SlaPolicyTerms, calendar: WorkCalendar): Rung[] {
  const { stage, startsAt, dueAt } = deadline;
  const windowMs = dueAt.getTime() - startsAt.getTime();
  const after = (duration: string): Date => addDuration(dueAt, parseDurationMs(duration), policy.calendar, calendar);
  return [
    { stage, level: 'DUE_SOON', at: new Date(startsAt.getTime() + Math.floor(windowMs * DUE_SOON_FRACTION)) },
    { stage, level: 'OVERDUE', at: dueAt },
    { stage, level: 'WARNING', at: after(policy.warningAfter) },
    { stage, level: 'PUBLIC_NOTICE', at: after(policy.noticeAfter) },
  ];
}
