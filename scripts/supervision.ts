// What `npm start` (scripts/stack.ts) and `npm run start:cluster` (scripts/cluster.ts) share: supervised
// child processes, the private files they write, and small start-up helpers.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoData, type DemoUser } from '@app/devstack';

export const say = (message: string, tag = 'stack'): void => void process.stdout.write(`[${tag}] ${message}\n`);

/**
 * How children are supervised. A child that exits without being asked to is restarted after a back-off;
 * one in a crash loop stops the whole stack, since restarting it again would only hide the cause.
 */
export const SUPERVISION = {
  /**
   * The first restart waits 1 s: a crash costs about a second, yet a child failing at once cannot spin the
   * CPU. STACK_FIRST_BACKOFF_MS overrides it for tests only: the cluster tier keeps a killed worker down
   * long enough to see the other worker take over its rungs.
   */
  firstBackoffMs: positiveIntegerFromEnv('STACK_FIRST_BACKOFF_MS', 1000),
  /** Each further restart waits twice as long, up to 30 s: a dependency that is down gets time to come back. */
  maxBackoffMs: 30_000,
  /** A child up 30 s has started properly (the worker bundles its workflows in 5-15 s): its next crash waits 1 s again. */
  stableAfterMs: 30_000,
  /** 5 crashes of one child within 60 s are a crash loop. */
  crashLoopCrashes: 5,
  /**
   * STACK_CRASH_LOOP_WINDOW_MS overrides it for tests only: with a long window, the crashes a test causes
   * count as one loop however slowly a loaded machine restarts the child, so the loop is found every time.
   */
  crashLoopWindowMs: positiveIntegerFromEnv('STACK_CRASH_LOOP_WINDOW_MS', 60_000),
} as const;

/** How often a held child's hold is looked at again. */
const HELD_POLL_MS = 500;

/** How many of a child's last output lines the crash-loop message repeats. */
const OUTPUT_TAIL_LINES = 30;

export interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

export interface SupervisorHooks {
  /** True once the stack is stopping: an exit is then expected, and nothing is restarted. */
  stopping(): boolean;
  /** A child exited or was restarted (with a new pid): what runs where has changed. */
  changed(): void;
  /** The child is in a crash loop; `reason` says so in a line. */
  crashLoop(reason: string): void;
  /**
   * True while the child is held: it is not restarted until released (the cluster's DATA_DIR/hold/<name>,
   * for maintenance on one replica, and for the cluster tier to keep a killed worker down).
   */
  held?(name: string): boolean;
}

/** What a supervised child is: how to start it (again) and how to stop it. */
export interface ChildSpec {
  readonly name: string;
  /** Starts the process; its piped output is forwarded to ours. */
  launch(): ChildProcess | Promise<ChildProcess>;
  /** How it is stopped when asked (default: SIGTERM, SIGKILL after 15 s). */
  stop?(child: ChildProcess): Promise<void>;
  /** Its last output lines when it writes them elsewhere than to a pipe (a log file). */
  tail?(lines: number): string[];
  /** Forwarded lines start with `[name] ` (several replicas of one app print to the same terminal). */
  readonly prefixOutput?: boolean;
}

/** A Node.js entry point of ours (dist/…) as a child spec. */
export function nodeChild(name: string, entry: string, env: NodeJS.ProcessEnv, prefixOutput = false): ChildSpec {
  return { name, prefixOutput, launch: () => spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] }) };
}

/**
 * A child process restarted with back-off when it exits unasked (SUPERVISION). Its output goes to the
 * stack's; the last lines are kept for the crash-loop message.
 */
export class SupervisedChild implements Stoppable {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private restarts = 0;
  private crashes: number[] = [];
  private backoffMs: number = SUPERVISION.firstBackoffMs;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly tail: string[] = [];
  private partialLine = '';

  private constructor(
    private readonly spec: ChildSpec,
    private readonly hooks: SupervisorHooks,
  ) {}

  /** Starts the child (resolving once `launch` has) and supervises it from then on. */
  static async start(spec: ChildSpec, hooks: SupervisorHooks): Promise<SupervisedChild> {
    const supervised = new SupervisedChild(spec, hooks);
    await supervised.spawn();
    return supervised;
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    if (!this.child) return;
    await (this.spec.stop ? this.spec.stop(this.child) : stopChild(this.child));
  }

  private async spawn(): Promise<void> {
    const child = await this.spec.launch();
    this.child = child;
    this.startedAt = Date.now();
    // Its lines follow this one in the tail, so the crash-loop message shows which start printed what.
    if (this.partialLine) this.tail.push(this.partialLine);
    this.partialLine = '';
    this.tail.push(`(started, pid ${child.pid})`);
    child.stdout?.on('data', (chunk: Buffer) => this.output(chunk, process.stdout));
    child.stderr?.on('data', (chunk: Buffer) => this.output(chunk, process.stderr));
    // 'close' rather than 'exit': the child's last words (a stack trace) are read before deciding.
    const gone = child.exitCode !== null || child.signalCode !== null;
    if (gone) setImmediate(() => this.exited(child.exitCode, child.signalCode));
    else child.once('close', (code, signal) => this.exited(code, signal));
  }

