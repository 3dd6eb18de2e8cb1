import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_PATCHES, ticketWorkflowId } from '@app/workflows';
import { LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_USERNAME } from '@app/auth';
import { ticketBody } from '../support/fixtures';
import { killByName, RunningCluster, startCluster } from '../support/cluster-process';
import {
  closeFaultClients,
  createBurst,
  expectAcceptLaddersFired,
  expectConsistent,
  expectEachTicketOnce,
  expectFiredOnce,
  firedCount,
  temporalClientOf,
  ticketCount,
  useAcceptLadder,
  waitForWorkflow,
} from '../support/fault-checks';
import { HttpClient, setPolicy, signIn, staffCompany, StaffedCompany } from '../support/http-client';
import { bundleWorkflowVariant } from '../support/workflow-variants';
import { rungRecordings } from '../workflows/rung-history';
import { eventually } from '../support/system';

// Cluster tier: `npm run start:cluster` as it runs (the real Temporal server on PostgreSQL as four service
// processes, 2 API replicas behind HAProxy, 2 workers), faults by SIGKILL of the pids cluster.json names.
// Every wait is on state. The first run on a machine builds the Temporal server (cached per user after).
jest.setTimeout(900_000);

describe('the cluster (npm run start:cluster)', () => {
  let cluster: RunningCluster;
  let staff: StaffedCompany;
  /** A client straight to one API replica, around the balancer. */
  const replica = (name: string, token?: string): HttpClient => {
    const entry = cluster.entry(name);
    if (!entry) throw new Error(`no ${name} in cluster.json`);
    return new HttpClient(`http://127.0.0.1:${entry.port}`, token);
  };

  /**
   * SIGTERM to a worker, as a rolling restart sends it: it finishes what it holds and exits, the supervisor
   * starts it again (reading DATA_DIR/workflow-bundle.js again), and this waits until the new process polls.
   */
  const restartWorker = async (name: string): Promise<void> => {
    const old = cluster.entry(name)!.pid;
    process.kill(old, 'SIGTERM');
    const fresh = await eventually(async () => {
      const entry = cluster.entry(name);
      return entry && entry.pid !== old ? entry.pid : undefined;
    }, 120_000, `${name} restarted`);
    const client = await temporalClientOf(cluster);
    await eventually(async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'tickets' }, taskQueueType: 1 });
      return (pollers ?? []).some((poller) => poller.identity?.startsWith(`${fresh}@`)) ? true : undefined;
    }, 120_000, `${name} (pid ${fresh}) polling`);
  };

  beforeAll(async () => {
    cluster = await startCluster();
    staff = await staffCompany(new HttpClient(cluster.baseUrl), cluster.admin);
  });
  afterAll(async () => {
    await closeFaultClients();
    await cluster?.stop();
  });

  it('runs one process per role, each named in cluster.json with its pid and port', () => {
    const roles = cluster.info()!.processes.map((entry) => entry.role).sort();
    expect(roles).toEqual(['api', 'api', 'balancer', 'postgres', 'temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker', 'worker', 'worker'].sort());
    for (const entry of cluster.info()!.processes) {
      expect(entry.pid).toBeGreaterThan(0);
      expect(entry.port).toBeGreaterThan(0);
    }
    expect(cluster.info()!.processes.find((entry) => entry.role === 'balancer')?.port).toBe(cluster.port);
  });

  it('shares idempotency, token revocation and login throttling between the replicas (PostgreSQL holds them)', async () => {
    // Idempotency: a create on api-1, its replay on api-2 gives the first answer and creates nothing.
    const key = randomUUID();
    const body = ticketBody();
    const first = await replica('api-1', staff.operator.token).expect(201, 'POST', '/tickets', body, { 'Idempotency-Key': key });
    const before = await ticketCount(cluster);
    const replay = await replica('api-2', staff.operator.token).send('POST', '/tickets', body, { 'Idempotency-Key': key });
    expect([200, 201]).toContain(replay.status);
    expect(replay.body.id).toBe(first.body.id);
    expect(await ticketCount(cluster)).toBe(before);
    // Through the balancer, which sends consecutive requests to alternate replicas: the same.
    const throughKey = randomUUID();
    const throughBody = ticketBody();
    const firstThrough = await staff.operator.expect(201, 'POST', '/tickets', throughBody, { 'Idempotency-Key': throughKey });
    const counted = await ticketCount(cluster);
    for (let attempt = 0; attempt < 3; attempt++) {
      const again = await staff.operator.send('POST', '/tickets', throughBody, { 'Idempotency-Key': throughKey });
      expect({ status: [200, 201].includes(again.status), id: again.body.id }).toEqual({ status: true, id: firstThrough.body.id });
    }
    expect(await ticketCount(cluster)).toBe(counted);

    // Revocation: a user's token, revoked by a role change made on api-1, is refused by api-2 at once.
    const username = `revoked-${randomBytes(3).toString('hex')}`;
    const password = `Pw-${randomBytes(12).toString('base64url')}`;
    const created = await replica('api-1', staff.admin.token).expect(201, 'POST', '/users', { username, password, role: 'operator' });
    const asUser = await signIn(replica('api-2'), username, password);
    await asUser.expect(200, 'GET', '/tickets?limit=1');
    await replica('api-1', staff.admin.token).expect(200, 'PATCH', `/users/${created.body.id}`, { role: 'supervisor' });
    expect((await replica('api-2', asUser.token).get('/tickets?limit=1')).status).toBe(401);

    // Throttling: failed sign-ins for one username spread over both replicas count together.
    const target = `throttled-${randomBytes(3).toString('hex')}`;
    await replica('api-1', staff.admin.token).expect(201, 'POST', '/users', { username: target, password, role: 'operator' });
    for (let attempt = 0; attempt < LOGIN_FAILURES_PER_USERNAME; attempt++) {
      const answer = await replica(attempt % 2 === 0 ? 'api-1' : 'api-2').post('/auth/login', { username: target, password: 'wrong-password-1' });
      expect(answer.status).toBe(401);
    }
    for (const name of ['api-1', 'api-2']) {
      const refused = await replica(name).post('/auth/login', { username: target, password });
      expect({ name, status: refused.status }).toEqual({ name, status: 429 });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await new HttpClient(cluster.baseUrl).post('/auth/login', { username: target, password })).status).toBe(429);

    // Per address through the balancer: the API sees the client HAProxy names (TRUST_PROXY=loopback), not
    // the balancer's own address, so one client's failures do not lock out every other client.
    const through = new HttpClient(cluster.baseUrl);
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    const failures = [];
    for (let attempt = 0; attempt < LOGIN_FAILURES_PER_ADDRESS; attempt++) {
      failures.push((await through.post('/auth/login', { username: `nobody-${attempt}-${randomBytes(2).toString('hex')}`, password: 'wrong-password-1' }, from('203.0.113.7'))).status);
    }
    expect(new Set(failures)).toEqual(new Set([401]));
    expect((await through.post('/auth/login', { username: username, password }, from('203.0.113.7'))).status).toBe(429);
    expect((await through.post('/auth/login', { username: username, password }, from('203.0.113.8'))).status).toBe(200);
  });

  it('runs the lifecycle and the escalation ladder through the balancer', async () => {
    await useAcceptLadder(staff, 8);
    const acted = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body;
    const left = (await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body;
    await waitForWorkflow(cluster, acted.id);
    const accepted = await staff.crew.expect(200, 'POST', `/tickets/${acted.id}/accept`, {}, { 'Idempotency-Key': randomUUID() });
    expect(accepted.body.status).toBe('ACCEPTED');
    await staff.crew.expect(200, 'POST', `/tickets/${acted.id}/contact`, { note: '已电话联系住户' }, { 'Idempotency-Key': randomUUID() });
    expect((await staff.operator.expect(200, 'GET', `/tickets/${acted.id}`)).body.status).toBe('CONTACTED');
    await expectAcceptLaddersFired(cluster, [left.id]);
  });

  it('loses and doubles no ticket when one API replica is killed (kill -9) during a burst of retried creates', async () => {
    const before = await ticketCount(cluster);
    let killed: Promise<number> | undefined;
    const outcome = await createBurst(staff.operator, {
      count: 60,
      concurrency: 8,
      onAnswer: (answered) => {
        if (answered === 20) killed ??= killByName(cluster, 'api-1');
      },
    });
    const killedPid = await killed;
    process.stdout.write(`[cluster] api-1 killed after 20 of 60 answers; retries: ${outcome.retried.connection} at the connection, ${JSON.stringify([...outcome.retried.status])} by status\n`);
    expect(outcome.answers.size).toBe(60);
    await expectEachTicketOnce(cluster, outcome, before);
    // The supervisor brings the replica back, and the balancer sends it traffic again.
    await eventually(async () => {
      const entry = cluster.entry('api-1');
      return entry && entry.pid !== killedPid && (await fetch(`http://127.0.0.1:${entry.port}/health`).then((r) => r.status, () => 0)) === 200 ? true : undefined;
    }, 120_000, 'api-1 restarted and ready');
  });

  it('fires every rung once on the other worker when one worker is killed (kill -9) while rungs are due', async () => {
    await useAcceptLadder(staff, 15);
    const ids: string[] = [];
    for (let index = 0; index < 10; index++) ids.push((await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body.id);
    for (const id of ids) await waitForWorkflow(cluster, id);
    // worker-1 stays down (held): whatever fires from here on, worker-2 fires.
    cluster.hold('worker-1', true);
    try {
      await killByName(cluster, 'worker-1');
      await eventually(async () => (cluster.entry('worker-1') === undefined ? true : undefined), 30_000, 'cluster.json without worker-1');
      await expectAcceptLaddersFired(cluster, ids);
      expect(cluster.entry('worker-1')).toBeUndefined();
    } finally {
      cluster.hold('worker-1', false);
    }
    await eventually(async () => (cluster.entry('worker-1') ? true : undefined), 120_000, 'worker-1 restarted once released');
  });

  it('keeps the timers when the history service is killed (kill -9) and restarted', async () => {
    await useAcceptLadder(staff, 10);
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body.id);
    for (const id of ids) await waitForWorkflow(cluster, id);
    const killedPid = await killByName(cluster, 'temporal-history');
    await eventually(async () => {
      const entry = cluster.entry('temporal-history');
      return entry && entry.pid !== killedPid ? true : undefined;
    }, 120_000, 'temporal-history restarted by the supervisor');
    await expectAcceptLaddersFired(cluster, ids);
    await expectConsistent(cluster);
  });

  it('rolls the workers onto a workflow change guarded by patched(): open tickets finish on the new code; the replay gate holds', async () => {
    const bundleFile = join(cluster.dataDir, 'workflow-bundle.js');
    const current = readFileSync(bundleFile, 'utf8');
    // Both workers on the code before the change (rungs recorded by an activity task).
    writeFileSync(bundleFile, (await bundleWorkflowVariant(WORKFLOW_PATCHES.localRungs, 'before')).code);
    await restartWorker('worker-1');
    await restartWorker('worker-2');
    // The accept ladder: DUE_SOON and OVERDUE before the roll, WARNING and PUBLIC_NOTICE long after it.
    await setPolicy(staff.admin, 'P0', { accept: 'PT12S', contact: 'PT1H', visit: 'PT1H', reply: 'PT1H', warningAfter: 'PT90S', noticeAfter: 'PT100S', calendar: '24x7' });
    const ids: string[] = [];
    for (let index = 0; index < 4; index++) ids.push((await staff.operator.expect(201, 'POST', '/tickets', ticketBody({ category: 'LEAK' }))).body.id);
    await eventually(async () => ((await firedCount(cluster, ids)) === ids.length * 2 ? true : undefined), 120_000, 'DUE_SOON and OVERDUE recorded on the old code');

    // The rolling restart onto the new code, one worker at a time.
    writeFileSync(bundleFile, current);
    await restartWorker('worker-1');
    await restartWorker('worker-2');
    const rolledAt = Date.now();
    const [{ next }] = await cluster.query<{ next: Date }>(
      `SELECT min(rung.value::timestamptz) AS next FROM tickets, jsonb_each_text(stages->'accept'->'rungs') AS rung WHERE id = ANY($1) AND rung.key = 'WARNING'`,
      [ids],
    );
    // Not luck: the roll took seconds and the next rungs were 90 s out; say so plainly if a machine was slower.
    expect({ rolledBeforeTheNextRung: rolledAt < next.getTime() }).toEqual({ rolledBeforeTheNextRung: true });

    await eventually(async () => ((await firedCount(cluster, ids)) === ids.length * 4 ? true : undefined), 240_000, 'every rung recorded');
    await expectFiredOnce(cluster, ids, { accept: ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] });
    const client = await temporalClientOf(cluster);
    const history = await client.workflow.getHandle(ticketWorkflowId(ids[0])).fetchHistory();
    for (const id of ids) {
      const recordings = rungRecordings(await client.workflow.getHandle(ticketWorkflowId(id)).fetchHistory());
      // Old code: an activity task per rung (its input is in the history); new code: a local activity's marker.
      expect({ id, kinds: recordings.map((recording) => (recording.input === undefined ? 'local' : 'activity')) }).toEqual({ id, kinds: ['activity', 'activity', 'local', 'local'] });
    }

    // The replay gate: the mixed history replays on the new code, and would fail on the change made without patched().
    await expect(Worker.runReplayHistory({ workflowBundle: { code: current } }, history, 'rolled')).resolves.toBeUndefined();
    const unguarded = await bundleWorkflowVariant(WORKFLOW_PATCHES.localRungs, 'unguarded');
    await expect(Worker.runReplayHistory({ workflowBundle: unguarded }, history, 'unguarded')).rejects.toThrow(/determinism/i);
  });
});
