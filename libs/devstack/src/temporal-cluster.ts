import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { findFreePort } from './ports';
import { waitForTemporal } from './temporal-dev-server';

/** The four services of a Temporal server, each run as a process of its own. */
export type TemporalServiceRole = 'frontend' | 'history' | 'matching' | 'worker';

/** Start order: the frontend and the internal worker need history and matching to be members first. */
export const TEMPORAL_SERVICE_ROLES: readonly TemporalServiceRole[] = ['history', 'matching', 'frontend', 'worker'];

export interface TemporalClusterOptions {
  /** Holds `temporal-server` and `temporal-sql-tool` (scripts/temporal-server.mjs builds them). */
  readonly binDir: string;
  /** `…/schema/postgresql/v12`, with `temporal/versioned` and `visibility/versioned` below it. */
  readonly schemaDir: string;
  readonly postgres: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  /** Database names; created when missing. Defaults `temporal` and `temporal_visibility`. */
  readonly databases?: { readonly temporal?: string; readonly visibility?: string };
  /** History shards; fixed for the life of the database (the first start writes it). Default 4. */
  readonly shards?: number;
  /**
   * gRPC ports. The frontend's is the address clients use (default 7233 if free); each service also takes a
   * membership port and a Prometheus port, and the frontend an HTTP port, all chosen near it when free.
   */
  readonly ports?: Partial<Record<TemporalServiceRole, number>>;
  /** Config files and one log file per service (`<role>.log`). */
  readonly dataDir: string;
  /** Namespaces registered besides `default`. */
  readonly namespaces?: readonly string[];
  /** Retention of closed workflows in the namespaces registered here. Default 3 days. */
  readonly retentionDays?: number;
  /** Connections each service may open to the default store (visibility: 2). Default 10: 4 × 12 stay under PostgreSQL's 100. */
  readonly maxConns?: number;
  /** Server log level. Default `warn`. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Dynamic config (key → list of `{ value, constraints }`), written to `dynamicconfig.yaml` and polled every 10 s. */
  readonly dynamicConfig?: Readonly<Record<string, ReadonlyArray<{ readonly value: unknown; readonly constraints?: Record<string, unknown> }>>>;
  /** Progress and exits of the services. */
  readonly log?: (line: string) => void;
}

export interface TemporalServicePorts {
  readonly grpc: number;
  readonly membership: number;
  readonly metrics: number;
  /** The frontend's HTTP API only. */
  readonly http?: number;
}

/** One service process. It can be killed (kill -9 included) and started again on the same ports and config. */
export interface TemporalServiceHandle {
  readonly role: TemporalServiceRole;
  /** The gRPC port (the frontend's is the cluster's address). */
  readonly port: number;
  readonly ports: TemporalServicePorts;
  readonly configFile: string;
  readonly logFile: string;
  /** The OS process id while it runs. */
  readonly pid: number | undefined;
  readonly process: ChildProcess | undefined;
  running(): boolean;
  /** Resident set size in bytes (from /proc), undefined when not running. */
  rss(): number | undefined;
  /** Sends `signal` (SIGKILL unless told) and waits until the process has gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again (refused while it runs); the frontend's start waits until it answers. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** The last lines of its log, for a failure message. */
  tail(lines?: number): string;
}

export interface RunningTemporalCluster {
  /** The frontend, `127.0.0.1:<port>`. */
  readonly address: string;
  readonly namespaces: readonly string[];
  readonly services: Readonly<Record<TemporalServiceRole, TemporalServiceHandle>>;
  /** In start order. */
  readonly handles: readonly TemporalServiceHandle[];
  /** Milliseconds: schema set-up or update, and services started until the namespaces answer. */
  readonly timings: { readonly schemaMs: number; readonly startMs: number };
  /** Stops every service (the worker and the frontend first). */
  stop(): Promise<void>;
}

