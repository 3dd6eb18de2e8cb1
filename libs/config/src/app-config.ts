import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

/** Login names: also the rule for ADMIN_USERNAME. Stored lower-case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;

/** bcrypt reads only the first 72 bytes of a password: longer ones are refused rather than cut silently. */
export const MAX_PASSWORD_BYTES = 72;

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[value.toLowerCase()] ?? value : value;
const toNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

/** Every environment variable the API and the worker read, with its rule. */
class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT?: number;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_SSL?: boolean;

  @Matches(/^[^\s:/]+:\d{1,5}$/, { message: 'TEMPORAL_ADDRESS must be host:port, e.g. localhost:7233' })
  TEMPORAL_ADDRESS: string;

  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]+$/)
  TEMPORAL_NAMESPACE?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]+$/)
  TEMPORAL_TASK_QUEUE?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  TEMPORAL_TLS?: boolean;

  @IsOptional()
  @IsString()
  TEMPORAL_TLS_CERT_PATH?: string;

  @IsOptional()
  @IsString()
  TEMPORAL_TLS_KEY_PATH?: string;

  @IsOptional()
  @IsString()
  TEMPORAL_TLS_CA_PATH?: string;

  @IsOptional()
  @IsString()
  TEMPORAL_TLS_SERVER_NAME?: string;

  @IsOptional()
  @IsString()
  TEMPORAL_API_KEY?: string;

  @IsOptional()
  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(3600)
  WORKFLOW_START_SWEEP_SECONDS?: number;

  /** API only, for benchmarks only (`npm run bench`, R_api_db): false commits a new ticket without starting its workflow. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WORKFLOW_START_ON_CREATE?: boolean;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_METRICS_PORT?: number;

  /** Worker only: the Temporal SDK's own Prometheus metrics (task slots, schedule-to-start, sticky cache) on this port. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_SDK_METRICS_PORT?: number;

  /** Worker only: how many workflows it keeps cached (each ~0.5 MiB, docs/BENCHMARKS.md); unset: the SDK's default from the heap size. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(100_000)
  WORKER_MAX_CACHED_WORKFLOWS?: number;

  /** Worker only: workflow tasks it runs at once (the SDK's maxConcurrentWorkflowTaskExecutions, default 40). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(2)
  @Max(1000)
  WORKER_WORKFLOW_TASK_SLOTS?: number;

  /** Worker only: workflow-task polls it keeps open, sticky and shared queue together (maxConcurrentWorkflowTaskPolls, default 10). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(2)
  @Max(500)
  WORKER_WORKFLOW_TASK_POLLS?: number;

  /** Worker only: the share of those polls on the shared queue (nonStickyToStickyPollRatio, default 0.2). */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @Min(0.01)
  @Max(1)
  WORKER_SHARED_QUEUE_POLL_SHARE?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
  JWT_SECRET?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  JWT_TTL_SECONDS?: number;

  @IsOptional()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'ADMIN_USERNAME must be 3-64 letters, digits, dots, dashes or underscores' })
  ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_ROUNDS?: number;

  /** °C of the indoor standard's first version: read once, by its migration (PausesAndRefunds); checked here so a bad value stops the boot. */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(10)
  @Max(30)
  ROOM_TEMPERATURE_STANDARD?: number;

  @IsOptional()
  @IsString()
  WORKFLOW_BUNDLE_PATH?: string;

  /** API only: after SIGTERM/SIGINT, how long readiness answers 503 `draining` while requests are still served, before the server closes. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(300_000)
  SHUTDOWN_DRAIN_MS?: number;

  /** Origins (scheme://host[:port], comma-separated) whose pages may call the API from a browser; unset: none (CORS closed). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,/]+(,\s*https?:\/\/[^\s,/]+)*$/, { message: 'CORS_ORIGINS must be a comma-separated list of origins like https://console.example.cn' })
  CORS_ORIGINS?: string;

  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), as Express's
   * `trust proxy`: `loopback`, a hop count, or addresses/CIDRs, comma-separated. Unset: none (the socket's
   * peer is the client). Behind a balancer it must be set, or every client counts as the balancer's address
   * in the per-address login throttle.
   */
  @IsOptional()
  @Matches(/^(loopback|linklocal|uniquelocal|[0-9]{1,2}|[0-9a-fA-F:.]+(\/[0-9]{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/[0-9]{1,3})?))*$/, {
    message: 'TRUST_PROXY must be loopback, a hop count, or comma-separated addresses/CIDRs of the proxies in front of the API',
  })
  TRUST_PROXY?: string;
}

export interface TemporalTlsConfig {
  readonly certPath?: string;
  readonly keyPath?: string;
  readonly caPath?: string;
  readonly serverName?: string;
}

