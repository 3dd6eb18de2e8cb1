import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EscalationEntity, TicketEntity } from '@app/persistence';
import { checkConsistency, pendingRungs } from '@app/tickets';
import type { ConsistencyDifference, ConsistencyProgress, TicketDto } from '@app/tickets';
import { ticketWorkflowId } from '@app/workflows';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { eventually, startCutOffApi, startTestSystem, TestSystem } from '../support/system';

const root = join(__dirname, '../..');
const CHECK_SCRIPT = join(root, 'dist/scripts/check.js');

/**
 * `npm run check` (issue 11) on the real stack: tickets through a seconds-long ladder agree with their workflows
 * and records; then rows broken on purpose in PostgreSQL are each reported with the ticket's number and kind,
 * by the library function and by the compiled script (exit status 1, 0 when clean, 2 when it cannot check).
 */
describe('consistency check', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  /** The full ladder of accept, contact, visit and reply fired; accepted at once, then the rest fired; P1, nothing due for hours; cancelled. */
  let untouched: TicketDto;
  let accepted: TicketDto;
  let calm: TicketDto;
  let cancelled: TicketDto;
  let dataDir: string;

  const as = (who: SignedIn) => authed(system, who.token);
  const create = async (category: string): Promise<TicketDto> => (await as(operator).post('/tickets').send(ticketBody({ category })).expect(201)).body;
  const sql = (text: string, params: unknown[]): Promise<unknown> => system.dataSource.query(text, params);
  const check = (options: Partial<Parameters<typeof checkConsistency>[0]> = {}) =>
    checkConsistency({ dataSource: system.dataSource, client: system.temporal, recheckAfterMs: 500, ...options });
  const ofTicket = (differences: readonly ConsistencyDifference[], ticket: TicketDto): string[] =>
    differences.filter((difference) => difference.ticketId === ticket.id).map((difference) => difference.kind);

  /** True once every rung the row still has due has passed its instant and is recorded. */
  async function ladderFired(id: string): Promise<true | undefined> {
    const ticket = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
    const due = pendingRungs(ticket);
    if (due.some((rung) => Date.parse(rung.at) > Date.now())) return undefined;
    const recorded = await system.dataSource.getRepository(EscalationEntity).findBy({ ticketId: id, dispatchedAt: ticket.dispatchedAt });
    const keys = new Set(recorded.map((rung) => `${rung.stage}|${rung.level}`));
    return due.every((rung) => keys.has(`${rung.stage}|${rung.level}`)) ? true : undefined;
  }

  /**
   * The compiled script, as `npm run check` runs it, with the given environment (and none of the test's own).
   * Not spawnSync: the worker answering the script's queries runs in this process.
   */
  function runScript(env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const { DATABASE_URL: _url, TEMPORAL_ADDRESS: _address, TEMPORAL_NAMESPACE: _namespace, DATA_DIR: _dir, ...rest } = process.env;
    const child = spawn(process.execPath, [CHECK_SCRIPT], { cwd: root, env: { ...rest, DATA_DIR: dataDir, ...env } });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, ...output }));
    });
  }
  /** The audit trail refuses deletes (its trigger): a test breaking it on purpose goes round its triggers. */
  const deleteEvents = (where: string, params: unknown[]): Promise<unknown> =>
    system.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL session_replication_role = replica');
      await manager.query(`DELETE FROM ticket_events WHERE ${where}`, params);
    });
  const systemEnv = () => ({ DATABASE_URL: system.config.database.url, TEMPORAL_ADDRESS: system.config.temporal.address });

  beforeAll(async () => {
    // `npm test` builds dist before jest runs. Not built here: a build while another file's lint probes sit in the
    // source tree would compile them into dist.
    const sources = ['scripts/check.ts', 'libs/tickets/src/consistency-check.ts', 'libs/tickets/src/consistency-check-rules.ts'];
    const built = existsSync(CHECK_SCRIPT) ? statSync(CHECK_SCRIPT).mtimeMs : 0;
    const stale = sources.filter((source) => statSync(join(root, source)).mtimeMs > built);
    if (stale.length > 0) throw new Error(`${CHECK_SCRIPT} is missing or older than ${stale.join(', ')}: run \`npm run build\` first (npm test does)`);
    dataDir = mkdtempSync(join(tmpdir(), 'hotline-check-'));

    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    // Leaks are P0: under this policy their whole ladder fires within seconds; NOT_WARM keeps P1's hours.
    await insertPolicyVersion(system.dataSource, 'P0', SECONDS_POLICY);
    untouched = await create('LEAK');
    accepted = await create('LEAK');
    await as(crew).post(`/tickets/${accepted.id}/accept`).expect(200);
    calm = await create('NOT_WARM');
    cancelled = await create('NOT_WARM');
    await as(operator).post(`/tickets/${cancelled.id}/cancel`).send({ reason: '重复录入' }).expect(200);
    for (const ticket of [untouched, accepted]) await eventually(() => ladderFired(ticket.id), 60_000, `the ladder of ${ticket.number}`);
  });

  afterAll(async () => {
    await system?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds no difference in tickets through their ladders, and exits 0', async () => {
    const fired = await system.dataSource.getRepository(EscalationEntity).countBy({ ticketId: untouched.id });
    expect(fired).toBe(16);
    const steps: ConsistencyProgress[] = [];
    const report = await check({ onProgress: (step) => void steps.push(step) });
    expect(report).toEqual({ ticketsChecked: 4, differences: [] });
    expect(steps).toEqual([{ phase: 'reading', checked: 4, total: 4 }]);

    const script = await runScript(systemEnv());
    expect(script).toMatchObject({ status: 0, stdout: 'checked 4 tickets: no differences\n' });
    expect(script.stderr).toContain('checked 4 of 4 tickets');
  });

  it('reports each difference made in PostgreSQL with its ticket number and kind, and only what persists', async () => {
    // A fired rung's audit event and a notice deleted; a row's status changed; a fired rung's escalation removed; a deadline moved.
    await deleteEvents(`ticket_id = $1 AND type = 'ESCALATION_DUE_SOON' AND payload->>'stage' = 'contact'`, [untouched.id]);
    await sql(`DELETE FROM notices WHERE ticket_number = $1 AND stage = 'visit'`, [untouched.number]);
    await sql(`UPDATE tickets SET status = 'CONTACTED' WHERE id = $1`, [accepted.id]);
    await sql(`DELETE FROM escalations WHERE ticket_id = $1 AND stage = 'reply' AND level = 'WARNING'`, [accepted.id]);
    await sql(`UPDATE tickets SET stages = jsonb_set(stages, '{visit,dueAt}', to_jsonb($2::text)) WHERE id = $1`, [calm.id, '2030-01-01T00:00:00.000Z']);
    // In flight: a change the re-read no longer sees is not reported.
    await sql(`UPDATE tickets SET priority = 'P1' WHERE id = $1`, [accepted.id]);
    const steps: ConsistencyProgress[] = [];
    const report = await check({
      onProgress: async (step) => {
        steps.push(step);
        if (step.phase === 'rechecking') await sql(`UPDATE tickets SET priority = 'P0' WHERE id = $1`, [accepted.id]);
      },
    });

    expect(report.ticketsChecked).toBe(4);
    expect(steps).toContainEqual({ phase: 'rechecking', tickets: 3, afterMs: 500 });
    for (const difference of report.differences) {
      expect(difference.ticketNumber).toBe([untouched, accepted, calm].find((ticket) => ticket.id === difference.ticketId)?.number);
    }
    expect(ofTicket(report.differences, untouched).sort()).toEqual(['notice-missing', 'rung-event-missing']);
    expect(report.differences.find((difference) => difference.kind === 'rung-event-missing')?.detail).toMatch(/^the DUE_SOON rung of contact \(dispatch .+\), fired at .+, has no ESCALATION_DUE_SOON event$/);
    expect(ofTicket(report.differences, accepted).sort()).toEqual(['rung-record-missing', 'status']);
    expect(report.differences.find((difference) => difference.kind === 'status')?.detail).toBe('row CONTACTED, workflow ACCEPTED');
    expect(ofTicket(report.differences, calm).sort()).toEqual(['dispatch-record', 'stage-deadline']);
    expect(ofTicket(report.differences, cancelled)).toEqual([]);

    const script = await runScript(systemEnv());
    expect(script.status).toBe(1);
    const lines = script.stdout.trim().split('\n');
    expect(lines).toHaveLength(report.differences.length + 1);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${untouched.number}  rung-event-missing  the DUE_SOON rung of contact`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${accepted.number}  status  row CONTACTED, workflow ACCEPTED`)));
    expect(lines.at(-1)).toBe(`checked 4 tickets: ${report.differences.length} difference(s) in 3 ticket(s)`);

    // The running stack's file gives what the environment does not.
    writeFileSync(
      join(dataDir, 'stack.json'),
      JSON.stringify({ startedAt: new Date().toISOString(), ...{ databaseUrl: system.config.database.url, temporalAddress: system.config.temporal.address }, namespace: 'default', processes: [{ role: 'postgres', pid: process.pid, port: 1 }] }),
      { mode: 0o600 },
    );
    const fromStack = await runScript({});
    expect(fromStack.status).toBe(1);
    expect(fromStack.stdout).toContain(`${calm.number}  stage-deadline  visit due:`);
    rmSync(join(dataDir, 'stack.json'));
  });

  it('names a ticket still running the first release’s ticketWorkflow', async () => {
    const old = await create('NOT_WARM');
    const handle = system.temporal.workflow.getHandle(ticketWorkflowId(old.id));
    await handle.terminate('replaced by a first-release workflow for this test');
    const row = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: old.id });
    await system.temporal.workflow.start('ticketWorkflow', {
      taskQueue: system.config.temporal.taskQueue,
      workflowId: ticketWorkflowId(old.id),
      args: [{ ticketId: old.id, dispatchedAt: row.dispatchedAt.toISOString(), rungs: pendingRungs(row) }],
    });
    const report = await check();
    expect(report.differences.filter((difference) => difference.ticketId === old.id)).toEqual([
      {
        ticketId: old.id,
        ticketNumber: old.number,
        kind: 'first-release-workflow',
        detail: 'runs the first release’s rungs-only ticketWorkflow (RUNNING): no status or deadlines to compare, and it takes no actions',
      },
    ]);
    // Over: a ticket whose workflow need not run any more.
    await system.temporal.workflow.getHandle(ticketWorkflowId(old.id)).terminate('test over');
    await sql(`UPDATE tickets SET status = 'CANCELLED', closed_at = now() WHERE id = $1`, [old.id]);
  });

  it('exits 2 with a clear message when there is nothing to check or no way to reach it', async () => {
    const nothing = await runScript({});
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain(`DATABASE_URL is not set and no stack is running (${join(dataDir, 'stack.json')} does not exist)`);
    const noTemporal = await runScript({ ...systemEnv(), TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(noTemporal.status).toBe(2);
    expect(noTemporal.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(noTemporal.stdout).toBe('');
    const badUrl = await runScript({ ...systemEnv(), DATABASE_URL: 'mysql://nope' });
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
  });
});

describe('consistency check without a worker', () => {
  let system: TestSystem;
  let operator: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
  });

  afterAll(async () => {
    await system?.close();
  });

  it('gives a ticket answered 201 while Temporal was down the grace period to start its workflow', async () => {
    const cutOff = await startCutOffApi(system);
    try {
      const ticket: TicketDto = (await authed(cutOff, operator.token).post('/tickets').send(ticketBody()).expect(201)).body;
      const now = await checkConsistency({ dataSource: system.dataSource, client: system.temporal, recheckAfterMs: 0 });
      expect(now.differences).toEqual([]);
      const later = await checkConsistency({ dataSource: system.dataSource, client: system.temporal, recheckAfterMs: 0, now: new Date(Date.now() + 2 * 60_000) });
      expect(later.differences).toEqual([
        { ticketId: ticket.id, ticketNumber: ticket.number, kind: 'workflow-not-started', detail: expect.stringMatching(/^committed at .+ \(1\d\d s ago\); its workflow has not started$/) },
      ]);
    } finally {
      await cutOff.close();
    }
  });

  it('reports a workflow nobody answers for (no worker polls its task queue)', async () => {
    const ticket: TicketDto = (await authed(system, operator.token).post('/tickets').send(ticketBody()).expect(201)).body;
    const report = await checkConsistency({ dataSource: system.dataSource, client: system.temporal, recheckAfterMs: 0, queryTimeoutMs: 1_000 });
    expect(report.differences.filter((difference) => difference.ticketId === ticket.id).map((difference) => difference.kind)).toEqual(['workflow-unreadable']);
  });
});
