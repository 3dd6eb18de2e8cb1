import { escalationRank } from '@app/domain';
import type { ArmedRung } from './contract';

/** Rungs in firing order; rungs due at the same instant keep ladder order (DUE_SOON before OVERDUE…). */
export function orderRungs(rungs: readonly ArmedRung[]): ArmedRung[] {
  return [...rungs].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || escalationRank(a.level) - escalationRank(b.level),
  );
}

/** A rung's exactly-once key: the dispatch it belongs to, its stage and its level. */
export const rungKey = (dispatchedAt: string, rung: ArmedRung): string => `${dispatchedAt}|${rung.stage}|${rung.level}`;