  private output(chunk: Buffer, to: NodeJS.WriteStream): void {
    const lines = (this.partialLine + chunk.toString()).split('\n');
    this.partialLine = lines.pop() ?? '';
    if (this.spec.prefixOutput) {
      for (const line of lines) to.write(`[${this.spec.name}] ${line}\n`);
    } else to.write(chunk);
    this.tail.push(...lines);
    this.tail.splice(0, Math.max(0, this.tail.length - OUTPUT_TAIL_LINES));
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped || this.hooks.stopping()) return;
    const now = Date.now();
    const how = signal ?? `exit code ${code}`;
    const name = this.spec.name;
    if (now - this.startedAt >= SUPERVISION.stableAfterMs) this.backoffMs = SUPERVISION.firstBackoffMs;
    this.crashes = [...this.crashes.filter((at) => now - at < SUPERVISION.crashLoopWindowMs), now];
    if (this.crashes.length >= SUPERVISION.crashLoopCrashes) {
      const tail = this.spec.tail ? this.spec.tail(OUTPUT_TAIL_LINES) : [...this.tail, ...(this.partialLine ? [this.partialLine] : [])];
      say(
        `${name} exited (${how}), its crash ${this.crashes.length} within ${seconds(SUPERVISION.crashLoopWindowMs)}: a crash loop. ` +
          `It is not restarted again and the stack stops. Its output is above (the lines without [stack]); its last ${tail.length} lines:`,
      );
      for (const line of tail) say(`  ${name} | ${line}`);
      this.hooks.crashLoop(`${name} is in a crash loop (${this.crashes.length} crashes within ${seconds(SUPERVISION.crashLoopWindowMs)}, the last: ${how}); its output is above`);
      return;
    }
    this.restarts += 1;
    this.hooks.changed();
    say(`${name} exited (${how}); restarting in ${seconds(this.backoffMs)} (restart ${this.restarts})`);
    let saidHeld = false;
    const restart = (): void => {
      this.restartTimer = undefined;
      if (this.stopped || this.hooks.stopping()) return;
      if (this.hooks.held?.(name)) {
        if (!saidHeld) say(`${name} is held: not restarted until its hold is released`);
        saidHeld = true;
        this.restartTimer = setTimeout(restart, HELD_POLL_MS);
        return;
      }
      if (saidHeld) say(`${name} released: restarting`);
      this.spawn().then(
        () => this.hooks.changed(),
        // A start that fails (a service that cannot come up) counts as its next crash.
        (error: Error) => {
          say(`${name} did not start again: ${error.message.split('\n')[0]}`);
          this.exited(null, null);
        },
      );
    };
    this.restartTimer = setTimeout(restart, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, SUPERVISION.maxBackoffMs);
  }
}

export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** The postmaster's pid: the first line of postmaster.pid, while the cluster runs. */
export function postmasterPid(clusterDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole (a reader never sees half a file) and readable by the owner only. */
export function writePrivateFile(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function positiveIntegerFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer (got "${value}")`);
  return parsed;
}

/** Made once and kept beside the data, so tokens survive restarts; readable by the owner only. */
export function localJwtSecret(path: string, tag = 'stack'): string {
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    say(`generated a JWT signing key in ${path}`, tag);
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

/** Any HTTP answer (200, or 503 while the worker still connects) means the server is listening. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 60000) {
    throw new Error(`PORT must be an integer between 1 and 60000 (got "${value}")`);
  }
  return port;
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/**
 * `--demo`: sample companies for all 16 districts and one user per role, passwords printed once; returns the
 * users when it seeded them (the demo tickets are then seeded through the API once it is up).
 */
export async function seedDemo(databaseUrl: string, tag = 'stack'): Promise<DemoUser[]> {
  const { seeded, users } = await seedDemoData(databaseUrl);
  if (!seeded) {
    say('demo data already present (its passwords were printed when it was first seeded)', tag);
    return [];
  }
  say('demo data seeded; these passwords are shown this once:', tag);
  for (const user of users) say(`  ${user.role.padEnd(10)} ${user.username.padEnd(16)} ${user.password}${user.company ? `  (${user.company})` : ''}`, tag);
  return users;
}

/**
 * What was started, stopped once in reverse order on Ctrl-C (which reaches the process twice: from the
 * terminal and forwarded by the launcher) or on a crash loop; then the process exits with the code given.
 */
export class Shutdown {
  readonly started: Stoppable[] = [];
  private stoppingPromise: Promise<never> | undefined;
  private published = false;

  /** `file`: the DATA_DIR/*.json this process publishes; removed first when stopping (see `published`). */
  constructor(
    private readonly file: string,
    private readonly tag: string,
  ) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void this.stop(0));
  }

  get stopping(): boolean {
    return this.stoppingPromise !== undefined;
  }

  /** Our file exists: stopping removes it. Only ours: a second stack that failed to start on the same DATA_DIR leaves the running one's alone. */
  markPublished(): void {
    this.published = true;
  }

  stop(code: number, reason?: string): Promise<never> {
    return (this.stoppingPromise ??= (async () => {
      say('stopping…', this.tag);
      // From here on the file would name processes on their way out: it goes first.
      if (this.published) rmSync(this.file, { force: true });
      for (const part of this.started.reverse()) {
        const began = Date.now();
        await part.stop().catch((error: Error) => say(`${part.name} did not stop cleanly: ${error.message}`, this.tag));
        say(`${part.name} stopped (${Date.now() - began} ms)`, this.tag);
      }
      say(reason ? `stopped: ${reason}` : 'stopped', this.tag);
      process.exit(code);
    })());
  }
}
