import { MACHINE, type CpuShares } from './cpu';
import { cityComparisons, renderCitySection, type CityScale } from './city-scale';
import type { Cost } from './cost';
import { mibPerCachedWorkflow, renderGrowth, type Growth } from './growth';
import { renderRungCapacity, type RungCapacity } from './rung-capacity';
import type { Lateness, Measured } from './figures';
import type { Machine } from './machine';
import type { BenchOptions } from './measures';
import { round } from './progress';
import { spreadPercent } from './stats';

export interface Results {
  readonly options: BenchOptions;
  readonly machine: Machine;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly figures: Measured[];
  readonly lateness: Lateness[];
  readonly costs: Cost[];
  readonly failures: string[];
  /** Reads at city scale (bench/city-scale.ts), when that part ran. */
  readonly city?: CityScale;
  /** The rung capacity search and the cost per rung (bench/rung-capacity.ts), when that part ran. */
  readonly rungCapacity?: RungCapacity;
  /** How cost grows with open tickets (bench/growth.ts), when that part ran. */
  readonly growth?: Growth;
}

type Verdict = 'met' | 'missed' | 'recorded' | 'not measured';

interface Comparison {
  readonly what: string;
  /** The figures (or lateness scenarios) whose CPU picture explains a miss. */
  readonly from?: readonly string[];
  readonly value: number | undefined;
  readonly shown: string;
  readonly target: string;
  readonly verdict: Verdict;
}

const CPU_PARTS = ['api', 'worker', 'temporal', 'postgres', 'bench'] as const;

function find(results: Results, key: string): Measured | undefined {
  const figure = results.figures.find((candidate) => candidate.key === key);
  return figure?.figure ? figure : undefined;
}

function median(results: Results, key: string): number | undefined {
  return find(results, key)?.figure?.median;
}

function ratio(what: string, numerator: number | undefined, denominator: number | undefined, target?: { atLeast: number }): Comparison {
  const value = numerator !== undefined && denominator !== undefined ? numerator / denominator : undefined;
  return {
    what,
    value,
    shown: value === undefined ? '–' : round(value, 3),
    target: target ? `≥ ${target.atLeast}` : 'record only',
    verdict: value === undefined ? 'not measured' : !target ? 'recorded' : value >= target.atLeast ? 'met' : 'missed',
  };
}

function atMost(what: string, value: number | undefined, limit: number, unit: string, digits = 0): Comparison {
  return {
    what,
    value,
    shown: value === undefined ? '–' : `${round(value, digits)} ${unit}`,
    target: `≤ ${limit} ${unit}`,
    verdict: value === undefined ? 'not measured' : value <= limit ? 'met' : 'missed',
  };
}

function atLeast(what: string, value: number | undefined, limit: number, unit: string): Comparison {
  return {
    what,
    value,
    shown: value === undefined ? '–' : `${round(value)} ${unit}`,
    target: `≥ ${limit} ${unit}`,
    verdict: value === undefined ? 'not measured' : value >= limit ? 'met' : 'missed',
  };
}

/** Measured but not even its first step kept p99 ≤ 1 s: below that step, which is a miss, not "not measured". */
function rungCapacityComparison(capacity: RungCapacity | undefined): Comparison {
  const compared = atLeast('rung capacity (due rungs/s with p99 ≤ 1 s)', capacity?.capacity, 250, 'rungs/s');
  const lowest = capacity?.steps[0]?.rate;
  if (capacity?.capacity !== undefined || lowest === undefined) return compared;
  return { ...compared, shown: `< ${round(lowest)} rungs/s`, verdict: 'missed' };
}

