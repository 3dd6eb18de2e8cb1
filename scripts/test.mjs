// `npm test`: installs what is missing, then lint, type-check, and every jest tier against real
// PostgreSQL (embedded) and real Temporal servers (dev server and time-skipping test server).
import { ensureChromium, ensureConsole, ensureNodeModules, ensureTemporalTools, npmRun } from './tools.mjs';

ensureNodeModules();
ensureConsole();
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
