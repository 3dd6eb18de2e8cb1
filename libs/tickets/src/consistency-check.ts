import { setTimeout as sleep } from 'node:timers/promises';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { DataSource, EntityManager, In, IsNull, Like, MoreThan } from 'typeorm';
import { compareText } from '@app/domain';
import { EscalationEntity, NoticeEntity, RepeatCallEntity, TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { TICKET_WORKFLOW_TYPE, ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import {
  CheckClock,
  compareTicket,
  DIFFERENCE_KINDS,
  Finding,
  FIRST_RELEASE_STATE_QUERY,
  FIRST_RELEASE_WORKFLOW_TYPE,
  FirstReleaseWorkflowState,
  persistingFindings,
  TicketRecords,
  WorkflowObservation,
  workflowExpectation,
} from './consistency-check-rules';

export { compareRungRecords, compareTicket, compareWorkflow, compareWorkflowState, DIFFERENCE_KINDS, persistingFindings, workflowExpectation } from './consistency-check-rules';
export type { CheckClock, DifferenceKind, Finding, FirstReleaseWorkflowState, TicketRecords, WorkflowObservation } from './consistency-check-rules';

/** One difference between a ticket's rows and its workflow, or among its rows. `kind` is one of DIFFERENCE_KINDS. */
export interface ConsistencyDifference {
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly kind: string;
  readonly detail: string;
}

export interface ConsistencyReport {
  readonly ticketsChecked: number;
  readonly differences: readonly ConsistencyDifference[];
}

export type ConsistencyProgress =
  | { readonly phase: 'reading'; readonly checked: number; readonly total: number }
  /** The tickets that differed are read again after `afterMs`; only what persists is reported. */
  | { readonly phase: 'rechecking'; readonly tickets: number; readonly afterMs: number };

/** How late a rung, a workflow start or a repeat call's delivery may be before it is a difference. */
export const CONSISTENCY_GRACE_MS = 60_000;
/** The pause before a ticket that differed is read again: longer than a transition takes to reach its workflow. */
export const CONSISTENCY_RECHECK_AFTER_MS = 2_000;

const BATCH_SIZE = 200;
/** Workflows described and queried at once. */
const CONCURRENCY = 8;
/** After this many failed queries in a row (no worker polling, say), the rest are reported unread instead of waited for. */
const FAILED_QUERIES_BEFORE_GIVING_UP = 3;

/**
 * Compares every ticket in PostgreSQL with its workflow `ticket-<id>` and its rungs with their records
 * (consistency-check-rules.ts says what is compared). The rows of a batch are read in one repeatable-read
 * snapshot; a ticket that differs is read again after `recheckAfterMs` and only what persists is reported,
 * so a transition in flight is not a difference. Rejects when PostgreSQL or Temporal cannot be reached.
 */
export async function checkConsistency(options: {
  dataSource: DataSource;
  client: Client;
  /** Defaults to the client's. */
  namespace?: string;
  /** The instant to check at (default: the clock); the re-read is at this instant plus the time since. */
  now?: Date;
  graceMs?: number;
  recheckAfterMs?: number;
  /** How long one describe or query of a workflow may take (default 5 s). */
  queryTimeoutMs?: number;
  /** Awaited: after each batch, and before the re-read. */
  onProgress?: (progress: ConsistencyProgress) => void | Promise<void>;
}): Promise<ConsistencyReport> {
  const { dataSource } = options;
  const client =
    options.namespace && options.namespace !== options.client.options.namespace
      ? new Client({ connection: options.client.connection, namespace: options.namespace })
      : options.client;
  const graceMs = options.graceMs ?? CONSISTENCY_GRACE_MS;
  const recheckAfterMs = options.recheckAfterMs ?? CONSISTENCY_RECHECK_AFTER_MS;
  const offsetMs = options.now ? options.now.getTime() - Date.now() : 0;
  const clock = (): CheckClock => ({ now: Date.now() + offsetMs, graceMs });
  const check = async (records: readonly TicketRecords[], observer: WorkflowObserver): Promise<Map<string, { records: TicketRecords; findings: Finding[] }>> => {
    const at = clock();
    const compared = await mapConcurrently(records, CONCURRENCY, async (ticket) => ({ records: ticket, findings: compareTicket(ticket, await observer.observe(ticket.ticket, at), at) }));
    return new Map(compared.filter((result) => result.findings.length > 0).map((result) => [result.records.ticket.id, result]));
  };

  const total = await dataSource.getRepository(TicketEntity).count();
  const firstObserver = new WorkflowObserver(client, options.queryTimeoutMs);
  const differing = new Map<string, { records: TicketRecords; findings: Finding[] }>();
  let checked = 0;
  for (let after: string | undefined; ; ) {
    const batch = await readRecords(dataSource, { after, limit: BATCH_SIZE });
    if (batch.length === 0) break;
    for (const [id, result] of await check(batch, firstObserver)) differing.set(id, result);
    checked += batch.length;
    after = batch[batch.length - 1].ticket.id;
    await options.onProgress?.({ phase: 'reading', checked, total: Math.max(total, checked) });
  }
  if (differing.size === 0) return { ticketsChecked: checked, differences: [] };

  await options.onProgress?.({ phase: 'rechecking', tickets: differing.size, afterMs: recheckAfterMs });
  await sleep(recheckAfterMs);
  const again = await check(await readRecords(dataSource, { ids: [...differing.keys()] }), new WorkflowObserver(client, options.queryTimeoutMs));
  const differences = [...again.values()].flatMap(({ records, findings }) =>
    persistingFindings(differing.get(records.ticket.id)?.findings ?? [], findings).map((found) => ({
      ticketId: records.ticket.id,
      ticketNumber: records.ticket.number,
      kind: found.kind,
      detail: found.detail,
    })),
  );
  const order = Object.keys(DIFFERENCE_KINDS);
  differences.sort((a, b) => compareText(a.ticketNumber, b.ticketNumber) || order.indexOf(a.kind) - order.indexOf(b.kind) || compareText(a.detail, b.detail));
  return { ticketsChecked: checked, differences };
}

/** Describes and queries the workflows of the tickets whose workflow must be running. */
class WorkflowObserver {
  private failedQueriesInARow = 0;

  constructor(
    private readonly client: Client,
    private readonly timeoutMs = 5_000,
  ) {}

  async observe(ticket: TicketEntity, clock: CheckClock): Promise<WorkflowObservation> {
    if (workflowExpectation(ticket, clock) !== 'running') return { kind: 'not-queried' };
    const handle = this.client.workflow.getHandle(ticketWorkflowId(ticket.id));
    let description: WorkflowExecutionDescription;
    try {
      description = await this.withinTimeout(() => handle.describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { kind: 'absent' };
      throw error; // Temporal unreachable: the check cannot say anything
    }
    const { type } = description;
    const status = description.status.name;
    if (type !== TICKET_WORKFLOW_TYPE && type !== FIRST_RELEASE_WORKFLOW_TYPE) return { kind: 'other', type, status };
    const kind = type === TICKET_WORKFLOW_TYPE ? 'lifecycle' : 'first-release';
    if (status !== 'RUNNING') return { kind, status };
    if (this.failedQueriesInARow >= FAILED_QUERIES_BEFORE_GIVING_UP) {
      return { kind: 'unreadable', type, status, error: `not queried: the last ${this.failedQueriesInARow} queries failed` };
    }
    try {
      const pendingActivities = (description.raw.pendingActivities ?? []).map((activity) => activity.activityType?.name ?? '');
      const observation: WorkflowObservation =
        kind === 'lifecycle'
          ? { kind, status, pendingActivities, state: await this.withinTimeout(() => handle.query(ticketLifecycleQuery)) }
          : { kind, status, state: await this.withinTimeout(() => handle.query<FirstReleaseWorkflowState>(FIRST_RELEASE_STATE_QUERY)) };
      this.failedQueriesInARow = 0;
      return observation;
    } catch (error) {
      this.failedQueriesInARow += 1;
      return { kind: 'unreadable', type, status, error: (error as Error).message };
    }
  }

  private withinTimeout<T>(call: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.timeoutMs, call);
  }
}

/** Tickets (the next `limit` after `after` in id order, or those of `ids`) with their records, from one read-only snapshot. */
async function readRecords(dataSource: DataSource, selection: { after?: string; limit: number } | { ids: readonly string[] }): Promise<TicketRecords[]> {
  if ('ids' in selection && selection.ids.length > BATCH_SIZE) {
    const batches: TicketRecords[] = [];
    for (let start = 0; start < selection.ids.length; start += BATCH_SIZE) {
      batches.push(...(await readRecords(dataSource, { ids: selection.ids.slice(start, start + BATCH_SIZE) })));
    }
    return batches;
  }
  return dataSource.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('SET TRANSACTION READ ONLY');
    const tickets =
      'ids' in selection
        ? await manager.find(TicketEntity, { where: { id: In([...selection.ids]) }, order: { id: 'ASC' } })
        : await manager.find(TicketEntity, { where: selection.after ? { id: MoreThan(selection.after) } : {}, order: { id: 'ASC' }, take: selection.limit });
    return tickets.length === 0 ? [] : recordsOf(manager, tickets);
  });
}

