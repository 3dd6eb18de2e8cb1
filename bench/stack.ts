import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { findFreePort, projectRoot, queryOnce, RunningPostgres, RunningTemporal, startEmbeddedPostgres, startTemporalDevServer, temporalCliPath } from '@app/devstack';
import { runMigrations } from '@app/persistence';
import type { CpuPart } from './cpu';
import { say, waitFor } from './progress';

/**
 * The system under measurement, as `npm start` runs it (scripts/stack.ts): an embedded PostgreSQL with its
 * data on disk, the Temporal dev server on a SQLite file (WAL, synchronous=NORMAL), migrations, and the
 * compiled API and worker from dist/ as separate processes. Everything lives in a temporary directory,
 * removed at the end (BENCH_KEEP=1 keeps it, with stack.log). The API can be restarted with other
 * variables and the worker stopped and started, which R_api_db needs.
 */
export interface BenchStack {
  readonly dir: string;
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  /** Prometheus metrics of the Temporal server and of the worker's SDK (its task slots, pollers, cache). */
  readonly metricsUrls: { readonly temporal: string; readonly workerSdk: string };
  readonly taskQueue: string;
  readonly admin: { readonly username: string; readonly password: string };
  /** The API again, with `extraEnv` over the stack's variables (waits until it is ready). */
  restartApi(extraEnv?: Record<string, string>): Promise<void>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  /** One SQL statement on a connection of its own. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Statements one after another on one connection of their own (a session: SET applies to the rest). */
  session(statements: readonly string[]): Promise<void>;
  /** The parts whose CPU time a run records. */
  cpuParts(): CpuPart[];
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 180_000;

export async function startBenchStack(): Promise<BenchStack> {
  const root = projectRoot();
  for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/scripts/build-workflow-bundle.js']) {
    if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: run the benchmark with npm run bench (it builds first)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temporary directory.
  chmodSync(dir, 0o755);
  const logFile = join(dir, 'stack.log');
  const log = (part: string) => (line: string) => appendFileSync(logFile, `[${part}] ${line}\n`);
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const stopPart of stoppers.reverse()) await stopPart().catch(() => undefined);
    if (process.env.BENCH_KEEP) say(`kept ${dir} (BENCH_KEEP)`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    const pgDataDir = join(dir, 'postgres');
    say('starting PostgreSQL (embedded)…');
    const postgres: RunningPostgres = await startEmbeddedPostgres({ dataDir: pgDataDir, port: await findFreePort(), database: 'hotline', persistent: true, log: log('postgres') });
    stoppers.push(() => postgres.stop());
    const databaseUrl = postgres.url;
    await runMigrations({ url: databaseUrl });

    say('starting the Temporal dev server (SQLite file)…');
    const dynamicConfig = parseDynamicConfig(process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG);
    if (Object.keys(dynamicConfig).length > 0) say(`  with dynamic config ${JSON.stringify(dynamicConfig)} (BENCH_TEMPORAL_DYNAMIC_CONFIG)`);
    const temporal: RunningTemporal = await startTemporalDevServer({
      cliPath: temporalCliPath(),
      dbFile: join(dir, 'temporal.sqlite'),
      port: await findFreePort(),
      metricsPort: await findFreePort(),
      dynamicConfig,
      namespace: 'default',
      log: log('temporal'),
    });
    stoppers.push(() => temporal.stop());

    say('bundling the workflows…');
    const bundlePath = join(dir, 'workflow-bundle.js');
    execFileSync(process.execPath, [join(root, 'dist/scripts/build-workflow-bundle.js'), bundlePath], { stdio: 'ignore' });

    const apiPort = await findFreePort();
    const workerSdkMetricsPort = await findFreePort();
    const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
    const admin = { username: 'admin', password: `bench-admin-${randomBytes(9).toString('hex')}` };
    // As scripts/stack.ts passes them, plus what a throw-away stack must be told (no NODE_ENV: development, as npm start).
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: String(apiPort),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_SDK_METRICS_PORT: String(workerSdkMetricsPort),
      // A worker setting to measure (WORKER_MAX_CACHED_WORKFLOWS=…) reaches the worker from the bench's environment.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('WORKER_'))),
    };
    const workerSettings = Object.entries(env).filter(([name]) => name.startsWith('WORKER_') && name !== 'WORKER_SDK_METRICS_PORT');
    if (workerSettings.length > 0) say(`  worker settings from the environment: ${workerSettings.map(([name, value]) => `${name}=${value}`).join(' ')}`);
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const api = new NodeChild('api', join(root, 'dist/apps/api/src/main.js'), log('api'));
    const worker = new NodeChild('worker', join(root, 'dist/apps/worker/src/main.js'), log('worker'));
    stoppers.push(() => worker.stop(), () => api.stop());
    const apiReady = async (): Promise<void> => {
      await waitFor('the API ready (GET /health 200)', async () => ((await fetch(`${baseUrl}/health`).catch(() => undefined))?.ok ? true : undefined), STARTUP_TIMEOUT_MS);
    };
    say('starting the worker and the API…');
    worker.start(env);
    api.start(env);
    await apiReady();
    await waitForWorker(logFile);

