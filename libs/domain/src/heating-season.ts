import { DateTime } from 'luxon';
import { CALENDAR_ZONE } from './work-calendar';

/**
 * The heating season (供暖季, domain.md §3): statutory 11-15 → 03-15, moved by the city government each
 * year (early start or extension). A season is named by its two years, `2026-2027`; its dates are
 * Asia/Shanghai days, both inclusive.
 */
export const DEFAULT_SEASON_STARTS = '11-15';
export const DEFAULT_SEASON_ENDS = '03-15';

/** A season is at most this many days long (it also fits the reports' 366-day range). */
export const MAX_SEASON_DAYS = 366;

export const SEASON_NAME = /^(\d{4})-(\d{4})$/;

export interface SeasonDates {
  /** The first heated day (YYYY-MM-DD), Asia/Shanghai. */
  readonly starts: string;
  /** The last heated day (YYYY-MM-DD), Asia/Shanghai. */
  readonly ends: string;
}

/** The first year of a season named like `2026-2027` (years 2000–2099, the second the next), else undefined. */
export function seasonFirstYear(name: string): number | undefined {
  const match = SEASON_NAME.exec(name);
  if (!match) return undefined;
  const first = Number(match[1]);
  return Number(match[2]) === first + 1 && first >= 2000 && first <= 2099 ? first : undefined;
}

export function seasonName(firstYear: number): string {
  return `${firstYear}-${firstYear + 1}`;
}

/** The statutory dates of a season nobody stored: 11-15 of its first year to 03-15 of the next. */
export function defaultSeasonDates(firstYear: number): SeasonDates {
  return { starts: `${firstYear}-${DEFAULT_SEASON_STARTS}`, ends: `${firstYear + 1}-${DEFAULT_SEASON_ENDS}` };
}

/** The season under way or next to come on the Asia/Shanghai day of `at`: from July on, the one starting that autumn. */
export function seasonFirstYearAt(at: Date): number {
  const local = DateTime.fromJSDate(at, { zone: CALENDAR_ZONE });
  return local.month >= 7 ? local.year : local.year - 1;
}

const isDay = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;

/**
 * What is wrong with dates given for the season starting in `firstYear`, field by field: each must be a
 * real day, the start in the first year, the end in the second, and the season at most MAX_SEASON_DAYS long.
 */
export function seasonDatesProblems(firstYear: number, dates: SeasonDates): Array<{ field: 'starts' | 'ends'; message: string }> {
  const problems: Array<{ field: 'starts' | 'ends'; message: string }> = [];
  if (!isDay(dates.starts)) problems.push({ field: 'starts', message: 'starts must be a date (YYYY-MM-DD)' });
  else if (!dates.starts.startsWith(`${firstYear}-`)) problems.push({ field: 'starts', message: `starts must be a day of ${firstYear}, the season’s first year` });
  if (!isDay(dates.ends)) problems.push({ field: 'ends', message: 'ends must be a date (YYYY-MM-DD)' });
  else if (!dates.ends.startsWith(`${firstYear + 1}-`)) problems.push({ field: 'ends', message: `ends must be a day of ${firstYear + 1}, the season’s second year` });
  if (problems.length === 0) {
    const days = DateTime.fromISO(dates.ends, { zone: 'UTC' }).diff(DateTime.fromISO(dates.starts, { zone: 'UTC' }), 'days').days + 1;
    if (days > MAX_SEASON_DAYS) problems.push({ field: 'ends', message: `a season lasts at most ${MAX_SEASON_DAYS} days (this one ${days})` });
  }
  return problems;
}
