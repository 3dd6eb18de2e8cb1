import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import { ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import { measureCpu } from './cpu';
import { watchMetrics } from './metrics';
import type { Lateness } from './figures';
import { setPolicy, ticketBody, times } from './http';
import { queryUntilAnswered, temporalClient, type Context } from './measures';
import { round, say, sleep } from './progress';
import { quantile } from './stats';

/** Only the accept stage's ladder comes due within a run: every later stage is a day away. */
const LATER_STAGES_FAR = { contact: 'PT24H', visit: 'PT24H', reply: 'PT24H', remediate: 'PT24H' } as const;
const WARNING_AFTER_S = 5;
const NOTICE_AFTER_S = 10;

function p0Policy(acceptSeconds: number): Record<string, unknown> {
  return { ...LATER_STAGES_FAR, accept: `PT${acceptSeconds}S`, warningAfter: `PT${WARNING_AFTER_S}S`, noticeAfter: `PT${NOTICE_AFTER_S}S`, calendar: '24x7' };
}

interface Batch {
  readonly ids: string[];
  /** Rungs of the batch's tickets due within the run (from the first ticket's workflow state). */
  rungsPerTicket: number;
}

async function createBatch(ctx: Context, count: number, concurrency: number): Promise<Batch> {
  const ids: string[] = [];
  await times(count, concurrency, async () => {
    const answer = await ctx.staff.operator.send('POST', '/tickets', JSON.parse(ticketBody(ctx.district, 'P0')));
    if (answer.status !== 201) throw new Error(`POST /tickets: ${answer.status} ${JSON.stringify(answer.body)}`);
    ids.push(answer.body.id);
  });
  return { ids, rungsPerTicket: 0 };
}

/** Rungs due within `horizonMs` from now, by the workflow's own state (what it armed). */
async function countArmedRungs(ctx: Context, batches: Batch[], horizonMs: number): Promise<void> {
  const { client, close } = await temporalClient(ctx.stack);
  try {
    for (const batch of batches) {
      const state = await queryUntilAnswered(() => client.workflow.getHandle(ticketWorkflowId(batch.ids[0])).query(ticketLifecycleQuery), 300_000);
      batch.rungsPerTicket = state.rungs.filter((rung) => Date.parse(rung.at) <= Date.now() + horizonMs).length;
    }
  } finally {
    await close();
  }
}

/** Waits until every expected rung of `ids` is recorded, printing progress, or until `timeoutMs`. */
async function waitForRungs(ctx: Context, ids: string[], expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let recorded = 0;
  let lastSaid = 0;
  while (Date.now() < deadline) {
    const [{ count }] = await ctx.stack.query<{ count: string }>('SELECT count(*) AS count FROM escalations WHERE ticket_id = ANY($1::uuid[])', [ids]);
    recorded = Number(count);
    if (recorded >= expected) break;
    if (Date.now() - lastSaid > 5000) {
      say(`  ${recorded}/${expected} rungs recorded`);
      lastSaid = Date.now();
    }
    await sleep(500);
  }
  return recorded;
}

async function latenessOf(ctx: Context, ids: string[], level?: string): Promise<number[]> {
  const rows = await ctx.stack.query<{ late: number }>(
    `SELECT EXTRACT(EPOCH FROM fired_at - due_at)::float8 AS late FROM escalations WHERE ticket_id = ANY($1::uuid[]) AND ($2::text IS NULL OR level = $2) ORDER BY 1`,
    [ids, level ?? null],
  );
  return rows.map((row) => Number(row.late));
}

/**
 * Where the latest rungs' time went, from their tickets' histories: workflow tasks that timed out (by
 * kind: SCHEDULE_TO_START is a task that waited on a worker's sticky queue past its timeout and was put on the
 * shared queue again; START_TO_CLOSE one a worker took and never completed), and the longest waits from a task
 * scheduled to started (queue: the worker had no free slot or poller) and from started to completed (the
 * worker's run of it, the rung's local activity and its database write included).
 */
async function latestRungsPicture(ctx: Context, ids: string[], count: number): Promise<string> {
  const rows = await ctx.stack.query<{ ticket_id: string; late: number }>(
    `SELECT ticket_id, max(EXTRACT(EPOCH FROM fired_at - due_at))::float8 AS late FROM escalations WHERE ticket_id = ANY($1::uuid[])
      GROUP BY ticket_id ORDER BY 2 DESC LIMIT $2`,
    [ids, count],
  );
  const { client, close } = await temporalClient(ctx.stack);
  const { EventType, TimeoutType } = temporal.api.enums.v1;
  const timeouts = new Map<string, number>();
  let longestQueuedS = 0;
  let longestRunS = 0;
  try {
    for (const row of rows) {
      const history = await client.workflow.getHandle(ticketWorkflowId(row.ticket_id)).fetchHistory();
      let scheduledAt: number | undefined;
      let startedAt: number | undefined;
      for (const event of history.events ?? []) {
        const at = tsToMs(event.eventTime);
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduledAt = at;
        else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
          if (scheduledAt !== undefined) longestQueuedS = Math.max(longestQueuedS, (at - scheduledAt) / 1000);
          startedAt = at;
        } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
          if (startedAt !== undefined) longestRunS = Math.max(longestRunS, (at - startedAt) / 1000);
        } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
          const kind = (TimeoutType[event.workflowTaskTimedOutEventAttributes?.timeoutType ?? 0] ?? 'unknown').replace(/^TIMEOUT_TYPE_/, '');
          timeouts.set(kind, (timeouts.get(kind) ?? 0) + 1);
        } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) timeouts.set('failed', (timeouts.get('failed') ?? 0) + 1);
      }
    }
  } finally {
    await close();
  }
  const lost = [...timeouts].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'none';
  return (
    `the ${rows.length} tickets with the latest rungs (${round(rows[rows.length - 1]?.late ?? Number.NaN, 2)}–${round(rows[0]?.late ?? Number.NaN, 2)} s late): ` +
    `workflow tasks timed out or failed: ${lost}; longest wait of a workflow task for a worker ${round(longestQueuedS, 2)} s, ` +
    `longest run of one (its local activity included) ${round(longestRunS, 2)} s`
  );
}