    const postmaster = (): number[] => {
      try {
        const pid = Number(readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        return Number.isInteger(pid) && pid > 0 ? [pid] : [];
      } catch {
        return [];
      }
    };
    return {
      dir,
      baseUrl,
      databaseUrl,
      temporalAddress: temporal.address,
      metricsUrls: { temporal: temporal.metricsUrl!, workerSdk: `http://127.0.0.1:${workerSdkMetricsPort}/metrics` },
      taskQueue,
      admin,
      restartApi: async (extraEnv = {}) => {
        await api.stop();
        api.start({ ...env, ...extraEnv });
        await apiReady();
      },
      stopWorker: () => worker.stop(),
      startWorker: async () => {
        const mark = readLog(logFile).length;
        worker.start(env);
        await waitForWorker(logFile, mark);
      },
      query: <T>(sql: string, params: unknown[] = []): Promise<T[]> => queryOnce<T>(databaseUrl, sql, params),
      session: async (statements) => {
        const client = new PgClient({ connectionString: databaseUrl });
        await client.connect();
        try {
          for (const statement of statements) await client.query(statement);
        } finally {
          await client.end();
        }
      },
      cpuParts: () => [
        { name: 'api', pids: () => api.pids(), tree: false },
        { name: 'worker', pids: () => worker.pids(), tree: false },
        { name: 'temporal', pids: () => (temporal.process.pid ? [temporal.process.pid] : []), tree: true },
        { name: 'postgres', pids: postmaster, tree: true },
        { name: 'bench', pids: () => [process.pid], tree: false },
      ],
      stop,
    };
  } catch (error) {
    const tail = readLog(logFile).split('\n').slice(-40).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n--- last lines of the stack ---\n${tail}`);
  }
}

/** `KEY=VALUE;KEY=VALUE` (BENCH_TEMPORAL_DYNAMIC_CONFIG, to measure a server setting), each value as JSON. */
function parseDynamicConfig(text: string | undefined): Record<string, string | number | boolean> {
  const entries = (text ?? '').split(';').filter((entry) => entry.trim() !== '');
  return Object.fromEntries(
    entries.map((entry) => {
      const at = entry.indexOf('=');
      if (at < 1) throw new Error(`BENCH_TEMPORAL_DYNAMIC_CONFIG: "${entry}" is not KEY=VALUE`);
      const raw = entry.slice(at + 1).trim();
      let value: string | number | boolean;
      try {
        value = JSON.parse(raw) as string | number | boolean;
      } catch {
        value = raw;
      }
      return [entry.slice(0, at).trim(), value];
    }),
  );
}

function readLog(logFile: string): string {
  return existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
}

/** The worker says it is polling once its Worker runs (apps/worker/src/main.ts). */
async function waitForWorker(logFile: string, from = 0): Promise<void> {
  await waitFor('the worker polling', async () => (/Worker polling task queue/.test(readLog(logFile).slice(from)) ? true : undefined), STARTUP_TIMEOUT_MS, 500);
}

/** The API or the worker from dist/, its output into the stack's log. */
class NodeChild {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly log: (line: string) => void,
  ) {}

  private running(): ChildProcess | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  }

  pids(): number[] {
    const pid = this.running()?.pid;
    return pid ? [pid] : [];
  }

  start(env: NodeJS.ProcessEnv): void {
    if (this.running()) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [this.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => this.log(chunk.toString().trimEnd()));
    child.stderr?.on('data', (chunk: Buffer) => this.log(chunk.toString().trimEnd()));
    child.once('exit', (code, signal) => this.log(`exited (${signal ?? code})`));
    this.child = child;
  }

  /** SIGTERM, and SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const child = this.running();
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(force);
  }
}
