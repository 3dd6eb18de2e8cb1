// The whole system on one machine: embedded PostgreSQL and a Temporal dev server (unless DATABASE_URL /
// TEMPORAL_ADDRESS point elsewhere), migrations, then the API and the worker as child processes, which it
// supervises: one that exits unasked is restarted after a back-off, a crash loop stops everything. What runs
// where is in DATA_DIR/stack.json while it runs. Ctrl-C stops everything it started, in reverse order.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  findFreePort,
  projectRoot,
  seedDemoTickets,
  RunningPostgres,
  RunningTemporal,
  startEmbeddedPostgres,
  startTemporalDevServer,
  temporalCliPath,
} from '@app/devstack';
import { runMigrations } from '@app/persistence';
import { localJwtSecret, Shutdown, nodeChild, parsePort, postmasterPid, say, seedDemo, SupervisedChild, type SupervisorHooks, waitForHttp, writePrivateFile } from './supervision';

export type StackRole = 'postgres' | 'temporal' | 'api' | 'worker';

/**
 * DATA_DIR/stack.json while the stack runs (mode 0600: the database URL carries its password); rewritten
 * whenever a child restarts, removed when the stack stops. Tools read it (the consistency check: databaseUrl
 * and temporalAddress), so its shape is a contract.
 */
export interface StackFile {
  readonly startedAt: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly namespace: string;
  /** The API's port. */
  readonly port: number;
  /** postgres: the postmaster; temporal: the dev server; the worker's port is its /metrics server's. */
  readonly processes: ReadonlyArray<{ readonly role: StackRole; readonly pid: number; readonly port: number }>;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const port = parsePort(process.env.PORT ?? '3000');
  const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const stackFile = join(dataDir, 'stack.json');
  const startedAt = new Date().toISOString();
  const shutdown = new Shutdown(stackFile, 'stack');
  const started = shutdown.started;

  try {
    const processes: { role: StackRole; pid: () => number | undefined; port: number }[] = [];
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const postgresDir = join(dataDir, 'postgres');
      const postgresPort = await findFreePort(port + 2433);
      const postgres: RunningPostgres = await startEmbeddedPostgres({
        dataDir: postgresDir,
        port: postgresPort,
        database: 'hotline',
        persistent: true,
      });
      started.push({ name: 'PostgreSQL', stop: postgres.stop });
      processes.push({ role: 'postgres', pid: () => postmasterPid(postgresDir), port: postgresPort });
      databaseUrl = postgres.url;
      say(`PostgreSQL (embedded) at ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}, data in ${postgresDir}`);
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    if (!temporalAddress) {
      const temporalPort = await findFreePort(port + 4233);
      const temporal: RunningTemporal = await startTemporalDevServer({
        cliPath: temporalCliPath(),
        dbFile: join(dataDir, 'temporal.sqlite'),
        port: temporalPort,
        uiPort: await findFreePort(port + 5233),
        namespace,
      });
      started.push({ name: 'Temporal', stop: temporal.stop });
      processes.push({ role: 'temporal', pid: () => temporal.process.pid, port: temporalPort });
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl;
      say(`Temporal dev server at ${temporalAddress}, history in ${join(dataDir, 'temporal.sqlite')}`);
    }

    const applied = await runMigrations({ url: databaseUrl, ssl: process.env.DATABASE_SSL === 'true' });
    say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date');
    const demoUsers = process.argv.includes('--demo') || process.env.SEED_DEMO === 'true' ? await seedDemo(databaseUrl) : [];

    const jwtSecret = process.env.JWT_SECRET || localJwtSecret(join(dataDir, 'jwt-secret'));
    const env = { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, JWT_SECRET: jwtSecret };
    const workerMetricsPort = process.env.WORKER_METRICS_PORT ? Number(process.env.WORKER_METRICS_PORT) : await findFreePort(port + 6233);
    const workerEnv = { ...env, WORKER_METRICS_PORT: String(workerMetricsPort) };

    const publish = (): void => {
      const file: StackFile = {
        startedAt,
        databaseUrl: databaseUrl as string,
        temporalAddress: temporalAddress as string,
        namespace,
        port,
        processes: processes.flatMap(({ role, pid, port: processPort }) => {
          const current = pid();
          return current === undefined ? [] : [{ role, pid: current, port: processPort }];
        }),
      };
      writePrivateFile(stackFile, `${JSON.stringify(file, null, 2)}\n`);
      shutdown.markPublished();
    };
    const supervisor: SupervisorHooks = {
      stopping: () => shutdown.stopping,
      changed: () => publish(),
      crashLoop: (reason) => void shutdown.stop(1, reason),
    };
    for (const [name, entry, childEnv, childPort] of [
      ['worker', 'dist/apps/worker/src/main.js', workerEnv, workerMetricsPort],
      ['api', 'dist/apps/api/src/main.js', env, port],
    ] as const) {
      const child = await SupervisedChild.start(nodeChild(name, join(root, entry), childEnv), supervisor);
      started.push(child);
      processes.push({ role: name, pid: () => child.pid, port: childPort });
    }
    publish();

    await waitForHttp(`http://127.0.0.1:${port}/health`, 120_000);
    if (demoUsers.length > 0) {
      const tickets = await seedDemoTickets(`http://127.0.0.1:${port}`, demoUsers);
      say(`demo tickets seeded: a hot spot of ${tickets.hotspot.length} tickets from one building, a designated ticket (${tickets.designated}) reassigned twice, a paused ticket (${tickets.paused}: resident away, pause approved) and a refund-eligible ticket (${tickets.refund}: failed readings two days ago, not fixed within 24 h)`);
    }
    say('ready:');
    say(`  API          http://localhost:${port}`);
    say(`  Console      http://localhost:${port}/   (operators, crews, supervisors and admins sign in there)`);
    say(`  Dashboard    http://localhost:${port}/dashboard   (the supervisors' page of the console)`);
    say(`  Swagger UI   http://localhost:${port}/docs   (OpenAPI JSON at /docs-json)`);
    say(`  Health       http://localhost:${port}/health`);
    say(`  Metrics      http://localhost:${port}/metrics   (worker: http://localhost:${workerMetricsPort}/metrics)`);
    if (temporalUi) say(`  Temporal UI  ${temporalUi}`);
    say(`  Processes    ${stackFile}`);
    say('Ctrl-C stops everything.');
  } catch (error) {
    say(`start-up failed: ${(error as Error).stack ?? String(error)}`);
    await shutdown.stop(1);
  }
}

void main();
