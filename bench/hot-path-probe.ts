// Loaded into the API by bench/hot-path.ts (NODE_OPTIONS=--require …/hot-path-probe.js), never by the apps
// themselves: counts every statement the API sends to PostgreSQL (node-postgres' Client#query, which TypeORM's
// pool uses), the transactions they make, and the process's own CPU time. On SIGUSR2 it first does what
// `<HOT_PATH_PROBE_FILE>.command` asks, if there is one (start V8's CPU profiler, or stop it and write the
// .cpuprofile: what `node --cpu-prof` does, which NODE_OPTIONS may not carry, for the measured span only), then
// writes what it counted so far to HOT_PATH_PROBE_FILE (to a temporary name, then renamed: never half a file).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Client } from 'pg';

/** What the probe has counted since the process started. */
export interface ProbeCounts {
  /** Statements sent (one round trip each; a parameterised query is one). */
  readonly statements: number;
  /** Transactions: each START TRANSACTION/BEGIN, and each statement sent outside one (autocommit). */
  readonly transactions: number;
  /** process.cpuUsage() of the API, µs. */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** Statements by their text (whitespace folded, cut at 160 characters). */
  readonly byText: Record<string, number>;
}

/** What `<HOT_PATH_PROBE_FILE>.command` may ask before the counts are written. */
export interface ProbeCommand {
  readonly profile: 'start' | 'stop';
  /** Where the stopped profile goes (a .cpuprofile, as Chrome DevTools and `node --cpu-prof` write them). */
  readonly to?: string;
}

const file = process.env.HOT_PATH_PROBE_FILE;
if (file) {
  let statements = 0;
  let transactions = 0;
  const byText = new Map<string, number>();
  const inTransaction = new WeakSet<object>();
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  (Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function query(this: object, ...args: unknown[]): unknown {
    const first = args[0] as string | { text?: string } | undefined;
    const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim();
    statements++;
    const key = text.slice(0, 160);
    byText.set(key, (byText.get(key) ?? 0) + 1);
    if (/^(START TRANSACTION|BEGIN)\b/i.test(text)) {
      transactions++;
      inTransaction.add(this);
    } else if (/^(COMMIT|ROLLBACK)\b/i.test(text) && !/^ROLLBACK TO\b/i.test(text)) {
      inTransaction.delete(this);
    } else if (!inTransaction.has(this)) {
      transactions++;
    }
    return original.apply(this, args);
  };
  const report = (): void => {
    const cpu = process.cpuUsage();
    const counts: ProbeCounts = { statements, transactions, cpuUserUs: cpu.user, cpuSystemUs: cpu.system, byText: Object.fromEntries(byText) };
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file);
  };
  let profiler: Session | undefined;
  process.on('SIGUSR2', () => {
    const commandFile = `${file}.command`;
    const command = existsSync(commandFile) ? (JSON.parse(readFileSync(commandFile, 'utf8')) as ProbeCommand) : undefined;
    rmSync(commandFile, { force: true });
    if (command?.profile === 'start' && !profiler) {
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable');
      profiler.post('Profiler.setSamplingInterval', { interval: 500 });
      profiler.post('Profiler.start', report);
    } else if (command?.profile === 'stop' && profiler) {
      const session = profiler;
      profiler = undefined;
      session.post('Profiler.stop', (error, result) => {
        if (!error && command.to) writeFileSync(command.to, JSON.stringify(result.profile));
        session.disconnect();
        report();
      });
    } else {
      report();
    }
  });
}
