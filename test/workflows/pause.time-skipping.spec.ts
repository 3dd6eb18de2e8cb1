import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { ActionInput, PauseState, RungLevel, Stage } from '@app/domain';
import { EscalationEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { createTicketWorker } from '@app/temporal';
import { TicketActivitiesService, workflowStateOf } from '@app/tickets';
import { TICKET_WORKFLOW_TYPE, TicketActionRequest, ticketActionUpdate, ticketWorkflowId } from '@app/workflows';
import { insertDispatchedTicket } from '../support/fixtures';
import { startTimeSkippingStack, TimeSkippingStack } from '../support/time-skipping';
import { rungRecordings } from './rung-history';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The P1 policy's pauseCap (PT48H). */
const CAP_MS = 48 * HOUR;
/**
 * As in ticket-workflow.time-skipping.spec.ts: skipped time jumps exactly to each timer, but the server's
 * clock also runs in real time while the worker handles a task (an Update, an activity), so a loaded machine
 * adds real seconds to an instant the workflow decides. Far below the hours a wrong clock would show.
 */
const SCHEDULING_SLACK_MS = 30_000;

const CREW: TicketActionRequest['actor'] = { username: 'crew1', role: 'crew' };
const SUPERVISOR: TicketActionRequest['actor'] = { username: 'sup1', role: 'supervisor' };

/** Polls until `read` gives a value `done` accepts: the activities run in real time after the skipped clock moved. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Approved pauses on Temporal's time-skipping test server, with the real activities writing to a real
 * PostgreSQL: the workflow resumes a pause by itself at the policy's cap (48 h skipped in milliseconds),
 * the paused stage's deadline moves by exactly the time its clock stood still, and no rung of the paused
 * stage fires while it stands.
 */
describe('ticket workflow pauses with time skipping', () => {
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

  const stored = (ticketId: string): Promise<TicketEntity> => dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticketId });

  const events = (ticketId: string, type?: string): Promise<TicketEventEntity[]> =>
    dataSource.getRepository(TicketEventEntity).find({ where: type ? { ticketId, type } : { ticketId }, order: { id: 'ASC' } });

  const escalations = (ticketId: string, stage: Stage, level?: RungLevel): Promise<EscalationEntity[]> =>
    dataSource.getRepository(EscalationEntity).find({ where: level ? { ticketId, stage, level } : { ticketId, stage }, order: { firedAt: 'ASC' } });

  /** Skips the test server's clock to `instant` (epoch ms) plus a minute, firing every timer on the way. */
  async function skipPast(instant: number): Promise<void> {
    await env.sleep(Math.max(0, instant - (await env.currentTimeMs())) + MINUTE);
  }

  /**
   * The rungs recorded for the workflow, in order, each with the server time the history shows it recorded
   * (rung-history.ts): which rung from the escalation rows, in the order they were recorded (one at a time).
   */
  async function scheduledRungs(handle: WorkflowHandle, ticketId: string): Promise<Array<{ stage: string; level: string; scheduledAt: number }>> {
    const recordings = rungRecordings(await handle.fetchHistory());
    const rows = await dataSource.getRepository(EscalationEntity).find({ where: { ticketId }, order: { firedAt: 'ASC', id: 'ASC' } });
    expect(recordings).toHaveLength(rows.length);
    return rows.map((row, index) => ({ stage: row.stage, level: row.level, scheduledAt: recordings[index].at }));
  }

  /**
   * Inserts a P1 NOT_WARM ticket dispatched at the test server's current time, starts its workflow, has the
   * crew accept and ask for a pause of the contact stage and the supervisor approve it, then runs `body`.
   */
  async function withPausedTicket(body: (context: { ticket: TicketEntity; handle: WorkflowHandle; act: (input: ActionInput, actor: TicketActionRequest['actor']) => Promise<unknown> }) => Promise<void>) {
    const ticket = await insertDispatchedTicket(dataSource, { companyId, dispatchedAt: new Date(await env.currentTimeMs()), category: 'NOT_WARM' });
    const taskQueue = `pause-time-skipping-${ticket.id}`;
    const worker = await createTicketWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities,
      workflowBundle: bundle,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(TICKET_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: ticketWorkflowId(ticket.id),
        args: [{ state: workflowStateOf(ticket) }],
      });
      const act = (input: ActionInput, actor: TicketActionRequest['actor']) => handle.executeUpdate(ticketActionUpdate, { args: [{ input, actor }] });
      try {
        await act({ action: 'accept' }, CREW);
        await act({ action: 'pause', reason: 'RESIDENT_AWAY', note: '敲门无人', callAttempts: 3 }, CREW);
        await act({ action: 'pause-approve' }, SUPERVISOR);
        await body({ ticket, handle, act });
      } finally {
        await handle.terminate('test over');
      }
    });
  }

  /** The approved pause as stored: ACTIVE on the contact stage, its cap 48 h after the approval. */
  async function expectActivePause(ticket: TicketEntity): Promise<PauseState & { startedAt: string; endsBy: string }> {
    const { pause } = await stored(ticket.id);
    expect(pause).toMatchObject({ status: 'ACTIVE', stage: 'contact', reason: 'RESIDENT_AWAY', requestedBy: 'crew1', decidedBy: 'sup1' });
    const active = pause as PauseState & { startedAt: string; endsBy: string };
    // The approval is stamped with the workflow's clock (the test server's), seconds after the dispatch.
    expect(Date.parse(active.startedAt) - ticket.dispatchedAt.getTime()).toBeGreaterThanOrEqual(0);
    expect(Date.parse(active.startedAt) - ticket.dispatchedAt.getTime()).toBeLessThan(SCHEDULING_SLACK_MS);
    expect(Date.parse(active.endsBy) - Date.parse(active.startedAt)).toBe(CAP_MS);
    return active;
  }

  it('resumes the pause by itself at the 48 h cap, moves the contact deadline by 48 h, and fires no contact rung before', async () => {
    await withPausedTicket(async ({ ticket, handle }) => {
      const originalDueAt = Date.parse(ticket.stages.contact!.dueAt);
      const active = await expectActivePause(ticket);

      // Past the cap: the workflow applies { action: 'resume', atCap: true } as the system.
      await skipPast(Date.parse(active.endsBy));
      const resumed = await waitFor(() => stored(ticket.id), (row) => row.pause?.status === 'ENDED', 'the pause to end at its cap');
      expect(resumed.pause).toMatchObject({ status: 'ENDED', endedAtCap: true, endedBy: 'system', endedAt: active.endsBy, pausedMs: CAP_MS });
      expect(resumed.status).toBe('ACCEPTED');
      expect(Date.parse(resumed.stages.contact!.dueAt)).toBe(originalDueAt + CAP_MS);
      expect(resumed.stages.contact!.pausedMs).toBe(CAP_MS);
      expect(resumed.stages.contact!.overdue).toBe(false);

      const [resume, ...more] = await events(ticket.id, 'RESUME');
      expect(more).toHaveLength(0);
      expect(resume).toMatchObject({ actor: 'system', role: 'system' });
      expect(resume.payload).toMatchObject({ atCap: true, pause: { stage: 'contact', pausedMs: CAP_MS, endedAtCap: true, dueAt: resumed.stages.contact!.dueAt } });
      // Stamped with the workflow's instant of the resume: the cap's timer, on the skipped clock.
      expect(resume.at.getTime()).toBeGreaterThanOrEqual(Date.parse(active.endsBy));
      expect(resume.at.getTime() - Date.parse(active.endsBy)).toBeLessThan(SCHEDULING_SLACK_MS);

      // No contact rung fired during the pause: every one recorded so far came after the RESUME (the audit
      // trail's order), and the workflow scheduled none before the cap. (fired_at is PostgreSQL's real clock,
      // behind the skipped one, so the order, not fired_at, tells before from after.)
      const contactEvents = (await events(ticket.id)).filter((event) => event.type.startsWith('ESCALATION_') && event.payload.stage === 'contact');
      expect(contactEvents.every((event) => BigInt(event.id) > BigInt(resume.id))).toBe(true);
      expect((await scheduledRungs(handle, ticket.id)).filter((rung) => rung.stage === 'contact').every((rung) => rung.scheduledAt >= Date.parse(active.endsBy))).toBe(true);
      expect(await escalations(ticket.id, 'contact', 'OVERDUE')).toHaveLength(0);

      // Past the moved deadline, contact's OVERDUE fires, once, at its new instant.
      const newDueAt = originalDueAt + CAP_MS;
      await skipPast(newDueAt);
      const [overdue] = await waitFor(() => escalations(ticket.id, 'contact', 'OVERDUE'), (rows) => rows.length > 0, 'contact OVERDUE');
      expect(overdue.dueAt.getTime()).toBe(newDueAt);
      await waitFor(() => stored(ticket.id), (row) => row.stages.contact!.overdue, 'contact marked overdue');
      expect(await escalations(ticket.id, 'contact', 'OVERDUE')).toHaveLength(1);
      expect((await events(ticket.id, 'ESCALATION_OVERDUE')).filter((event) => event.payload.stage === 'contact')).toHaveLength(1);
      const overdueScheduled = (await scheduledRungs(handle, ticket.id)).filter((rung) => rung.stage === 'contact' && rung.level === 'OVERDUE');
      expect(overdueScheduled).toHaveLength(1);
      expect(overdueScheduled[0].scheduledAt).toBeGreaterThanOrEqual(newDueAt);
      expect(overdueScheduled[0].scheduledAt - newDueAt).toBeLessThan(SCHEDULING_SLACK_MS);
      // Every contact rung, on the server's clock, came after the resume.
      expect((await scheduledRungs(handle, ticket.id)).filter((rung) => rung.stage === 'contact').every((rung) => rung.scheduledAt >= Date.parse(active.endsBy))).toBe(true);
    });
  });

  it('moves the contact deadline by the 5 h the crew paused, and does not resume again at the 48 h mark', async () => {
    await withPausedTicket(async ({ ticket, handle, act }) => {
      const originalDueAt = Date.parse(ticket.stages.contact!.dueAt);
      const active = await expectActivePause(ticket);

      await env.sleep(5 * HOUR);
      await act({ action: 'resume' }, CREW);
      const resumed = await stored(ticket.id);
      expect(resumed.pause).toMatchObject({ status: 'ENDED', endedAtCap: false, endedBy: 'crew1' });
      const pausedMs = resumed.pause!.pausedMs!;
      // Five skipped hours, plus the real seconds the Update took to reach the workflow.
      expect(pausedMs).toBeGreaterThanOrEqual(5 * HOUR);
      expect(pausedMs - 5 * HOUR).toBeLessThan(SCHEDULING_SLACK_MS);
      expect(Date.parse(resumed.pause!.endedAt!) - Date.parse(active.startedAt)).toBe(pausedMs);
      expect(Date.parse(resumed.stages.contact!.dueAt)).toBe(originalDueAt + pausedMs);
      expect(resumed.stages.contact!.pausedMs).toBe(pausedMs);

      // Past the old cap: nothing resumes again. The Update afterwards runs behind anything the workflow
      // had queued by then, so a second resume at the cap would be in the database when it returns.
      await skipPast(Date.parse(active.endsBy));
      await act({ action: 'contact', note: '已电话联系住户' }, CREW);
      const resumes = await events(ticket.id, 'RESUME');
      expect(resumes).toHaveLength(1);
      expect(resumes[0]).toMatchObject({ actor: 'crew1', role: 'crew' });
      expect(resumes[0].payload).toMatchObject({ pause: { stage: 'contact', pausedMs, endedAtCap: false } });
      const after = await stored(ticket.id);
      expect(after.pause).toMatchObject({ status: 'ENDED', endedAtCap: false, endedBy: 'crew1', pausedMs });
      // The moved deadline held: contact's OVERDUE fired once, at it.
      const overdue = await waitFor(() => escalations(ticket.id, 'contact', 'OVERDUE'), (rows) => rows.length > 0, 'contact OVERDUE');
      expect(overdue).toHaveLength(1);
      expect(overdue[0].dueAt.getTime()).toBe(originalDueAt + pausedMs);
      expect((await scheduledRungs(handle, ticket.id)).filter((rung) => rung.stage === 'contact').every((rung) => rung.scheduledAt >= Date.parse(resumed.pause!.endedAt!))).toBe(true);
    });
  });
});