async function recordsOf(manager: EntityManager, tickets: TicketEntity[]): Promise<TicketRecords[]> {
  const ticketId = In(tickets.map((ticket) => ticket.id));
  const escalations = await manager.find(EscalationEntity, { where: { ticketId } });
  const rungEvents = await manager.find(TicketEventEntity, { where: { ticketId, type: Like('ESCALATION\\_%') }, select: { id: true, ticketId: true, type: true, payload: true } });
  const notices = escalations.length > 0 ? await manager.find(NoticeEntity, { where: { escalationId: In(escalations.map((rung) => rung.id)) } }) : [];
  const dispatches = await manager.find(TicketDispatchEntity, { where: { ticketId } });
  const repeatCalls = await manager.find(RepeatCallEntity, { where: { ticketId, needsDelivery: true, deliveredAt: IsNull() } });
  const escalationTicket = new Map(escalations.map((rung) => [rung.id, rung.ticketId]));
  const rungsOf = byTicket(escalations, (rung) => rung.ticketId);
  const eventsOf = byTicket(rungEvents, (event) => event.ticketId);
  const noticesOf = byTicket(notices, (notice) => escalationTicket.get(notice.escalationId) ?? '');
  const dispatchesOf = byTicket(dispatches, (dispatch) => dispatch.ticketId);
  const callsOf = byTicket(repeatCalls, (call) => call.ticketId);
  return tickets.map((ticket) => ({
    ticket,
    escalations: rungsOf(ticket.id),
    rungEvents: eventsOf(ticket.id),
    notices: noticesOf(ticket.id),
    dispatches: dispatchesOf(ticket.id),
    undeliveredRepeatCalls: callsOf(ticket.id),
  }));
}

/** The rows of each ticket, by its id. */
function byTicket<T>(rows: readonly T[], ticketOf: (row: T) => string): (ticketId: string) => T[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(ticketOf(row), [...(groups.get(ticketOf(row)) ?? []), row]);
  return (ticketId) => groups.get(ticketId) ?? [];
}

/** `work` over `items`, at most `limit` at a time, results in the items' order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
