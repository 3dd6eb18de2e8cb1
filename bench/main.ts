// `npm run bench [-- --quick] [-- --out FILE]`: starts the embedded stack as `npm start` runs it, measures the
// calibration rates, the core ratios, the p99s at half rate and rung lateness, and writes docs/BENCHMARKS.md.
// Progress goes to stderr. It measures; it asserts nothing about timings (a missed target is reported, not failed).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { projectRoot } from '@app/devstack';
import { Cost, measureCosts, rungHistoryCost } from './cost';
import type { Lateness, Measured } from './figures';
import { Api, setPolicy, staffCompany, ticketBody } from './http';
import { measureBurst, measureSpreadLateness } from './lateness';
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
};

const FULL: Plan = {
  ...QUICK,
  quick: false,
  seconds: 30,
  warmupSeconds: 10,
  lateness: { tickets: 5000, batches: 10, firstS: 60, lastS: 600 },
  burst: { tickets: 2000, leadS: 120 },
};

const DISTRICT = 'NANKAI';

function parseArgs(argv: string[]): { plan: Plan; out: string } {
  let plan = FULL;
  let out = join(projectRoot(), 'docs', 'BENCHMARKS.md');
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--quick') plan = QUICK;
    else if (arg === '--out' && argv[index + 1]) out = argv[++index];
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('npm run bench [-- --quick] [-- --out FILE]\n  --quick  a run of a few minutes (development); the full run takes up to an hour\n  --out    where the report goes (default docs/BENCHMARKS.md)\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return { plan, out: isAbsolute(out) ? out : join(process.cwd(), out) };
}

async function main(): Promise<void> {
  const { plan, out } = parseArgs(process.argv.slice(2));
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
    const attempt = async <T>(name: string, step: () => Promise<T>, into: T[]): Promise<void> => {
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

    writeFileSync(out, renderReport({ options: plan, machine, startedAt, finishedAt: new Date(), figures, lateness, costs, failures }));
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
