import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, projectRoot, releasePort, queryOnce, RunningTemporal, startTemporalDevServer, temporalCliPath } from '@app/devstack';
import { runMigrations } from '@app/persistence';
import { eventually } from './system';

/**
 * The whole system as separate OS processes, the way `npm start` runs it, for the fault tier: a real
 * PostgreSQL (its data kept on disk), a Temporal dev server persisting to a file, and the compiled API and
 * worker from dist/. Each part can be killed (SIGKILL, or every process at once) and started again on the
 * same port and data, so a test can cut whatever it likes and look at what survived.
 */
export interface FaultStack {
  readonly dir: string;
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly taskQueue: string;
  readonly postgres: RestartablePart;
  readonly temporal: RestartablePart;
  readonly api: NodeProcessPart;
  readonly worker: NodeProcessPart;
  /** One SQL statement on a connection of its own (so it works across PostgreSQL restarts). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Every process of the stack SIGKILLed in one go, as a power cut would. */
  powerCut(): Promise<void>;
  /** The last lines each part printed, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

export interface RestartablePart {
  readonly name: string;
  /** The OS process ids of this part now (empty when down). */
  pids(): number[];
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface NodeProcessPart extends RestartablePart {
  readonly process: ChildProcess | undefined;
  /** Sends a signal and resolves with the exit code (or signal name) once the process has gone. */
  signal(signal: NodeJS.Signals): Promise<number | string>;
}

const STARTUP_TIMEOUT_MS = 120_000;

export async function startFaultStack(name: string): Promise<FaultStack> {
  const root = projectRoot();
  for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/scripts/build-workflow-bundle.js']) {
    if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: the fault tier runs the compiled apps (npm test builds them; or npm run build)`);
  }
  const dir = mkdtempSync(join(tmpdir(), `hotline-fault-${name}-`));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp dir.
  chmodSync(dir, 0o755);
  const logFile = join(dir, 'stack.log');
  const log = (part: string) => (line: string) => appendFileSync(logFile, `[${part}] ${line}\n`);

  const pgPort = await findFreePort();
  const temporalPort = await findFreePort();
  const apiPort = await findFreePort();
  const taskQueue = `fault-${name}-${randomBytes(3).toString('hex')}`;

  const pgDataDir = join(dir, 'postgres');
  let postgres: ChildProcess | undefined;
  let databaseUrl = '';
  const postgresPart: RestartablePart = {
    name: 'postgres',
    pids: () => postgresPids(pgDataDir),
    start: async () => {
      const started = spawn(process.execPath, [join(__dirname, 'postgres-server.cjs'), pgDataDir, String(pgPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
      postgres = started;
      started.stderr?.on('data', (chunk: Buffer) => log('postgres')(chunk.toString().trimEnd()));
      databaseUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        started.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const ready = /READY (\S+)/.exec(out);
          if (ready) resolve(ready[1]);
        });
        started.once('exit', (code) => reject(new Error(`PostgreSQL did not start (exit ${code}); see ${logFile}`)));
      });
    },
    kill: async () => {
      const pids = postgresPids(pgDataDir);
      for (const pid of pids) killQuietly(pid, 'SIGKILL');
      await eventually(async () => (pids.every((pid) => !alive(pid)) ? true : undefined), 30_000, 'PostgreSQL processes gone');
      if (postgres) await killChild(postgres);
      postgres = undefined;
    },
  };
  await postgresPart.start();
  await runMigrations({ url: databaseUrl });

  let temporal: RunningTemporal | undefined;
  const temporalPart: RestartablePart = {
    name: 'temporal',
    pids: () => (temporal?.process.pid && temporal.process.exitCode === null && temporal.process.signalCode === null ? [temporal.process.pid] : []),
    start: async () => {
      temporal = await startTemporalDevServer({
        cliPath: temporalCliPath(),
        dbFile: join(dir, 'temporal.sqlite'),
        port: temporalPort,
        namespace: 'default',
        log: log('temporal'),
      });
    },
    kill: async () => {
      const child = temporal?.process;
      temporal = undefined;
      if (child) await killChild(child);
    },
  };
  await temporalPart.start();
  const temporalAddress = `127.0.0.1:${temporalPort}`;

  const bundlePath = join(dir, 'workflow-bundle.js');
  execFileSync(process.execPath, [join(root, 'dist/scripts/build-workflow-bundle.js'), bundlePath], { stdio: 'ignore' });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(apiPort),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_USERNAME: FAULT_ADMIN.username,
    ADMIN_PASSWORD: FAULT_ADMIN.password,
    BCRYPT_ROUNDS: '4',
    WORKFLOW_START_SWEEP_SECONDS: '1',
    WORKFLOW_BUNDLE_PATH: bundlePath,
  };
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const api = nodeProcessPart('api', join(root, 'dist/apps/api/src/main.js'), env, log('api'), async () => {
    await eventually(async () => ((await fetch(`${baseUrl}/health/live`).catch(() => undefined))?.ok ? true : undefined), STARTUP_TIMEOUT_MS, 'API listening');
  });
  const worker = nodeProcessPart('worker', join(root, 'dist/apps/worker/src/main.js'), env, log('worker'), async () => undefined);
  await worker.start();
  await api.start();
  await eventually(async () => ((await fetch(`${baseUrl}/health`).catch(() => undefined))?.ok ? true : undefined), STARTUP_TIMEOUT_MS, 'API ready');

  const parts = [api, worker, temporalPart, postgresPart];
  return {
    dir,
    baseUrl,
    databaseUrl,
    temporalAddress,
    taskQueue,
    postgres: postgresPart,
    temporal: temporalPart,
    api,
    worker,
    query: <T>(sql: string, params: unknown[] = []): Promise<T[]> => queryOnce<T>(databaseUrl, sql, params),
    powerCut: async () => {
      const pids = parts.flatMap((part) => part.pids());
      for (const pid of pids) killQuietly(pid, 'SIGKILL');
      await Promise.all(parts.map((part) => part.kill()));
    },
    logs: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-80).join('\n') : ''),
    stop: async () => {
      await api.signal('SIGTERM').catch(() => undefined);
      await worker.signal('SIGTERM').catch(() => undefined);
      await temporalPart.kill().catch(() => undefined);
      if (postgres) await signalChild(postgres, 'SIGTERM').catch(() => undefined);
      await postgresPart.kill().catch(() => undefined);
      for (const port of [pgPort, temporalPort, apiPort]) releasePort(port);
      // FAULT_KEEP=1 keeps the data and stack.log for a look after a failure.
      if (!process.env.FAULT_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bootstrap admin of every fault stack. */
export const FAULT_ADMIN = { username: 'admin', password: `fault-admin-${randomBytes(6).toString('hex')}` } as const;

function nodeProcessPart(name: string, entry: string, env: NodeJS.ProcessEnv, log: (line: string) => void, ready: () => Promise<void>): NodeProcessPart {
  let child: ChildProcess | undefined;
  const running = (): ChildProcess | undefined => (child && child.exitCode === null && child.signalCode === null ? child : undefined);
  const part: NodeProcessPart = {
    name,
    get process() {
      return running();
    },
    pids: () => {
      const pid = running()?.pid;
      return pid ? [pid] : [];
    },
    start: async () => {
      if (running()) throw new Error(`${name} is already running`);
      const started = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      started.stdout?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
      started.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
      started.once('exit', (code, signal) => log(`exited (${signal ?? code})`));
      child = started;
      await ready();
    },
    kill: async () => {
      const current = running();
      if (current) await killChild(current);
    },
    signal: async (signal) => {
      const current = running();
      if (!current) return child?.exitCode ?? child?.signalCode ?? 'not running';
      const exited = new Promise<number | string>((resolve) => current.once('exit', (code, sig) => resolve(sig ?? code ?? 'unknown')));
      current.kill(signal);
      return exited;
    },
  };
  return part;
}

async function signalChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}

function killChild(child: ChildProcess): Promise<void> {
  return signalChild(child, 'SIGKILL');
}

/** The postmaster (from postmaster.pid) and its backends, as a power cut would find them. */
function postgresPids(dataDir: string): number[] {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return [];
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || !alive(postmaster)) return [];
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    // ps exits 1 when the postmaster has no children.
  }
  return [postmaster, ...children];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
