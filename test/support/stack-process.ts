import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, projectRoot } from '@app/devstack';
import type { StackFile, StackRole } from '../../scripts/stack';
import { eventually } from './system';
import { TEST_ADMIN } from './test-env';

export type { StackFile, StackRole };

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Everything a process printed (stdout and stderr, colours stripped), and waiting for a line to appear:
 * `const mark = output.mark(); …; await output.waitFor(/restarting/, mark)` waits for one printed after the mark.
 */
export class ProcessOutput {
  private text = '';
  private readonly waiters = new Set<() => void>();

  append(chunk: Buffer): void {
    // eslint-disable-next-line no-control-regex -- ANSI colour codes of Nest's logger
    this.text += chunk.toString().replace(/\u001b\[[0-9;]*m/g, '');
    for (const wake of this.waiters) wake();
  }

  all(): string {
    return this.text;
  }

  /** Where the output ends now: pass it to `waitFor` to see only what comes after. */
  mark(): number {
    return this.text.length;
  }

  /** The last `lines` lines, for a failing test's message. */
  tail(lines = 40): string {
    return this.text.split('\n').slice(-lines).join('\n');
  }

  /** The first match of `pattern` printed after `from`; rejects after `timeoutMs` or when `gaveUp` says so. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000, gaveUp: () => string | undefined = () => undefined): Promise<RegExpExecArray> {
    return new Promise((resolveMatch, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.text.slice(from));
        const reason = match ? undefined : gaveUp();
        if (!match && !reason) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        if (match) resolveMatch(match);
        else reject(new Error(`${pattern} never printed: ${reason}\n--- output ---\n${this.tail()}`));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${pattern} not printed within ${timeoutMs} ms\n--- output ---\n${this.tail()}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Wakes the waiters (e.g. when the process exits, so `gaveUp` is asked again). */
  poke(): void {
    for (const wake of this.waiters) wake();
  }
}

/** A Node process from dist/ (the stack, the API, the worker) in a process group of its own. */
export class NodeProcess {
  readonly process: ChildProcess;
  readonly output = new ProcessOutput();
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  constructor(
    readonly name: string,
    entry: string,
    env: NodeJS.ProcessEnv,
    args: string[] = [],
  ) {
    // detached: its own process group, so a SIGKILL fallback reaches its children too (the stack's
    // PostgreSQL, Temporal, API and worker); signals the test sends go to it alone.
    this.process = spawn(process.execPath, [join(projectRoot(), entry), ...args], { cwd: projectRoot(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.process.stdout?.on('data', (chunk: Buffer) => this.output.append(chunk));
    this.process.stderr?.on('data', (chunk: Buffer) => this.output.append(chunk));
    this.exited = new Promise((resolveExit) =>
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolveExit(this.exit);
        this.output.poke();
      }),
    );
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.process.pid;
  }

  /** Set once the process has exited. */
  get exitStatus(): Exit | undefined {
    return this.exit;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.process.kill(signal);
  }

  /** A line printed after `from`; fails at once if the process exits first. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpExecArray> {
    return this.output.waitFor(pattern, from, timeoutMs, () => (this.exit ? `${this.name} exited (${this.exit.signal ?? `exit code ${this.exit.code}`})` : undefined));
  }

  /** `signal`, then SIGKILL to its whole group after `graceMs`; resolves with how it ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<Exit> {
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolveForced) => (timer = setTimeout(resolveForced, graceMs)));
    const exit = await Promise.race([this.exited, forced.then(() => undefined)]);
    clearTimeout(timer);
    if (exit) return exit;
    this.killGroup();
    return this.exited;
  }

  /** SIGKILL to every process of its group, the ones its exit left behind included. */
  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // no such group any more
    }
  }
}

/** A free port for an API whose neighbours (PORT + 2433 … + 6233, where the stack puts PostgreSQL, Temporal and the worker's metrics) stay below 65536. */
export async function freeApiPort(): Promise<number> {
  for (;;) {
    const port = await findFreePort(20_000 + Math.floor(Math.random() * 30_000));
    // The stack refuses a PORT above 60000; an OS-picked one may be.
    if (port <= 59_000) return port;
  }
}

/**
 * Ctrl-C (SIGINT) to a stack or cluster and wait; then whatever is left (it was killed, or could not stop a
 * part): its process group, and every process its JSON file last named.
 */
