import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { AppConfig } from '@app/config';

export const TEMPLATE_DATABASE = 'hotline_template';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test)`);
  return value;
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the template: each test file gets its own. `empty`: no schema at all. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = required('TEST_PG_ADMIN_URL');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${options.empty ? 'template0' : TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function temporalTestAddress(): string {
  return required('TEST_TEMPORAL_ADDRESS');
}

/** A unique task queue per test file keeps files running in parallel from taking each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Fixed for tests only: tokens signed in one test system verify in another on the same database. */
export const TEST_JWT_SECRET = 'test-only-jwt-secret-never-used-in-production';
/** The bootstrap admin every test system creates (ADMIN_USERNAME/ADMIN_PASSWORD), so none is printed. */
export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password' } as const;

export function testConfig(overrides: {
  databaseUrl: string;
  taskQueue: string;
  temporalAddress?: string;
  auth?: Partial<AppConfig['auth']>;
  /** The worker's /metrics server port; none by default. */
  workerMetricsPort?: number;
}): AppConfig {
  return {
    env: 'test',
    port: 0,
    logLevel: 'error',
    database: { url: overrides.databaseUrl, poolSize: 5, ssl: false },
    temporal: {
      address: overrides.temporalAddress ?? temporalTestAddress(),
      namespace: 'default',
      taskQueue: overrides.taskQueue,
      tls: null,
    },
    workflowStartSweepMs: 1000,
    workerMetricsPort: overrides.workerMetricsPort ?? null,
    workerSdkMetricsPort: null,
    workerWorkflowTasks: {},
    // bcrypt's lowest cost: hashing stays real but takes about a millisecond.
    auth: {
      jwtSecret: TEST_JWT_SECRET,
      tokenTtlSeconds: 28_800,
      adminUsername: TEST_ADMIN.username,
      adminPassword: TEST_ADMIN.password,
      bcryptRounds: 4,
      ...overrides.auth,
    },
    workflowBundlePath: null,
    corsOrigins: [],
  };
}
