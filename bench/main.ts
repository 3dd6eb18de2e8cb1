// `npm run bench [-- --quick] [-- --out FILE]`: starts the embedded stack as `npm start` runs it, measures the
// calibration rates, the core ratios, the p99s at half rate and rung lateness, and writes docs/BENCHMARKS.md.
// Progress goes to stderr. It measures; it asserts nothing about timings (a missed target is reported, not failed).
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { projectRoot } from '@app/devstack';
import { measureCityScale, type CityScale } from './city-scale';
import { Cost, measureCosts, rungHistoryCost } from './cost';
import type { Lateness, Measured } from './figures';
import { Api, setPolicy, staffCompany, ticketBody } from './http';
import { measureBurst, measureSpreadLateness } from './lateness';
import { measureGrowth, type Growth } from './growth';
import { measureRungCapacity, type RungCapacity } from './rung-capacity';
import { describeMachine } from './machine';
import {
  AcceptPool,
  acceptSpecFor,
  BenchOptions,
  Context,
  createSpecFor,
  measureAction,
  measureApiDb,
  measureHttp,
  measureP99,
  measurePg,
  measureRead,
  measureStart,
  measureTicket,
} from './measures';
import { renderReport } from './report';
import { say } from './progress';
import { startBenchStack, type BenchStack } from './stack';

interface Plan extends BenchOptions {
  readonly lateness: { readonly tickets: number; readonly batches: number; readonly firstS: number; readonly lastS: number };
  readonly burst: { readonly tickets: number; readonly leadS: number };
  /** Rung capacity: the due-rung rates stepped through, each for `windowS` (bench/rung-capacity.ts). */
  readonly capacity: { readonly rates: readonly number[]; readonly windowS: number };
  /** Idle open tickets at which cost is measured again (bench/growth.ts). */
  readonly growth: readonly number[];
}

const QUICK: Plan = {
  quick: true,
  repeats: 3,
  seconds: 5,
  warmupSeconds: 2,
  connections: 16,
  fixedRateConnections: 32,
  startConcurrency: 64,
  lateness: { tickets: 200, batches: 4, firstS: 20, lastS: 50 },
  burst: { tickets: 200, leadS: 30 },
  capacity: { rates: [50, 100, 150, 200, 300, 400], windowS: 15 },
  growth: [1000, 4000],
};

const FULL: Plan = {
  ...QUICK,
  quick: false,
  seconds: 30,
  warmupSeconds: 10,
  lateness: { tickets: 5000, batches: 10, firstS: 60, lastS: 600 },
  burst: { tickets: 2000, leadS: 120 },
  capacity: { rates: [50, 100, 150, 200, 250, 300, 400, 500, 600], windowS: 60 },
  growth: [1000, 10_000, 100_000],
};

const DISTRICT = 'NANKAI';

/**
 * The parts `--only` can pick: `core` (calibration, ratios, p99s, costs), `lateness` (spread and burst),
 * `rungs` (rung capacity), `growth` (cost at more open tickets), `city` (reads at city scale).
 */
const SECTIONS = ['core', 'lateness', 'rungs', 'growth', 'city'] as const;

/** Which section a step of main() belongs to (its `attempt` name). */
const SECTION_OF_STEP: Readonly<Record<string, (typeof SECTIONS)[number]>> = {
  lateness: 'lateness',
  'rung cost': 'lateness',
  burst: 'lateness',
  'rung capacity': 'rungs',
  growth: 'growth',
  city: 'city',
};
const sectionOf = (step: string): (typeof SECTIONS)[number] => SECTION_OF_STEP[step] ?? 'core';

function parseArgs(argv: string[]): { plan: Plan; out: string; only?: string[] } {
  let plan = FULL;
  let out: string | undefined;
  let only: string[] | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--quick') plan = QUICK;
    else if (arg === '--out' && argv[index + 1]) out = argv[++index];
    else if (arg === '--growth' && argv[index + 1]) {
      const levels = argv[++index].split(',').map(Number);
      if (levels.some((level) => !Number.isInteger(level) || level < 1) || levels.some((level, at) => at > 0 && level <= levels[at - 1])) {
        throw new Error('--growth takes increasing open-ticket counts, comma-separated (e.g. 1000,10000,100000)');
      }
      plan = { ...plan, growth: levels };
    }
    else if (arg === '--only' && argv[index + 1]) {
      only = argv[++index].split(',');
      const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`--only takes ${SECTIONS.join(', ')} (comma-separated), not ${unknown.join(', ')}`);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'npm run bench [-- --quick] [-- --out FILE] [-- --only core,lateness,rungs,growth,city] [-- --growth 1000,10000,100000]\n  --quick   a run of a few minutes (development); the full run takes up to an hour and a half\n  --out     where the report goes (default docs/BENCHMARKS.md)\n  --only    only these parts (development; the report then goes to test-output/ unless --out says otherwise)\n  --growth  the open-ticket levels of the growth part (default 1000,10000,100000; 100k alone takes ~30 min here)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  // A partial run never overwrites the record of the service.
  out ??= only ? join(projectRoot(), 'test-output', `BENCHMARKS-only-${only.join('-')}.md`) : join(projectRoot(), 'docs', 'BENCHMARKS.md');
  return { plan, out: isAbsolute(out) ? out : join(process.cwd(), out), only };
}

