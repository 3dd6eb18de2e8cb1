import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { dataSourceOptions, EscalationEntity, TicketEntity } from '@app/persistence';
import { TemporalClient } from '@app/temporal';
import { TICKET_WORKFLOW_TYPE, ticketLifecycleQuery, ticketWorkflowId, WorkflowTicketState } from '@app/workflows';
import { insertCompany } from '../support/fixtures';
import { eventually, startWorker } from '../support/system';
import { createTestDatabase, TestDatabase, testConfig, uniqueTaskQueue } from '../support/test-env';

/**
 * The ticket workflow on the real dev server with the real activities and database: a worker stopped
 * half-way through the ladder and replaced by another loses no rung and fires none twice. (Killing a
 * worker process with SIGKILL is the fault tier's job.)
 */
describe('ticket workflow on the dev server', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let client: TemporalClient;
  const config = (): ReturnType<typeof testConfig> => testConfig({ databaseUrl: database.url, taskQueue });
  const taskQueue = uniqueTaskQueue('dev-server');
  const ticketId = '5e0b6a3c-8f1d-4d2e-b7a9-1c3e5f7a9b2d';

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    client = new TemporalClient(config());
    const company = await insertCompany(dataSource, ['XIQING']);
    const now = new Date();
    await dataSource.getRepository(TicketEntity).insert({
      id: ticketId,
      number: '8890-20261128-000077',
      status: 'RECEIVED',
      category: 'NO_HEAT',
      priority: 'P1',
      channel: 'PHONE',
      district: 'XIQING',
      address: '西青区中北镇1号',
      addressKey: '西青区中北镇1号',
      citizenName: '赵女士',
      citizenPhone: '13712345678',
      description: '暖气不热',
      companyId: company.id,
      dispatchedAt: now,
      policyVersion: 1,
      policy: { priority: 'P1', version: 1 } as never,
      stages: { accept: { startsAt: now.toISOString(), dueAt: now.toISOString(), doneAt: null, overdue: false } },
      workflowStartedAt: now,
    });
  });

  afterAll(async () => {
    await client?.connection.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('survives a worker stopped mid-ladder and replaced, with every rung recorded exactly once', async () => {
    const start = Date.now();
    const at = (ms: number): string => new Date(start + ms).toISOString();
    const rungs: WorkflowTicketState['rungs'] = [
        { stage: 'accept', level: 'DUE_SOON', at: at(1000) },
        { stage: 'accept', level: 'OVERDUE', at: at(1500) },
        { stage: 'accept', level: 'WARNING', at: at(6_000) },
        { stage: 'accept', level: 'PUBLIC_NOTICE', at: at(6_500) },
    ];
    const state: WorkflowTicketState = {
      ticketId,
      dispatchedAt: at(0),
      transitionSeq: 0,
      temperatureStandard: 18,
      status: 'RECEIVED',
      category: 'NO_HEAT',
      statusBeforeReturn: null,
      stages: { accept: { dueAt: at(1500), doneAt: null } },
      extension: null,
      approvedExtensions: 0,
      closedAt: null,
      rungs,
    };
    const input = { state };
    const count = (): Promise<number> => dataSource.getRepository(EscalationEntity).countBy({ ticketId });

    const first = await startWorker(config());
    const handle = await client.workflow.start(TICKET_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: ticketWorkflowId(ticketId),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [input],
    });
    await eventually(async () => ((await count()) >= 2 ? true : undefined), 30_000, 'first two rungs');
    await first.stop();
    expect(await count()).toBe(2);

    // The next worker picks the workflow up where the first left it: it fires the later rungs, and only them.
    const second = await startWorker(config());
    try {
      await eventually(async () => ((await count()) >= 4 ? true : undefined), 30_000, 'the remaining rungs');
      // The workflow lives on (the ticket is open) with nothing left to fire.
      expect((await handle.query(ticketLifecycleQuery)).status).toBe('RECEIVED');
    } finally {
      await handle.terminate('test over');
      await second.stop();
    }
    const rows = await dataSource.getRepository(EscalationEntity).find({ where: { ticketId }, order: { dueAt: 'ASC' } });
    expect(rows.map((row) => row.level)).toEqual(['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE']);
    for (const row of rows) expect(row.firedAt.getTime()).toBeGreaterThanOrEqual(row.dueAt.getTime());

    // A second start for the same ticket is refused: one workflow per ticket, ever.
    await expect(
      client.workflow.start(TICKET_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: ticketWorkflowId(ticketId),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [input],
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });
});
