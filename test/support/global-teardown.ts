import { rmSync } from 'node:fs';
import type { RunningPostgres, RunningTemporal } from '../../libs/devstack/src';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__HOTLINE_TEST_SERVERS__ as
    | { postgres: RunningPostgres; temporal: RunningTemporal; scratch: string }
    | undefined;
  if (!servers) return;
  await servers.temporal.stop();
  await servers.postgres.stop();
  rmSync(servers.scratch, { recursive: true, force: true });
}
