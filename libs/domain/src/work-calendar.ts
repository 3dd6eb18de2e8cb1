import { DateTime } from 'luxon';

/** Working days count in China's civil time zone (docs/product.md, Working-day calendar). */
export const CALENDAR_ZONE = 'Asia/Shanghai';

export const CALENDAR_KINDS = ['24x7', 'workdays'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

/**
 * Which years a calendar knows the holidays and make-up working days of (domain.md §2.1: P2 counts working
 * days "with Chinese holidays and 调休"). A day of any other year counts by the Monday–Friday rule alone,
 * which is a guess: the State Council publishes each year's schedule late in the year before.
 */
export interface CalendarCoverage {
  /**
   * The years whose schedule is known. Absent: the calendar makes no claim about coverage (a hand-built
   * calendar in a test or a migration), and no day counts as uncovered.
   */
  readonly coveredYears?: ReadonlySet<number>;
}

/**
 * Holidays and make-up working days (调休), as local dates `YYYY-MM-DD`. A listed holiday is off
 * even on a weekday; a listed working day counts even on a weekend.
 */
export interface WorkCalendar extends CalendarCoverage {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
}

export const EMPTY_CALENDAR: WorkCalendar = { holidays: new Set(), workdays: new Set() };

/** Longest run of days scanned before giving up: a calendar that lists a whole decade off is a data error. */
const MAX_SCANNED_DAYS = 3660;

export function isWorkingDay(localDate: DateTime, calendar: WorkCalendar): boolean {
  const iso = localDate.toISODate() as string;
  if (calendar.workdays.has(iso)) return true;
  if (calendar.holidays.has(iso)) return false;
  return localDate.weekday <= 5;
}

/**
 * The instant at which `durationMs` of working time has passed since `from`. Working time is every
 * moment of a working day (00:00–24:00 Asia/Shanghai); non-working days do not count. So a P1D limit
 * set on Friday 15:00 falls due on Monday 15:00, and one set on Saturday on Tuesday 00:00.
 */
export function addWorkingTime(from: Date, durationMs: number, calendar: WorkCalendar): Date {
  let cursor = DateTime.fromJSDate(from, { zone: CALENDAR_ZONE });
  let remaining = durationMs;
  for (let scanned = 0; scanned < MAX_SCANNED_DAYS; scanned++) {
    const nextDayStart = cursor.startOf('day').plus({ days: 1 });
    if (isWorkingDay(cursor, calendar)) {
      const leftToday = nextDayStart.toMillis() - cursor.toMillis();
      if (remaining <= leftToday) return new Date(cursor.toMillis() + remaining);
      remaining -= leftToday;
    }
    cursor = nextDayStart;
  }
  throw new Error(`no working day found within ${MAX_SCANNED_DAYS} days of ${from.toISOString()}`);
}

/**
 * The working time between two instants: the duration `addWorkingTime` needs to go from `from` to `to`
 * (so `workingTimeBetween(from, addWorkingTime(from, ms)) === ms`). 0 when `to` is not after `from`.
 */
export function workingTimeBetween(from: Date, to: Date, calendar: WorkCalendar): number {
  const end = to.getTime();
  let cursor = DateTime.fromJSDate(from, { zone: CALENDAR_ZONE });
  let total = 0;
  while (cursor.toMillis() < end) {
    const nextDayStart = cursor.startOf('day').plus({ days: 1 });
    if (isWorkingDay(cursor, calendar)) total += Math.min(nextDayStart.toMillis(), end) - cursor.toMillis();
    cursor = nextDayStart;
  }
  return total;
}

export function addDuration(from: Date, durationMs: number, kind: CalendarKind, calendar: WorkCalendar): Date {
  return kind === 'workdays' ? addWorkingTime(from, durationMs, calendar) : new Date(from.getTime() + durationMs);
}

/** The local calendar date (YYYY-MM-DD, Asia/Shanghai) of an instant: ticket numbers and reports use it. */
export function localDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: CALENDAR_ZONE }).toISODate() as string;
}

/**
 * The years, in order, of the local days from `from` up to `to` that the calendar does not cover: an
 * instant computed over that span in working days relied on a guess for those days. `to` at midnight
 * uses nothing of the day it opens (a deadline due at 2027-01-01 00:00 counted only days of 2026).
 */
export function uncoveredYearsBetween(from: Date, to: Date, calendar: CalendarCoverage): number[] {
  const covered = calendar.coveredYears;
  if (!covered || to.getTime() <= from.getTime()) return [];
  const first = DateTime.fromJSDate(from, { zone: CALENDAR_ZONE }).year;
  const last = DateTime.fromMillis(to.getTime() - 1, { zone: CALENDAR_ZONE }).year;
  const years: number[] = [];
  for (let year = first; year <= last; year++) if (!covered.has(year)) years.push(year);
  return years;
}

/** Whether an instant computed in working days from `from` (a deadline, a rung) relied on uncovered days. */
export function reliesOnUncoveredDays(from: Date, computed: Date, calendar: CalendarCoverage): boolean {
  return uncoveredYearsBetween(from, computed, calendar).length > 0;
}

/** A span a deadline or rung was counted over: from the window's start to the instant computed. */
export interface CountedSpan {
  readonly from: Date;
  readonly to: Date;
}

/**
 * The years without calendar data that instants counted in `kind` over `spans` relied on, in order and
 * once each. `24x7` instants are plain elapsed time and rely on no calendar.
 */
export function uncoveredYearsOf(spans: Iterable<CountedSpan>, kind: CalendarKind, calendar: CalendarCoverage): number[] {
  if (kind !== 'workdays') return [];
  const years = new Set<number>();
  for (const span of spans) for (const year of uncoveredYearsBetween(span.from, span.to, calendar)) years.add(year);
  return [...years].sort((a, b) => a - b);
}

/** What the console shows when deadlines relied on years without calendar data (Chinese, then English); null when none did. */
export function calendarWarning(uncoveredYears: readonly number[]): string | null {
  if (uncoveredYears.length === 0) return null;
  const zh = uncoveredYears.map((year) => `${year}年`).join('、');
  const en = uncoveredYears.join(', ');
  return (
    `截止时间计入了${zh}的日期，该年节假日和调休安排尚未录入日历，暂按周一至周五计算。` +
    ` Deadlines count days of ${en}, whose holidays and make-up working days are not on the calendar yet: Monday–Friday assumed.`
  );
}
