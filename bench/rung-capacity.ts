import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { RungLevel } from '@app/domain';
import { CalendarDayEntity, dataSourceOptions } from '@app/persistence';
import { WorkCalendarService } from '@app/sla';
import { TicketActivitiesService } from '@app/tickets';
import { TICKET_WORKFLOW_TYPE, ticketLifecycleQuery, ticketWorkflowId, type ArmedRung, type WorkflowTicketState } from '@app/workflows';
import { counters, difference, STATS_FLUSH_MS, type Counters } from './cost';
import { CpuShares, MACHINE, measureCpu } from './cpu';
import type { Lateness } from './figures';
import { queryUntilAnswered, temporalClient, type Context } from './measures';
import { round, say, sleep } from './progress';
import { quantile } from './stats';

/**
 * The rung capacity: the highest sustained rate of due rungs whose lateness keeps p99 ≤ 1 s, found by stepping
 * the rate up until p99 passes 1 s. The rate of due rungs is set directly, not through the create path (whose
 * own rate would cap it): each step clones the sample ticket's row (and its dispatch) by SQL and starts the
 * ticket workflow for each clone with a ladder of its own, every instant in the future, so `rate` rungs/s
 * come due over the step's window. Each clone's ladder is the accept stage's four rungs (DUE_SOON, OVERDUE,
 * WARNING, PUBLIC_NOTICE; a quarter of the window apart, as one ticket's rungs are spread in life) and a fifth
 * rung a day away, so every fired rung re-arms a timer as it does in a real ticket. The CPU of every process
 * over the window shows what bounds the rate; CPU-ms per rung is the cost that does not depend on the load.
 */
export interface CapacityStep extends Pick<Lateness, 'tickets' | 'expected' | 'recorded' | 'p50S' | 'p99S' | 'maxS'> {
  readonly rate: number;
  readonly windowS: number;
  /** Rungs recorded per second, from the window's start until the last was recorded. */
  readonly achieved: number;
  /** Percent of one core per process over the window (until the last rung was recorded). */
  readonly cpu: CpuShares;
  /** CPU milliseconds per recorded rung, per process. */
  readonly cpuMsPerRung: Record<string, number>;
  readonly note?: string;
}

/** What one rung costs, counted (not timed): independent of the machine's load. */
export interface RungCost {
  readonly rungs: number;
  readonly historyEvents: number;
  readonly workflowTasks: number;
  readonly activityTasks: number;
  readonly markers: number;
  /** Worker ↔ server calls per rung: a workflow or activity task is a poll answered and a completion (2 each). */
  readonly serverCalls: number;
  readonly historyDetail: string;
  /** PostgreSQL, from the statistics views over the first step's window (background subtracted). */
  readonly pgTransactions: number;
  readonly pgRowsWritten: number;
  readonly pgWritesByTable: string;
  /** Statements recordRung sends (BEGIN and COMMIT included), counted in this process, per level. */
  readonly statementsByLevel: Record<string, number>;
  readonly statementsPerRung: number;
  /** recordRung of a rung already recorded (a retried attempt): statements. */
  readonly statementsDuplicate: number;
}

export interface RungCapacity {
  readonly steps: CapacityStep[];
  /** The highest stepped rate with every rung recorded and p99 ≤ 1 s. */
  readonly capacity?: number;
  readonly cost?: RungCost;
}

const LADDER: readonly RungLevel[] = ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'];
const P99_LIMIT_S = 1;

/** Clones the sample ticket (row and dispatch) `count` times by SQL; the clones' workflows count as started. */
async function cloneTickets(ctx: Context, count: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await ctx.stack.query(
    `INSERT INTO tickets
     SELECT (jsonb_populate_record(t, jsonb_build_object(
               'id', n.id, 'number', $3 || '-' || n.ord, 'citizen_phone', '138' || lpad(n.ord::text, 8, '0'),
               'created_at', now(), 'updated_at', now(), 'workflow_started_at', now()))).*
       FROM tickets t, unnest($2::uuid[]) WITH ORDINALITY AS n(id, ord)
      WHERE t.id = $1`,
    [ctx.sampleTicketId, ids, tag],
  );
  await ctx.stack.query(
    `INSERT INTO ticket_dispatches
     SELECT (jsonb_populate_record(d, jsonb_build_object('id', gen_random_uuid(), 'ticket_id', n.id))).*
       FROM ticket_dispatches d, unnest($2::uuid[]) AS n(id)
      WHERE d.ticket_id = $1`,
    [ctx.sampleTicketId, ids],
  );
  return ids;
}

