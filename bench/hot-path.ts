// `node dist/bench/hot-path.js [--requests N] [--connections C] [--repeats R] [--profile DIR] [--out FILE]`
// (compile first: `npm run --silent build && npx tsc -p bench/tsconfig.json && npx tsc-alias -p bench/tsconfig.json`).
//
// What one request of each HTTP hot path costs the API, in figures that do not depend on what else the machine
// runs: the API process's own CPU time per request, the statements and transactions it sends to PostgreSQL per
// request, and the table scans PostgreSQL did for them; throughput is noted too, as the noisy figure it is on a
// shared machine. The paths: GET /health/live (the empty route), GET /tickets/{id} as an operator, POST /tickets
// as an operator with the workflow start off (WORKFLOW_START_ON_CREATE=false, the worker stopped: R_api_db's
// setting). The stack is bench/stack.ts's; the counting is bench/hot-path-probe.ts, loaded into the API only.
// `--profile DIR` also profiles the API's CPU over each path's measured span (V8's sampling profiler, as
// `node --cpu-prof`, started by the probe) into DIR/<path>.cpuprofile; the CPU figures of such a run include
// the profiler's own cost. It measures; it asserts nothing.
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Api, setPolicy, staffCompany, ticketBody, type Staff } from './http';
import type { ProbeCommand, ProbeCounts } from './hot-path-probe';
import { runLoad, type LoadOptions } from './load';
import { round, say, sleep, waitFor } from './progress';
import { startBenchStack, type BenchStack } from './stack';
import { quantile } from './stats';

const DISTRICT = 'NANKAI';
// A backend reports its statistics at most once a second, and an idle one within 10 s (as bench/cost.ts).
const STATS_FLUSH_MS = 11_000;

interface Options {
  readonly requests: number;
  readonly connections: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly profileDir?: string;
  readonly out?: string;
  readonly only?: readonly string[];
}

/** One path's figures: medians over the repeats (CPU, rate) and per-request counts over all of them. */
export interface HotPathFigures {
  readonly path: string;
  readonly requests: number;
  readonly connections: number;
  /** API CPU (user + system) per request, ms: median of the repeats, and each repeat. */
  readonly cpuMsPerRequest: number;
  readonly cpuMsRepeats: readonly number[];
  readonly statementsPerRequest: number;
  readonly transactionsPerRequest: number;
  /** PostgreSQL's index + sequential scans of the service's tables per request (pg_stat_user_tables). */
  readonly scansPerRequest: number;
  /** 2xx answers per second (noisy: the machine is shared). */
  readonly ratePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
  /** The statements of one request, by text, per request (background subtracted). */
  readonly statements: Record<string, number>;
}

function parseArgs(argv: string[]): Options {
  const options: { -readonly [K in keyof Options]: Options[K] } = { requests: 2000, connections: 8, repeats: 3, warmup: 300 };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--requests') options.requests = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--repeats') options.repeats = Number(value());
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--profile') options.profileDir = absolute(value());
    else if (arg === '--out') options.out = absolute(value());
    else if (arg === '--only') options.only = value().split(',');
    else throw new Error(`unknown argument ${arg}: --requests N --connections C --repeats R --warmup N --profile DIR --out FILE.json --only health,read,create`);
  }
  return options;
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : join(process.cwd(), path);
}

/** The probe's counts now: SIGUSR2 to the API (after `command`, if any), then its file. */
async function probe(stack: BenchStack, file: string, command?: ProbeCommand): Promise<ProbeCounts> {
  const pid = stack.cpuParts().find((part) => part.name === 'api')?.pids()[0];
  if (!pid) throw new Error('the API is not running');
  rmSync(file, { force: true });
  if (command) writeFileSync(`${file}.command`, JSON.stringify(command));
  process.kill(pid, 'SIGUSR2');
  return waitFor('the probe’s counts', async () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProbeCounts) : undefined), 10_000, 20);
}

interface PgCounters {
  readonly transactions: number;
  readonly scans: number;
}

async function pgCounters(stack: BenchStack): Promise<PgCounters> {
  const [row] = await stack.query<{ transactions: string; scans: string }>(
    `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS transactions,
            (SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)) FROM pg_stat_user_tables) AS scans`,
  );
  return { transactions: Number(row.transactions), scans: Number(row.scans) };
}

