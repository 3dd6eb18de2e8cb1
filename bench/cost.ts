import { temporal } from '@temporalio/proto';
import { ticketWorkflowId } from '@app/workflows';
import { ticketBody } from './http';
import { AcceptPool, temporalClient, type Context } from './measures';
import { say, sleep } from './progress';

/** What one operation costs, averaged over a sequential run of them, background subtracted. */
export interface Cost {
  readonly operation: string;
  readonly count: number;
  /** PostgreSQL transactions committed or rolled back, per operation. */
  readonly transactions: number;
  /** Index and sequential scans of the service's tables (each a read), per operation. */
  readonly scans: number;
  readonly rowsWritten: number;
  /** Rows inserted / updated per table, per operation (the writes). */
  readonly writesByTable: string;
  /** Events the operation adds to the workflow's history (each a write on the Temporal server). */
  readonly historyEvents?: number;
  readonly historyDetail?: string;
}

export interface Counters {
  readonly transactions: number;
  readonly scans: number;
  readonly byTable: Record<string, { ins: number; upd: number }>;
}

// A backend reports its statistics at most once a second, and an idle one within 10 s: wait that out.
export const STATS_FLUSH_MS = 11_000;

export async function counters(ctx: Context): Promise<Counters> {
  await ctx.stack.query('SELECT pg_stat_clear_snapshot()');
  const [database] = await ctx.stack.query<{ transactions: string }>('SELECT xact_commit + xact_rollback AS transactions FROM pg_stat_database WHERE datname = current_database()');
  const tables = await ctx.stack.query<{ name: string; scans: string; ins: string; upd: string }>(
    'SELECT relname AS name, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans, n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables',
  );
  return {
    transactions: Number(database.transactions),
    scans: tables.reduce((sum, table) => sum + Number(table.scans), 0),
    byTable: Object.fromEntries(tables.map((table) => [table.name, { ins: Number(table.ins), upd: Number(table.upd) }])),
  };
}

export function difference(after: Counters, before: Counters): Counters {
  const byTable: Counters['byTable'] = {};
  for (const [name, now] of Object.entries(after.byTable)) {
    const then = before.byTable[name] ?? { ins: 0, upd: 0 };
    byTable[name] = { ins: now.ins - then.ins, upd: now.upd - then.upd };
  }
  return { transactions: after.transactions - before.transactions, scans: after.scans - before.scans, byTable };
}

/** The counters over `run` (then the flush wait), less what the same span costs idle (probes, the sweeper). */
async function measured(ctx: Context, idle: { counters: Counters; ms: number }, run: () => Promise<void>): Promise<Counters> {
  const before = await counters(ctx);
  const began = Date.now();
  await run();
  await sleep(STATS_FLUSH_MS);
  const spent = difference(await counters(ctx), before);
  const scale = (Date.now() - began) / idle.ms;
  const byTable: Counters['byTable'] = {};
  for (const [name, value] of Object.entries(spent.byTable)) {
    const background = idle.counters.byTable[name] ?? { ins: 0, upd: 0 };
    byTable[name] = { ins: value.ins - background.ins * scale, upd: value.upd - background.upd * scale };
  }
  return { transactions: spent.transactions - idle.counters.transactions * scale, scans: spent.scans - idle.counters.scans * scale, byTable };
}

function costOf(operation: string, count: number, spent: Counters): Cost {
  const writes = Object.entries(spent.byTable)
    .map(([name, value]) => [name, value.ins / count, value.upd / count] as const)
    .filter(([, ins, upd]) => ins >= 0.05 || upd >= 0.05)
    .sort((a, b) => b[1] + b[2] - (a[1] + a[2]));
  return {
    operation,
    count,
    transactions: spent.transactions / count,
    scans: spent.scans / count,
    rowsWritten: writes.reduce((sum, [, ins, upd]) => sum + ins + upd, 0),
    writesByTable: writes.map(([name, ins, upd]) => `${name} ${[ins >= 0.05 ? `+${ins.toFixed(1)}` : '', upd >= 0.05 ? `~${upd.toFixed(1)}` : ''].filter(Boolean).join(' ')}`).join(', '),
  };
}

async function historyOf(ctx: Context, ticketId: string): Promise<string[]> {
  const { client, close } = await temporalClient(ctx.stack);
  try {
    const history = await client.workflow.getHandle(ticketWorkflowId(ticketId)).fetchHistory();
    return (history.events ?? []).map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType));
  } finally {
    await close();
  }
}

function eventNames(types: string[]): string {
  const counts = new Map<string, number>();
  for (const type of types) {
    const name = type.replace(/^EVENT_TYPE_/, '').toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
}

/**
 * The cost of one create and one accept: PostgreSQL transactions, scans and written rows from the
 * statistics views (one at a time, `count` of each, the idle background subtracted), and the events each
 * adds to its workflow's history. Done one at a time so nothing else runs meanwhile.
 */
export async function measureCosts(ctx: Context, pool: AcceptPool, count: number): Promise<Cost[]> {
  say(`cost: ${count} creates and ${count} accepts one at a time, against the idle background (about ${Math.round((4 * STATS_FLUSH_MS) / 1000 + 10)} s)…`);
  // What the runs before left unreported is flushed first, so the idle span holds only the background.
  await sleep(STATS_FLUSH_MS);
  const idleBefore = await counters(ctx);
  const idleBegan = Date.now();
  await sleep(STATS_FLUSH_MS);
  const idle = { counters: difference(await counters(ctx), idleBefore), ms: Date.now() - idleBegan };

  const created: string[] = [];
  const createSpent = await measured(ctx, idle, async () => {
    for (let index = 0; index < count; index++) {
      const answer = await ctx.staff.operator.expect(201, 'POST', '/tickets', JSON.parse(ticketBody(ctx.district)));
      created.push(answer.body.id);
    }
  });
  const create = costOf('create (POST /tickets)', count, createSpent);
  const afterCreate = await historyOf(ctx, created[created.length - 1]);

  await pool.fill(count);
  const accepted: string[] = [];
  const acceptSpent = await measured(ctx, idle, async () => {
    for (let index = 0; index < count; index++) {
      const id = pool.next();
      await ctx.staff.crew.expect(200, 'POST', `/tickets/${id}/accept`, {});
      accepted.push(id);
    }
  });
  const accept = costOf('accept (POST /tickets/{id}/accept)', count, acceptSpent);
  const acceptedHistory = await historyOf(ctx, accepted[accepted.length - 1]);
  // The accept's events: those after the created workflow's first task (the same prefix for every ticket).
  const acceptEvents = acceptedHistory.slice(afterCreate.length);
  return [
    { ...create, historyEvents: afterCreate.length, historyDetail: eventNames(afterCreate) },
    { ...accept, historyEvents: acceptEvents.length, historyDetail: eventNames(acceptEvents) },
  ];
}

/** The events one fired rung adds to a workflow's history, from a ticket whose ladder has fired (`rungs` of them). */
export async function rungHistoryCost(ctx: Context, ticketId: string, rungs: number, freshLength: number): Promise<Pick<Cost, 'historyEvents' | 'historyDetail'>> {
  const history = await historyOf(ctx, ticketId);
  const added = history.slice(freshLength);
  return { historyEvents: added.length / rungs, historyDetail: `${rungs} rungs added: ${eventNames(added)}` };
}
