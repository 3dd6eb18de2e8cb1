import type { CpuShares } from './cpu';
import type { Figure } from './stats';

/** One repeat of a figure: its value and what else the run showed. */
export interface Repeat {
  readonly value: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** The offered or achieved rate when it is not the figure itself (p99 runs). */
  readonly rate?: number;
  readonly failed?: number;
  readonly cpu?: CpuShares;
  readonly note?: string;
}

/** A figure of the report: measured (median of the repeats), or skipped with the reason. */
export interface Measured {
  readonly key: string;
  readonly what: string;
  readonly unit: string;
  readonly figure?: Figure;
  readonly repeats: readonly Repeat[];
  readonly skipped?: string;
  readonly notes?: readonly string[];
}

/** Rung lateness of one scenario (the ladder spread out, or a burst). */
export interface Lateness {
  readonly key: string;
  readonly what: string;
  readonly tickets: number;
  readonly expected: number;
  readonly recorded: number;
  readonly p50S: number;
  readonly p99S: number;
  readonly maxS: number;
  /** Burst only: from the burst's instant until its last rung was recorded, and the rungs/s that makes. */
  readonly drainS?: number;
  readonly rungsPerSecond?: number;
  readonly cpu?: CpuShares;
  readonly notes?: readonly string[];
  /** A ticket whose whole due ladder fired, and how many rungs that was (its history shows a rung's cost). */
  readonly sample?: { readonly ticketId: string; readonly rungs: number };
}
