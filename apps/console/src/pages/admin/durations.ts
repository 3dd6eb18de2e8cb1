import { formatDuration } from '../../format';

/**
 * The API's ISO 8601 durations (weeks, days, hours, minutes, seconds; docs/product.md, SLA), as people read
 * and type them: a number and a unit. Months and years are refused by the API, so they are not offered.
 */
export type DurationUnit = 'D' | 'H' | 'M' | 'S';

export const DURATION_UNITS: ReadonlyArray<{ readonly unit: DurationUnit; readonly label: string; readonly ms: number }> = [
  { unit: 'D', label: '天', ms: 86_400_000 },
  { unit: 'H', label: '小时', ms: 3_600_000 },
  { unit: 'M', label: '分钟', ms: 60_000 },
  { unit: 'S', label: '秒', ms: 1_000 },
];

const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DAY = 86_400_000;

/** Milliseconds in a duration of the API's kind; null for anything else (or zero). */
export function isoToMs(iso: string | null | undefined): number | null {
  const match = iso ? ISO.exec(iso) : null;
  if (!match || iso === 'P') return null;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const ms = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000;
  return ms > 0 ? ms : null;
}

/** The largest unit the duration is a whole number of: P1D → 1 天, PT90M → 90 分钟, PT36H → 36 小时. */
export function splitDuration(iso: string | null | undefined): { amount: number; unit: DurationUnit } | null {
  const ms = isoToMs(iso);
  if (ms === null) return null;
  const fit = DURATION_UNITS.find(({ ms: size }) => ms % size === 0) ?? DURATION_UNITS[DURATION_UNITS.length - 1];
  return { amount: ms / fit.ms, unit: fit.unit };
}

/** The ISO string of a number and a unit: 2 天 → P2D, 30 分钟 → PT30M; '' when the number is not a whole positive one. */
export function joinDuration(amount: number | null | undefined, unit: DurationUnit): string {
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) return '';
  return unit === 'D' ? `P${amount}D` : `PT${amount}${unit}`;
}

/**
 * A duration the way people say it: 2小时15分, 3天, 30秒; whole days of a working-day clock as 1个工作日.
 * What cannot be read shows as it came.
 */
export function durationText(iso: string | null | undefined, options: { workdays?: boolean; none?: string } = {}): string {
  if (iso === null || iso === undefined) return options.none ?? '无';
  const ms = isoToMs(iso);
  if (ms === null) return iso;
  if (options.workdays && ms % DAY === 0) return `${ms / DAY}个工作日`;
  // formatDuration rounds (3天4小时 leaves the minutes out): exact whenever the duration has nothing finer.
  if (ms >= 60_000 && ms % 60_000 === 0 && (ms < DAY || ms % 3_600_000 === 0)) return formatDuration(ms);
  const seconds = Math.round(ms / 1000);
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86_400), '天'],
    [Math.floor((seconds % 86_400) / 3600), '小时'],
    [Math.floor((seconds % 3600) / 60), '分'],
    [seconds % 60, '秒'],
  ];
  return parts.filter(([amount]) => amount > 0).map(([amount, unit]) => `${amount}${unit}`).join('');
}
