import { Client, Connection, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { TICKET_WORKFLOW_TYPE, ticketLifecycleQuery, ticketWorkflowId, type WorkflowTicketState } from '@app/workflows';
import { measureCpu } from './cpu';
import type { Measured, Repeat } from './figures';
import { ticketBody, times, type Staff } from './http';
import { LoadOptions, LoadResult, runLoad } from './load';
import { waitForSharedQueue } from './metrics';
import { round, say } from './progress';
import type { BenchStack } from './stack';
import { figureOf } from './stats';

const run = promisify(execFile);

export interface BenchOptions {
  readonly quick: boolean;
  readonly repeats: number;
  /** Length of one measured run. */
  readonly seconds: number;
  /** An unrecorded run before the repeats (JIT, pools, caches). */
  readonly warmupSeconds: number;
  /** Connections of a maximum-rate run (no pipelining). */
  readonly connections: number;
  /** Connections of a fixed-rate run: enough that a slow answer never holds back the offered rate. */
  readonly fixedRateConnections: number;
  readonly startConcurrency: number;
}

export interface Context {
  readonly stack: BenchStack;
  readonly staff: Staff;
  readonly district: string;
  readonly options: BenchOptions;
  /** A ticket created through the API: read by R_read, the template of R_pg's row and of R_start's state. */
  readonly sampleTicketId: string;
}

type LoadSpec = Omit<LoadOptions, 'url' | 'cpuParts' | 'connections' | 'seconds'> & { connections?: number; seconds?: number };

/** A warm-up, then `repeats` runs of the same load; the figure is the median rate of 2xx answers. */
async function repeatLoad(
  ctx: Context,
  key: string,
  what: string,
  spec: () => LoadSpec,
  before?: (seconds: number, lastRate: number | undefined) => Promise<void>,
): Promise<Measured> {
  const { options, stack } = ctx;
  const base = { url: stack.baseUrl, cpuParts: stack.cpuParts(), connections: options.connections, seconds: options.seconds };
  say(`${key}: ${what}: warm-up ${options.warmupSeconds} s…`);
  await before?.(options.warmupSeconds, undefined);
  let lastRate = (await runLoad({ ...base, ...spec(), seconds: options.warmupSeconds })).rate;
  const repeats: Repeat[] = [];
  for (let index = 1; index <= options.repeats; index++) {
    await before?.(options.seconds, lastRate);
    const result = await runLoad({ ...base, ...spec() });
    lastRate = result.rate;
    repeats.push(repeatOf(result, result.rate));
    say(`${key}: repeat ${index}/${options.repeats}: ${round(result.rate)} /s (p50 ${round(result.p50Ms)} ms, p99 ${round(result.p99Ms)} ms${result.failed ? `, ${result.failed} failed: ${JSON.stringify(result.statusCodes)}` : ''})`);
  }
  return { key, what, unit: 'req/s', figure: figureOf(repeats.map((repeat) => repeat.value)), repeats };
}

function repeatOf(result: LoadResult, value: number): Repeat {
  return { value, p50Ms: result.p50Ms, p99Ms: result.p99Ms, rate: result.rate, failed: result.failed, cpu: result.cpu };
}

/** pgbench: from PGBENCH_PATH, /usr/bin, or PATH. */
function pgbenchPath(): string | undefined {
  const candidates = [process.env.PGBENCH_PATH, '/usr/bin/pgbench', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'pgbench'))];
  return candidates.find((candidate): candidate is string => Boolean(candidate) && existsSync(candidate as string));
}

export async function pgbenchVersion(): Promise<string | undefined> {
  const path = pgbenchPath();
  return path ? (await run(path, ['--version'])).stdout.trim() : undefined;
}

/**
 * R_pg: what PostgreSQL alone does with the create's central write. pgbench, 8 clients on 2 threads,
 * prepared statements, one custom transaction: an INSERT of a realistic ticket row (the sample ticket's
 * columns as the API wrote them: policy snapshot, stages, rung instants) into the real tickets table with
 * all its indexes. Its rows are deleted afterwards (they carry created_by 'bench-pgbench').
 */
