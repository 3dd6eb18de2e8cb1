// The real Temporal server (not the dev server) and its schema tool, built once per user with `go install`
// from the Go module proxy at the version pinned in scripts/temporal-server-version.json, into a cache folder
// outside the clone, so later clones and CI on the same machine reuse it:
//   $XDG_CACHE_HOME/heating-hotline/temporal-server/<version>/   (else ~/.cache/heating-hotline/…)
//     bin/temporal-server      the server (frontend, history, matching and worker services)
//     bin/temporal-sql-tool    the schema tool (setup-schema, update-schema)
//     schema/postgresql/v12/{temporal,visibility}/versioned/…   the PostgreSQL schemas shipped by the module
//     config/development-postgres12.yaml                          the module's sample config (for reference)
//     installed.json           what was built, with which toolchain, how long it took
// Dependency-free on purpose, like tools.mjs. As a command, `node scripts/temporal-server.mjs` builds what is
// missing and prints the paths as JSON on stdout (progress goes to stderr), for callers that cannot import it.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MODULE = 'go.temporal.io/server';
/** Module package → the name the binary gets in the cache. */
const BINARIES = { 'cmd/server': 'temporal-server', 'cmd/tools/sql': 'temporal-sql-tool' };
const SCHEMAS = ['schema/postgresql/v12/temporal', 'schema/postgresql/v12/visibility'];
const SAMPLE_CONFIG = 'config/development-postgres12.yaml';

function say(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

/** `{ server: 'v1.32.2', goToolchain: 'go1.26.11' }` from scripts/temporal-server-version.json. */
export function temporalServerPin() {
  const pin = JSON.parse(readFileSync(join(ROOT, 'scripts', 'temporal-server-version.json'), 'utf8'));
  return { server: pin.server, goToolchain: pin.goToolchain };
}

/** The per-user cache folder of one server version (not created here). */
export function temporalServerCacheDir(version = temporalServerPin().server) {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'heating-hotline', 'temporal-server', version);
}

/** The go command: $GO, one on PATH, or the usual install location. */
function goCommand() {
  if (process.env.GO) return process.env.GO;
  if (spawnSync('go', ['version']).status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('Go is needed to build the Temporal server (go install from the Go module proxy): none on PATH or in /usr/local/go');
}

/**
 * The environment the go command runs in. GOTOOLCHAIN names the exact toolchain the server needs (the go
 * command fetches it through the module proxy; a machine's own Go ignores a module's toolchain line when
 * GOTOOLCHAIN=local, as here). GOWORK=off: no go.work of a folder above may take part. GOPATH and the module
 * cache stay the user's defaults, shared with every other Go build.
 */
function goEnv(pin, extra = {}) {
  return { ...process.env, GOTOOLCHAIN: pin.goToolchain, GOWORK: 'off', ...extra };
}

/** True when the binary runs and reports the pinned version (`temporal version 1.32.2`). */
function binaryAnswers(path, version) {
  if (!existsSync(path)) return false;
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 && result.stdout.includes(version.replace(/^v/, ''));
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const began = Date.now();
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    // go install is silent for minutes: a line a minute shows it is still at work.
    const ticker = setInterval(() => say(`  …still building (${Math.round((Date.now() - began) / 60_000)} min)`), 60_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

/** The module's folder in the Go module cache, downloaded when missing (`go mod download -json`). */
function moduleDir(go, pin, cwd) {
  const result = spawnSync(go, ['mod', 'download', '-json', `${MODULE}@${pin.server}`], { cwd, env: goEnv(pin), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`go mod download ${MODULE}@${pin.server} failed: ${result.stderr || result.stdout}`);
  const { Dir: dir } = JSON.parse(result.stdout);
  if (!dir || !existsSync(dir)) throw new Error(`go mod download gave no folder for ${MODULE}@${pin.server}`);
  return dir;
}

/** Makes a copied tree writable again: the module cache is read-only, and so would be the copy. */
function makeWritable(path) {
  const stat = statSync(path);
  chmodSync(path, stat.isDirectory() ? 0o755 : 0o644);
  if (stat.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

/**
 * Builds what is missing of the pinned Temporal server and its sql tool into the cache folder and copies the
 * PostgreSQL schemas beside them. Skips whatever is already there and answers `--version`. Returns the paths.
 */
export async function ensureTemporalServer() {
  const pin = temporalServerPin();
  const dir = temporalServerCacheDir(pin.server);
  const binDir = join(dir, 'bin');
  const paths = {
    version: pin.server,
    dir,
    binDir,
    server: join(binDir, BINARIES['cmd/server']),
    sqlTool: join(binDir, BINARIES['cmd/tools/sql']),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  };
  const missing = Object.entries(BINARIES).filter(([, name]) => !binaryAnswers(join(binDir, name), pin.server));
  const schemasPresent = SCHEMAS.every((schema) => existsSync(join(dir, schema, 'versioned')));
  if (missing.length === 0 && schemasPresent) return paths;

  mkdirSync(binDir, { recursive: true });
  const go = goCommand();
  const stampFile = join(dir, 'installed.json');
  const stamp = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {};
  if (missing.length > 0) {
    const what = missing.map(([, name]) => name).join(' and ');
    const slow = missing.some(([pkg]) => pkg === 'cmd/server');
    say(`building the Temporal server ${pin.server} (${what}) with ${pin.goToolchain} into ${binDir}${slow ? ' (about 7 minutes on 2 cores, once)' : ''}…`);
    // Built into a folder of this process and moved into place: a build cut short leaves no half binary,
    // and a second clone building at the same time only wastes its own work.
    const partial = join(dir, `.bin-${process.pid}`);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial);
    const began = Date.now();
    try {
      await run(go, ['install', ...missing.map(([pkg]) => `${MODULE}/${pkg}@${pin.server}`)], { cwd: dir, env: goEnv(pin, { GOBIN: partial }) });
      for (const [pkg, name] of missing) renameSync(join(partial, pkg.split('/').pop()), join(binDir, name));
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    const seconds = Math.round((Date.now() - began) / 1000);
    say(`built ${what} in ${seconds} s`);
    for (const [, name] of missing) stamp[name] = { buildSeconds: seconds, builtAt: new Date().toISOString() };
  }
  if (!schemasPresent) {
    const source = moduleDir(go, pin, dir);
    for (const part of [...SCHEMAS, SAMPLE_CONFIG]) {
      rmSync(join(dir, part), { recursive: true, force: true });
      cpSync(join(source, part), join(dir, part), { recursive: true });
      makeWritable(join(dir, part));
    }
    say(`copied the PostgreSQL schemas of ${MODULE}@${pin.server} into ${paths.schemaDir}`);
  }
  writeFileSync(stampFile, `${JSON.stringify({ ...stamp, module: MODULE, version: pin.server, goToolchain: pin.goToolchain }, null, 2)}\n`);
  for (const [, name] of Object.entries(BINARIES)) {
    if (!binaryAnswers(join(binDir, name), pin.server)) throw new Error(`${join(binDir, name)} was built but does not answer --version with ${pin.server}`);
  }
  return paths;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureTemporalServer()
    .then((paths) => process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`))
    .catch((error) => {
      say(error.message);
      process.exit(1);
    });
}