interface Scenario {
  readonly key: string;
  readonly path: string;
  readonly spec: () => Omit<LoadOptions, 'url' | 'cpuParts' | 'connections'>;
}

function scenarios(staff: Staff, sampleTicketId: string): Scenario[] {
  return [
    { key: 'health', path: 'GET /health/live', spec: () => ({ path: '/health/live' }) },
    { key: 'read', path: 'GET /tickets/{id}', spec: () => ({ path: `/tickets/${sampleTicketId}`, token: staff.operator.token }) },
    {
      key: 'create',
      path: 'POST /tickets (start off)',
      spec: () => ({ method: 'POST' as const, token: staff.operator.token, next: () => ({ path: '/tickets', body: ticketBody(DISTRICT) }) }),
    },
  ];
}

function subtract(after: ProbeCounts, before: ProbeCounts): ProbeCounts {
  const byText: Record<string, number> = {};
  for (const [text, count] of Object.entries(after.byText)) {
    const spent = count - (before.byText[text] ?? 0);
    if (spent > 0) byText[text] = spent;
  }
  return {
    statements: after.statements - before.statements,
    transactions: after.transactions - before.transactions,
    cpuUserUs: after.cpuUserUs - before.cpuUserUs,
    cpuSystemUs: after.cpuSystemUs - before.cpuSystemUs,
    byText,
  };
}

async function measure(stack: BenchStack, options: Options, probeFile: string, scenario: Scenario, idlePerMs: ProbeCounts): Promise<HotPathFigures> {
  const base = { url: stack.baseUrl, cpuParts: stack.cpuParts(), connections: options.connections };
  say(`${scenario.path}: warm-up ${options.warmup} requests…`);
  await runLoad({ ...base, ...scenario.spec(), amount: options.warmup });
  await sleep(STATS_FLUSH_MS);
  const pgBefore = await pgCounters(stack);
  const first = await probe(stack, probeFile);
  if (options.profileDir) await probe(stack, probeFile, { profile: 'start' });
  const began = Date.now();
  const cpuMs: number[] = [];
  const rates: number[] = [];
  let last = first;
  let ok = 0;
  let failed = 0;
  let p50 = 0;
  let p99 = 0;
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    const runBegan = Date.now();
    const result = await runLoad({ ...base, ...scenario.spec(), amount: options.requests });
    // autocannon's own rate divides by whole seconds: a run of 2,000 answers within one second would read 2,000/s.
    const rate = (result.ok / (Date.now() - runBegan)) * 1000;
    const now = await probe(stack, probeFile);
    const spent = subtract(now, last);
    last = now;
    const answered = result.ok + result.failed;
    cpuMs.push((spent.cpuUserUs + spent.cpuSystemUs) / 1000 / answered);
    rates.push(rate);
    ok += result.ok;
    failed += result.failed;
    if (repeat === Math.ceil(options.repeats / 2)) ({ p50Ms: p50, p99Ms: p99 } = result);
    say(
      `${scenario.path}: repeat ${repeat}/${options.repeats}: ${round(cpuMs[cpuMs.length - 1], 3)} CPU-ms/request, ${round(spent.statements / answered, 2)} statements/request, ${round(rate)} /s (p50 ${round(result.p50Ms)} ms, p99 ${round(result.p99Ms)} ms)${result.failed ? `, ${result.failed} failed: ${JSON.stringify(result.statusCodes)}` : ''}`,
    );
  }
  const elapsedMs = Date.now() - began;
  const total = subtract(last, first);
  if (options.profileDir) {
    const to = join(options.profileDir, `${scenario.key}.cpuprofile`);
    await probe(stack, probeFile, { profile: 'stop', to });
    say(`${scenario.path}: CPU profile of the measured span in ${to}`);
  }
  await sleep(STATS_FLUSH_MS);
  const pgAfter = await pgCounters(stack);
  const requests = ok + failed;
  // The API's background (readiness probes' SELECT 1) over the same span, from the idle rate measured before.
  const background = (count: number): number => count * elapsedMs;
  const statements: Record<string, number> = {};
  for (const [text, count] of Object.entries(total.byText)) {
    const per = (count - background(idlePerMs.byText[text] ?? 0)) / requests;
    if (per >= 0.005) statements[text] = Math.round(per * 1000) / 1000;
  }
  const sorted = [...cpuMs].sort((a, b) => a - b);
  return {
    path: scenario.path,
    requests: options.requests,
    connections: options.connections,
    cpuMsPerRequest: quantile(sorted, 0.5),
    cpuMsRepeats: cpuMs,
    statementsPerRequest: (total.statements - background(idlePerMs.statements)) / requests,
    transactionsPerRequest: (total.transactions - background(idlePerMs.transactions)) / requests,
    scansPerRequest: (pgAfter.scans - pgBefore.scans) / requests,
    ratePerSecond: quantile([...rates].sort((a, b) => a - b), 0.5),
    p50Ms: p50,
    p99Ms: p99,
    failed,
    statements,
  };
}