function comparisons(results: Results): Comparison[] {
  const pg = median(results, 'R_pg');
  const apiDb = median(results, 'R_api_db');
  const start = median(results, 'R_start');
  const ticket = median(results, 'R_ticket');
  const composed = apiDb !== undefined && start !== undefined ? Math.min(apiDb, start) : undefined;
  const spread = results.lateness.find((entry) => entry.key === 'lateness');
  const burst = results.lateness.find((entry) => entry.key === 'burst');
  return [
    { ...ratio('R_api_db / R_pg (Nest + TypeORM overhead on the create)', apiDb, pg, { atLeast: 0.25 }), from: ['R_pg', 'R_api_db'] },
    { ...ratio('R_read / R_http (a read against the empty route)', median(results, 'R_read'), median(results, 'R_http'), { atLeast: 0.5 }), from: ['R_http', 'R_read'] },
    { ...ratio('R_ticket / min(R_api_db, R_start) (composition loses little)', ticket, composed, { atLeast: 0.8 }), from: ['R_api_db', 'R_start', 'R_ticket'] },
    ratio('R_ticket / R_pg', ticket, pg),
    ratio('R_action / R_ticket', median(results, 'R_action'), ticket),
    { ...atMost('create p99 at half of R_ticket', median(results, 'p99_create'), 250, 'ms'), from: ['p99_create'] },
    { ...atMost('accept p99 at half of R_action', median(results, 'p99_accept'), 250, 'ms'), from: ['p99_accept'] },
    { ...atMost('rung lateness p50 (spread)', spread?.p50S, 0.3, 's', 2), from: ['lateness'] },
    { ...atMost('rung lateness p99 (spread)', spread?.p99S, 1, 's', 2), from: ['lateness'] },
    { ...atMost('rung lateness max (spread)', spread?.maxS, 3, 's', 2), from: ['lateness'] },
    ratio('burst rungs/s / R_start', burst?.rungsPerSecond, start),
    rungCapacityComparison(results.rungCapacity),
    atMost('worker memory per cached workflow', mibPerCachedWorkflow(results.growth), 1.5, 'MiB', 2),
    ...cityComparisons(results.city).map((entry) => atMost(entry.what, entry.value, entry.limit, 'ms', 1)),
  ];
}

/** Where the CPU went while a figure ran: the machine's total and the parts that took the most. */
function cpuPicture(results: Results, key: string): string | undefined {
  const measured = find(results, key);
  const cpu = measured ? medianRepeat(measured)?.cpu : results.lateness.find((entry) => entry.key === key)?.cpu;
  if (!cpu) return undefined;
  const total = Math.min(cpu[MACHINE] ?? 0, 100 * results.machine.cores);
  const parts = CPU_PARTS.map((part) => [part, Math.max(0, cpu[part] ?? 0)] as const)
    .filter(([, share]) => share >= 5)
    .sort((a, b) => b[1] - a[1])
    .map(([part, share]) => `${part} ${round(share)} %`);
  const ours = CPU_PARTS.reduce((sum, part) => sum + Math.max(0, cpu[part] ?? 0), 0);
  const other = Math.max(0, (cpu[MACHINE] ?? 0) - ours);
  const saturated = total >= 100 * results.machine.cores * 0.85 ? 'the machine saturated' : 'the machine not saturated';
  return `${key}: ${saturated} (${round(total)} % of ${100 * results.machine.cores} %): ${parts.join(', ') || 'no part above 5 %'}${other >= 20 ? `; other processes ${round(other)} %` : ''}`;
}

/** For each missed target, the measured CPU picture of the figures it compares (the analysis is in performance-changes.md). */
function renderMisses(results: Results, missed: Comparison[]): string[] {
  const lines: string[] = ['## The misses, and where the time went', ''];
  lines.push('What bounds each missed figure, from the CPU shares measured while it ran (the table above). The analysis of each');
  lines.push('miss, what was tried and what it would take, is in [performance-changes.md](performance-changes.md#the-misses-of-the-full-run).');
  lines.push('');
  for (const comparison of missed) {
    const pictures = (comparison.from ?? []).map((key) => cpuPicture(results, key)).filter((picture): picture is string => picture !== undefined);
    lines.push(`- **${comparison.what}**: ${comparison.shown} against ${comparison.target}${pictures.length > 0 ? '. ' + pictures.join('; ') : ''}.`);
  }
  lines.push('');
  return lines;
}