/** The typed, validated configuration both apps share. */
export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  readonly database: { readonly url: string; readonly poolSize: number; readonly ssl: boolean };
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly taskQueue: string;
    readonly tls: TemporalTlsConfig | null;
    readonly apiKey?: string;
  };
  /** How often the worker looks for committed tickets whose workflow has not started yet. */
  readonly workflowStartSweepMs: number;
  /**
   * API only, for benchmarks only (WORKFLOW_START_ON_CREATE; true when unset): false makes `POST /tickets`
   * commit the ticket and answer without starting its workflow, so `npm run bench` can measure the API and
   * PostgreSQL alone (R_api_db). The worker's sweeper still starts those workflows later. Refused in production.
   * loadConfig always sets it; a configuration built by hand (tests) may leave it out: started.
   */
  readonly startWorkflowOnCreate?: boolean;
  /** Port of the worker's Prometheus `/metrics` server; null (WORKER_METRICS_PORT unset): no server. */
  readonly workerMetricsPort: number | null;
  /**
   * Port of the Temporal SDK's own Prometheus metrics in the worker (its Rust core serves them, apart from
   * ours); null (WORKER_SDK_METRICS_PORT unset): not exported.
   */
  readonly workerSdkMetricsPort: number | null;
  /**
   * WORKER_MAX_CACHED_WORKFLOWS: the worker's sticky cache (memory for fewer replays). Undefined: the SDK's
   * default, sized from the heap (2,310 workflows, ~1.2 GiB, on a 24 GiB machine).
   */
  readonly workerMaxCachedWorkflows?: number;
  /**
   * The worker's workflow-task concurrency (WORKER_WORKFLOW_TASK_SLOTS, WORKER_WORKFLOW_TASK_POLLS,
   * WORKER_SHARED_QUEUE_POLL_SHARE); each undefined: the SDK's default. docs/operations.md says what they trade.
   */
  readonly workerWorkflowTasks: { readonly slots?: number; readonly polls?: number; readonly sharedQueuePollShare?: number };
  readonly auth: AuthConfig;
  /**
   * The prebuilt workflow bundle the worker runs (WORKFLOW_BUNDLE_PATH, set by the Docker image); null:
   * the worker bundles the workflow sources when it starts (development, tests).
   */
  readonly workflowBundlePath: string | null;
  /** Browser origins allowed to call the API (CORS); empty: CORS closed, only the API's own origin (the console) calls it. */
  readonly corsOrigins: readonly string[];
  /** TRUST_PROXY as Express's `trust proxy` takes it (a hop count or a list); null: no proxy believed. */
  readonly trustProxy?: number | readonly string[] | null;
  /**
   * API only: how long, after SIGTERM/SIGINT, the API keeps serving with readiness at 503 `draining`, so a
   * balancer stops sending it traffic before it closes (SHUTDOWN_DRAIN_MS; DEFAULT_SHUTDOWN_DRAIN_MS).
   * loadConfig always sets it; a configuration built by hand (tests) may leave it out: no drain.
   */
  readonly shutdownDrainMs?: number;
}

/**
 * SHUTDOWN_DRAIN_MS when unset. Production: 5 s, a few rounds of a balancer's health checks (or of a
 * Kubernetes endpoint update) to take the replica out before it stops accepting connections; it must stay
 * below the orchestrator's kill timeout (Compose: 10 s) minus the longest request. Elsewhere 0: no balancer
 * in front, so Ctrl-C stops at once (in-flight requests still finish).
 */
export const DEFAULT_SHUTDOWN_DRAIN_MS: Record<AppConfig['env'], number> = { production: 5000, development: 0, test: 0 };

export interface AuthConfig {
  /** JWT_SECRET; undefined when unset (the API then resolves one with resolveJwtSecret). */
  readonly jwtSecret?: string;
  readonly tokenTtlSeconds: number;
  /** Bootstrap admin, used only while no admin user exists. */
  readonly adminUsername?: string;
  readonly adminPassword?: string;
  readonly bcryptRounds: number;
}

export class ConfigError extends Error {}

