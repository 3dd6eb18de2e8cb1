import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EscalationEntity, NoticeEntity, TicketEntity } from '@app/persistence';
import { createTicketWorker } from '@app/temporal';
import { TicketActivitiesService, workflowStateOf } from '@app/tickets';
import { ArmedRung, orderRungs, TICKET_WORKFLOW_TYPE, TicketActivities, ticketWorkflowId } from '@app/workflows';
import { insertDispatchedTicket } from '../support/fixtures';
import { startTimeSkippingStack, TimeSkippingStack } from '../support/time-skipping';
import { rungRecordings } from './rung-history';

/**
 * Skipped time jumps exactly to each timer, but the server's clock also runs in real time while the worker
 * processes a task, so a loaded machine adds real seconds. This slack is far below what a wrong clock would
 * show (a relative chain or a late start stretching an SLA moves a rung by minutes or hours here).
 */
const SCHEDULING_SLACK_MS = 30_000;

/**
 * Real-length SLAs (minutes, hours, working days) on Temporal's time-skipping test server, with the real
 * activities writing to a real PostgreSQL: hours pass in milliseconds, and every rung must land in the
 * database once, at its instant.
 */
describe('ticket workflow with time skipping', () => {
  let env: TestWorkflowEnvironment;
  let bundle: { code: string };
  let dataSource: DataSource;
  let activities: TicketActivitiesService;
  let companyId: string;

  let stack: TimeSkippingStack | undefined;

  beforeAll(async () => {
    stack = await startTimeSkippingStack();
    ({ env, bundle, dataSource, activities, companyId } = stack);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A dispatched ticket as the API stores it: every stage's deadline and rungs fixed from `dispatchedAt`. */
  const insertTicket = (dispatchedAt: Date, category: 'NOT_WARM' | 'BILLING'): Promise<TicketEntity> =>
    insertDispatchedTicket(dataSource, { companyId, dispatchedAt, category });

  /**
   * Runs the ticket's workflow, with the real activities (or `wrap`ped ones), until its last rung fired;
   * returns the armed rungs and, per recorded rung, the server time it was recorded (rung-history.ts).
   */
  async function run(ticket: TicketEntity, wrap: (real: TicketActivities) => TicketActivities = (real) => real) {
    const state = workflowStateOf(ticket);
    const taskQueue = `time-skipping-${ticket.id}`;
    const worker = await createTicketWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: wrap(activities),
      workflowBundle: bundle,
    });
    const workflowId = ticketWorkflowId(ticket.id);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId, args: [{ state }] });
      // The workflow of an untouched ticket runs until closed; here it is done once its last rung fired.
      const lastRung = orderRungs(state.rungs).at(-1)!;
      await env.sleep(Date.parse(lastRung.at) - (await env.currentTimeMs()) + 1000);
      await handle.terminate('test over');
    });
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = rungRecordings(history).map((recording) => recording.at);
    return { rungs: orderRungs(state.rungs), history, scheduled };
  }

  /** The rungs recorded in the database for the ticket, in firing order. */
  async function recorded(ticketId: string): Promise<Array<{ stage: string; level: string; dueAt: string }>> {
    const rows = await dataSource.getRepository(EscalationEntity).find({ where: { ticketId }, order: { firedAt: 'ASC', id: 'ASC' } });
    return rows.map((row) => ({ stage: row.stage, level: row.level, dueAt: row.dueAt.toISOString() }));
  }

  /** Each rung was recorded at its instant (never before), within the slack of a loaded machine. */
  function expectOnTime(scheduled: number[], rungs: ArmedRung[], notBefore = 0): void {
    expect(scheduled).toHaveLength(rungs.length);
    scheduled.forEach((at, index) => {
      const due = Math.max(Date.parse(rungs[index].at), notBefore);
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at - due).toBeLessThan(SCHEDULING_SLACK_MS);
    });
  }

  it('fires the whole ladder of a P1 ticket in order, each rung at its instant and once in the database', async () => {
    const ticket = await insertTicket(new Date(await env.currentTimeMs()), 'NOT_WARM');
    const { rungs, history, scheduled } = await run(ticket);
    // accept: DUE_SOON at +24 min, OVERDUE at +30 min, WARNING at +2 h 30 min, PUBLIC_NOTICE at +24 h 30 min.
    const accept = rungs.filter((rung) => rung.stage === 'accept').map((rung) => (Date.parse(rung.at) - ticket.dispatchedAt.getTime()) / 60_000);
    expect(accept).toEqual([24, 30, 150, 1470]);
    expect(rungs).toHaveLength(16); // four stages (accept, contact, visit, reply) × four rungs
    expectOnTime(scheduled, rungs);
    expect(await recorded(ticket.id)).toEqual(rungs.map((rung) => ({ stage: rung.stage, level: rung.level, dueAt: rung.at })));
    const stored = await dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id });
    expect(stored.escalationLevel).toBe('PUBLIC_NOTICE');
    expect(Object.values(stored.stages).map((stage) => stage.overdue)).toEqual([true, true, true, true]);
    expect(await dataSource.getRepository(NoticeEntity).countBy({ ticketNumber: ticket.number })).toBe(4);
    if (process.env.RECORD_HISTORIES) {
      writeFileSync(join(__dirname, '../histories/ticket-lifecycle-p1-local-rungs.json'), historyToJSON(temporal.api.history.v1.History.create(history)));
    }
  });

  it('fires rungs already due at once after a late start, and later ones at their absolute instants', async () => {
    const now = await env.currentTimeMs();
    // Temporal was down for 40 minutes after dispatch: accept's DUE_SOON and OVERDUE are past, WARNING is not.
    const ticket = await insertTicket(new Date(now - 40 * 60_000), 'NOT_WARM');
    const { rungs, scheduled } = await run(ticket);
    expect(rungs.filter((rung) => Date.parse(rung.at) < now).map((rung) => `${rung.stage}:${rung.level}`)).toEqual(['accept:DUE_SOON', 'accept:OVERDUE']);
    // WARNING counts from the original deadline (dispatch + 30 min + 2 h), not from the late start.
    expectOnTime(scheduled, rungs, now);
    expect((await recorded(ticket.id)).length).toBe(16);
  });

  it('fires a P2 ladder counted in working days, days apart, at its instants', async () => {
    const ticket = await insertTicket(new Date(await env.currentTimeMs()), 'BILLING');
    const { rungs, scheduled } = await run(ticket);
    const acceptNotice = rungs.find((rung) => rung.stage === 'accept' && rung.level === 'PUBLIC_NOTICE')!;
    // One working day to accept, then 约谈 a working day and 通报 five working days after the deadline.
    expect(Date.parse(acceptNotice.at) - ticket.dispatchedAt.getTime()).toBeGreaterThanOrEqual(6 * 86_400_000);
    expect(rungs).toHaveLength(12); // accept, contact, reply (no visit for billing)
    expectOnTime(scheduled, rungs);
    expect(await recorded(ticket.id)).toEqual(rungs.map((rung) => ({ stage: rung.stage, level: rung.level, dueAt: rung.at })));
  });

  it('retries a rung whose recording failed, records it once, and moves on only after it succeeded', async () => {
    const ticket = await insertTicket(new Date(await env.currentTimeMs()), 'NOT_WARM');
    const attempts: string[] = [];
    let failuresLeft = 2;
    const { rungs } = await run(ticket, (real) => ({
      applyTransition: (input) => real.applyTransition(input),
      recordRung: async (rung) => {
        attempts.push(`${rung.stage}:${rung.level}`);
        if (rung.level === 'DUE_SOON' && rung.stage === 'accept' && failuresLeft-- > 0) throw new Error('database unavailable');
        await real.recordRung(rung);
      },
    }));
    expect(attempts.slice(0, 4)).toEqual(['accept:DUE_SOON', 'accept:DUE_SOON', 'accept:DUE_SOON', 'accept:OVERDUE']);
    expect(attempts).toHaveLength(rungs.length + 2);
    expect((await recorded(ticket.id)).length).toBe(rungs.length);
  });
});