export async function measurePg(ctx: Context): Promise<Measured> {
  const key = 'R_pg';
  const what = 'pgbench, 8 clients, INSERT of a realistic ticket row into the real tickets table and its indexes';
  const path = pgbenchPath();
  if (!path) {
    const skipped = "pgbench not found (PGBENCH_PATH, /usr/bin/pgbench, PATH): install Debian's postgresql-client (apt-get install postgresql-client); R_pg and its ratios are skipped";
    say(`${key}: SKIPPED: ${skipped}`);
    return { key, what, unit: 'tx/s', repeats: [], skipped };
  }
  // PostgreSQL writes the statement itself from the row (quote_ident, quote_nullable): no value is pasted here.
  const [{ statement }] = await ctx.stack.query<{ statement: string }>(
    `SELECT format('INSERT INTO tickets (%s) VALUES (%s);',
              string_agg(quote_ident(e.key), ', ' ORDER BY e.ord),
              string_agg(CASE e.key
                           WHEN 'id' THEN 'gen_random_uuid()'
                           WHEN 'number' THEN '''PGB-'' || gen_random_uuid()'
                           WHEN 'citizen_phone' THEN '''139'' || lpad((random() * 1e8)::int::text, 8, ''0'')'
                           WHEN 'created_by' THEN quote_literal('bench-pgbench')
                           WHEN 'dispatched_at' THEN 'now()'
                           WHEN 'created_at' THEN 'now()'
                           WHEN 'updated_at' THEN 'now()'
                           WHEN 'workflow_started_at' THEN 'now()'
                           ELSE quote_nullable(e.value) END, ', ' ORDER BY e.ord)) AS statement
       FROM tickets t, json_each_text(to_json(t)) WITH ORDINALITY AS e(key, value, ord)
      WHERE t.id = $1`,
    [ctx.sampleTicketId],
  );
  const script = join(ctx.stack.dir, 'insert-ticket.sql');
  writeFileSync(script, `${statement}\n`);
  const url = new URL(ctx.stack.databaseUrl);
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const pgbench = async (seconds: number): Promise<{ tps: number; latencyMs: number; cpu: Repeat['cpu'] }> => {
    const stopCpu = measureCpu(ctx.stack.cpuParts());
    const { stdout } = await run(
      path,
      ['-n', '-M', 'prepared', '-c', '8', '-j', '2', '-T', String(seconds), '-f', script, '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), url.pathname.slice(1)],
      { env, maxBuffer: 16 * 1024 * 1024 },
    );
    const cpu = stopCpu();
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return { tps: Number(tps[1]), latencyMs: latency ? Number(latency[1]) : Number.NaN, cpu };
  };
  say(`${key}: ${what}: warm-up ${ctx.options.warmupSeconds} s…`);
  await pgbench(ctx.options.warmupSeconds);
  const repeats: Repeat[] = [];
  for (let index = 1; index <= ctx.options.repeats; index++) {
    const result = await pgbench(ctx.options.seconds);
    repeats.push({ value: result.tps, cpu: result.cpu, note: `latency average ${round(result.latencyMs, 1)} ms` });
    say(`${key}: repeat ${index}/${ctx.options.repeats}: ${round(result.tps)} tx/s (latency average ${round(result.latencyMs, 1)} ms)`);
  }
  const [{ deleted }] = await ctx.stack.query<{ deleted: string }>(
    `WITH gone AS (DELETE FROM tickets WHERE created_by = 'bench-pgbench' RETURNING 1) SELECT count(*) AS deleted FROM gone`,
  );
  await ctx.stack.query('VACUUM ANALYZE tickets');
  say(`${key}: removed its ${deleted} rows (and vacuumed), so later figures see the table the API made`);
  return { key, what, unit: 'tx/s', figure: figureOf(repeats.map((repeat) => repeat.value)), repeats };
}

/** R_http: the cheapest route through the whole Nest pipeline (helmet, metrics middleware, both global guards, serialisation). */
export function measureHttp(ctx: Context): Promise<Measured> {
  return repeatLoad(ctx, 'R_http', 'GET /health/live: an empty JSON answer through the same pipeline (middleware, both global guards; @Public, so no token read)', () => ({ path: '/health/live' }));
}

/** R_read: one ticket read by an operator (token check, the ticket and its dispatches, the mapping). */
export function measureRead(ctx: Context): Promise<Measured> {
  return repeatLoad(ctx, 'R_read', 'GET /tickets/{id} as an operator', () => ({ path: `/tickets/${ctx.sampleTicketId}`, token: ctx.staff.operator.token }));
}

function createSpec(ctx: Context): LoadSpec {
  return { method: 'POST', token: ctx.staff.operator.token, next: () => ({ path: '/tickets', body: ticketBody(ctx.district) }) };
}

/**
 * R_api_db: POST /tickets with the workflow start switched off (WORKFLOW_START_ON_CREATE=false, an API
 * restarted for it). The worker is stopped meanwhile: its sweeper would start those workflows a few seconds
 * later, loading the machine during the measurement. Afterwards the tickets it made (no workflow) are
 * deleted, the API restarted as it was and the worker started again.
 */
export async function measureApiDb(ctx: Context): Promise<Measured> {
  const { stack } = ctx;
  say('R_api_db: stopping the worker and restarting the API with WORKFLOW_START_ON_CREATE=false…');
  await stack.stopWorker();
  await stack.restartApi({ WORKFLOW_START_ON_CREATE: 'false' });
  try {
    return await repeatLoad(ctx, 'R_api_db', 'POST /tickets as an operator, the workflow start switched off (WORKFLOW_START_ON_CREATE=false), no worker running', () => createSpec(ctx));
  } finally {
    try {
      const removed = await deleteUnstartedTickets(stack);
      say(`R_api_db: removed its ${removed} tickets (no workflow)`);
    } finally {
      say('R_api_db: restarting the API as it was, and the worker…');
      await stack.restartApi();
      await stack.startWorker();
    }
  }
}

/**
 * Deletes every ticket whose workflow never started, with the rows that refer to it (found in the catalog).
 * The audit trail is append-only by a trigger: this throw-away database's superuser turns triggers off for
 * the session (session_replication_role = replica), which also skips the foreign-key checks.
 */
async function deleteUnstartedTickets(stack: BenchStack): Promise<number> {
  const [{ count }] = await stack.query<{ count: string }>('SELECT count(*) AS count FROM tickets WHERE workflow_started_at IS NULL');
  const references = await stack.query<{ statement: string }>(
    `SELECT format('DELETE FROM %I WHERE %I IN (SELECT id FROM tickets WHERE workflow_started_at IS NULL)', c.conrelid::regclass::text, a.attname) AS statement
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'tickets'::regclass`,
  );
  await stack.session([
    'SET session_replication_role = replica',
    ...references.map((reference) => reference.statement),
    'DELETE FROM tickets WHERE workflow_started_at IS NULL',
    'RESET session_replication_role',
    'VACUUM ANALYZE',
  ]);
  return Number(count);
}

export async function temporalClient(stack: BenchStack): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  return { client: new Client({ connection, namespace: 'default' }), close: () => connection.close() };
}

