import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { runLoad } from './load';
import { watchMetrics } from './metrics';
import { AcceptPool, acceptSpecFor, createSpecFor, type Context } from './measures';
import { round, say, sleep } from './progress';
import { measureRungRate, openIdleTickets } from './rung-capacity';

/**
 * How cost grows with the open tickets: at each level of idle open tickets (cloned rows, workflows started
 * with their only timer 30 days away), the create rate, the accept p99 at a fixed rate and the rung lateness
 * p99 of a small ladder on top, with the resident memory of the Temporal server and of the worker and the
 * size of Temporal's SQLite file. Each idle ticket's first workflow task puts it in the worker's sticky cache
 * until the cache is full (the SDK's default, from the heap limit), so below that level the worker's growth
 * per open ticket is its memory per cached workflow; above it the worker holds only the cache.
 */
export interface GrowthLevel {
  readonly openTickets: number;
  readonly temporalRssMiB: number;
  readonly workerRssMiB: number;
  /** temporal.sqlite with its WAL. */
  readonly sqliteMiB: number;
  readonly createRate: number;
  readonly createP99Ms: number;
  readonly acceptRate: number;
  readonly acceptP99Ms: number;
  readonly latenessP99S: number;
  readonly latenessRungs: number;
  readonly startsPerSecond: number;
  /** What the server's and the worker's metrics said during the accept run (bench/metrics.ts). */
  readonly acceptSeen: string[];
}

export interface Growth {
  readonly levels: GrowthLevel[];
  /** The worker's sticky cache size (the SDK's default: (heap limit − 200 MiB) × 600 / GiB). */
  readonly cachedWorkflowsLimit: number;
  readonly baseline: { readonly temporalRssMiB: number; readonly workerRssMiB: number; readonly sqliteMiB: number };
}

const THIRTY_DAYS_MS = 30 * 86_400_000;
const ACCEPT_RATE = 5;
const LADDER_RATE = 20;
const LADDER_WINDOW_S = 10;

/** VmRSS of the part's processes (its tree when it has one), MiB. */
function rssMiB(ctx: Context, part: string): number {
  const found = ctx.stack.cpuParts().find((candidate) => candidate.name === part);
  let total = 0;
  for (const pid of found?.pids() ?? []) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += match ? Number(match[1]) / 1024 : 0;
    } catch {
      // gone
    }
  }
  return total;
}

function sqliteMiB(ctx: Context): number {
  const size = (file: string): number => {
    try {
      return statSync(join(ctx.stack.dir, file)).size;
    } catch {
      return 0;
    }
  };
  return (size('temporal.sqlite') + size('temporal.sqlite-wal')) / 2 ** 20;
}

/** The worker's default cache size: Worker.create computes it from the same heap limit (reuseV8Context). */
function defaultCacheSize(): number {
  const heapMiB = getHeapStatistics().heap_size_limit / 2 ** 20;
  return Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);
}

async function measureLevel(ctx: Context, openTickets: number, startsPerSecond: number, pool: AcceptPool): Promise<GrowthLevel> {
  // Memory after the starts have settled (the worker's first tasks done, the server's caches filled).
  await sleep(5000);
  const temporalRssMiB = rssMiB(ctx, 'temporal');
  const workerRssMiB = rssMiB(ctx, 'worker');
  const sqlite = sqliteMiB(ctx);
  const { seconds, connections, fixedRateConnections } = ctx.options;
  const base = { url: ctx.stack.baseUrl, cpuParts: ctx.stack.cpuParts() };
  const create = await runLoad({ ...base, ...createSpecFor(ctx)(), connections, seconds });
  await pool.fill(Math.ceil(ACCEPT_RATE * seconds * 1.2) + fixedRateConnections);
  const watch = await watchMetrics(ctx.stack, `growth-${openTickets}-accept`);
  const accept = await runLoad({ ...base, ...acceptSpecFor(ctx, pool)(), connections: fixedRateConnections, seconds, overallRate: ACCEPT_RATE });
  const acceptSeen = await watch.stop();
  const ladder = await measureRungRate(ctx, LADDER_RATE, LADDER_WINDOW_S, Math.max(20, startsPerSecond), `GROW${openTickets}`);
  const level: GrowthLevel = {
    openTickets,
    temporalRssMiB,
    workerRssMiB,
    sqliteMiB: sqlite,
    createRate: create.rate,
    createP99Ms: create.p99Ms,
    acceptRate: accept.rate,
    acceptP99Ms: accept.p99Ms,
    latenessP99S: ladder.p99S,
    latenessRungs: ladder.recorded,
    startsPerSecond,
    acceptSeen,
  };
  say(
    `growth: ${round(openTickets)} open: temporal ${round(temporalRssMiB)} MiB, worker ${round(workerRssMiB)} MiB, SQLite ${round(sqlite)} MiB; ` +
      `create ${round(create.rate)}/s (p99 ${round(create.p99Ms)} ms), accept p99 ${round(accept.p99Ms)} ms at ${ACCEPT_RATE}/s, rung lateness p99 ${round(ladder.p99S, 2)} s`,
  );
  return level;
}

