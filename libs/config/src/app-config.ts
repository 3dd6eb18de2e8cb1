import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

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
  const tlsWanted = vars.TEMPORAL_TLS ?? Boolean(vars.TEMPORAL_TLS_CERT_PATH || vars.TEMPORAL_API_KEY);
  if (Boolean(vars.TEMPORAL_TLS_CERT_PATH) !== Boolean(vars.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  return {
    env: (vars.NODE_ENV ?? 'development') as AppConfig['env'],
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
  };
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