const SERVER_BINARY = 'temporal-server';
const SQL_TOOL_BINARY = 'temporal-sql-tool';
const PLUGIN = 'postgres12';
const STARTUP_TIMEOUT_MS = 120_000;

/** Offsets from the frontend's gRPC port of the usual layout (7233 frontend, 7234 history, 7235 matching, 7239 worker). */
const GRPC_OFFSET: Record<TemporalServiceRole, number> = { frontend: 0, history: 1, matching: 2, worker: 6 };

/**
 * The real Temporal server on PostgreSQL as separate frontend, history, matching and worker processes: the
 * databases created when missing, their schema set up or updated by the sql tool, one config file per service
 * (they differ only in their metrics port), the namespaces registered. Each service's handle can kill and
 * restart it alone, as the cluster tier does with the history service.
 */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<RunningTemporalCluster> {
  const log = options.log ?? (() => undefined);
  const databases = { temporal: options.databases?.temporal ?? 'temporal', visibility: options.databases?.visibility ?? 'temporal_visibility' };
  for (const binary of [SERVER_BINARY, SQL_TOOL_BINARY]) {
    if (!existsSync(join(options.binDir, binary))) throw new Error(`${join(options.binDir, binary)} is missing: node scripts/temporal-server.mjs builds it`);
  }
  mkdirSync(options.dataDir, { recursive: true });

  const schemaBegan = Date.now();
  await setUpSchemas(options, databases, log);
  const schemaMs = Date.now() - schemaBegan;

  const ports = await allocatePorts(options.ports ?? {});
  const dynamicConfigFile = join(options.dataDir, 'dynamicconfig.yaml');
  // Without overrides no dynamicConfigClient is configured: the server then runs on its defaults.
  const overrides = options.dynamicConfig ?? {};
  if (Object.keys(overrides).length > 0) writeFileSync(dynamicConfigFile, stringify(overrides));
  const handles = TEMPORAL_SERVICE_ROLES.map((role) => {
    const configFile = join(options.dataDir, `${role}.yaml`);
    writeFileSync(
      configFile,
      `# Written by libs/devstack/src/temporal-cluster.ts (from the module's config/development-postgres12.yaml).\n${stringify(
        serverConfig(options, databases, ports, role, Object.keys(overrides).length > 0 ? dynamicConfigFile : undefined),
      )}`,
      { mode: 0o600 }, // it holds the database password
    );
    return serviceHandle(role, join(options.binDir, SERVER_BINARY), configFile, join(options.dataDir, `${role}.log`), ports, log);
  });
  const services = Object.fromEntries(handles.map((handle) => [handle.role, handle])) as Record<TemporalServiceRole, TemporalServiceHandle>;
  const stop = async (): Promise<void> => {
    for (const handle of [...handles].reverse()) await handle.stop();
  };

  const startBegan = Date.now();
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const namespaces = ['default', ...(options.namespaces ?? []).filter((name) => name !== 'default')];
  try {
    for (const handle of handles) await handle.start();
    await registerNamespaces(address, namespaces, options.retentionDays ?? 3);
  } catch (error) {
    const tails = handles.map((handle) => `--- ${handle.role} (${handle.logFile}) ---\n${handle.tail(15)}`).join('\n');
    await stop();
    throw new Error(`the Temporal cluster did not start: ${(error as Error).message}\n${tails}`);
  }
  const startMs = Date.now() - startBegan;
  log(`Temporal cluster at ${address}: ${handles.map((handle) => `${handle.role} pid ${handle.pid} :${handle.port}`).join(', ')}`);
  return { address, namespaces, services, handles, timings: { schemaMs, startMs }, stop };
}

type ClusterPorts = Record<TemporalServiceRole, TemporalServicePorts>;

/**
 * Temporal keeps each service's ports in cluster_membership.rpc_port, a smallint: a port above 32767 makes
 * the service exit at start ("value out of range for type smallint"). findFreePort picks below 32000.
 */
const MAX_SERVICE_PORT = 32_767;