/**
 * Rung lateness with the deadlines spread: `tickets` P0 tickets in `batches`, each batch under a P0 policy
 * version whose accept term is longer than the last (from `firstS` to `lastS` seconds), so the accept
 * ladders (DUE_SOON at 80 %, OVERDUE, WARNING +5 s, PUBLIC_NOTICE +10 s) come due spread over the window.
 * Lateness = escalations.fired_at − due_at (recordRung's commit against the instant fixed at the dispatch).
 */
export async function measureSpreadLateness(ctx: Context, tickets: number, batches: number, firstS: number, lastS: number): Promise<Lateness> {
  const perBatch = Math.ceil(tickets / batches);
  say(`lateness: ${perBatch * batches} P0 tickets in ${batches} batches, accept terms ${firstS}–${lastS} s (creating them; not measured)…`);
  const stopCpu = measureCpu(ctx.stack.cpuParts());
  const metrics = await watchMetrics(ctx.stack, 'lateness');
  const created: Batch[] = [];
  const began = Date.now();
  for (let index = 0; index < batches; index++) {
    const term = Math.round(firstS + ((lastS - firstS) * index) / Math.max(1, batches - 1));
    await setPolicy(ctx.staff.admin, 'P0', p0Policy(term));
    created.push(await createBatch(ctx, perBatch, 8));
  }
  const createdS = (Date.now() - began) / 1000;
  await countArmedRungs(ctx, created, (lastS + NOTICE_AFTER_S + 5) * 1000);
  const ids = created.flatMap((batch) => batch.ids);
  const expected = created.reduce((sum, batch) => sum + batch.ids.length * batch.rungsPerTicket, 0);
  say(`lateness: created in ${round(createdS)} s; waiting for ${expected} rungs…`);
  const recorded = await waitForRungs(ctx, ids, expected, (lastS + NOTICE_AFTER_S + 120) * 1000);
  const cpu = stopCpu();
  const seen = await metrics.stop();
  const late = await latenessOf(ctx, ids);
  return {
    key: 'lateness',
    what: `${ids.length} tickets, ${expected} rungs due spread over ~${round(lastS - firstS + createdS + NOTICE_AFTER_S)} s (accept terms ${firstS}–${lastS} s)`,
    tickets: ids.length,
    expected,
    recorded,
    p50S: quantile(late, 0.5),
    p99S: quantile(late, 0.99),
    maxS: late[late.length - 1] ?? Number.NaN,
    cpu,
    sample: { ticketId: created[0].ids[0], rungs: created[0].rungsPerTicket },
    notes: [`tickets created in ${round(createdS)} s at ~${round(ids.length / createdS)}/s, meanwhile the first rungs were already firing`, await latestRungsPicture(ctx, ids, 20), ...seen],
  };
}