/** Starts each ticket's workflow with `rungsOf(index)`; 32 at a time. Returns starts/s (start and first task). */
async function startWorkflows(ctx: Context, ids: readonly string[], rungsOf: (index: number) => ArmedRung[]): Promise<number> {
  const { client, close } = await temporalClient(ctx.stack);
  try {
    const template = await client.workflow.getHandle(ticketWorkflowId(ctx.sampleTicketId)).query(ticketLifecycleQuery);
    const began = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ids.length) {
          const index = next++;
          const state: WorkflowTicketState = { ...template, ticketId: ids[index], rungs: rungsOf(index), pauseEndsAt: null };
          await client.workflow.start(TICKET_WORKFLOW_TYPE, {
            taskQueue: ctx.stack.taskQueue,
            workflowId: ticketWorkflowId(ids[index]),
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            args: [{ state }],
          });
        }
      }),
    );
    // The last one's first task done (a query needs it), so the worker has taken every first task.
    // A query waits for that task and may time out while thousands are queued: asked again until it answers.
    if (ids.length > 0) await queryUntilAnswered(() => client.workflow.getHandle(ticketWorkflowId(ids[ids.length - 1])).query(ticketLifecycleQuery), 900_000);
    return ids.length / ((Date.now() - began) / 1000);
  } finally {
    await close();
  }
}

export interface OpenTickets {
  readonly ids: string[];
  readonly startsPerSecond: number;
}

/** `count` open tickets whose only armed rung is `awayMs` ahead (idle, timers far away): growth.ts's load. */
export async function openIdleTickets(ctx: Context, count: number, awayMs: number, tag: string): Promise<OpenTickets> {
  const ids: string[] = [];
  let startsPerSecond = 0;
  for (let offset = 0; offset < count; offset += 2000) {
    const slice = await cloneTickets(ctx, Math.min(2000, count - offset), `${tag}${offset}`);
    const at = new Date(Date.now() + awayMs).toISOString();
    startsPerSecond = await startWorkflows(ctx, slice, () => [{ stage: 'accept', level: 'DUE_SOON', at }]);
    ids.push(...slice);
    say(`  ${ids.length}/${count} open tickets (${round(startsPerSecond)} started/s)`);
  }
  return { ids, startsPerSecond };
}

/** Lateness (s, ascending) of the recorded rungs of `ids`, their count and the last fired_at. */
async function recordedRungs(ctx: Context, ids: readonly string[]): Promise<{ late: number[]; lastFiredMs: number }> {
  const rows = await ctx.stack.query<{ late: number; fired: Date }>(
    'SELECT EXTRACT(EPOCH FROM fired_at - due_at)::float8 AS late, fired_at AS fired FROM escalations WHERE ticket_id = ANY($1::uuid[]) ORDER BY 1',
    [ids],
  );
  return { late: rows.map((row) => Number(row.late)), lastFiredMs: Math.max(0, ...rows.map((row) => new Date(row.fired).getTime())) };
}

async function countRecorded(ctx: Context, ids: readonly string[]): Promise<number> {
  const [{ count }] = await ctx.stack.query<{ count: string }>('SELECT count(*) AS count FROM escalations WHERE ticket_id = ANY($1::uuid[])', [ids]);
  return Number(count);
}

/**
 * One step: `rate` due rungs/s over `windowS` seconds, the first `leadS` from now or later (the workflows are
 * started first). Measured from the window's start until the last rung is recorded (or a timeout).
 */
