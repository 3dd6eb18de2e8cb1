// Proves the real Temporal server on PostgreSQL end to end, outside jest: builds (or reuses) the pinned server
// (scripts/temporal-server.mjs), starts an embedded PostgreSQL, the server's four services as separate
// processes on it, then the compiled worker and API from dist/ on a namespace of their own; creates a ticket
// through the API with a policy in seconds and waits for its first rung; kills the history service with
// SIGKILL, starts it again, and waits for the next rung (the timer survived). Prints the timings and each
// service's RSS, as JSON on stdout at the end. Usage: npm run build && node dist/scripts/cluster-probe.js
// (CLUSTER_PROBE_KEEP=1 keeps the temporary folder with the services' logs and configs).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { findFreePort, projectRoot, RunningPostgres, RunningTemporalCluster, seedDemoData, startEmbeddedPostgres, startTemporalCluster } from '@app/devstack';
import { runMigrations } from '@app/persistence';
import { ensureTemporalServer } from './temporal-server-paths';

const say = (message: string): void => void process.stderr.write(`[cluster-probe] ${message}\n`);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(250);
  }
}

async function call(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function spawnApp(entry: string, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  try {
    return spawn(process.execPath, [entry], { env, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(forced);
}

function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : undefined;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const figures: Record<string, unknown> = {};
  const began = Date.now();
  const server = await ensureTemporalServer(root);
  figures.ensureServerMs = Date.now() - began;
  figures.cache = server.dir;

  const dir = mkdtempSync(join(tmpdir(), 'hotline-cluster-probe-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter the folder
  say(`working in ${dir}`);
  let postgres: RunningPostgres | undefined;
  let cluster: RunningTemporalCluster | undefined;
  let worker: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  let db: PgClient | undefined;
  try {
    const pgBegan = Date.now();
    const pgPort = await findFreePort(15432);
    postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: pgPort, database: 'hotline', persistent: true });
    figures.postgresStartMs = Date.now() - pgBegan;
    const password = decodeURIComponent(new URL(postgres.url).password);

    const clusterOptions = {
      binDir: server.binDir,
      schemaDir: server.schemaDir,
      postgres: { host: '127.0.0.1', port: pgPort, user: 'postgres', password },
      dataDir: join(dir, 'temporal'),
      namespaces: ['hotline'],
      log: say,
    };
    cluster = await startTemporalCluster(clusterOptions);
    figures.schemaSetupMs = cluster.timings.schemaMs;
    figures.clusterStartMs = cluster.timings.startMs;
    figures.services = cluster.handles.map((handle) => ({ role: `temporal-${handle.role}`, pid: handle.pid, port: handle.port, ports: handle.ports }));

    // A second schema pass on the set-up databases is the restart case: it must be a quick no-op.
    const againBegan = Date.now();
    const clusterAgain = cluster;
    await clusterAgain.stop();
    cluster = await startTemporalCluster({ ...clusterOptions, ports: Object.fromEntries(clusterAgain.handles.map((handle) => [handle.role, handle.port])) });
    figures.restartOnSetUpDatabasesMs = Date.now() - againBegan;
    figures.schemaUpdateNoOpMs = cluster.timings.schemaMs;

    await runMigrations({ url: postgres.url });
    const demo = await seedDemoData(postgres.url, 4);
    const password_ = (username: string): string => {
      const user = demo.users.find((candidate) => candidate.username === username);
      if (!user) throw new Error(`${username} was not seeded`);
      return user.password;
    };
    const bundlePath = join(dir, 'workflow-bundle.js');
    execFileSync(process.execPath, [join(root, 'dist/scripts/build-workflow-bundle.js'), bundlePath], { stdio: 'ignore' });

    const apiPort = await findFreePort(13000);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      DATABASE_URL: postgres.url,
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: 'hotline',
      JWT_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_ROUNDS: '4',
      WORKFLOW_START_SWEEP_SECONDS: '1',
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
    worker = spawnApp(join(root, 'dist/apps/worker/src/main.js'), env, join(dir, 'worker.log'));
    api = spawnApp(join(root, 'dist/apps/api/src/main.js'), env, join(dir, 'api.log'));
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    await until('the API ready', 120_000, async () => ((await fetch(`${baseUrl}/health`)).ok ? true : undefined));

    const login = async (username: string): Promise<string> =>
      (await call(baseUrl, 'POST', '/auth/login', undefined, { username, password: password_(username) })).accessToken as string;
    const admin = await login('demo-admin');
    // P1 (不热) with the accept stage due 10 s after the dispatch, its warning and notice 5 s and 10 s later.
    await call(baseUrl, 'PUT', '/sla-policies/P1', admin, {
      accept: 'PT10S', contact: 'PT1H', visit: 'PT1H', reply: 'PT1H', remediate: 'PT1H', warningAfter: 'PT5S', noticeAfter: 'PT10S', calendar: '24x7',
    });
    const operator = await login('demo-operator');
    const ticketBegan = Date.now();
    const ticket = await call(baseUrl, 'POST', '/tickets', operator, {
      category: 'NOT_WARM', citizenName: '王女士', citizenPhone: '13812345678', district: 'NANKAI', address: '鞍山西道100号3门201', description: '卧室只有15度',
    });
    figures.ticketCreateMs = Date.now() - ticketBegan;
    const ticketId = ticket.id as string;

    const client = new PgClient({ connectionString: postgres.url });
    db = client;
    await client.connect();
    const rungs = async (): Promise<Array<{ level: string; lateMs: number; firedAt: number }>> =>
      (
        await client.query<{ level: string; late_ms: string; fired_at: Date }>(
          'SELECT level, round(extract(epoch FROM fired_at - due_at) * 1000) AS late_ms, fired_at FROM escalations WHERE ticket_id = $1 ORDER BY due_at',
          [ticketId],
        )
      ).rows.map((row) => ({ level: row.level, lateMs: Number(row.late_ms), firedAt: row.fired_at.getTime() }));
    const first = await until('the first rung recorded', 120_000, async () => ((await rungs()).length > 0 ? await rungs() : undefined));
    figures.firstRung = first[0];
    say(`ticket ${String(ticket.number ?? ticketId)}: first rung ${first[0].level}, ${first[0].lateMs} ms after its instant`);

    figures.rssMiB = {
      ...Object.fromEntries(cluster.handles.map((handle) => [`temporal-${handle.role}`, rssMiB(handle.pid)])),
      api: rssMiB(api.pid),
      worker: rssMiB(worker.pid),
    };

    // kill -9 the history service while the ladder's later rungs are pending, start it again: they still fire.
    const history = cluster.services.history;
    const killedPid = history.pid;
    await history.kill('SIGKILL');
    const killedAt = Date.now();
    const historyBegan = killedAt;
    await history.start();
    figures.historyRestart = { killedPid, newPid: history.pid, listeningAfterMs: Date.now() - historyBegan };
    const ladder = await until('the whole accept ladder recorded after the history restart', 180_000, async () => {
      const fired = await rungs();
      return fired.length >= 4 ? fired : undefined;
    });
    // Rungs recorded after the kill were timers of the killed history service, fired by the restarted one.
    figures.ladderAfterHistoryKill = ladder.map(({ level, lateMs, firedAt }) => ({ level, lateMs, firedAfterKillMs: firedAt - killedAt }));
    if (ladder.filter((rung) => rung.firedAt > killedAt).length === 0) throw new Error('no rung was pending when the history service was killed');
    const connection = await Connection.connect({ address: cluster.address });
    try {
      const description = await new Client({ connection, namespace: 'hotline' }).workflow.getHandle(`ticket-${ticketId}`).describe();
      figures.workflow = { id: description.workflowId, status: description.status.name, historyLength: description.historyLength };
    } finally {
      await connection.close();
    }
    figures.totalMs = Date.now() - began;
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await db?.end().catch(() => undefined);
    await stopChild(api);
    await stopChild(worker);
    await cluster?.stop().catch((error: Error) => say(`cluster stop: ${error.message}`));
    await postgres?.stop().catch((error: Error) => say(`postgres stop: ${error.message}`));
    if (process.env.CLUSTER_PROBE_KEEP) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    say(`failed: ${error.stack ?? String(error)}`);
    process.exit(1);
  },
);
