// `npm run start:cluster`: the production topology on one machine. Embedded PostgreSQL (unless DATABASE_URL
// names a server), the real Temporal server on it as separate frontend, history, matching and worker
// processes (built on first use: scripts/temporal-server.mjs), 2 API replicas behind HAProxy on PORT and
// 2 workers. Every process is supervised (restarted with back-off, a crash loop stops it all; a file
// DATA_DIR/hold/<name> holds that one down until removed); what runs where is in DATA_DIR/cluster.json.
// Ctrl-C stops everything, the balancer first.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findFreePort, projectRoot, seedDemoTickets, startEmbeddedPostgres, startTemporalCluster } from '@app/devstack';
import type { DemoUser, RunningTemporalCluster, TemporalServiceRole } from '@app/devstack';
import { runMigrations } from '@app/persistence';
import { localJwtSecret, Shutdown, nodeChild, parsePort, positiveIntegerFromEnv, postmasterPid, say as sayAs, seedDemo, SupervisedChild, type SupervisorHooks, waitForHttp, writePrivateFile } from './supervision';
import { ensureTemporalServer } from './temporal-server-paths';

const say = (message: string): void => sayAs(message, 'cluster');

export type ClusterRole = 'postgres' | `temporal-${TemporalServiceRole}` | 'api' | 'worker' | 'balancer';

/**
 * DATA_DIR/cluster.json while the cluster runs (mode 0600: the database URL carries its password); rewritten
 * when a process restarts, removed when the cluster stops. The cluster tier reads it to kill processes.
 */
export interface ClusterFile {
  readonly startedAt: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly namespace: string;
  /** The balancer's port: the service's address. */
  readonly port: number;
  /** One entry per process; `name` tells replicas apart (api-1, api-2, worker-1, …). */
  readonly processes: ReadonlyArray<{ readonly role: ClusterRole; readonly name: string; readonly pid: number; readonly port: number }>;
}

/**
 * The HAProxy config: docker/haproxy.cfg (one place for the balancer's settings), with the replicas on
 * loopback instead of Docker's DNS: `bind` on PORT, the `resolvers` section and the `server-template` line
 * replaced by one `server` line per API replica.
 */
export function haproxyConfig(template: string, port: number, apis: ReadonlyArray<{ name: string; port: number }>): string {
  const sections = template.split(/\n(?=\S)/);
  const kept = sections.filter((section) => !section.startsWith('resolvers '));
  const text = kept.join('\n');
  if (!/^\s+bind :\d+$/m.test(text) || !/^\s+server-template .*$/m.test(text)) throw new Error('docker/haproxy.cfg has no `bind :port` or no `server-template` line');
  return text
    .replace(/^(\s+)bind :\d+$/m, `$1bind :${port}`)
    .replace(/^(\s+)server-template .*$/m, (_line, indent: string) => apis.map((api) => `${indent}server ${api.name} 127.0.0.1:${api.port} check`).join('\n'));
}

