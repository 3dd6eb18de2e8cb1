// The whole system on one machine: embedded PostgreSQL and a Temporal dev server (unless DATABASE_URL /
// TEMPORAL_ADDRESS point elsewhere), migrations, then the API and the worker as child processes.
// Ctrl-C stops everything it started, in reverse order.
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  findFreePort,
  projectRoot,
  seedDemoData,
  seedDemoTickets,
  RunningPostgres,
  RunningTemporal,
  startEmbeddedPostgres,
  startTemporalDevServer,
  temporalCliPath,
} from '@app/devstack';
import type { DemoUser } from '@app/devstack';
import { runMigrations } from '@app/persistence';

const say = (message: string): void => void process.stdout.write(`[stack] ${message}\n`);

interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const port = parsePort(process.env.PORT ?? '3000');
  const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const started: Stoppable[] = [];
  let stopping: Promise<never> | undefined;
  // Ctrl-C reaches this process twice (from the terminal and forwarded by start.mjs): stop once, fully.
  const shutdown = (code: number): Promise<never> =>
    (stopping ??= (async () => {
      say('stopping…');
      for (const part of started.reverse()) {
        const began = Date.now();
        await part.stop().catch((error: Error) => say(`${part.name} did not stop cleanly: ${error.message}`));
        say(`${part.name} stopped (${Date.now() - began} ms)`);
      }
      say('stopped');
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const postgres: RunningPostgres = await startEmbeddedPostgres({
        dataDir: join(dataDir, 'postgres'),
        port: await findFreePort(port + 2433),
        database: 'hotline',
        persistent: true,
      });
      started.push({ name: 'PostgreSQL', stop: postgres.stop });
      databaseUrl = postgres.url;
      say(`PostgreSQL (embedded) at ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}, data in ${join(dataDir, 'postgres')}`);
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      const temporal: RunningTemporal = await startTemporalDevServer({
        cliPath: temporalCliPath(),
        dbFile: join(dataDir, 'temporal.sqlite'),
        port: await findFreePort(port + 4233),
        uiPort: await findFreePort(port + 5233),
        namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      });
      started.push({ name: 'Temporal', stop: temporal.stop });
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
    for (const [name, entry, childEnv] of [
      ['worker', 'dist/apps/worker/src/main.js', workerEnv],
      ['api', 'dist/apps/api/src/main.js', env],
    ] as const) {
      const child = spawn(process.execPath, [join(root, entry)], { env: childEnv, stdio: 'inherit' });
      started.push({ name, stop: () => stopChild(child) });
      child.once('exit', (code, signal) => {
        if (stopping) return;
        say(`${name} exited (${signal ?? code}); stopping the rest`);
        void shutdown(1);
      });
    }

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
    say('Ctrl-C stops everything.');
  } catch (error) {
    say(`start-up failed: ${(error as Error).stack ?? String(error)}`);
    await shutdown(1);
  }
}

/** Made once and kept beside the data, so tokens survive restarts of `npm start`; readable by the owner only. */
function localJwtSecret(path: string): string {
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    say(`generated a JWT signing key in ${path}`);
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

/**
 * `npm start -- --demo`: sample companies for all 16 districts and one user per role, passwords printed once;
 * returns the users when it seeded them (the demo tickets are then seeded through the API once it is up).
 */
async function seedDemo(databaseUrl: string): Promise<DemoUser[]> {
  const { seeded, users } = await seedDemoData(databaseUrl);
  if (!seeded) {
    say('demo data already present (its passwords were printed when it was first seeded)');
    return [];
  }
  say('demo data seeded; these passwords are shown this once:');
  for (const user of users) say(`  ${user.role.padEnd(10)} ${user.username.padEnd(16)} ${user.password}${user.company ? `  (${user.company})` : ''}`);
  return users;
}

/** Any HTTP answer (200, or 503 while the worker still connects) means the API is listening. */
async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 60000) {
    throw new Error(`PORT must be an integer between 1 and 60000 (got "${value}")`);
  }
  return port;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

void main();
