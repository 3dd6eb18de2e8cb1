import 'reflect-metadata';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
// Global setup runs under Node's own require, without jest's alias mapping: import by path.
import { startEmbeddedPostgres } from '../../libs/devstack/src/embedded-postgres';
import { findFreePort } from '../../libs/devstack/src/ports';
import { startTemporalDevServer } from '../../libs/devstack/src/temporal-dev-server';
import { temporalCliPath } from '../../libs/devstack/src/temporal-tools';
import { runMigrations } from '../../libs/persistence/src/data-source';
import { TEMPLATE_DATABASE } from './test-env';

/**
 * Once per jest run: a throw-away real PostgreSQL with a migrated template database (each test file
 * clones its own from it), and a real Temporal dev server in memory. Workers inherit the env vars.
 */
export default async function globalSetup(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'hotline-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp dir.
  chmodSync(scratch, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(scratch, 'postgres'),
    port: await findFreePort(),
    database: TEMPLATE_DATABASE,
    persistent: false,
  });
  await runMigrations({ url: postgres.url });
  // A template must have no open connections when cloned; runMigrations closed its own.
  const admin = new Client({ connectionString: postgres.urlFor('postgres') });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${TEMPLATE_DATABASE} WITH is_template true`);
  await admin.end();

  const temporal = await startTemporalDevServer({
    cliPath: temporalCliPath(),
    port: await findFreePort(),
    namespace: 'default',
  });
  process.env.TEST_PG_ADMIN_URL = postgres.urlFor('postgres');
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  (globalThis as Record<string, unknown>).__HOTLINE_TEST_SERVERS__ = { postgres, temporal, scratch };
}