function haproxyPath(): string {
  const path = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';
  if (!existsSync(path)) throw new Error(`${path} is missing: npm run start:cluster installs Debian's haproxy as root (apt-get install haproxy), or set HAPROXY_PATH`);
  return path;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const port = parsePort(process.env.PORT ?? '3000');
  const apiReplicas = positiveIntegerFromEnv('API_REPLICAS', 2);
  const workerReplicas = positiveIntegerFromEnv('WORKER_REPLICAS', 2);
  const shards = positiveIntegerFromEnv('TEMPORAL_HISTORY_SHARDS', 4);
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const dataDir = resolve(root, process.env.DATA_DIR ?? '.data-cluster');
  mkdirSync(dataDir, { recursive: true });
  const clusterFile = join(dataDir, 'cluster.json');
  const startedAt = new Date().toISOString();
  const shutdown = new Shutdown(clusterFile, 'cluster');
  const started = shutdown.started;

  try {
    const processes: { role: ClusterRole; name: string; pid: () => number | undefined; port: number }[] = [];
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const postgresDir = join(dataDir, 'postgres');
      const postgresPort = await findFreePort(port + 2433);
      const postgres = await startEmbeddedPostgres({ dataDir: postgresDir, port: postgresPort, database: 'hotline', persistent: true });
      started.push({ name: 'PostgreSQL', stop: postgres.stop });
      processes.push({ role: 'postgres', name: 'postgres', pid: () => postmasterPid(postgresDir), port: postgresPort });
      databaseUrl = postgres.url;
      say(`PostgreSQL (embedded) at ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}, data in ${postgresDir}`);
    }
    const pg = new URL(databaseUrl);

    say('the Temporal server (built once per user and version, then reused)…');
    const server = await ensureTemporalServer(root);
    const cluster: RunningTemporalCluster = await startTemporalCluster({
      binDir: server.binDir,
      schemaDir: server.schemaDir,
      postgres: { host: pg.hostname, port: Number(pg.port || 5432), user: decodeURIComponent(pg.username), password: decodeURIComponent(pg.password) },
      shards,
      // Temporal's service ports must stay below 32768 (libs/devstack/src/temporal-cluster.ts).
      ports: { frontend: await findFreePort(port + 4233 < 32_000 ? port + 4233 : 7233) },
      dataDir: join(dataDir, 'temporal'),
      namespaces: [namespace],
      log: say,
    });
    say(`Temporal ${server.version} on PostgreSQL, ${shards} history shards: ${cluster.handles.map((handle) => `${handle.role} :${handle.port}`).join(', ')}`);

    const publish = (): void => {
      const file: ClusterFile = {
        startedAt,
        databaseUrl: databaseUrl as string,
        temporalAddress: cluster.address,
        namespace,
        port,
        processes: processes.flatMap(({ role, name, pid, port: processPort }) => {
          const current = pid();
          return current === undefined ? [] : [{ role, name, pid: current, port: processPort }];
        }),
      };
      writePrivateFile(clusterFile, `${JSON.stringify(file, null, 2)}\n`);
      shutdown.markPublished();
    };
    const hooks: SupervisorHooks = {
      stopping: () => shutdown.stopping,
      changed: () => publish(),
      crashLoop: (reason) => void shutdown.stop(1, reason),
      held: (name) => existsSync(join(dataDir, 'hold', name)),
    };
    for (const handle of cluster.handles) {
      let first = true;
      const supervised = await SupervisedChild.start(
        {
          name: `temporal-${handle.role}`,
          // The cluster started it; a restart starts it again on the same ports and config.
          launch: async () => {
            if (!first) await handle.start();
            first = false;
            const child = handle.process;
            if (!child) throw new Error(`temporal ${handle.role} is not running`);
            return child;
          },
          stop: () => handle.stop(),
          tail: (lines) => handle.tail(lines).split('\n'),
        },
        hooks,
      );
      started.push(supervised);
      processes.push({ role: `temporal-${handle.role}`, name: `temporal-${handle.role}`, pid: () => supervised.pid, port: handle.port });
    }

    const applied = await runMigrations({ url: databaseUrl, ssl: process.env.DATABASE_SSL === 'true' });
    say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date');
    const demoUsers: DemoUser[] = process.argv.includes('--demo') || process.env.SEED_DEMO === 'true' ? await seedDemo(databaseUrl, 'cluster') : [];

    // One signing key for every replica: a token from one is good on all.
    const jwtSecret = process.env.JWT_SECRET || localJwtSecret(join(dataDir, 'jwt-secret'), 'cluster');
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: namespace, JWT_SECRET: jwtSecret };
    const workerBundle = join(dataDir, 'workflow-bundle.js');
    await buildWorkflowBundle(root, workerBundle);

    for (let index = 1; index <= workerReplicas; index++) {
      const metricsPort = await findFreePort(port + 6232 + index);
      const name = `worker-${index}`;
      const child = await SupervisedChild.start(nodeChild(name, join(root, 'dist/apps/worker/src/main.js'), { ...env, WORKER_METRICS_PORT: String(metricsPort), WORKFLOW_BUNDLE_PATH: workerBundle }, true), hooks);
      started.push(child);
      processes.push({ role: 'worker', name, pid: () => child.pid, port: metricsPort });
    }
    const apis: { name: string; port: number }[] = [];
    for (let index = 1; index <= apiReplicas; index++) {
      const apiPort = await findFreePort(port + 10 + index);
      const name = `api-${index}`;
      // Behind the balancer on loopback: its X-Forwarded-For names the client (the login throttle's address).
      const child = await SupervisedChild.start(nodeChild(name, join(root, 'dist/apps/api/src/main.js'), { ...env, PORT: String(apiPort), TRUST_PROXY: process.env.TRUST_PROXY ?? 'loopback' }, true), hooks);
      started.push(child);
      processes.push({ role: 'api', name, pid: () => child.pid, port: apiPort });
      apis.push({ name, port: apiPort });
    }
    for (const api of apis) await waitForHttp(`http://127.0.0.1:${api.port}/health`, 120_000);

    const haproxyFile = join(dataDir, 'haproxy.cfg');
    writeFileSync(haproxyFile, `# Written by scripts/cluster.ts from docker/haproxy.cfg at every start.\n${haproxyConfig(readFileSync(join(root, 'docker/haproxy.cfg'), 'utf8'), port, apis)}`);
    const haproxy = haproxyPath();
    const balancer = await SupervisedChild.start(
      { name: 'balancer', prefixOutput: true, launch: () => spawn(haproxy, ['-db', '-f', haproxyFile], { stdio: ['ignore', 'pipe', 'pipe'] }) },
      hooks,
    );
    started.push(balancer);
    processes.push({ role: 'balancer', name: 'balancer', pid: () => balancer.pid, port });

    publish();

    await waitForReady(`http://127.0.0.1:${port}/health`, 120_000);
    if (demoUsers.length > 0) {
      const tickets = await seedDemoTickets(`http://127.0.0.1:${port}`, demoUsers);
      say(`demo tickets seeded through the balancer (a hot spot of ${tickets.hotspot.length}, a designated, a paused and a refund-eligible ticket)`);
    }
    say('ready:');
    say(`  API          http://localhost:${port}   (HAProxy over ${apis.map((api) => `${api.name} :${api.port}`).join(', ')})`);
    say(`  Console      http://localhost:${port}/`);
    say(`  Dashboard    http://localhost:${port}/dashboard`);
    say(`  Swagger UI   http://localhost:${port}/docs`);
    say(`  Health       http://localhost:${port}/health`);
    say(`  Temporal     ${cluster.address} (namespace ${namespace}; services' logs in ${join(dataDir, 'temporal')})`);
    say(`  Processes    ${clusterFile}`);
    say('Ctrl-C stops everything.');
  } catch (error) {
    say(`start-up failed: ${(error as Error).stack ?? String(error)}`);
    await shutdown.stop(1);
  }
}

/** Every worker replica runs the same prebuilt bundle (as the Docker image does), built once here. */
function buildWorkflowBundle(root: string, path: string): Promise<void> {
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/scripts/build-workflow-bundle.js'), path], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolveBuild() : reject(new Error(`the workflow bundle did not build (exit ${code})`))));
  });
}

/** Until the balancer answers 200: a replica is ready (PostgreSQL and Temporal answer) and HAProxy saw it. */
async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url).then((response) => response.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${status || 'no answer'})`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

if (require.main === module) void main();