export async function stopLeavingNothing(node: NodeProcess, graceMs: number, lastNamedPids: () => number[]): Promise<Exit> {
  const exit = await node.stop('SIGINT', graceMs);
  node.killGroup();
  const leftovers = lastNamedPids().filter(isRunning);
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await eventually(async () => (leftovers.some(isRunning) ? undefined : true), 30_000, `the processes of ${node.name} gone`);
  return exit;
}

/** True while `pid` runs (a zombie, dead but not reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** `npm start` as a child process: node dist/scripts/stack.js with its own DATA_DIR and PORT. */
export interface RunningStack {
  readonly dataDir: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly stackFilePath: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly node: NodeProcess;
  readonly output: ProcessOutput;
  /** DATA_DIR/stack.json as it is now; undefined while it does not exist. */
  info(): StackFile | undefined;
  /** The pid stack.json gives for `role`. */
  pid(role: StackRole): number | undefined;
  /** SIGINT (Ctrl-C) and wait; SIGKILL to everything left after `graceMs`; then the data directory goes. Safe to call twice. */
  stop(graceMs?: number): Promise<Exit>;
}

/**
 * Starts the real stack (embedded PostgreSQL, Temporal dev server with file persistence, migrations, worker,
 * API) in a temporary DATA_DIR on a free PORT, and waits until stack.json exists and GET /health is 200.
 * The bootstrap admin is TEST_ADMIN; bcrypt runs at its lowest cost. `env` adds or overrides variables.
 */
export async function startStack(options: { env?: NodeJS.ProcessEnv; args?: string[]; readyTimeoutMs?: number } = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hotline-stack-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp dir.
  chmodSync(dataDir, 0o755);
  const port = await freeApiPort();
  const stackFilePath = join(dataDir, 'stack.json');
  // Nothing of the jest run's own servers or settings leaks in: the stack starts and finds everything itself.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET', 'WORKER_METRICS_PORT', 'SHUTDOWN_DRAIN_MS'].includes(name)),
  );
  const node = new NodeProcess('stack', 'dist/scripts/stack.js', {
    ...inherited,
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    BCRYPT_ROUNDS: '4',
    ...options.env,
  }, options.args);
  let lastInfo: StackFile | undefined;
  const info = (): StackFile | undefined => {
    try {
      lastInfo = JSON.parse(readFileSync(stackFilePath, 'utf8')) as StackFile;
      return lastInfo;
    } catch {
      return undefined; // absent, or (never: it is renamed into place) half written
    }
  };
  let stopped: Promise<Exit> | undefined;
  const stack: RunningStack = {
    dataDir,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stackFilePath,
    admin: TEST_ADMIN,
    node,
    output: node.output,
    info,
    pid: (role) => info()?.processes.find((entry) => entry.role === role)?.pid,
    stop: (graceMs = 60_000) =>
      (stopped ??= (async () => {
        const exit = await stopLeavingNothing(node, graceMs, () => (lastInfo?.processes ?? []).map((entry) => entry.pid));
        rmSync(dataDir, { recursive: true, force: true });
        return exit;
      })()),
  };
  try {
    await eventually(
      async () => {
        if (node.exitStatus) throw new Error(`the stack exited during start-up (${JSON.stringify(node.exitStatus)}):\n${node.output.tail()}`);
        if (!existsSync(stackFilePath) || !info()) return undefined;
        const health = await fetch(`${stack.baseUrl}/health`).catch(() => undefined);
        return health?.status === 200 ? true : undefined;
      },
      options.readyTimeoutMs ?? 120_000,
      'the stack ready (stack.json written, GET /health 200)',
    );
  } catch (error) {
    await stack.stop(5_000);
    throw new Error(`${(error as Error).message}\n--- stack output ---\n${node.output.tail(60)}`);
  }
  return stack;
}

/**
 * The compiled API or worker alone (node dist/apps/<app>/src/main.js), with the environment the stack would
 * give it; the caller supplies DATABASE_URL, TEMPORAL_ADDRESS, PORT and the rest.
 */
export function spawnApp(app: 'api' | 'worker', env: NodeJS.ProcessEnv): NodeProcess {
  return new NodeProcess(app, `dist/apps/${app}/src/main.js`, env);
}
