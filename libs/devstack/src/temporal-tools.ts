import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Project root: this file sits at libs/devstack/src (sources) or dist/libs/devstack/src (compiled). */
export function projectRoot(): string {
  const up = resolve(__dirname, '../../..');
  return existsSync(join(up, 'package.json')) ? up : resolve(up, '..');
}

/** Where `scripts/tools.mjs` installs the pinned PyPI wheels. */
export function toolsBinDir(): string {
  return join(projectRoot(), '.tools', 'venv', 'bin');
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function firstExisting(what: string, candidates: Array<string | undefined>, hint: string): string {
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) throw new Error(`${what} not found (looked in ${candidates.filter(Boolean).join(', ')}); ${hint}`);
  return found;
}

const INSTALL_HINT = 'run `npm start` or `npm test`, which install it (node scripts/tools.mjs)';

/** The `temporal` CLI: $TEMPORAL_CLI_PATH, the pinned project-local install, or one on PATH. */
export function temporalCliPath(): string {
  return firstExisting(
    'The temporal CLI',
    [process.env.TEMPORAL_CLI_PATH, join(toolsBinDir(), 'temporal'), onPath('temporal')],
    INSTALL_HINT,
  );
}

/** The time-skipping test server: $TEMPORAL_TEST_SERVER_PATH or the pinned project-local install. */
export function temporalTestServerPath(): string {
  return firstExisting(
    'The Temporal time-skipping test server',
    [process.env.TEMPORAL_TEST_SERVER_PATH, join(toolsBinDir(), 'temporal-test-server')],
    INSTALL_HINT,
  );
}
