import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryOnce } from '@app/devstack';
import type { ClusterFile, ClusterRole } from '../../scripts/cluster';
import { eventually } from './system';
import { Exit, freeApiPort, isRunning, NodeProcess, ProcessOutput, stopLeavingNothing } from './stack-process';
import { TEST_ADMIN } from './test-env';

export type { ClusterFile, ClusterRole };

/** `npm run start:cluster` as a child process: node dist/scripts/cluster.js with its own DATA_DIR and PORT. */
export interface RunningCluster {
  readonly dataDir: string;
  readonly port: number;
  /** The balancer. */
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly output: ProcessOutput;
  /** DATA_DIR/cluster.json as it is now; undefined while it does not exist. */
  info(): ClusterFile | undefined;
  /** The entry cluster.json gives for a process name (`api-1`, `worker-2`, `temporal-history`, …). */
  entry(name: string): ClusterFile['processes'][number] | undefined;
  /** Keeps the named process down once it exits (DATA_DIR/hold/<name>), or lets the supervisor restart it. */
  hold(name: string, held: boolean): void;
  /** One SQL statement on a connection of its own. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** SIGINT (Ctrl-C) and wait; SIGKILL to everything left; then the data directory goes. Safe to call twice. */
  stop(graceMs?: number): Promise<Exit>;
}

/**
 * Starts the cluster (embedded PostgreSQL, the Temporal server's four services, 2 workers, 2 APIs, HAProxy)
 * in a temporary DATA_DIR on a free PORT, and waits until cluster.json names every process and the balancer's
 * GET /health is 200. The bootstrap admin is TEST_ADMIN; bcrypt runs at its lowest cost.
 */
export async function startCluster(options: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {}): Promise<RunningCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hotline-cluster-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp dir.
  chmodSync(dataDir, 0o755);
  const port = await freeApiPort();
  const clusterFilePath = join(dataDir, 'cluster.json');
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET', 'WORKER_METRICS_PORT', 'SHUTDOWN_DRAIN_MS', 'PORT'].includes(name)),
  );
  const node = new NodeProcess('cluster', 'dist/scripts/cluster.js', {
    ...inherited,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    BCRYPT_ROUNDS: '4',
    WORKFLOW_START_SWEEP_SECONDS: '1',
    // A replica drains for 1 s after SIGTERM (production's 5 s would only slow the tests' Ctrl-C).
    SHUTDOWN_DRAIN_MS: '1000',
    ...options.env,
  });
  let lastInfo: ClusterFile | undefined;
  const info = (): ClusterFile | undefined => {
    try {
      lastInfo = JSON.parse(readFileSync(clusterFilePath, 'utf8')) as ClusterFile;
      return lastInfo;
    } catch {
      return undefined;
    }
  };
  let stopped: Promise<Exit> | undefined;
  const stop = (graceMs = 60_000): Promise<Exit> =>
    (stopped ??= (async () => {
      const exit = await stopLeavingNothing(node, graceMs, () => (lastInfo?.processes ?? []).map((entry) => entry.pid));
      if (!process.env.CLUSTER_KEEP) rmSync(dataDir, { recursive: true, force: true });
      return exit;
    })());
  try {
    await eventually(
      async () => {
        if (node.exitStatus) throw new Error(`the cluster exited during start-up (${JSON.stringify(node.exitStatus)})`);
        const current = existsSync(clusterFilePath) ? info() : undefined;
        if (!current || !current.processes.some((entry) => entry.role === 'balancer')) return undefined;
        const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return health?.status === 200 ? true : undefined;
      },
      // The first run on a machine builds the Temporal server (about 7 minutes on 2 cores); later ones reuse it.
      options.readyTimeoutMs ?? 900_000,
      'the cluster ready (cluster.json written, GET /health 200 through the balancer)',
    );
  } catch (error) {
    await stop(5_000);
    throw new Error(`${(error as Error).message}\n--- cluster output ---\n${node.output.tail(80)}`);
  }
  const ready = info()!;
  return {
    dataDir,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl: ready.databaseUrl,
    temporalAddress: ready.temporalAddress,
    admin: TEST_ADMIN,
    output: node.output,
    info,
    entry: (name) => info()?.processes.find((candidate) => candidate.name === name),
    hold: (name, held) => {
      const file = join(dataDir, 'hold', name);
      if (held) {
        mkdirSync(join(dataDir, 'hold'), { recursive: true });
        writeFileSync(file, 'held by the cluster tier\n');
      } else rmSync(file, { force: true });
    },
    query: <T>(sql: string, params: unknown[] = []): Promise<T[]> => queryOnce<T>(ready.databaseUrl, sql, params),
    stop,
  };
}

/** SIGKILLs the process cluster.json names and waits until it has gone; returns its pid. */
export async function killByName(cluster: RunningCluster, name: string): Promise<number> {
  const entry = cluster.entry(name);
  if (!entry) throw new Error(`cluster.json names no ${name}`);
  process.kill(entry.pid, 'SIGKILL');
  await eventually(async () => (isRunning(entry.pid) ? undefined : true), 30_000, `${name} (pid ${entry.pid}) gone`);
  return entry.pid;
}