/** The API's idle statements per ms (readiness probes), to subtract from a run's counts. */
async function idleRate(stack: BenchStack, probeFile: string, ms: number): Promise<ProbeCounts> {
  const before = await probe(stack, probeFile);
  await sleep(ms);
  const spent = subtract(await probe(stack, probeFile), before);
  const byText = Object.fromEntries(Object.entries(spent.byText).map(([text, count]) => [text, count / ms]));
  return { statements: spent.statements / ms, transactions: spent.transactions / ms, cpuUserUs: spent.cpuUserUs / ms, cpuSystemUs: spent.cpuSystemUs / ms, byText };
}

function table(figures: readonly HotPathFigures[]): string {
  const lines = [
    '| path | API CPU-ms/request (median; repeats) | statements/request | transactions/request | table scans/request | req/s (noisy) | p50 / p99 ms |',
    '|---|---|---|---|---|---|---|',
    ...figures.map(
      (figure) =>
        `| ${figure.path} | **${round(figure.cpuMsPerRequest, 3)}** (${figure.cpuMsRepeats.map((value) => round(value, 3)).join(', ')}) | ${round(figure.statementsPerRequest, 2)} | ${round(figure.transactionsPerRequest, 2)} | ${round(figure.scansPerRequest, 1)} | ${round(figure.ratePerSecond)} | ${round(figure.p50Ms)} / ${round(figure.p99Ms)} |`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const stack = await startBenchStack();
  try {
    const staff = await staffCompany(new Api(stack.baseUrl), stack.admin, DISTRICT);
    // As bench/main.ts: long P1 terms, so no rung comes due while the run lasts.
    await setPolicy(staff.admin, 'P1', { accept: 'PT12H', contact: 'PT24H', visit: 'PT36H', reply: 'PT72H', remediate: 'PT72H', warningAfter: 'PT2H', noticeAfter: 'PT24H' });
    const sample = await staff.operator.expect(201, 'POST', '/tickets', JSON.parse(ticketBody(DISTRICT)));
    const probeFile = join(stack.dir, 'hot-path-probe.json');
    const nodeOptions = [`--require ${join(__dirname, 'hot-path-probe.js')}`];
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    say('stopping the worker (its sweeper would start the workflows) and restarting the API with WORKFLOW_START_ON_CREATE=false and the probe…');
    await stack.stopWorker();
    await stack.restartApi({ WORKFLOW_START_ON_CREATE: 'false', NODE_OPTIONS: nodeOptions.join(' '), HOT_PATH_PROBE_FILE: probeFile });
    const idle = await idleRate(stack, probeFile, 5_000);
    const figures: HotPathFigures[] = [];
    for (const scenario of scenarios(staff, sample.body.id)) {
      if (options.only && !options.only.includes(scenario.key)) continue;
      figures.push(await measure(stack, options, probeFile, scenario, idle));
    }
    const text = `${table(figures)}\n\nStatements of one request (per request, background subtracted):\n\n${figures
      .map((figure) => `${figure.path}\n${Object.entries(figure.statements).sort(([, a], [, b]) => b - a).map(([sql, count]) => `  ${count.toFixed(2)}  ${sql}`).join('\n')}`)
      .join('\n\n')}\n`;
    process.stdout.write(text);
    if (options.out) writeFileSync(options.out, JSON.stringify({ at: new Date().toISOString(), options, figures }, null, 2));
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[hot-path] ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