/**
 * R_start: raw `workflow.start` of the ticket workflow from this process, 64 at a time, with the worker
 * running (it takes each new workflow's first task meanwhile). The input is the sample ticket's state with a
 * fresh ticket id each time (no row behind it; its rungs are hours away, so nothing ever calls an activity).
 * The figure counts accepted starts; each repeat then waits until the worker has answered a query on the
 * last one started (its first task done), so the next repeat starts on a drained queue. At the end every
 * workflow it started is terminated.
 */
export async function measureStart(ctx: Context): Promise<Measured> {
  const { stack, options } = ctx;
  const { client, close } = await temporalClient(stack);
  try {
    const template = await client.workflow.getHandle(ticketWorkflowId(ctx.sampleTicketId)).query(ticketLifecycleQuery);
    const startedIds: string[] = [];
    const once = async (seconds: number): Promise<Repeat> => {
      const stopCpu = measureCpu(stack.cpuParts());
      const began = Date.now();
      const end = began + seconds * 1000;
      let started = 0;
      let failed = 0;
      let last: string | undefined;
      await Promise.all(
        Array.from({ length: options.startConcurrency }, async () => {
          while (Date.now() < end) {
            const ticketId = randomUUID();
            const state: WorkflowTicketState = { ...template, ticketId };
            try {
              await client.workflow.start(TICKET_WORKFLOW_TYPE, {
                taskQueue: stack.taskQueue,
                workflowId: ticketWorkflowId(ticketId),
                workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
                args: [{ state }],
              });
              started++;
              last = ticketId;
              startedIds.push(ticketId);
            } catch {
              failed++;
            }
          }
        }),
      );
      const elapsed = (Date.now() - began) / 1000;
      const cpu = stopCpu();
      const drainBegan = Date.now();
      // The worker takes the queued first tasks at its own pace (on a quiet machine thousands are queued after
      // the starts): a query waits for the last one's and may time out first (the first full run failed so), so
      // it is asked again until it answers, for up to 10 minutes.
      if (last) await queryUntilAnswered(() => client.workflow.getHandle(ticketWorkflowId(last!)).query(ticketLifecycleQuery), 600_000);
      const drainS = (Date.now() - drainBegan) / 1000;
      return {
        value: started / elapsed,
        failed,
        cpu,
        note: `${started} started, then ${round(drainS, 1)} s until the worker had taken the last one's first task: ${round(started / (elapsed + drainS))}/s started and first task done`,
      };
    };
    say(`R_start: workflow.start, ${options.startConcurrency} concurrent, worker running: warm-up ${options.warmupSeconds} s…`);
    await once(options.warmupSeconds);
    const repeats: Repeat[] = [];
    for (let index = 1; index <= options.repeats; index++) {
      const repeat = await once(options.seconds);
      repeats.push(repeat);
      say(`R_start: repeat ${index}/${options.repeats}: ${round(repeat.value)} starts/s${repeat.failed ? `, ${repeat.failed} failed` : ''}; ${repeat.note}`);
    }
    // Tens of thousands of open workflows with no ticket behind them would weigh on every later figure (the
    // first full run's create p99 and rung lateness did): they are terminated, which takes no workflow task.
    say(`R_start: terminating the ${startedIds.length} workflows it started…`);
    const terminated = await terminateAll(client, startedIds);
    // Terminated workflows stay in the worker's cache until evicted; a restarted worker holds none of them.
    await stack.stopWorker();
    await stack.startWorker();
    say(`R_start: terminated ${terminated}; the worker restarted with an empty cache`);
    return {
      key: 'R_start',
      what: `client.workflow.start of ${TICKET_WORKFLOW_TYPE}, ${options.startConcurrency} concurrent, worker running`,
      unit: 'starts/s',
      figure: figureOf(repeats.map((repeat) => repeat.value)),
      repeats,
    };
  } finally {
    await close();
  }
}

