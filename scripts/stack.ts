// The whole system on one machine: embedded PostgreSQL and a Temporal dev server (unless DATABASE_URL /
// TEMPORAL_ADDRESS point elsewhere), migrations, then the API and the worker as child processes, which it
// supervises: one that exits unasked is restarted after a back-off, a crash loop stops everything. What runs
// where is in DATA_DIR/stack.json while it runs. Ctrl-C stops everything it started, in reverse order.
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * How the API and the worker are supervised. A child that exits without being asked to is restarted after
 * a back-off; one in a crash loop stops the whole stack, since restarting it again would only hide the cause.
 */
const SUPERVISION = {
  /** The first restart waits 1 s: a crash costs about a second, yet a child failing at once cannot spin the CPU. */
  firstBackoffMs: 1000,
  /** Each further restart waits twice as long, up to 30 s: a dependency that is down gets time to come back. */
  maxBackoffMs: 30_000,
  /** A child up 30 s has started properly (the worker bundles its workflows in 5-15 s): its next crash waits 1 s again. */
  stableAfterMs: 30_000,
  /** 5 crashes of one child within 60 s are a crash loop. */
  crashLoopCrashes: 5,
  /**
   * STACK_CRASH_LOOP_WINDOW_MS overrides it for tests only: with a long window, the crashes a test causes
   * count as one loop however slowly a loaded machine restarts the child, so the loop is found every time.
   */
  crashLoopWindowMs: positiveIntegerFromEnv('STACK_CRASH_LOOP_WINDOW_MS', 60_000),
} as const;

/** How many of a child's last output lines the crash-loop message repeats. */
const OUTPUT_TAIL_LINES = 30;

interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

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
  const started: Stoppable[] = [];
  let published = false;
  let stopping: Promise<never> | undefined;
  // Ctrl-C reaches this process twice (from the terminal and forwarded by start.mjs): stop once, fully.
  const shutdown = (code: number, reason?: string): Promise<never> =>
    (stopping ??= (async () => {
      say('stopping…');
      // From here on the file would name processes on their way out: it goes first. Only ours: a second
      // stack that failed to start on the same DATA_DIR leaves the running one's file alone.
      if (published) rmSync(stackFile, { force: true });
      for (const part of started.reverse()) {
        const began = Date.now();
        await part.stop().catch((error: Error) => say(`${part.name} did not stop cleanly: ${error.message}`));
        say(`${part.name} stopped (${Date.now() - began} ms)`);
      }
      say(reason ? `stopped: ${reason}` : 'stopped');
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

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
      published = true;
    };
    const supervisor: SupervisorHooks = {
      stopping: () => stopping !== undefined,
      restarted: () => publish(),
      crashLoop: (reason) => void shutdown(1, reason),
    };
    for (const [name, entry, childEnv, childPort] of [
      ['worker', 'dist/apps/worker/src/main.js', workerEnv, workerMetricsPort],
      ['api', 'dist/apps/api/src/main.js', env, port],
    ] as const) {
      const child = new SupervisedChild(name, join(root, entry), childEnv, supervisor);
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
    await shutdown(1);
  }
}

interface SupervisorHooks {
  /** True once the stack is stopping: an exit is then expected, and nothing is restarted. */
  stopping(): boolean;
  /** A restarted child is running (with a new pid). */
  restarted(): void;
  /** The child is in a crash loop; `reason` says so in a line. */
  crashLoop(reason: string): void;
}

/**
 * The API or the worker as a child process, restarted with back-off when it exits unasked (SUPERVISION).
 * Its output goes to the stack's, as before; the last lines are kept for the crash-loop message.
 */
class SupervisedChild implements Stoppable {
  private child!: ChildProcess;
  private startedAt = 0;
  private restarts = 0;
  private crashes: number[] = [];
  private backoffMs: number = SUPERVISION.firstBackoffMs;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly tail: string[] = [];
  private partialLine = '';

  constructor(
    readonly name: 'api' | 'worker',
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly hooks: SupervisorHooks,
  ) {
    this.spawn();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await stopChild(this.child);
  }

  private spawn(): void {
    const child = spawn(process.execPath, [this.entry], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    // Its lines follow this one in the tail, so the crash-loop message shows which start printed what.
    if (this.partialLine) this.tail.push(this.partialLine);
    this.partialLine = '';
    this.tail.push(`(started, pid ${child.pid})`);
    child.stdout?.on('data', (chunk: Buffer) => this.output(chunk, process.stdout));
    child.stderr?.on('data', (chunk: Buffer) => this.output(chunk, process.stderr));
    // 'close' rather than 'exit': the child's last words (a stack trace) are read before deciding.
    child.once('close', (code, signal) => this.exited(code, signal));
  }

  private output(chunk: Buffer, to: NodeJS.WriteStream): void {
    to.write(chunk);
    const lines = (this.partialLine + chunk.toString()).split('\n');
    this.partialLine = lines.pop() ?? '';
    this.tail.push(...lines);
    this.tail.splice(0, Math.max(0, this.tail.length - OUTPUT_TAIL_LINES));
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped || this.hooks.stopping()) return;
    const now = Date.now();
    const how = signal ?? `exit code ${code}`;
    if (now - this.startedAt >= SUPERVISION.stableAfterMs) this.backoffMs = SUPERVISION.firstBackoffMs;
    this.crashes = [...this.crashes.filter((at) => now - at < SUPERVISION.crashLoopWindowMs), now];
    if (this.crashes.length >= SUPERVISION.crashLoopCrashes) {
      const tail = [...this.tail, ...(this.partialLine ? [this.partialLine] : [])];
      say(
        `${this.name} exited (${how}), its crash ${this.crashes.length} within ${seconds(SUPERVISION.crashLoopWindowMs)}: a crash loop. ` +
          `It is not restarted again and the stack stops. Its output is above (the lines without [stack]); its last ${tail.length} lines:`,
      );
      for (const line of tail) say(`  ${this.name} | ${line}`);
      this.hooks.crashLoop(`${this.name} is in a crash loop (${this.crashes.length} crashes within ${seconds(SUPERVISION.crashLoopWindowMs)}, the last: ${how}); its output is above`);
      return;
    }
    this.restarts += 1;
    say(`${this.name} exited (${how}); restarting in ${seconds(this.backoffMs)} (restart ${this.restarts})`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped || this.hooks.stopping()) return;
      this.spawn();
      this.hooks.restarted();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, SUPERVISION.maxBackoffMs);
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** The postmaster's pid: the first line of postmaster.pid, while the cluster runs. */
function postmasterPid(clusterDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole (a reader never sees half a file) and readable by the owner only. */
function writePrivateFile(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer of milliseconds (got "${value}")`);
  return parsed;
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
