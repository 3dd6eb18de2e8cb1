import { HttpStatus } from '@nestjs/common';
import { DateTime } from 'luxon';
import { CALENDAR_ZONE } from '@app/domain';
import type { SeasonDates } from '@app/domain';
import { FieldError, ProblemException } from '@app/http';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 7;

/**
 * The accepted shapes: a date, or a date-time to the minute with optional seconds, fraction and offset
 * (`2025-01-10`, `2025-01-10T08:00`, `2025-01-10T08:00:00.5+08:00`, `…Z`). Luxon's ISO parser reads more
 * (week dates, `T24:00`, `+08`, basic format); this keeps a query bound to the forms the API documents.
 */
export const REPORT_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/**
 * The instant a query value names. The hotline works in Asia/Shanghai, so a date or a date-time without
 * an offset is read as Shanghai local time: `2025-01-10` is that day's local midnight. Undefined when the
 * text is not such a date or names a day that does not exist (2025-02-30).
 */
export function parseReportInstant(text: string): Date | undefined {
  if (!REPORT_INSTANT.test(text)) return undefined;
  const parsed = DateTime.fromISO(text, { zone: CALENDAR_ZONE, setZone: true });
  return parsed.isValid ? parsed.toJSDate() : undefined;
}

export interface ReportRange {
  readonly from: Date;
  readonly to: Date;
}

/** [from, to) of a heating season: its first day's Asia/Shanghai midnight to the midnight after its last day. */
export function seasonRange(dates: SeasonDates): ReportRange {
  return {
    from: DateTime.fromISO(dates.starts, { zone: CALENDAR_ZONE }).toJSDate(),
    to: DateTime.fromISO(dates.ends, { zone: CALENDAR_ZONE }).plus({ days: 1 }).toJSDate(),
  };
}

/**
 * [from, to): default the 7 days up to now; one bound alone extends 7 days from it; `season=2026-2027`
 * instead of both is that season (`seasonDates`: its stored or default days, undefined when the name is
 * malformed). Answers 400 naming the field when the order or the length is wrong, when a season comes with
 * from/to, or when it names no season (the format of from/to is checked by the query DTO).
 */
export function resolveReportRange(query: { from?: string; to?: string; season?: string }, now = new Date(), seasonDates?: SeasonDates): ReportRange {
  if (query.season !== undefined) return resolveSeason(query, seasonDates);
  const fromGiven = query.from === undefined ? undefined : parseReportInstant(query.from);
  const toGiven = query.to === undefined ? undefined : parseReportInstant(query.to);
  const errors: FieldError[] = [];
  if (query.from !== undefined && !fromGiven) errors.push({ field: 'from', message: 'from must be an ISO 8601 date or date-time' });
  if (query.to !== undefined && !toGiven) errors.push({ field: 'to', message: 'to must be an ISO 8601 date or date-time' });
  if (errors.length === 0) {
    const to = toGiven ?? (fromGiven ? new Date(fromGiven.getTime() + DEFAULT_RANGE_DAYS * DAY_MS) : now);
    const from = fromGiven ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) {
      errors.push({ field: 'to', message: 'to must be after from' });
    } else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      errors.push({ field: 'to', message: `the range from from to to must not exceed ${MAX_RANGE_DAYS} days` });
    } else {
      return { from, to };
    }
  }
  throw rangeProblem(errors);
}

/** Where a season's dates come from (SeasonsService of @app/sla). */
export interface SeasonLookup {
  datesOf(season: string): Promise<SeasonDates | undefined>;
}

/** resolveReportRange with the dates of the season the query names, if it names one: what every report route calls. */
export async function reportRangeFor(query: { from?: string; to?: string; season?: string }, seasons: SeasonLookup, now = new Date()): Promise<ReportRange> {
  return resolveReportRange(query, now, query.season === undefined ? undefined : await seasons.datesOf(query.season));
}

function resolveSeason(query: { from?: string; to?: string; season?: string }, seasonDates: SeasonDates | undefined): ReportRange {
  const errors: FieldError[] = [];
  if (query.from !== undefined || query.to !== undefined) {
    errors.push({ field: 'season', message: 'season replaces from and to: give either season or from/to' });
  } else if (!seasonDates) {
    errors.push({ field: 'season', message: 'season must name a heating season such as 2026-2027' });
  } else {
    const range = seasonRange(seasonDates);
    if (range.to.getTime() - range.from.getTime() <= MAX_RANGE_DAYS * DAY_MS) return range;
    errors.push({ field: 'season', message: `the season must not exceed ${MAX_RANGE_DAYS} days` });
  }
  throw rangeProblem(errors);
}

function rangeProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, {
    title: 'Validation failed',
    errors,
  });
}
