import { Duration } from 'luxon';

/**
 * SLA durations are ISO 8601 durations restricted to fixed-length units (weeks, days, hours,
 * minutes, seconds) in whole numbers. Months and years are refused: "P1M" has no fixed length, and no
 * legal time limit in this domain is stated in them. Luxon parses; the domain's restrictions are below.
 */
const FIXED_UNITS: ReadonlySet<string> = new Set(['weeks', 'days', 'hours', 'minutes', 'seconds']);
/** Digits and designators only: no sign, no fraction (luxon reads "PT1.5H", "PT1,5S" and "-P1D"). */
const WHOLE_NUMBERS_ONLY = /^P[\dWDTHMS]*$/;

const SECOND = 1000;

export class InvalidDurationError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not an ISO 8601 duration of weeks, days, hours, minutes and seconds (e.g. PT30M, P1D)`);
  }
}

/** Milliseconds in an ISO 8601 duration; throws InvalidDurationError for anything else or zero. */
export function parseDurationMs(value: string): number {
  const duration = Duration.fromISO(value);
  const units = duration.isValid ? Object.keys(duration.toObject()) : [];
  // Luxon takes "P", "PT" and a dangling "P1DT" as valid; ISO 8601 wants at least one unit after each designator.
  if (!WHOLE_NUMBERS_ONLY.test(value) || value.endsWith('T') || units.length === 0 || units.some((unit) => !FIXED_UNITS.has(unit))) {
    throw new InvalidDurationError(value);
  }
  const ms = duration.toMillis();
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new InvalidDurationError(value);
  return ms;
}

export function isValidDuration(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parseDurationMs(value);
    return true;
  } catch {
    return false;
  }
}

/** "2小时5分" style text for notices: how late a stage is, to the minute (seconds below one minute). */
export function formatDurationZh(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / SECOND));
  if (totalSeconds < 60) return `${totalSeconds}秒`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const d = Math.floor(totalMinutes / 1440);
  const h = Math.floor((totalMinutes % 1440) / 60);
  const m = totalMinutes % 60;
  return [d ? `${d}天` : '', h ? `${h}小时` : '', m ? `${m}分钟` : ''].join('') || '0分钟';
}

/** An ISO 8601 duration of hours, minutes and seconds, e.g. PT26H5M: how late a stage is on the wire. */
export function formatIsoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || total === 0 ? `${s}S` : ''}`;
  return `PT${parts}`;
}
