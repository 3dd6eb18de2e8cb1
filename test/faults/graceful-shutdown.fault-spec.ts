import { Client as TemporalClient, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { ticketWorkflowId } from '@app/workflows';
import { ticketBody } from '../support/fixtures';
import { Answer, HttpClient, staffCompany, StaffedCompany } from '../support/http-client';
import { freeApiPort, NodeProcess, spawnApp } from '../support/stack-process';
import { eventually } from '../support/system';
import { createTestDatabase, TEST_ADMIN, TEST_JWT_SECRET, temporalTestAddress, TestDatabase, uniqueTaskQueue } from '../support/test-env';

// Fault tier: SIGTERM to the API during a burst of requests, and to the worker while an activity is in
// flight. The API and the worker run as their own processes (dist/), with the environment the stack gives
// them, on this run's PostgreSQL and Temporal.
jest.setTimeout(300_000);

/** One request of the burst: its answer, or how it failed (the error's code: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …). */
type Outcome =
  | { readonly kind: 'answer'; readonly what: string; readonly status: number; readonly connection: string | null; readonly afterDrain: boolean }
  | { readonly kind: 'error'; readonly what: string; readonly error: string; readonly afterDrain: boolean };

function failureOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${cause.code ?? 'no code'}: ${cause.message ?? ''}` : String(error);
}

describe('graceful shutdown (SIGTERM)', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let api: NodeProcess;
  let baseUrl: string;
  const workers: NodeProcess[] = [];
  let staff: StaffedCompany;
  let db: PgClient;
  let temporal: TemporalClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalTestAddress(),
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('graceful'),
      JWT_SECRET: TEST_JWT_SECRET,
      ADMIN_USERNAME: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'log',
      WORKER_METRICS_PORT: '',
    };
    await startWorker();
    const port = await freeApiPort();
    baseUrl = `http://127.0.0.1:${port}`;
    // A drain far longer than the test: it ends when the test sends a second SIGTERM, on state, not on a clock.
    api = spawnApp('api', { ...env, PORT: String(port), SHUTDOWN_DRAIN_MS: '300000' });
    await eventually(
      async () => {
        if (api.exitStatus) throw new Error(`the API exited: ${api.output.tail()}`);
        return (await fetch(`${baseUrl}/health`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      120_000,
      'the API ready',
    );
    staff = await staffCompany(new HttpClient(baseUrl), TEST_ADMIN);
    db = new PgClient({ connectionString: database.url });
    await db.connect();
    temporal = new TemporalClient({ connection: await Connection.connect({ address: temporalTestAddress() }) });
  });

  afterAll(async () => {
    for (const lock of locks) await lock.release().catch(() => undefined);
    if (api && !api.exitStatus) {
      // A failed test may leave it draining for minutes: the second SIGTERM (sent by stop) ends the drain.
      const mark = api.output.mark();
      api.signal('SIGTERM');
      await api.waitFor(/draining for/, mark, 10_000).catch(() => undefined);
    }
    for (const child of [api, ...workers]) if (child) await child.stop('SIGTERM', 15_000);
    await db?.end();
    await temporal?.connection.close();
    await database?.drop();
  });

  const signalled = new Set<NodeProcess>();
  const locks: Array<{ release(): Promise<void> }> = [];

  async function startWorker(): Promise<NodeProcess> {
    const worker = spawnApp('worker', env);
    workers.push(worker);
    await worker.waitFor(/Worker polling task queue/, 0, 120_000);
    return worker;
  }

  /** A worker that polls (none was told to stop): the one running, or a new one. */
  async function pollingWorker(): Promise<NodeProcess> {
    return workers.find((worker) => !worker.exitStatus && !signalled.has(worker)) ?? startWorker();
  }

  /** A new ticket whose workflow runs, so an action on it is an Update a worker executes. */
  async function ticketWithWorkflow(): Promise<{ id: string }> {
    const ticket = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody())).body as { id: string };
    await eventually(
      () =>
        temporal.workflow
          .getHandle(ticketWorkflowId(ticket.id))
          .describe()
          .then(
            () => true,
            (error: unknown) => {
              if (error instanceof WorkflowNotFoundError) return undefined;
              throw error;
            },
          ),
      60_000,
      'the ticket’s workflow started',
    );
    return ticket;
  }

  /**
   * The ticket's row locked by the test: the next action's applyTransition activity (SELECT … FOR UPDATE)
   * starts and then waits in PostgreSQL, in flight for as long as the test likes. `waiting()` is true while
   * a backend waits on the lock; `release()` lets it through.
   */
  async function lockTicket(id: string): Promise<{ waiting(): Promise<boolean>; release(): Promise<void> }> {
    const locker = new PgClient({ connectionString: database.url });
    // A failed test leaves it open until afterAll drops the database under it.
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [id]);
    const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    let released: Promise<void> | undefined;
    const lock = {
      waiting: async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [lockerPid])).rows[0].n > 0,
      release: () =>
        (released ??= (async () => {
          await locker.query('ROLLBACK');
          await locker.end();
        })()),
    };
    locks.push(lock);
    return lock;
  }

  async function statusOf(id: string): Promise<string> {
    return (await db.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [id])).rows[0].status;
  }

  it('worker: the activity in flight finishes, the worker exits 0, and the action’s caller gets its answer', async () => {
    const worker = await pollingWorker();
    const ticket = await ticketWithWorkflow();
    const lock = await lockTicket(ticket.id);
    const answer = staff.crew.post(`/tickets/${ticket.id}/accept`);
    await eventually(async () => ((await lock.waiting()) ? true : undefined), 60_000, 'the accept’s activity waiting on the row');

    const mark = worker.output.mark();
    signalled.add(worker);
    worker.signal('SIGTERM');
    await worker.waitFor(/SIGTERM: no new tasks; the ones in flight finish/, mark);
    await worker.waitFor(/Worker state changed \{[^}]*state: 'DRAINING'/, mark);
    // Stopping, but not before its activity: that one still waits on the row, and the process is up.
    expect(worker.exitStatus).toBeUndefined();
    expect(await lock.waiting()).toBe(true);

    await lock.release();
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output.all().slice(mark)).toMatch(/Worker stopped/);
    // The activity committed before the worker went, with no other worker running: it finished, it was not
    // cut short and retried elsewhere.
    expect(await statusOf(ticket.id)).toBe('ACCEPTED');

    // The next worker (a rolling deploy's) runs what is left of the Update: the caller gets its answer.
    await startWorker();
    const outcome = await answer;
    expect({ status: outcome.status, ticket: outcome.body.status }).toEqual({ status: 200, ticket: 'ACCEPTED' });
    const accepts = await db.query("SELECT id FROM ticket_events WHERE ticket_id = $1 AND type = 'ACCEPT'", [ticket.id]);
    expect(accepts.rows).toHaveLength(1);
  });

  it('API: every request it accepted is answered, new connections are refused once it closed, it exits 0', async () => {
    await pollingWorker();
    // One request deterministically in flight when the server closes: an accept waiting on a locked row.
    const held = await ticketWithWorkflow();
    const lock = await lockTicket(held.id);
    const heldAnswer = staff.crew.post(`/tickets/${held.id}/accept`);
    await eventually(async () => ((await lock.waiting()) ? true : undefined), 60_000, 'the held accept’s activity waiting on the row');

    // The burst: 16 clients, each creating a ticket and reading it back, over keep-alive connections.
    const outcomes: Outcome[] = [];
    const created: string[] = [];
    let sending = true;
    let drainSeen = false;
    const send = async (what: string, call: () => Promise<Answer>): Promise<Answer | undefined> => {
      const afterDrain = drainSeen;
      try {
        const answer = await call();
        outcomes.push({ kind: 'answer', what, status: answer.status, connection: answer.headers.get('connection'), afterDrain });
        return answer;
      } catch (error) {
        outcomes.push({ kind: 'error', what, error: failureOf(error), afterDrain });
        return undefined;
      }
    };
    // A client stops at its first failure (recorded; the test fails on it below) instead of spinning on it.
    const client = async (): Promise<void> => {
      while (sending) {
        const answer = await send('create', () => staff.operator.post('/tickets', ticketBody()));
        if (answer?.status !== 201) return;
        created.push(answer.body.id);
        if ((await send('read', () => staff.operator.get(`/tickets/${answer.body.id}`)))?.status !== 200) return;
      }
    };
    const answered = (): number => outcomes.filter((outcome) => outcome.kind === 'answer').length;
    const clients = Array.from({ length: 16 }, () => client());

    // SIGTERM once 64 answers are back, mid-burst.
    const failed = (): Outcome[] => outcomes.filter((outcome) => outcome.kind === 'error' || ![200, 201].includes(outcome.status));
    const answers = (count: number) => async (): Promise<true | undefined> => {
      if (failed().length > 0) throw new Error(`a request of the burst failed: ${JSON.stringify(failed().slice(0, 5))}`);
      return answered() >= count ? true : undefined;
    };
    await eventually(answers(64), 120_000, '64 answers');
    const mark = api.output.mark();
    api.signal('SIGTERM');
    await api.waitFor(/SIGTERM: draining for 300000 ms/, mark);
    // Readiness says draining, liveness stays 200: a balancer takes the replica out.
    const readiness = await eventually(async () => {
      const health = await fetch(`${baseUrl}/health`);
      return health.status === 503 ? ((await health.json()) as { status: string }) : undefined;
    }, 30_000, 'readiness 503');
    expect(readiness).toEqual({ status: 'draining', database: 'up', temporal: 'up', checkedAt: expect.any(String) });
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    drainSeen = true;
    // While draining it still serves: 64 more answers, then the "balancer" sends no more.
    const atDrain = answered();
    await eventually(answers(atDrain + 64), 120_000, '64 answers while draining');
    sending = false;
    await Promise.all(clients);

    // A second SIGTERM ends the drain: the server closes, with the held accept still in flight.
    const closing = api.output.mark();
    api.signal('SIGTERM');
    const closed = await api.waitFor(/SIGTERM: closed to new connections; (\d+) request\(s\) in flight finish first/, closing);
    expect(Number(closed[1])).toBe(1);
    // From now on a new connection is refused, never accepted and then reset.
    const late: Outcome[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        try {
          const answer = await staff.operator.post('/tickets', ticketBody());
          late.push({ kind: 'answer', what: 'late create', status: answer.status, connection: answer.headers.get('connection'), afterDrain: true });
        } catch (error) {
          late.push({ kind: 'error', what: 'late create', error: failureOf(error), afterDrain: true });
        }
      }),
    );
    expect(late.map((outcome) => (outcome.kind === 'error' ? outcome.error.split(':')[0] : `answered ${outcome.status}`))).toEqual(Array(16).fill('ECONNREFUSED'));
    expect(api.exitStatus).toBeUndefined();

    // The held request finishes once its row is free, answered in full, on a connection that then closes.
    await lock.release();
    const heldOutcome = await heldAnswer;
    expect({ status: heldOutcome.status, ticket: heldOutcome.body.status, connection: heldOutcome.headers.get('connection') }).toEqual({
      status: 200,
      ticket: 'ACCEPTED',
      connection: 'close',
    });
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output.all().slice(closing)).toMatch(/GracefulShutdown\] stopped/);

    // Not one request of the burst failed, reset or otherwise; every answer while draining closed its connection.
    expect(outcomes.filter((outcome) => outcome.kind === 'error')).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.kind === 'answer' && ![200, 201].includes(outcome.status))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.afterDrain && (outcome.kind !== 'answer' || outcome.connection !== 'close'))).toEqual([]);
    // Every ticket answered 201 is in PostgreSQL.
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1::uuid[])', [created]);
    expect(stored.rows[0].n).toBe(created.length);
    process.stdout.write(
      `[graceful-shutdown] ${outcomes.length} requests (${created.length} tickets created), ${atDrain} answered by the time readiness said draining, ` +
        `${outcomes.filter((outcome) => outcome.afterDrain).length} while draining; errors: 0; after the close: 16 × ECONNREFUSED\n`,
    );
  });
});
