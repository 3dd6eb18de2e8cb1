import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { checkConsistency } from '@app/tickets';
import { ticketWorkflowId } from '@app/workflows';
import { FAULT_ADMIN, FaultStack, startFaultStack } from './fault-stack';
import { ticketBody } from './fixtures';
import { Answer, HttpClient, setPolicy, staffCompany, StaffedCompany } from './http-client';
import { eventually } from './system';

/** What the checks need of a stack: the fault stack, or the cluster (test/support/cluster-process.ts). */
export type CheckedStack = Pick<FaultStack, 'query' | 'temporalAddress' | 'databaseUrl'>;

/** The latest rung instant of `stage` stored on any of the tickets (ms since the epoch). */
export async function lastRungInstant(stack: CheckedStack, ticketIds: string[], stage: string): Promise<number> {
  const [row] = await stack.query<{ last: Date }>(
    `SELECT max(rung.value::timestamptz) AS last
       FROM tickets, jsonb_each_text(stages->$2->'rungs') AS rung
      WHERE id = ANY($1)`,
    [ticketIds, stage],
  );
  return row.last.getTime();
}

/**
 * Each ticket's rungs of the given stages were fired exactly once each (one escalation row, one audit event,
 * one notice at PUBLIC_NOTICE), at the instant stored on the ticket; no other stage fired. Prints lateness.
 */
export async function expectFiredOnce(stack: CheckedStack, ticketIds: string[], expected: Partial<Record<string, string[]>>): Promise<void> {
  const escalations = await stack.query<{ ticket_id: string; stage: string; level: string; due_at: Date; fired_at: Date; stored: string | null }>(
    `SELECT e.ticket_id, e.stage, e.level, e.due_at, e.fired_at, t.stages->e.stage->'rungs'->>e.level AS stored
       FROM escalations e JOIN tickets t ON t.id = e.ticket_id
      WHERE e.ticket_id = ANY($1)`,
    [ticketIds],
  );
  const events = await stack.query<{ ticket_id: string; stage: string; level: string; n: string }>(
    `SELECT ticket_id, payload->>'stage' AS stage, payload->>'level' AS level, count(*) AS n
       FROM ticket_events WHERE ticket_id = ANY($1) AND type LIKE 'ESCALATION\\_%'
      GROUP BY 1, 2, 3`,
    [ticketIds],
  );
  const notices = await stack.query<{ ticket_id: string; stage: string; n: string }>(
    `SELECT e.ticket_id, n.stage, count(*) AS n FROM notices n JOIN escalations e ON e.id = n.escalation_id
      WHERE e.ticket_id = ANY($1) GROUP BY 1, 2`,
    [ticketIds],
  );
  for (const id of ticketIds) {
    const wanted = Object.entries(expected).flatMap(([stage, levels]) => (levels ?? []).map((level) => `${stage}/${level}`)).sort();
    expect({ id, fired: escalations.filter((row) => row.ticket_id === id).map((row) => `${row.stage}/${row.level}`).sort() }).toEqual({ id, fired: wanted });
    expect({ id, events: events.filter((row) => row.ticket_id === id).map((row) => `${row.stage}/${row.level}×${row.n}`).sort() }).toEqual({
      id,
      events: wanted.map((rung) => `${rung}×1`),
    });
    const noticed = wanted.filter((rung) => rung.endsWith('/PUBLIC_NOTICE')).map((rung) => `${rung.split('/')[0]}×1`);
    expect({ id, notices: notices.filter((row) => row.ticket_id === id).map((row) => `${row.stage}×${row.n}`).sort() }).toEqual({ id, notices: noticed.sort() });
  }
  // Fired at the instants fixed at the dispatch: late only, never moved.
  for (const row of escalations) {
    if (row.stored) expect(row.due_at.toISOString()).toBe(new Date(row.stored).toISOString());
  }
  if (escalations.length > 0) {
    const lateness = escalations.map((row) => row.fired_at.getTime() - row.due_at.getTime()).sort((a, b) => a - b);
    process.stdout.write(
      `[fault] ${escalations.length} rungs: lateness p50 ${(lateness[Math.floor(lateness.length / 2)] / 1000).toFixed(2)} s, max ${(lateness[lateness.length - 1] / 1000).toFixed(2)} s\n`,
    );
  }
}

const clients = new Map<string, Promise<Client>>();
/** A Temporal client of the stack's server (the connection reconnects across server restarts). */
export function temporalClientOf(stack: CheckedStack): Promise<Client> {
  let client = clients.get(stack.temporalAddress);
  if (!client) {
    client = Connection.connect({ address: stack.temporalAddress }).then((connection) => new Client({ connection }));
    clients.set(stack.temporalAddress, client);
  }
  return client;
}

/** Waits until the ticket's workflow runs. */
export async function waitForWorkflow(stack: CheckedStack, ticketId: string, timeoutMs = 120_000): Promise<void> {
  const client = await temporalClientOf(stack);
  await eventually(
    async () => {
      try {
        const described = await client.workflow.getHandle(ticketWorkflowId(ticketId)).describe();
        return described.status.name === 'RUNNING' ? true : undefined;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        return undefined; // the server itself may be coming back
      }
    },
    timeoutMs,
    `workflow of ${ticketId} running`,
  );
}

/** Closes the Temporal clients the checks opened (afterAll). */
export async function closeFaultClients(): Promise<void> {
  for (const client of clients.values()) await (await client).connection.close().catch(() => undefined);
  clients.clear();
}