async function allocatePorts(wanted: Partial<Record<TemporalServiceRole, number>>): Promise<ClusterPorts> {
  const taken = new Set<number>();
  const pick = async (preferred: number): Promise<number> => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const port = await findFreePort(taken.has(preferred) || preferred > MAX_SERVICE_PORT ? undefined : preferred);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new Error('no free port found');
  };
  for (const [role, port] of Object.entries(wanted)) {
    if (port > MAX_SERVICE_PORT) throw new Error(`the ${role} port ${port} is above ${MAX_SERVICE_PORT}: Temporal stores service ports in a smallint column (cluster_membership.rpc_port)`);
  }
  const frontend = wanted.frontend ?? (await pick(7233));
  taken.add(frontend);
  const ports: Partial<ClusterPorts> = {};
  for (const [index, role] of TEMPORAL_SERVICE_ROLES.entries()) {
    const grpc = role === 'frontend' ? frontend : (wanted[role] ?? (await pick(frontend + GRPC_OFFSET[role])));
    taken.add(grpc);
    ports[role] = {
      grpc,
      membership: await pick(grpc - 300),
      metrics: await pick(frontend + 767 + index),
      ...(role === 'frontend' ? { http: await pick(frontend + 10) } : {}),
    };
  }
  return ports as ClusterPorts;
}

/**
 * One service's config: the module's development-postgres12.yaml with the shard count, the ports, the
 * databases and credentials filled in, archival off, pprof off, and Prometheus metrics on a port of its own.
 * Every service lists every service's ports: membership finds the others through PostgreSQL
 * (cluster_membership), and each reads its own `rpc` section.
 */
function serverConfig(
  options: TemporalClusterOptions,
  databases: { temporal: string; visibility: string },
  ports: ClusterPorts,
  role: TemporalServiceRole,
  dynamicConfigFile: string | undefined,
): Record<string, unknown> {
  const store = (databaseName: string, maxConns: number): Record<string, unknown> => ({
    sql: {
      pluginName: PLUGIN,
      databaseName,
      connectAddr: `${options.postgres.host}:${options.postgres.port}`,
      connectProtocol: 'tcp',
      user: options.postgres.user,
      password: options.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const maxConns = options.maxConns ?? 10;
  return {
    log: { stdout: true, level: options.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.shards ?? 4,
      datastores: { 'postgres-default': store(databases.temporal, maxConns), 'postgres-visibility': store(databases.visibility, 2) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      pprof: { port: 0 },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports[role].metrics}` } },
    },
    services: Object.fromEntries(
      TEMPORAL_SERVICE_ROLES.map((service) => [
        service,
        {
          rpc: {
            grpcPort: ports[service].grpc,
            membershipPort: ports[service].membership,
            bindOnIP: '127.0.0.1',
            ...(ports[service].http ? { httpPort: ports[service].http } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend.grpc}`,
          httpAddress: `127.0.0.1:${ports.frontend.http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    ...(dynamicConfigFile ? { dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' } } : {}),
  };
}

/**
 * Both databases created when missing, then `setup-schema -v 0.0` (the version tables; a no-op on a set-up
 * database) and `update-schema -d <versioned>` (every version up to the newest; a no-op when current).
 */
async function setUpSchemas(
  options: TemporalClusterOptions,
  databases: { temporal: string; visibility: string },
  log: (line: string) => void,
): Promise<void> {
  const { host, port, user, password } = options.postgres;
  for (const [kind, database] of [['temporal', databases.temporal], ['visibility', databases.visibility]] as const) {
    await ensureDatabase({ host, port, user, password, database: 'postgres' }, database);
    const tool = join(options.binDir, SQL_TOOL_BINARY);
    const common = ['--endpoint', host, '--port', String(port), '--user', user, '--plugin', PLUGIN, '--database', database];
    // The password travels in the environment (SQL_PASSWORD), not on a command line anyone can read in ps.
    const env = { ...process.env, SQL_PASSWORD: password };
    await runTool(tool, [...common, 'setup-schema', '--version', '0.0'], env);
    await runTool(tool, [...common, 'update-schema', '--schema-dir', join(options.schemaDir, kind, 'versioned')], env);
    log(`Temporal ${kind} schema of ${database} is up to date`);
  }
}

function runTool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}:\n${output.slice(-4000)}`)),
    );
  });
}

