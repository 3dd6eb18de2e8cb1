// `npm run bench [-- --quick]`: installs what is missing (npm packages, the pinned Temporal CLI), compiles the
// apps and the benchmark, then runs it (bench/main.ts). Plain JavaScript on purpose, like scripts/start.mjs:
// it runs before node_modules (and so TypeScript) exists.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureNodeModules, ensureTemporalTools, ROOT } from '../scripts/tools.mjs';

ensureNodeModules();
const env = { ...process.env };
// The pinned CLI (scripts/tool-versions.json), so the versions in docs/BENCHMARKS.md are the project's.
if (!env.TEMPORAL_CLI_PATH) env.TEMPORAL_CLI_PATH = ensureTemporalTools().temporalCli;
build();
process.stderr.write('[setup] compiling the benchmark…\n');
for (const [command, args] of [
  ['tsc', ['-p', 'bench/tsconfig.json']],
  ['tsc-alias', ['-p', 'bench/tsconfig.json']],
]) {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', command), args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const bench = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'main.js'), ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => bench.kill(signal));
bench.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