/** Terminates the ticket workflows of `ticketIds`, 64 at a time; answers how many were terminated. */
async function terminateAll(client: Client, ticketIds: readonly string[]): Promise<number> {
  let terminated = 0;
  await times(ticketIds.length, 64, async (index) => {
    try {
      await client.workflow.getHandle(ticketWorkflowId(ticketIds[index])).terminate('bench: R_start is measured');
      terminated++;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  });
  return terminated;
}

/** A query asked again (a second apart) until it answers or `timeoutMs` has passed. */
export async function queryUntilAnswered<T>(query: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await query();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** R_ticket: the full create (transaction, then the workflow start), worker running. */
export function measureTicket(ctx: Context): Promise<Measured> {
  return repeatLoad(ctx, 'R_ticket', 'POST /tickets as an operator: the full create, workflow start included, worker running', () => createSpec(ctx));
}

/**
 * Tickets waiting to be accepted (RECEIVED, workflow started, of the bench company): those the creates
 * left, topped up by creating more outside any measured run. Each accept takes one for good.
 */
export class AcceptPool {
  private readonly ids: string[] = [];
  private readonly taken = new Set<string>();

  constructor(private readonly ctx: Context) {}

  async fill(wanted: number): Promise<void> {
    const rows = await this.ctx.stack.query<{ id: string }>(
      `SELECT id FROM tickets WHERE status = 'RECEIVED' AND workflow_started_at IS NOT NULL AND company_id = $1 ORDER BY created_at`,
      [this.ctx.staff.companyId],
    );
    this.ids.splice(0, this.ids.length, ...rows.map((row) => row.id).filter((id) => !this.taken.has(id)));
    const missing = wanted - this.ids.length;
    if (missing <= 0) {
      const waitedS = await waitForSharedQueue(this.ctx.stack);
      if (waitedS > 2) say(`  waited ${round(waitedS)} s for the shared task queue to drain (first tasks of earlier creates)`);
      return;
    }
    say(`  creating ${missing} tickets to accept (not measured)…`);
    let created = 0;
    await times(missing, 8, async () => {
      const answer = await this.ctx.staff.operator.send('POST', '/tickets', JSON.parse(ticketBody(this.ctx.district)));
      if (answer.status === 201) created++;
    });
    if (created === 0) throw new Error('no ticket could be created for the accept pool');
    await this.fill(wanted);
  }

  next(): string {
    const id = this.ids.shift();
    if (!id) throw new Error('the accept pool ran dry');
    this.taken.add(id);
    return id;
  }

  get size(): number {
    return this.ids.length;
  }
}

function acceptSpec(ctx: Context, pool: AcceptPool): LoadSpec {
  return { method: 'POST', token: ctx.staff.crew.token, next: () => ({ path: `/tickets/${pool.next()}/accept`, body: '{}' }) };
}

/**
 * R_action: 签收 (accept) by the company's crew, an Update of each ticket's workflow (validator, the
 * applyTransition activity, the read-back). Each run takes fresh tickets from the pool; it is filled before
 * each run for half again the rate of the run before it.
 */
export function measureAction(ctx: Context, pool: AcceptPool): Promise<Measured> {
  return repeatLoad(
    ctx,
    'R_action',
    'POST /tickets/{id}/accept as the crew: an Update of the workflow, worker running',
    () => acceptSpec(ctx, pool),
    // Before a rate is known, enough for 100/s (the issue saw 55/s at 16 connections).
    (seconds, lastRate) => pool.fill(Math.ceil((lastRate ?? 100) * seconds * 1.5) + ctx.options.connections * 2),
  );
}

/**
 * p99 of an operation at half of its own maximum rate: autocannon offering a fixed overall rate over
 * enough connections, latencies corrected for coordinated omission.
 */
export async function measureP99(ctx: Context, key: string, what: string, maxRate: number, spec: () => LoadSpec, before?: (seconds: number, rate: number) => Promise<void>): Promise<Measured> {
  const { options, stack } = ctx;
  const rate = Math.max(1, Math.round(maxRate / 2));
  const base = { url: stack.baseUrl, cpuParts: stack.cpuParts(), connections: options.fixedRateConnections, overallRate: rate };
  const repeats: Repeat[] = [];
  say(`${key}: ${what} at ${rate}/s (half of ${round(maxRate)}/s)…`);
  for (let index = 1; index <= options.repeats; index++) {
    await before?.(options.seconds, rate);
    const result = await runLoad({ ...base, ...spec(), seconds: options.seconds });
    repeats.push({ ...repeatOf(result, result.p99Ms), note: `offered ${rate}/s, answered ${round(result.rate, 1)}/s` });
    say(`${key}: repeat ${index}/${options.repeats}: p99 ${round(result.p99Ms)} ms (p50 ${round(result.p50Ms)} ms) at ${round(result.rate, 1)}/s${result.failed ? `, ${result.failed} failed` : ''}`);
  }
  return { key, what: `${what} at a fixed ${rate}/s (half of its maximum), arrivals spread evenly over each second (bench/load.ts, runPacedLoad)`, unit: 'ms', figure: figureOf(repeats.map((repeat) => repeat.value)), repeats };
}

export function createSpecFor(ctx: Context): () => LoadSpec {
  return () => createSpec(ctx);
}

export function acceptSpecFor(ctx: Context, pool: AcceptPool): () => LoadSpec {
  return () => acceptSpec(ctx, pool);
}
