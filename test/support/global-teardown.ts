import { rmSync } from 'node:fs';
import type { RunningPostgres } from '../../libs/devstack/src/embedded-postgres';
import type { RunningTemporal } from '../../libs/devstack/src/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__HOTLINE_TEST_SERVERS__ as
    | { postgres: RunningPostgres; temporal: RunningTemporal; scratch: string }
    | undefined;
  if (!servers) return;
  await servers.temporal.stop();
  await servers.postgres.stop();
  rmSync(servers.scratch, { recursive: true, force: true });
}