export async function measureRungRate(ctx: Context, rate: number, windowS: number, startRate: number, tag: string): Promise<CapacityStep & { ids: string[]; pg: Counters; pgSpanMs: number }> {
  const expected = Math.max(LADDER.length, Math.round(rate * windowS));
  const tickets = Math.ceil(expected / LADDER.length);
  const quarterMs = (windowS * 1000) / LADDER.length;
  const ids = await cloneTickets(ctx, tickets, tag);
  // Enough lead to start them all at the rate the last step saw, and 10 s more.
  const leadMs = (tickets / Math.max(10, startRate)) * 1500 + 10_000;
  const windowAt = Date.now() + leadMs;
  const farAway = new Date(windowAt + 86_400_000).toISOString();
  const rungsOf = (index: number): ArmedRung[] => [
    ...LADDER.map((level, rung) => ({ stage: 'accept' as const, level, at: new Date(windowAt + (index / tickets) * quarterMs + rung * quarterMs).toISOString() })),
    { stage: 'contact', level: 'DUE_SOON', at: farAway },
  ];
  say(`rung capacity: ${round(rate)} rungs/s for ${windowS} s: ${tickets} tickets, ${tickets * LADDER.length} rungs; starting their workflows…`);
  const startsPerSecond = await startWorkflows(ctx, ids, rungsOf);
  const spareMs = windowAt - Date.now();
  const note = spareMs < 0 ? `the workflows were started ${round(-spareMs / 1000, 1)} s into the window (the first rungs were late by that)` : undefined;
  if (spareMs > 0) await sleep(spareMs);
  const pgBefore = await counters(ctx);
  const pgBegan = Date.now();
  const stopCpu = measureCpu(ctx.stack.cpuParts());
  const cpuBegan = Date.now();
  const deadline = windowAt + windowS * 1000 + 90_000;
  let recorded = 0;
  // Each poll is a transaction of its own: subtracted from the rungs' PostgreSQL cost.
  let polls = 0;
  while (Date.now() < deadline) {
    recorded = await countRecorded(ctx, ids);
    polls++;
    if (recorded >= tickets * LADDER.length) break;
    await sleep(250);
  }
  const cpu = stopCpu();
  const spanS = Math.max(0.001, (Date.now() - cpuBegan) / 1000);
  const { late, lastFiredMs } = await recordedRungs(ctx, ids);
  const cpuMsPerRung: Record<string, number> = {};
  for (const [part, share] of Object.entries(cpu)) cpuMsPerRung[part] = ((share / 100) * spanS * 1000) / Math.max(1, late.length);
  const step = {
    rate,
    windowS,
    tickets,
    expected: tickets * LADDER.length,
    recorded,
    p50S: quantile(late, 0.5),
    p99S: quantile(late, 0.99),
    maxS: late[late.length - 1] ?? Number.NaN,
    achieved: late.length / Math.max(0.001, (lastFiredMs - windowAt) / 1000),
    cpu,
    cpuMsPerRung,
    ...(note ? { note } : {}),
  };
  say(
    `rung capacity: ${round(rate)}/s: ${recorded}/${step.expected} recorded, p50 ${round(step.p50S, 2)} s, p99 ${round(step.p99S, 2)} s, max ${round(step.maxS, 2)} s; ${round(step.achieved)} rungs/s; ` +
      `CPU ${['worker', 'temporal', 'postgres'].map((part) => `${part} ${round(cpu[part] ?? 0)} %`).join(', ')}, machine ${round(cpu[MACHINE] ?? 0)} % (started ${round(startsPerSecond)}/s)`,
  );
  await sleep(STATS_FLUSH_MS);
  const spent = difference(await counters(ctx), pgBefore);
  // The polls, the lateness read and the two statistics reads are this process's own transactions.
  const pg = { ...spent, transactions: spent.transactions - polls - 3 };
  return { ...step, ids, pg, pgSpanMs: Date.now() - pgBegan };
}

/** The events of a ticket's history, by type name (workflow_task_completed …). */
async function historyTypes(ctx: Context, ticketId: string): Promise<string[]> {
  const { client, close } = await temporalClient(ctx.stack);
  try {
    const history = await client.workflow.getHandle(ticketWorkflowId(ticketId)).fetchHistory();
    return (history.events ?? []).map((event) => (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '').toLowerCase());
  } finally {
    await close();
  }
}

/** A fired ladder's history: the events after the first timer fired, per rung (each fired rung re-arms the next timer). */
async function historyCost(ctx: Context, ticketId: string): Promise<Pick<RungCost, 'rungs' | 'historyEvents' | 'workflowTasks' | 'activityTasks' | 'markers' | 'serverCalls' | 'historyDetail'>> {
  const types = await historyTypes(ctx, ticketId);
  const added = types.slice(types.indexOf('timer_fired'));
  const rungs = LADDER.length;
  const count = (type: string): number => added.filter((name) => name === type).length / rungs;
  const counts = new Map<string, number>();
  for (const name of added) counts.set(name, (counts.get(name) ?? 0) + 1);
  const workflowTasks = count('workflow_task_completed');
  const activityTasks = count('activity_task_scheduled');
  return {
    rungs,
    historyEvents: added.length / rungs,
    workflowTasks,
    activityTasks,
    markers: count('marker_recorded'),
    serverCalls: 2 * workflowTasks + 2 * activityTasks,
    historyDetail: [...counts].map(([name, n]) => `${name} ×${round(n / rungs, 2)}`).join(', '),
  };
}

