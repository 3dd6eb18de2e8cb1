// `npm test`: installs what is missing, then lint, type-check, and every jest tier against real
// PostgreSQL (embedded) and real Temporal servers (dev server, time-skipping test server, and the full
// server for the cluster tier, built once per user and cached outside the clone).
import { ensureTemporalServer } from './temporal-server.mjs';
import { build, ensureChromium, ensureConsole, ensureHaproxy, ensureNodeModules, ensureTemporalTools, npmRun } from './tools.mjs';

ensureNodeModules();
ensureConsole();
// The fault tier runs the API, the worker and the stack as separate processes from dist/.
build();
const { temporalCli, testServer } = ensureTemporalTools();
const env = {
  TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH ?? temporalCli,
  TEMPORAL_TEST_SERVER_PATH: testServer,
  CHROMIUM_PATH: ensureChromium(),
  HAPROXY_PATH: ensureHaproxy(),
};
// Before jest, not inside it: the first build takes minutes on 2 cores and would slow every tier running beside it.
await ensureTemporalServer();

for (const [script, args] of [
  ['lint', []],
  ['typecheck', []],
  ['jest', process.argv.slice(2)],
]) {
  process.stderr.write(`[test] npm run ${script}\n`);
  const status = npmRun(script, args, env);
  if (status !== 0) process.exit(status);
}