/** Steps the idle open tickets through `levels` (cumulative), measuring at each. */
export async function measureGrowth(ctx: Context, levels: readonly number[]): Promise<Growth> {
  // The earlier parts filled the worker's cache (the first full run measured 0.05 MiB per cached workflow so:
  // new idle tickets only evicted others); a restarted worker starts from an empty one.
  say('growth: restarting the worker, so its cache starts empty…');
  await ctx.stack.stopWorker();
  await ctx.stack.startWorker();
  await sleep(5000);
  const baseline = { temporalRssMiB: rssMiB(ctx, 'temporal'), workerRssMiB: rssMiB(ctx, 'worker'), sqliteMiB: sqliteMiB(ctx) };
  say(`growth: open tickets ${levels.map((level) => round(level)).join(', ')}; now temporal ${round(baseline.temporalRssMiB)} MiB, worker ${round(baseline.workerRssMiB)} MiB`);
  const pool = new AcceptPool(ctx);
  const measured: GrowthLevel[] = [];
  let open = 0;
  for (const level of levels) {
    say(`growth: opening ${round(level - open)} idle tickets (timers 30 days away; not measured)…`);
    const { startsPerSecond } = await openIdleTickets(ctx, level - open, THIRTY_DAYS_MS, `IDLE${level}-`);
    open = level;
    measured.push(await measureLevel(ctx, open, startsPerSecond, pool));
  }
  return { levels: measured, cachedWorkflowsLimit: defaultCacheSize(), baseline };
}

/** The report's section: each level, and memory per open ticket and per cached workflow. */
export function renderGrowth(growth: Growth): string[] {
  const lines = ['## How cost grows with open tickets', ''];
  lines.push('Idle open tickets (cloned rows, workflows started with their only timer 30 days away; bench/growth.ts), then on top:');
  lines.push(`the create rate (16 connections), the accept p99 at a fixed ${ACCEPT_RATE}/s and the rung lateness p99 of a small ladder`);
  lines.push(`(${LADDER_RATE} rungs/s for ${LADDER_WINDOW_S} s). Memory is resident (VmRSS), after the starts settled.`);
  lines.push('');
  const header = ['open tickets', 'Temporal RSS', 'worker RSS', 'SQLite file', 'create /s (p99)', 'accept p99', 'rung lateness p99', 'idle starts/s'];
  const rows = growth.levels.map((level) => [
    round(level.openTickets),
    `${round(level.temporalRssMiB)} MiB`,
    `${round(level.workerRssMiB)} MiB`,
    `${round(level.sqliteMiB)} MiB`,
    `${round(level.createRate)} (${round(level.createP99Ms)} ms)`,
    `${round(level.acceptP99Ms)} ms`,
    `${round(level.latenessP99S, 2)} s`,
    round(level.startsPerSecond),
  ]);
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`));
  const last = growth.levels[growth.levels.length - 1];
  const cached = growth.levels.filter((level) => level.openTickets <= growth.cachedWorkflowsLimit).at(-1);
  lines.push('');
  if (last) {
    const per = (mib: number, base: number): string => `${round(((mib - base) * 1024) / last.openTickets, 1)} KiB`;
    lines.push(`- per open ticket at ${round(last.openTickets)}: Temporal ${per(last.temporalRssMiB, growth.baseline.temporalRssMiB)}, SQLite ${per(last.sqliteMiB, growth.baseline.sqliteMiB)}, worker ${per(last.workerRssMiB, growth.baseline.workerRssMiB)} (the worker holds at most its cache).`);
  }
  for (const level of growth.levels) for (const seen of level.acceptSeen) lines.push(`- at ${round(level.openTickets)} open, during the accept run: ${seen}`);
  if (cached) {
    lines.push(`- worker memory per cached workflow (${round(cached.openTickets)} open, all cached; cache limit ${round(growth.cachedWorkflowsLimit)}, the SDK default): ${round(((cached.workerRssMiB - growth.baseline.workerRssMiB) * 1024) / cached.openTickets, 1)} KiB (target ≤ 1.5 MiB).`);
  }
  lines.push('');
  return lines;
}

/** Worker MiB per cached workflow, for the targets table. */
export function mibPerCachedWorkflow(growth: Growth | undefined): number | undefined {
  const cached = growth?.levels.filter((level) => level.openTickets <= growth.cachedWorkflowsLimit).at(-1);
  return growth && cached ? (cached.workerRssMiB - growth.baseline.workerRssMiB) / cached.openTickets : undefined;
}
