import { HttpStatus } from '@nestjs/common';
import { FieldError, ProblemException } from '@app/http';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 7;

/** A date, or a date-time with optional seconds, fraction and offset. */
export const REPORT_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant a query value names. The hotline works in Asia/Shanghai (UTC+8, no DST), so a date or a
 * date-time without an offset is read as Shanghai local time: `2025-01-10` is that day's local midnight.
 * Undefined when the text is not such a date or names a day that does not exist (2025-02-30).
 */
export function parseReportInstant(text: string): Date | undefined {
  const match = REPORT_INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, zone] = match;
  if (Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) return undefined;
  // Date.parse rolls 02-30 over to 03-02: check the calendar day separately.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (calendar.getUTCFullYear() !== Number(year) || calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) {
    return undefined;
  }
  const withTime = hour === undefined ? `${text}T00:00:00` : text;
  const withZone = zone === undefined ? `${withTime}+08:00` : withTime;
  const instant = new Date(withZone);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

export interface ReportRange {
  readonly from: Date;
  readonly to: Date;
}

/**
 * [from, to): default the 7 days up to now; one bound alone extends 7 days from it. Answers 400 naming
 * the field when the order or the length is wrong (the format is checked by the query DTO).
 */
export function resolveReportRange(query: { from?: string; to?: string }, now = new Date()): ReportRange {
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
  throw new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, {
    title: 'Validation failed',
    errors,
  });
}