function cpuCells(cpu: CpuShares | undefined): string[] {
  if (!cpu) return [...CPU_PARTS.map(() => '–'), '–'];
  const ours = CPU_PARTS.reduce((sum, part) => sum + (cpu[part] ?? 0), 0);
  // A backend that exits within the span takes its CPU time with it: a share is never shown below 0.
  return [...CPU_PARTS.map((part) => `${round(Math.max(0, cpu[part] ?? 0))} %`), `${round(Math.max(0, (cpu[MACHINE] ?? 0) - ours))} %`];
}

/** The repeat whose value is the median (its CPU and latencies stand for the figure). */
function medianRepeat(measured: Measured): Measured['repeats'][number] | undefined {
  const sorted = [...measured.repeats].sort((a, b) => a.value - b.value);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function renderReport(results: Results): string {
  const { options, machine } = results;
  const minutes = (results.finishedAt.getTime() - results.startedAt.getTime()) / 60_000;
  const kind = options.quick ? 'quick run (`npm run bench -- --quick`)' : 'full run (`npm run bench`)';
  const lines: string[] = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push('Written by `npm run bench` (bench/main.ts); edit the generator, not this file. Method and anchors: issue 12 and');
  lines.push('`shared/reference/performance.md`. Comparisons are **ratios of rates measured in the same run**; absolute');
  lines.push('figures move with the machine and with whatever else runs on it.');
  lines.push('');
  if (options.quick) {
    lines.push(`> **A ${kind}**: ${options.seconds} s per repeat and far fewer tickets than the full run. Its figures are for`);
    lines.push('> development only; the record of the service is a full run on a quiet machine. The `other` CPU column says how');
    lines.push('> much the rest of the machine took meanwhile.');
    lines.push('');
  }
  lines.push(`A ${kind}, ${machine.date.slice(0, 16).replace('T', ' ')} UTC, ${round(minutes, 1)} minutes.`);
  lines.push('');
  lines.push('## Machine and versions');
  lines.push('');
  lines.push(
    table(
      ['what', 'value'],
      [
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
        ['memory', `${round(machine.memoryGiB, 1)} GiB`],
        ['system', machine.kernel],
        ['load average at the start (1, 5, 15 min)', machine.loadAverage],
        ...machine.versions.map(([name, version]) => [name, version]),
      ],
    ),
  );
  lines.push('');
  lines.push('## Against the targets');
  lines.push('');
  lines.push(table(['comparison', 'this run', 'target', ''], comparisons(results).map((entry) => [entry.what, entry.shown, entry.target, entry.verdict])));
  lines.push('');
  lines.push('## Rates and latencies');
  lines.push('');
  lines.push(`Each figure is the median of ${options.repeats} repeats of ${options.seconds} s after a ${options.warmupSeconds} s warm-up; spread = (max − min) / median.`);
  lines.push(`Rates are 2xx answers per second at ${options.connections} connections (autocannon, no pipelining); p50/p99 are those of the median repeat.`);
  lines.push('');
  lines.push(
    table(
      ['figure', 'what', 'median', 'repeats', 'spread', 'p50 / p99 of the median repeat'],
      results.figures.map((measured) => {
        if (!measured.figure) return [measured.key, measured.what, 'skipped', '–', '–', measured.skipped ?? ''];
        const repeat = medianRepeat(measured);
        const latency = repeat?.p50Ms !== undefined ? `${round(repeat.p50Ms)} / ${round(repeat.p99Ms ?? Number.NaN)} ms` : (repeat?.note ?? '');
        return [
          measured.key,
          measured.what,
          `**${round(measured.figure.median, measured.unit === 'ms' ? 0 : 0)} ${measured.unit}**`,
          measured.repeats.map((entry) => round(entry.value)).join(', '),
          `${round(spreadPercent(measured.figure))} %`,
          latency + (repeat?.failed ? `; ${repeat.failed} not 2xx` : ''),
        ];
      }),
    ),
  );
  const notes = results.figures.flatMap((measured) => measured.repeats.filter((repeat) => repeat.note && measured.key !== 'R_pg' && !measured.key.startsWith('p99')).map((repeat) => `${measured.key}: ${repeat.note}`));
  if (notes.length > 0) {
    lines.push('');
    for (const note of notes) lines.push(`- ${note}`);
  }
  lines.push('');
  lines.push('## Where the CPU went');
  lines.push('');
  lines.push('Share of one core during the median repeat (200 % is both cores). `bench` is this process: autocannon or the Temporal');
  lines.push('client; pgbench runs in a process of its own, counted in `other`. `other` is everything else on the machine. PostgreSQL\'s');
  lines.push('share misses backends that ended within the span (short-lived connections), so it is a lower bound.');
  lines.push('');
  lines.push(
    table(
      ['figure', ...CPU_PARTS, 'other'],
      [
        ...results.figures.filter((measured) => measured.figure).map((measured) => [measured.key, ...cpuCells(medianRepeat(measured)?.cpu)]),
        ...results.lateness.map((entry) => [entry.key, ...cpuCells(entry.cpu)]),
      ],
    ),
  );
  lines.push('');
  lines.push('## Rung lateness');
  lines.push('');
  lines.push('Lateness = `escalations.fired_at − due_at`: the commit of `recordRung` against the instant fixed at the dispatch.');
  lines.push('P0 tickets under P0 policy versions with second-scale accept terms (`PUT /sla-policies/P0`, 24x7; warning +5 s,');
  lines.push('notice +10 s; the later stages a day away), so only the accept ladder (DUE_SOON, OVERDUE, WARNING, PUBLIC_NOTICE) fires.');
  lines.push('');
  lines.push(
    table(
      ['scenario', 'what', 'recorded / expected', 'p50', 'p99', 'max', 'drain', 'rungs/s'],
      results.lateness.map((entry) => [
        entry.key,
        entry.what,
        `${entry.recorded} / ${entry.expected}`,
        `${round(entry.p50S, 2)} s`,
        `${round(entry.p99S, 2)} s`,
        `${round(entry.maxS, 2)} s`,
        entry.drainS !== undefined ? `${round(entry.drainS, 1)} s` : '–',
        entry.rungsPerSecond !== undefined ? round(entry.rungsPerSecond) : '–',
      ]),
    ),
  );
  for (const note of results.lateness.flatMap((entry) => (entry.notes ?? []).map((text) => `${entry.key}: ${text}`))) lines.push(`\n- ${note}`);
  lines.push('');
  if (results.costs.length > 0) {
    lines.push('## What one operation costs');
    lines.push('');
    lines.push('PostgreSQL: from `pg_stat_database` and `pg_stat_user_tables` over operations sent one at a time, less the idle');
    lines.push('background of the same span (readiness probes, the sweeper); a scan is one index or sequential scan of a table (a read),');
    lines.push('`+` rows inserted, `~` rows updated. Temporal: the events the operation adds to its workflow history.');
    lines.push('');
    lines.push(
      table(
        ['operation', 'transactions', 'table scans', 'rows written', 'writes by table', 'history events', 'which'],
        results.costs.map((cost) => [
          `${cost.operation} (${cost.count})`,
          Number.isFinite(cost.transactions) ? round(cost.transactions, 1) : '–',
          Number.isFinite(cost.scans) ? round(cost.scans, 1) : '–',
          Number.isFinite(cost.rowsWritten) ? round(cost.rowsWritten, 1) : '–',
          cost.writesByTable || '–',
          cost.historyEvents !== undefined ? round(cost.historyEvents, 1) : '–',
          cost.historyDetail ?? '–',
        ]),
      ),
    );
    lines.push('');
  }
  if (results.rungCapacity) lines.push(...renderRungCapacity(results.rungCapacity));
  if (results.growth) lines.push(...renderGrowth(results.growth));
  if (results.city) lines.push(...renderCitySection(results.city));
  const missed = comparisons(results).filter((comparison) => comparison.verdict === 'missed');
  if (missed.length > 0) lines.push(...renderMisses(results, missed));
  lines.push('## Before and after each optimisation');
  lines.push('');
  lines.push('This file holds only the latest run. What each optimisation changed, measured before and after it (CPU-ms and');
  lines.push('statements per request, history events and statements per rung, the city-scale reads with their plans), is recorded');
  lines.push('in [performance-changes.md](performance-changes.md).');
  lines.push('');
  lines.push('## How each figure is measured');
  lines.push('');
  lines.push('The stack is the embedded default as `npm start` runs it (scripts/stack.ts), in a temporary directory: embedded');
  lines.push('PostgreSQL with its data on disk, the Temporal dev server on a SQLite file (WAL, synchronous=NORMAL), the compiled API');
  lines.push('and worker from dist/ as separate processes (the worker on a prebuilt workflow bundle). The P1 policy gets 12 h–3 day');
  lines.push('terms first, so no rung of the tickets the rate runs create fires during the run.');
  lines.push('');
  for (const measured of results.figures) lines.push(`- **${measured.key}**: ${measured.what}.`);
  lines.push('- **R_api_db** runs on an API restarted with `WORKFLOW_START_ON_CREATE=false` (benchmarks only; refused with NODE_ENV=production)');
  lines.push('  and the worker stopped, since its sweeper would start those workflows seconds later; its tickets are deleted afterwards.');
  lines.push('- **R_pg** deletes its rows afterwards and vacuums the table. Without pgbench it is skipped, with its ratios.');
  lines.push('- **R_start** terminates every workflow it started afterwards and restarts the worker (an empty cache), so its');
  lines.push('  tens of thousands of ticketless workflows weigh on no later figure; the growth part restarts the worker too.');
  lines.push('- Rung lateness and the burst read the histories of the 20 tickets with the latest rungs: workflow tasks that');
  lines.push('  timed out, the longest wait of a task for a worker, the longest run of one (notes under Rung lateness); lateness,');
  lines.push('  burst and the growth accept runs also say what the Temporal server and the worker SDK metrics showed meanwhile');
  lines.push('  (bench/metrics.ts: store time against the window, queue waits, slots, cache).');
  lines.push('- Every accept run waits first until the shared task queue is empty: the tickets it accepts must have run their');
  lines.push('  first workflow task, or the Update waits behind the first tasks of the creates just measured.');
  lines.push('');
  lines.push('## Not measured yet');
  lines.push('');
  if (!results.rungCapacity) lines.push('- the rung capacity (highest sustained rate of due rungs with p99 ≤ 1 s) and what bounds it;');
  if (!results.growth) lines.push('- how cost grows at 1k, 10k and 100k open tickets; Temporal and worker memory per open ticket and per cached workflow;');
  const grownTo = Math.max(0, ...(results.growth?.levels ?? []).map((level) => level.openTickets));
  if (results.growth && grownTo < 100_000) lines.push(`- growth at 100,000 open tickets: this run stopped at ${grownTo.toLocaleString('en-US')} (\`--growth\`; opening 100k idle workflows takes ~30 min here, bounded by the worker's first tasks);`);
  if (!results.city) lines.push('- reads at city scale (1,000,000 tickets generated by SQL) with their plans;');
  lines.push('- a rung\'s PostgreSQL cost (only its history events are counted), and the API\'s own round trips to Temporal per request;');
  lines.push('- B0 with the in-memory dev server against the SQLite file (what durability costs).');
  if (results.failures.length > 0) {
    lines.push('');
    lines.push('## Failed in this run');
    lines.push('');
    for (const failure of results.failures) lines.push(`- ${failure.split('\n')[0]}`);
  }
  lines.push('');
  return lines.join('\n');
}
