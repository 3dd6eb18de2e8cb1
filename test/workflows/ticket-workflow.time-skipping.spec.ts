import { DefaultLogger } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SLA_POLICIES, dispatchDeadlines, EMPTY_CALENDAR, escalationRungs } from '@app/domain';
import { temporalTestServerPath } from '@app/devstack';
import { bundleTicketWorkflows, createTicketWorker } from '@app/temporal';
import { orderRungs } from '@app/workflows';
import { ArmedRung, RecordRungInput, TICKET_WORKFLOW_TYPE, TicketWorkflowInput, ticketWorkflowId, WorkflowTicketState } from '@app/workflows';

/** The lifecycle workflow's state for a fresh P1 ticket that only waits: no action arrives in these tests. */
function waitingState(input: TicketWorkflowInput): WorkflowTicketState {
  return {
    ticketId: input.ticketId,
    dispatchedAt: input.dispatchedAt,
    transitionSeq: 0,
    temperatureStandard: 18,
    status: 'RECEIVED',
    category: 'NOT_WARM',
    statusBeforeReturn: null,
    stages: {},
    extension: null,
    approvedExtensions: 0,
    closedAt: null,
    rungs: input.rungs,
  };
}

/**
 * Skipped time jumps exactly to each timer, but the server's clock also runs in real time while the worker
 * processes a task, so a loaded machine adds real seconds. This slack is far below what a wrong clock would
 * show (a relative chain or a late start stretching an SLA moves a rung by minutes or hours here).
 */
const SCHEDULING_SLACK_MS = 30_000;