/** Counts every statement a DataSource sends (TypeORM reports BEGIN/COMMIT through logQuery too). */
class CountingLogger implements TypeOrmLogger {
  statements = 0;
  logQuery(): void {
    this.statements++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** recordRung's statements per level (and of a duplicate), run in this process against the bench database. */
async function statementCost(ctx: Context): Promise<Pick<RungCost, 'statementsByLevel' | 'statementsPerRung' | 'statementsDuplicate'>> {
  const logger = new CountingLogger();
  const dataSource = await new DataSource({ ...dataSourceOptions({ url: ctx.stack.databaseUrl, poolSize: 2 }), logger, logging: ['query'] }).initialize();
  try {
    const activities = new TicketActivitiesService(dataSource, new WorkCalendarService(dataSource.getRepository(CalendarDayEntity)));
    const [ticketId] = await cloneTickets(ctx, 1, `SQL-${randomUUID().slice(0, 8)}`);
    const [{ dispatched }] = await ctx.stack.query<{ dispatched: Date }>('SELECT dispatched_at AS dispatched FROM tickets WHERE id = $1', [ticketId]);
    const dispatchedAt = new Date(dispatched).toISOString();
    const statementsByLevel: Record<string, number> = {};
    for (const level of LADDER) {
      const before = logger.statements;
      await activities.recordRung({ ticketId, dispatchedAt, stage: 'accept', level, dueAt: new Date().toISOString() });
      statementsByLevel[level] = logger.statements - before;
    }
    const before = logger.statements;
    await activities.recordRung({ ticketId, dispatchedAt, stage: 'accept', level: 'OVERDUE', dueAt: new Date().toISOString() });
    const statementsDuplicate = logger.statements - before;
    const perRung = Object.values(statementsByLevel).reduce((sum, n) => sum + n, 0) / LADDER.length;
    return { statementsByLevel, statementsPerRung: perRung, statementsDuplicate };
  } finally {
    await dataSource.destroy();
  }
}

function pgCost(pg: Counters, idle: { counters: Counters; ms: number }, spanMs: number, rungs: number): Pick<RungCost, 'pgTransactions' | 'pgRowsWritten' | 'pgWritesByTable'> {
  const scale = spanMs / idle.ms;
  const writes = Object.entries(pg.byTable)
    .map(([name, value]) => {
      const background = idle.counters.byTable[name] ?? { ins: 0, upd: 0 };
      return [name, (value.ins - background.ins * scale) / rungs, (value.upd - background.upd * scale) / rungs] as const;
    })
    .filter(([, ins, upd]) => ins >= 0.05 || upd >= 0.05)
    .sort((a, b) => b[1] + b[2] - (a[1] + a[2]));
  return {
    pgTransactions: (pg.transactions - idle.counters.transactions * scale) / rungs,
    pgRowsWritten: writes.reduce((sum, [, ins, upd]) => sum + ins + upd, 0),
    pgWritesByTable: writes.map(([name, ins, upd]) => `${name} ${[ins >= 0.05 ? `+${ins.toFixed(2)}` : '', upd >= 0.05 ? `~${upd.toFixed(2)}` : ''].filter(Boolean).join(' ')}`).join(', '),
  };
}

/**
 * Steps the due-rung rate through `rates` (each for `windowS`), stopping after the first step whose p99
 * passes 1 s or that leaves a rung unrecorded; the cost per rung comes from the first step.
 */
export async function measureRungCapacity(ctx: Context, rates: readonly number[], windowS: number): Promise<RungCapacity> {
  say('rung capacity: the idle background of PostgreSQL first…');
  await sleep(STATS_FLUSH_MS);
  const idleBefore = await counters(ctx);
  const idleBegan = Date.now();
  await sleep(STATS_FLUSH_MS);
  const idle = { counters: difference(await counters(ctx), idleBefore), ms: Date.now() - idleBegan };
  const steps: CapacityStep[] = [];
  let capacity: number | undefined;
  let cost: RungCost | undefined;
  let startRate = 60;
  for (const [index, rate] of rates.entries()) {
    const began = Date.now();
    const { ids, pg, pgSpanMs, ...step } = await measureRungRate(ctx, rate, windowS, startRate, `CAP${index}-${randomUUID().slice(0, 6)}`);
    steps.push(step);
    startRate = Math.max(20, step.tickets / Math.max(1, (Date.now() - began) / 1000 - windowS - STATS_FLUSH_MS / 1000) / 1.2);
    if (index === 0) {
      cost = { ...(await historyCost(ctx, ids[0])), ...pgCost(pg, idle, pgSpanMs, step.recorded), ...(await statementCost(ctx)) };
      say(`rung cost: ${round(cost.historyEvents, 1)} history events, ${round(cost.workflowTasks, 1)} workflow tasks, ${round(cost.activityTasks, 1)} activity tasks, ${round(cost.statementsPerRung, 1)} statements, ${round(cost.pgTransactions, 2)} transactions per rung`);
    }
    const held = step.recorded >= step.expected && step.p99S <= P99_LIMIT_S;
    if (held) capacity = rate;
    else break;
  }
  return { steps, capacity, cost };
}

function mdTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/** The report's section: the steps with their CPU per process, and what one rung costs. */
export function renderRungCapacity(result: RungCapacity): string[] {
  const lines = ['## Rung capacity', ''];
  lines.push('Due rungs at a set rate for the step\'s window (tickets cloned by SQL, each workflow started with four accept rungs a');
  lines.push('quarter of the window apart and a fifth a day away; bench/rung-capacity.ts); stepped up until p99 passes 1 s. CPU is');
  lines.push('% of one core over the window (200 % is the machine); CPU-ms per rung is the load-independent cost.');
  lines.push('');
  const parts = ['worker', 'temporal', 'postgres'];
  lines.push(
    ...mdTable(
      ['due rungs/s', 'recorded / expected', 'p50', 'p99', 'max', 'achieved rungs/s', ...parts.map((part) => `${part} CPU`), 'machine CPU', ...parts.map((part) => `${part} CPU-ms/rung`)],
      result.steps.map((step) => [
        round(step.rate),
        `${step.recorded} / ${step.expected}`,
        `${round(step.p50S, 2)} s`,
        `${round(step.p99S, 2)} s`,
        `${round(step.maxS, 2)} s`,
        round(step.achieved),
        ...parts.map((part) => `${round(step.cpu[part] ?? 0)} %`),
        `${round(step.cpu[MACHINE] ?? 0)} %`,
        ...parts.map((part) => round(step.cpuMsPerRung[part] ?? Number.NaN, 1)),
      ]),
    ),
  );
  for (const step of result.steps.filter((entry) => entry.note)) lines.push('', `- ${round(step.rate)}/s: ${step.note}`);
  lines.push('', `Capacity (highest step with every rung recorded and p99 ≤ 1 s): **${result.capacity !== undefined ? `${round(result.capacity)} rungs/s` : 'below the first step'}**.`, '');
  const cost = result.cost;
  if (cost) {
    lines.push('What one rung costs (counted, not timed). Server calls are the worker\'s polls answered and completions: two per');
    lines.push('workflow task and two per activity task (a local activity runs inside the workflow task). Statements are those');
    lines.push('recordRung sends, BEGIN and COMMIT included, per level (DUE_SOON / OVERDUE / WARNING / PUBLIC_NOTICE); PostgreSQL');
    lines.push('transactions and rows from the statistics views over the first step.');
    lines.push('');
    lines.push(
      ...mdTable(
        ['history events', 'workflow tasks', 'activity tasks', 'markers', 'server calls', 'statements (by level)', 'statements of a repeat', 'transactions', 'rows written', 'which events'],
        [
          [
            round(cost.historyEvents, 1),
            round(cost.workflowTasks, 1),
            round(cost.activityTasks, 1),
            round(cost.markers, 1),
            round(cost.serverCalls, 1),
            `${round(cost.statementsPerRung, 2)} (${LADDER.map((level) => cost.statementsByLevel[level]).join(' / ')})`,
            round(cost.statementsDuplicate),
            round(cost.pgTransactions, 2),
            `${round(cost.pgRowsWritten, 2)}: ${cost.pgWritesByTable}`,
            cost.historyDetail,
          ],
        ],
      ),
    );
    lines.push('');
  }
  return lines;
}
