// `npm run start:cluster`: installs what is missing (node modules, HAProxy; the Temporal server is built on
// first use by the cluster itself), compiles, then runs the cluster (scripts/cluster.ts).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureConsole, ensureHaproxy, ensureNodeModules, ROOT } from './tools.mjs';

ensureNodeModules();
const env = { ...process.env, HAPROXY_PATH: ensureHaproxy() };
build();
ensureConsole();

const cluster = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'cluster.js'), ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
// Ctrl-C reaches the whole process group; the cluster shuts its children down, and we wait for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => cluster.kill(signal));
cluster.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