/** Real-length SLAs (minutes, hours) on Temporal's time-skipping test server: hours pass in milliseconds. */
describe('ticket workflow with time skipping', () => {
  let env: TestWorkflowEnvironment;
  let bundle: { code: string };

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    });
    bundle = await bundleTicketWorkflows(new DefaultLogger('WARN'));
  });

  afterAll(async () => {
    await env?.teardown();
  });

  function p1AcceptRungs(dispatchedAt: Date): ArmedRung[] {
    const [accept] = dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P1, true, EMPTY_CALENDAR);
    return escalationRungs(accept, DEFAULT_SLA_POLICIES.P1, EMPTY_CALENDAR).map((rung) => ({
      stage: rung.stage,
      level: rung.level,
      at: rung.at.toISOString(),
    }));
  }

  /** Runs the workflow to completion and returns, per recorded rung, the server time its activity was scheduled. */
  async function run(input: TicketWorkflowInput, recordRung: (rung: RecordRungInput) => Promise<void>) {
    const taskQueue = `time-skipping-${input.ticketId}`;
    const worker = await createTicketWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: {
        recordRung,
        applyTransition: async () => {
          throw new Error('no action is sent in these tests');
        },
      },
      workflowBundle: bundle,
    });
    const workflowId = ticketWorkflowId(input.ticketId);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(TICKET_WORKFLOW_TYPE, { taskQueue, workflowId, args: [{ state: waitingState(input) }] });
      // The workflow of an untouched ticket runs until closed; here it is done once the last rung fired.
      const lastRung = orderRungs(input.rungs).at(-1)!;
      await env.sleep(Date.parse(lastRung.at) - (await env.currentTimeMs()) + 1000);
      await handle.terminate('test over');
    });
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => Number(event.eventTime?.seconds) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6));
    return { history, scheduled };
  }

  it('fires the four accept rungs of a P1 ticket in order, each at its instant', async () => {
    const dispatchedAt = new Date(await env.currentTimeMs());
    const rungs = p1AcceptRungs(dispatchedAt);
    const recorded: RecordRungInput[] = [];
    const { history, scheduled } = await run(
      { ticketId: '00000000-0000-4000-8000-000000000001', dispatchedAt: dispatchedAt.toISOString(), rungs },
      async (rung) => void recorded.push(rung),
    );

    expect(recorded.map((r) => r.level)).toEqual(['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE']);
    expect(recorded.map((r) => r.dueAt)).toEqual(rungs.map((r) => r.at));
    // DUE_SOON at +24 min, OVERDUE at +30 min, WARNING at +2 h 30 min, PUBLIC_NOTICE at +24 h 30 min.
    scheduled.forEach((at, index) => {
      const due = Date.parse(rungs[index].at);
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at - due).toBeLessThan(SCHEDULING_SLACK_MS);
    });
    if (process.env.RECORD_HISTORIES) {
      writeFileSync(join(__dirname, '../histories/ticket-lifecycle-p1-untouched.json'), historyToJSON(temporal.api.history.v1.History.create(history)));
    }
  });

  it('fires rungs already due at once after a late start, and later ones at their absolute instants', async () => {
    const now = await env.currentTimeMs();
    // Temporal was down for 40 minutes after dispatch: DUE_SOON and OVERDUE are past, WARNING is not.
    const dispatchedAt = new Date(now - 40 * 60_000);
    const rungs = p1AcceptRungs(dispatchedAt);
    const recorded: RecordRungInput[] = [];
    const { scheduled } = await run(
      { ticketId: '00000000-0000-4000-8000-000000000002', dispatchedAt: dispatchedAt.toISOString(), rungs },
      async (rung) => void recorded.push(rung),
    );
    expect(recorded.map((r) => r.level)).toEqual(['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE']);
    expect(scheduled[0] - now).toBeLessThan(SCHEDULING_SLACK_MS);
    expect(scheduled[1] - now).toBeLessThan(SCHEDULING_SLACK_MS);
    // WARNING counts from the original deadline (dispatch + 30 min + 2 h), not from the late start.
    expect(scheduled[2] - Date.parse(rungs[2].at)).toBeGreaterThanOrEqual(0);
    expect(scheduled[2] - Date.parse(rungs[2].at)).toBeLessThan(SCHEDULING_SLACK_MS);
  });

  it('fires a P2 ladder counted in working days, days apart, at its instants', async () => {
    const dispatchedAt = new Date(await env.currentTimeMs());
    const [accept] = dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P2, false, EMPTY_CALENDAR);
    const rungs = escalationRungs(accept, DEFAULT_SLA_POLICIES.P2, EMPTY_CALENDAR).map((rung) => ({
      stage: rung.stage,
      level: rung.level,
      at: rung.at.toISOString(),
    }));
    // One working day to accept, then 约谈 a working day and 通报 five working days after the deadline.
    expect(Date.parse(rungs[3].at) - dispatchedAt.getTime()).toBeGreaterThanOrEqual(6 * 86_400_000);
    const recorded: RecordRungInput[] = [];
    const { scheduled } = await run(
      { ticketId: '00000000-0000-4000-8000-000000000004', dispatchedAt: dispatchedAt.toISOString(), rungs },
      async (rung) => void recorded.push(rung),
    );
    expect(recorded.map((r) => r.level)).toEqual(['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE']);
    scheduled.forEach((at, index) => {
      expect(at - Date.parse(rungs[index].at)).toBeGreaterThanOrEqual(0);
      expect(at - Date.parse(rungs[index].at)).toBeLessThan(SCHEDULING_SLACK_MS);
    });
  });

  it('retries a rung whose recording failed, and moves on only after it succeeded', async () => {
    const dispatchedAt = new Date(await env.currentTimeMs());
    const rungs = p1AcceptRungs(dispatchedAt).slice(0, 2);
    const attempts: string[] = [];
    let failuresLeft = 2;
    await run(
      { ticketId: '00000000-0000-4000-8000-000000000003', dispatchedAt: dispatchedAt.toISOString(), rungs },
      async (rung) => {
        attempts.push(rung.level);
        if (rung.level === 'DUE_SOON' && failuresLeft-- > 0) throw new Error('database unavailable');
      },
    );
    expect(attempts).toEqual(['DUE_SOON', 'DUE_SOON', 'DUE_SOON', 'OVERDUE']);
  });
});
