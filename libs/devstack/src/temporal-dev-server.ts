import { Connection } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface TemporalDevServerOptions {
  readonly cliPath: string;
  /** SQLite file kept across restarts; in memory when absent. */
  readonly dbFile?: string;
  readonly port: number;
  /** Web UI port; no UI when absent. */
  readonly uiPort?: number;
  readonly namespace: string;
  /** Port of the server's Prometheus `/metrics`; the CLI picks a random one when absent. */
  readonly metricsPort?: number;
  /** Dynamic configuration values (`--dynamic-config-value KEY=VALUE`, the value as JSON), e.g. to measure a setting. */
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  readonly log?: (line: string) => void;
}

export interface RunningTemporal {
  readonly address: string;
  readonly uiUrl?: string;
  /** The server's Prometheus metrics, when a metrics port was given. */
  readonly metricsUrl?: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** `temporal server start-dev`, a real Temporal server (SQLite persistence), waited on until it answers. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporal> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
    // WAL with synchronous=NORMAL: durable across process crashes, ~10x the default file throughput.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
  ];
  // "default" always exists; any other namespace is created at launch.
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  // The news feed would be fetched from the internet: keep the UI fully local.
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');

  const log = options.log ?? (() => undefined);
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  let exited = false;
  child.once('exit', () => (exited = true));

  const address = `127.0.0.1:${options.port}`;
  const stop = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // SIGKILL after 10 s. The timer is cleared once the server has gone: left running, it would keep the
    // caller's process (a jest run, the dev stack) alive for the rest of the 10 s.
    const forced = setTimeout(() => exited || child.kill('SIGKILL'), 10_000);
    try {
      await gone;
    } finally {
      clearTimeout(forced);
    }
  };
  try {
    await waitForTemporal(address, 60_000, () => exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    metricsUrl: options.metricsPort ? `http://127.0.0.1:${options.metricsPort}/metrics` : undefined,
    process: child,
    stop,
  };
}

/** Polls the frontend until it answers `getSystemInfo`. */
export async function waitForTemporal(address: string, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`Temporal server at ${address} exited during start-up`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await delay(250);
    }
  }
  throw new Error(`Temporal server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}