async function ensureDatabase(connection: { host: string; port: number; user: string; password: string; database: string }, name: string): Promise<void> {
  const client = new Client(connection);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    // CREATE DATABASE takes no parameters: PostgreSQL itself quotes the name into the statement (format's %I).
    const { rows } = await client.query<{ ddl: string }>(`SELECT format('CREATE DATABASE %I', $1::text) AS ddl`, [name]);
    await client.query(rows[0].ddl);
  } finally {
    await client.end();
  }
}

function serviceHandle(
  role: TemporalServiceRole,
  server: string,
  configFile: string,
  logFile: string,
  ports: ClusterPorts,
  log: (line: string) => void,
): TemporalServiceHandle {
  let child: ChildProcess | undefined;
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (!current || !running()) return;
    const gone = new Promise((resolve) => current.once('exit', resolve));
    current.kill(sig);
    await gone;
  };
  const handle: TemporalServiceHandle = {
    role,
    port: ports[role].grpc,
    ports: ports[role],
    configFile,
    logFile,
    get pid() {
      return running() ? child?.pid : undefined;
    },
    get process() {
      return running() ? child : undefined;
    },
    running,
    rss: () => {
      const pid = running() ? child?.pid : undefined;
      if (!pid) return undefined;
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    },
    kill: (sig = 'SIGKILL') => signal(sig),
    start: async () => {
      if (running()) throw new Error(`temporal ${role} is already running (pid ${child?.pid})`);
      // Straight into the log file: the output survives this process, and nothing is buffered in it.
      const out = openSync(logFile, 'a');
      try {
        child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', role], { stdio: ['ignore', out, out] });
      } finally {
        closeSync(out);
      }
      const started = child;
      started.once('exit', (code, sig) => log(`temporal ${role} (pid ${started.pid}) exited (${sig ?? code})`));
      if (role === 'frontend') await waitForTemporal(`127.0.0.1:${ports.frontend.grpc}`, STARTUP_TIMEOUT_MS, () => started.exitCode !== null || started.signalCode !== null);
      else await waitForPort(ports[role].grpc, STARTUP_TIMEOUT_MS, () => started.exitCode !== null || started.signalCode !== null, role);
    },
    stop: async () => {
      if (!running()) return;
      const forced = setTimeout(() => running() && child?.kill('SIGKILL'), 10_000);
      try {
        await signal('SIGTERM');
      } finally {
        clearTimeout(forced);
      }
    },
    tail: (lines = 30) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : ''),
  };
  return handle;
}

/** Until something listens on 127.0.0.1:`port` (a service's gRPC server is up once it has joined membership). */
async function waitForPort(port: number, timeoutMs: number, exited: () => boolean, role: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`temporal ${role} exited during start-up`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await delay(250);
  }
  throw new Error(`temporal ${role} did not listen on ${port} within ${timeoutMs} ms`);
}

const ALREADY_EXISTS = 6;

/** Registers each namespace (an existing one is left as it is) and waits until the frontend serves it. */
async function registerNamespaces(address: string, namespaces: readonly string[], retentionDays: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of namespaces) {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
        });
      } catch (error) {
        if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
      }
    }
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (const namespace of namespaces) {
      // The services' namespace caches refresh every 2 s; a visibility count proves the namespace is served.
      for (;;) {
        try {
          await connection.workflowService.countWorkflowExecutions({ namespace });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await delay(500);
        }
      }
    }
  } finally {
    await connection.close();
  }
}
