/**
 * SLA durations are ISO 8601 durations restricted to fixed-length units (weeks, days, hours,
 * minutes, seconds). Months and years are refused: "P1M" has no fixed length, and no legal
 * time limit in this domain is stated in them.
 */
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export class InvalidDurationError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not an ISO 8601 duration of weeks, days, hours, minutes and seconds (e.g. PT30M, P1D)`);
  }
}

/** Milliseconds in an ISO 8601 duration; throws InvalidDurationError for anything else or zero. */
export function parseDurationMs(value: string): number {
  const match = ISO_DURATION.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) throw new InvalidDurationError(value);
  const [, weeks, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  const ms = weeks * 7 * DAY + days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND;
  if (ms <= 0) throw new InvalidDurationError(value);
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
