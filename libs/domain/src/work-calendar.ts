import { DateTime } from 'luxon';

/** Working days count in China's civil time zone (docs/product.md, Working-day calendar). */
export const CALENDAR_ZONE = 'Asia/Shanghai';

export const CALENDAR_KINDS = ['24x7', 'workdays'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

/**
 * Holidays and make-up working days (调休), as local dates `YYYY-MM-DD`. A listed holiday is off
 * even on a weekday; a listed working day counts even on a weekend.
 */
export interface WorkCalendar {
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

export function addDuration(from: Date, durationMs: number, kind: CalendarKind, calendar: WorkCalendar): Date {
  return kind === 'workdays' ? addWorkingTime(from, durationMs, calendar) : new Date(from.getTime() + durationMs);
}

/** The local calendar date (YYYY-MM-DD, Asia/Shanghai) of an instant: ticket numbers and reports use it. */
export function localDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: CALENDAR_ZONE }).toISODate() as string;
}