/** Validates `env` once at boot; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const vars = plainToInstance(EnvironmentVariables, present);
  const errors = validateSync(vars, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const shown = error.property in present ? `"${String(present[error.property])}"` : 'missing';
      return `  ${error.property} (${shown}): ${Object.values(error.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (vars.ADMIN_PASSWORD && Buffer.byteLength(vars.ADMIN_PASSWORD) > MAX_PASSWORD_BYTES) {
    throw new ConfigError(`Invalid configuration:\n  ADMIN_PASSWORD: at most ${MAX_PASSWORD_BYTES} bytes in UTF-8 (bcrypt ignores the rest)`);
  }
  if (vars.WORKFLOW_BUNDLE_PATH && !existsSync(vars.WORKFLOW_BUNDLE_PATH)) {
    throw new ConfigError(`Invalid configuration:\n  WORKFLOW_BUNDLE_PATH ("${vars.WORKFLOW_BUNDLE_PATH}"): no such file (build it with npm run build:workflows)`);
  }
  const tlsWanted = vars.TEMPORAL_TLS ?? Boolean(vars.TEMPORAL_TLS_CERT_PATH || vars.TEMPORAL_API_KEY);
  if (Boolean(vars.TEMPORAL_TLS_CERT_PATH) !== Boolean(vars.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  // The SDK refuses more open polls than task slots (its defaults: 10 and 40).
  if ((vars.WORKER_WORKFLOW_TASK_POLLS ?? 10) > (vars.WORKER_WORKFLOW_TASK_SLOTS ?? 40)) {
    throw new ConfigError(
      `Invalid configuration:\n  WORKER_WORKFLOW_TASK_POLLS ("${vars.WORKER_WORKFLOW_TASK_POLLS ?? 10}"): at most WORKER_WORKFLOW_TASK_SLOTS ("${vars.WORKER_WORKFLOW_TASK_SLOTS ?? 40}")`,
    );
  }
  const nodeEnv = (vars.NODE_ENV ?? 'development') as AppConfig['env'];
  if (vars.WORKFLOW_START_ON_CREATE === false && nodeEnv === 'production') {
    throw new ConfigError('Invalid configuration:\n  WORKFLOW_START_ON_CREATE ("false"): for benchmarks only, never in production (tickets would wait for the sweeper)');
  }
  return {
    env: nodeEnv,
    port: vars.PORT ?? 3000,
    logLevel: (vars.LOG_LEVEL ?? 'log') as AppConfig['logLevel'],
    database: { url: vars.DATABASE_URL, poolSize: vars.DATABASE_POOL_SIZE ?? 10, ssl: vars.DATABASE_SSL ?? false },
    temporal: {
      address: vars.TEMPORAL_ADDRESS,
      namespace: vars.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: vars.TEMPORAL_TASK_QUEUE ?? 'tickets',
      tls: tlsWanted
        ? {
            certPath: vars.TEMPORAL_TLS_CERT_PATH,
            keyPath: vars.TEMPORAL_TLS_KEY_PATH,
            caPath: vars.TEMPORAL_TLS_CA_PATH,
            serverName: vars.TEMPORAL_TLS_SERVER_NAME,
          }
        : null,
      apiKey: vars.TEMPORAL_API_KEY,
    },
    workflowStartSweepMs: (vars.WORKFLOW_START_SWEEP_SECONDS ?? 5) * 1000,
    startWorkflowOnCreate: vars.WORKFLOW_START_ON_CREATE ?? true,
    workerMetricsPort: vars.WORKER_METRICS_PORT ?? null,
    workerSdkMetricsPort: vars.WORKER_SDK_METRICS_PORT ?? null,
    workerWorkflowTasks: { slots: vars.WORKER_WORKFLOW_TASK_SLOTS, polls: vars.WORKER_WORKFLOW_TASK_POLLS, sharedQueuePollShare: vars.WORKER_SHARED_QUEUE_POLL_SHARE },
    workerMaxCachedWorkflows: vars.WORKER_MAX_CACHED_WORKFLOWS,
    auth: {
      jwtSecret: vars.JWT_SECRET,
      tokenTtlSeconds: vars.JWT_TTL_SECONDS ?? 28_800,
      adminUsername: vars.ADMIN_USERNAME?.toLowerCase(),
      adminPassword: vars.ADMIN_PASSWORD,
      bcryptRounds: vars.BCRYPT_ROUNDS ?? 12,
    },
    workflowBundlePath: vars.WORKFLOW_BUNDLE_PATH ?? null,
    corsOrigins: vars.CORS_ORIGINS ? vars.CORS_ORIGINS.split(',').map((origin) => origin.trim()) : [],
    shutdownDrainMs: vars.SHUTDOWN_DRAIN_MS ?? DEFAULT_SHUTDOWN_DRAIN_MS[nodeEnv],
    trustProxy: parseTrustProxy(vars.TRUST_PROXY),
  };
}

function parseTrustProxy(value: string | undefined): number | readonly string[] | null {
  if (!value) return null;
  return /^[0-9]{1,2}$/.test(value) ? Number(value) : value.split(',').map((entry) => entry.trim());
}

/**
 * The key that signs access tokens, resolved by the API at boot (the worker signs nothing, so it does not
 * need one). Production refuses to start without JWT_SECRET; elsewhere a random per-process key is made,
 * and `generated` tells the caller to warn that tokens will not survive a restart or work across replicas.
 */
export function resolveJwtSecret(config: Pick<AppConfig, 'env' | 'auth'>): { secret: string; generated: boolean } {
  if (config.auth.jwtSecret) return { secret: config.auth.jwtSecret, generated: false };
  if (config.env === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_SECRET (missing): required in production, at least 32 characters, the same on every API replica',
    );
  }
  return { secret: randomBytes(32).toString('hex'), generated: true };
}

type NestLogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Nest's logger takes the list of levels to print; LOG_LEVEL names the most verbose one. */
export function nestLogLevels(level: AppConfig['logLevel']): NestLogLevel[] {
  const all: NestLogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];
  return all.slice(0, all.indexOf(level) + 1);
}

/** Names of every variable the apps read: the Docker test checks compose sets no unknown one. */
export function knownEnvironmentVariables(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))].sort();
}
