// `npm run check`: compares every ticket in PostgreSQL with its Temporal workflow, and every fired rung with its
// records (libs/tickets/src/consistency-check.ts); prints each difference with the ticket's number.
// Exit 0: no difference; 1: differences; 2: nothing could be checked (no stack, bad configuration, no connection).
// DATABASE_URL, TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE come from the environment (the apps' rules, libs/config);
// those unset come from the stack `npm start` runs (DATA_DIR/stack.json).
import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '@app/config';
import type { AppConfig } from '@app/config';
import { dataSourceOptions } from '@app/persistence';
import { temporalConnectionOptions } from '@app/temporal';
import { checkConsistency } from '@app/tickets';
import type { ConsistencyProgress } from '@app/tickets';
import type { StackFile } from './stack';

/** Exit status when the check could not run at all. */
class CannotCheck extends Error {}

/** DATA_DIR/stack.json as scripts/stack.ts writes it; read defensively (a file of another version may lack fields). */
type RunningStack = Partial<StackFile>;

const progress = (message: string): void => void process.stderr.write(`[check] ${message}\n`);
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const masked = (url: string): string => url.replace(/:[^:@/]+@/, ':***@');

function projectRoot(): string {
  const up = resolve(__dirname, '../..');
  return existsSync(join(up, 'package.json')) ? up : resolve(__dirname, '..');
}

function readStack(path: string): RunningStack | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunningStack;
  } catch (error) {
    throw new CannotCheck(`${path} cannot be read: ${(error as Error).message}`);
  }
}

/** Whether a process of the stack still runs (EPERM: it runs, as someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The configuration to check with: the environment, completed from the running stack's file. */
function configuration(env: NodeJS.ProcessEnv): { config: AppConfig; from: string } {
  const dataDir = resolve(projectRoot(), env.DATA_DIR || '.data');
  const stackPath = join(dataDir, 'stack.json');
  const stack = env.DATABASE_URL && env.TEMPORAL_ADDRESS ? undefined : readStack(stackPath);
  if (!env.DATABASE_URL && !stack?.databaseUrl) {
    throw new CannotCheck(
      `nothing to check: DATABASE_URL is not set and no stack is running (${stackPath} does not exist). ` +
        'Start one with `npm start` (the same DATA_DIR), or set DATABASE_URL and TEMPORAL_ADDRESS.',
    );
  }
  if (stack?.processes?.length && !stack.processes.some((running) => alive(running.pid))) {
    throw new CannotCheck(`the stack of ${stackPath} (started ${stack.startedAt ?? 'at an unknown time'}) no longer runs: start it with \`npm start\`, or set DATABASE_URL and TEMPORAL_ADDRESS.`);
  }
  const completed = {
    ...env,
    DATABASE_URL: env.DATABASE_URL || stack?.databaseUrl,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS || stack?.temporalAddress,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE || stack?.namespace,
  };
  try {
    return { config: loadConfig(completed), from: stack ? `the environment and ${stackPath}` : 'the environment' };
  } catch (error) {
    if (error instanceof ConfigError) throw new CannotCheck(error.message);
    throw error;
  }
}

async function connectDatabase(config: AppConfig): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions({ ...config.database, poolSize: 2 }));
  try {
    await dataSource.initialize();
    await dataSource.query('SELECT 1 FROM tickets LIMIT 1');
    return dataSource;
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw new CannotCheck(`cannot read the tickets of PostgreSQL at ${masked(config.database.url)}: ${(error as Error).message}`);
  }
}

async function connectTemporal(config: AppConfig): Promise<Client> {
  const { address, namespace } = config.temporal;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config.temporal), connectTimeout: '5 seconds' });
    const open = connection;
    await open.withDeadline(Date.now() + 5_000, () => open.workflowService.describeNamespace({ namespace }));
    return new Client({ connection, namespace });
  } catch (error) {
    await connection?.close().catch(() => undefined);
    throw new CannotCheck(`cannot reach Temporal at ${address} (namespace ${namespace}): ${(error as Error).message}`);
  }
}

function report(step: ConsistencyProgress): void {
  if (step.phase === 'reading') progress(`checked ${step.checked} of ${step.total} tickets`);
  else progress(`${step.tickets} ticket(s) differed: reading them again in ${step.afterMs / 1000} s, to leave out what was in flight`);
}

async function main(): Promise<number> {
  const { config, from } = configuration(process.env);
  progress(`PostgreSQL ${masked(config.database.url)}, Temporal ${config.temporal.address} (namespace ${config.temporal.namespace}), from ${from}`);
  const dataSource = await connectDatabase(config);
  let client: Client | undefined;
  try {
    client = await connectTemporal(config);
    const result = await checkConsistency({ dataSource, client, namespace: config.temporal.namespace, onProgress: report }).catch((error: Error) => {
      throw new CannotCheck(`the check stopped: ${error.message}`);
    });
    for (const difference of result.differences) print(`${difference.ticketNumber}  ${difference.kind}  ${difference.detail}  (ticket ${difference.ticketId})`);
    const tickets = new Set(result.differences.map((difference) => difference.ticketId)).size;
    print(
      result.differences.length === 0
        ? `checked ${result.ticketsChecked} tickets: no differences`
        : `checked ${result.ticketsChecked} tickets: ${result.differences.length} difference(s) in ${tickets} ticket(s)`,
    );
    return result.differences.length === 0 ? 0 : 1;
  } finally {
    await client?.connection.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
  }
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    process.stderr.write(error instanceof CannotCheck ? `[check] ${error.message}\n` : `[check] failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  },
);