/** The consistency check (`npm run check`'s) over the whole stack finds nothing. */
export async function expectConsistent(stack: CheckedStack): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions({ url: stack.databaseUrl, poolSize: 2 }));
  await dataSource.initialize();
  try {
    const report = await checkConsistency({ dataSource, client: await temporalClientOf(stack) });
    expect(report.differences).toEqual([]);
    expect(report.ticketsChecked).toBeGreaterThan(0);
  } finally {
    await dataSource.destroy();
  }
}

export interface BurstOutcome {
  /** Idempotency-Key → the answer that ended its retries (2xx). */
  readonly answers: Map<string, Answer>;
  /** Idempotency-Key → the body it was sent with. */
  readonly bodies: Map<string, Record<string, unknown>>;
  /** Attempts that failed at the connection (refused, reset) or with a 5xx, and were retried. */
  readonly retried: { connection: number; status: Map<number, number> };
}

/**
 * `count` creates, `concurrency` at a time, each retried with its own Idempotency-Key until it gets a 2xx, as a
 * careful client (the console) does: a connection error or a 5xx is retried after a short pause, a 4xx fails
 * the test. `onAnswer` sees each answered create (e.g. to cut something once enough are in).
 */
export async function createBurst(
  operator: HttpClient,
  options: { count: number; concurrency: number; body?: () => Record<string, unknown>; onAnswer?: (answered: number) => void },
): Promise<BurstOutcome> {
  const answers = new Map<string, Answer>();
  const bodies = new Map<string, Record<string, unknown>>();
  const retried = { connection: 0, status: new Map<number, number>() };
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < options.count) {
      next += 1;
      const key = randomUUID();
      const body = options.body?.() ?? ticketBody();
      bodies.set(key, body);
      for (;;) {
        let answer: Answer;
        try {
          answer = await operator.post('/tickets', body, { 'Idempotency-Key': key });
        } catch {
          retried.connection += 1;
          await delay(200);
          continue;
        }
        if (answer.status >= 500) {
          retried.status.set(answer.status, (retried.status.get(answer.status) ?? 0) + 1);
          await delay(200);
          continue;
        }
        if (answer.status !== 201 && answer.status !== 200) throw new Error(`create answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        answers.set(key, answer);
        options.onAnswer?.(answers.size);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return { answers, bodies, retried };
}

export async function ticketCount(stack: CheckedStack): Promise<number> {
  return Number((await stack.query<{ n: string }>('SELECT count(*) AS n FROM tickets'))[0].n);
}

/**
 * Every answered create is one ticket and nothing else was created (the stack held `ticketsBefore` tickets
 * before the burst), each with its workflow running.
 */
export async function expectEachTicketOnce(stack: CheckedStack, outcome: BurstOutcome, ticketsBefore: number): Promise<string[]> {
  const ids = [...outcome.answers.values()].map((answer) => answer.body.id as string);
  expect(new Set(ids).size).toBe(outcome.answers.size);
  const rows = await stack.query<{ id: string }>('SELECT id FROM tickets WHERE id = ANY($1)', [ids]);
  expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
  expect(await ticketCount(stack)).toBe(ticketsBefore + ids.length);
  for (const id of ids) await waitForWorkflow(stack, id);
  return ids;
}

/**
 * One fault stack for a test file (started before its tests, stopped after them, even on failure) with a
 * company staffed over HTTP. Read the fields inside tests: they are set once `beforeAll` has run.
 */
export function useFaultStack(name: string): { readonly stack: FaultStack; readonly staff: StaffedCompany } {
  const context = {} as { stack: FaultStack; staff: StaffedCompany };
  beforeAll(async () => {
    context.stack = await startFaultStack(name);
    context.staff = await staffCompany(new HttpClient(context.stack.baseUrl), FAULT_ADMIN);
  });
  afterAll(async () => {
    await closeFaultClients();
    await context.stack?.stop();
  });
  return context;
}

/** The four accept rungs of the tickets' ladder, all the fault tests wait for. */
export const ACCEPT_LADDER = { accept: ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] };

/**
 * P0 (a leak) with the accept stage due `acceptSeconds` after the dispatch and its warning and notice 2 s and
 * 4 s later; the later stages an hour off, so only the accept ladder fires during a test.
 */
export function useAcceptLadder(staff: StaffedCompany, acceptSeconds: number): Promise<void> {
  return setPolicy(staff.admin, 'P0', { accept: `PT${acceptSeconds}S`, contact: 'PT1H', visit: 'PT1H', reply: 'PT1H', warningAfter: 'PT2S', noticeAfter: 'PT4S', calendar: '24x7' });
}

/** How many rungs of the tickets are recorded. */
export async function firedCount(stack: CheckedStack, ticketIds: string[]): Promise<number> {
  return Number((await stack.query<{ n: string }>('SELECT count(*) AS n FROM escalations WHERE ticket_id = ANY($1)', [ticketIds]))[0].n);
}

/** Waits until every accept rung of the tickets is recorded, then checks each fired exactly once. */
export async function expectAcceptLaddersFired(stack: CheckedStack, ticketIds: string[]): Promise<void> {
  const total = ticketIds.length * ACCEPT_LADDER.accept.length;
  await eventually(async () => ((await firedCount(stack, ticketIds)) === total ? true : undefined), 240_000, `all ${total} rungs recorded`);
  await expectFiredOnce(stack, ticketIds, ACCEPT_LADDER);
}