/**
 * A burst: `tickets` P0 tickets whose accept deadlines (OVERDUE) all fall within one second. They are
 * created in one-second slices, each slice under a P0 policy version whose accept term is shorter by the
 * seconds already gone, so every deadline lands on the same instant. Measured on the OVERDUE rungs: lateness,
 * the time from the burst's instant until the last is recorded, and rungs/s over it. The WARNING (+5 s) and
 * PUBLIC_NOTICE (+10 s) bursts follow, and DUE_SOON rungs are spread before it.
 */
export async function measureBurst(ctx: Context, tickets: number, leadS: number): Promise<Lateness> {
  say(`burst: ${tickets} accept deadlines in one second, ${leadS} s from the first ticket (creating them; not measured)…`);
  const began = Date.now();
  const burstAt = began + leadS * 1000;
  const ids: string[] = [];
  let slice = 0;
  while (ids.length < tickets) {
    const term = Math.round((burstAt - Date.now()) / 1000);
    if (term < 5) throw new Error(`burst: creating ${tickets} tickets took longer than the ${leadS} s lead; give it a longer lead`);
    await setPolicy(ctx.staff.admin, 'P0', p0Policy(term));
    const sliceEnd = Date.now() + 1000;
    while (ids.length < tickets && Date.now() < sliceEnd) {
      const batch = await createBatch(ctx, Math.min(16, tickets - ids.length), 8);
      ids.push(...batch.ids);
    }
    slice++;
  }
  const [{ first, last }] = await ctx.stack.query<{ first: Date; last: Date }>(
    `SELECT min((stages->'accept'->>'dueAt')::timestamptz) AS first, max((stages->'accept'->>'dueAt')::timestamptz) AS last FROM tickets WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const spreadS = (new Date(last).getTime() - new Date(first).getTime()) / 1000;
  say(`burst: ${ids.length} tickets in ${slice} slices; their accept deadlines span ${round(spreadS, 2)} s; waiting for the OVERDUE rungs…`);
  const stopCpu = measureCpu(ctx.stack.cpuParts());
  const metrics = await watchMetrics(ctx.stack, 'burst');
  const waitUntil = async (): Promise<number> => {
    const deadline = Date.now() + (leadS + 180) * 1000;
    let recorded = 0;
    let lastSaid = 0;
    while (Date.now() < deadline) {
      const [{ count }] = await ctx.stack.query<{ count: string }>(`SELECT count(*) AS count FROM escalations WHERE ticket_id = ANY($1::uuid[]) AND level = 'OVERDUE'`, [ids]);
      recorded = Number(count);
      if (recorded >= ids.length) break;
      if (Date.now() - lastSaid > 5000) {
        say(`  ${recorded}/${ids.length} OVERDUE rungs recorded`);
        lastSaid = Date.now();
      }
      await sleep(250);
    }
    return recorded;
  };
  const recorded = await waitUntil();
  const cpu = stopCpu();
  const seen = await metrics.stop();
  const late = await latenessOf(ctx, ids, 'OVERDUE');
  const [{ drain }] = await ctx.stack.query<{ drain: number }>(
    `SELECT EXTRACT(EPOCH FROM max(fired_at) - min(due_at))::float8 AS drain FROM escalations WHERE ticket_id = ANY($1::uuid[]) AND level = 'OVERDUE'`,
    [ids],
  );
  return {
    key: 'burst',
    what: `${ids.length} OVERDUE rungs due within ${round(spreadS, 2)} s`,
    tickets: ids.length,
    expected: ids.length,
    recorded,
    p50S: quantile(late, 0.5),
    p99S: quantile(late, 0.99),
    maxS: late[late.length - 1] ?? Number.NaN,
    drainS: Number(drain),
    rungsPerSecond: recorded / Number(drain),
    cpu,
    notes: [await latestRungsPicture(ctx, ids, 20), ...seen],
  };
}