async function main(): Promise<void> {
  const { plan, out, only } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  say(`${plan.quick ? 'quick' : 'full'} run; the report goes to ${out}`);
  const stack = await startBenchStack();
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: stopping the stack…`);
      void stack.stop().finally(() => process.exit(130));
    });
  }
  try {
    const machine = await describeMachine(stack);
    const ctx = await prepare(stack, plan);
    const figures: Measured[] = [];
    const lateness: Lateness[] = [];
    const costs: Cost[] = [];
    const failures: string[] = [];
    let city: CityScale | undefined;
    let rungCapacity: RungCapacity | undefined;
    let growth: Growth | undefined;
    const attempt = async <T>(name: string, step: () => Promise<T>, into: T[]): Promise<void> => {
      if (only && !only.includes(sectionOf(name))) return;
      try {
        into.push(await step());
      } catch (error) {
        const message = `${name}: ${(error as Error).message}`;
        say(`FAILED ${message}`);
        failures.push(message);
      }
    };
    await attempt('R_pg', () => measurePg(ctx), figures);
    await attempt('R_http', () => measureHttp(ctx), figures);
    await attempt('R_read', () => measureRead(ctx), figures);
    await attempt('R_api_db', () => measureApiDb(ctx), figures);
    await attempt('R_start', () => measureStart(ctx), figures);
    await attempt('R_ticket', () => measureTicket(ctx), figures);
    const ticketRate = figures.find((figure) => figure.key === 'R_ticket')?.figure?.median;
    if (ticketRate) await attempt('p99_create', () => measureP99(ctx, 'p99_create', 'POST /tickets (full create)', ticketRate, createSpecFor(ctx)), figures);
    const pool = new AcceptPool(ctx);
    await attempt('R_action', () => measureAction(ctx, pool), figures);
    const actionRate = figures.find((figure) => figure.key === 'R_action')?.figure?.median;
    if (actionRate) {
      await attempt(
        'p99_accept',
        () => measureP99(ctx, 'p99_accept', 'POST /tickets/{id}/accept (Update)', actionRate, acceptSpecFor(ctx, pool), (seconds, rate) => pool.fill(Math.ceil(rate * seconds * 1.2) + plan.fixedRateConnections)),
        figures,
      );
    }
    await attempt('cost', async () => costs.push(...(await measureCosts(ctx, pool, plan.quick ? 30 : 200))), []);
    const { tickets, batches, firstS, lastS } = plan.lateness;
    await attempt('lateness', () => measureSpreadLateness(ctx, tickets, batches, firstS, lastS), lateness);
    const sample = lateness.find((entry) => entry.key === 'lateness')?.sample;
    const createCost = costs.find((cost) => cost.operation.startsWith('create'));
    if (sample && createCost?.historyEvents) {
      await attempt('rung cost', async () => costs.push({ operation: 'rung (recordRung)', count: sample.rungs, transactions: Number.NaN, scans: Number.NaN, rowsWritten: Number.NaN, writesByTable: '', ...(await rungHistoryCost(ctx, sample.ticketId, sample.rungs, createCost.historyEvents!)) }), []);
    }
    await attempt('burst', () => measureBurst(ctx, plan.burst.tickets, plan.burst.leadS), lateness);
    await attempt('rung capacity', async () => void (rungCapacity = await measureRungCapacity(ctx, plan.capacity.rates, plan.capacity.windowS)), []);
    // After the capacity: its idle open tickets stay open.
    await attempt('growth', async () => void (growth = await measureGrowth(ctx, plan.growth)), []);
    // Last: its million tickets would weigh on every figure after it.
    const planDir = join(dirname(out), 'bench-plans');
    await attempt(
      'city',
      async () => {
        city = await measureCityScale(stack, ctx.staff.admin, ctx.staff.operator, {
          quick: plan.quick,
          tickets: plan.quick ? 100_000 : 1_000_000,
          calls: plan.quick ? 50 : 200,
          warmup: plan.quick ? 5 : 20,
          budgetS: plan.quick ? 20 : 60,
          planDir,
          planLink: relative(dirname(out), planDir),
        });
      },
      [],
    );

    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderReport({ options: plan, machine, startedAt, finishedAt: new Date(), figures, lateness, costs, failures, city, rungCapacity, growth }));
    say(`wrote ${out}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    say('stopping the stack…');
    await stack.stop();
  }
}

/** Users and a company over HTTP, long P1 terms for the rate runs, and one sample ticket. */
async function prepare(stack: BenchStack, plan: Plan): Promise<Context> {
  const staff = await staffCompany(new Api(stack.baseUrl), stack.admin, DISTRICT);
  // No rung of the rate runs' tickets (P1) may come due within the run: it would load the later figures.
  await setPolicy(staff.admin, 'P1', { accept: 'PT12H', contact: 'PT24H', visit: 'PT36H', reply: 'PT72H', remediate: 'PT72H', warningAfter: 'PT2H', noticeAfter: 'PT24H' });
  const sample = await staff.operator.expect(201, 'POST', '/tickets', JSON.parse(ticketBody(DISTRICT)));
  return { stack, staff, district: DISTRICT, options: plan, sampleTicketId: sample.body.id };
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
