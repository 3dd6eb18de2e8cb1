// `npm test`: installs what is missing, then lint, type-check, and every jest tier against real
// PostgreSQL (embedded) and real Temporal servers (dev server and time-skipping test server).
import { build, ensureChromium, ensureConsole, ensureNodeModules, ensureTemporalTools, npmRun } from './tools.mjs';

ensureNodeModules();
ensureConsole();
// The fault tier runs the API, the worker and the stack as separate processes from dist/.
build();
const { temporalCli, testServer } = ensureTemporalTools();
const env = {
  TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH ?? temporalCli,
  TEMPORAL_TEST_SERVER_PATH: testServer,
  CHROMIUM_PATH: ensureChromium(),
};

for (const [script, args] of [
  ['lint', []],
  ['typecheck', []],
  ['jest', process.argv.slice(2)],
]) {
  process.stderr.write(`[test] npm run ${script}\n`);
  const status = npmRun(script, args, env);
  if (status !== 0) process.exit(status);
}
