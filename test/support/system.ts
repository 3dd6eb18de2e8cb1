import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/config';
import { configureHttpApp } from '@app/http';
import { bundleTicketWorkflows, createTicketWorker, TemporalClient } from '@app/temporal';
import { TicketActivitiesService } from '@app/tickets';
import { ApiModule } from '../../apps/api/src/api.module';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createTestDatabase, TestDatabase, testConfig, uniqueTaskQueue } from './test-env';

let bundle: Promise<{ code: string }> | undefined;
/** Bundling takes seconds: once per test file. */
export function sharedWorkflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleTicketWorkflows(new DefaultLogger('WARN'));
  return bundle;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

/** The worker app as production wires it (Nest context, activities by injection), in this process. */
export async function startWorker(config: AppConfig): Promise<RunningWorker> {
  const context = await NestFactory.createApplicationContext(WorkerModule.register(config), { logger: false });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker: Worker = await createTicketWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: context.get(TicketActivitiesService),
    workflowBundle: await sharedWorkflowBundle(),
  });
  const running = worker.run();
  return {
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await context.close();
    },
  };
}

export interface TestSystem {
  readonly config: AppConfig;
  readonly app: INestApplication<App>;
  readonly dataSource: DataSource;
  readonly temporal: TemporalClient;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The API app (configured exactly as main.ts does) against a fresh database, plus, unless told otherwise,
 * a worker on its own task queue. `database` lets a second system share the first one's database.
 */
export async function startTestSystem(
  options: { database?: TestDatabase; temporalAddress?: string; worker?: boolean; taskQueue?: string } = {},
): Promise<TestSystem> {
  const ownDatabase = options.database ? undefined : await createTestDatabase();
  const database = options.database ?? (ownDatabase as TestDatabase);
  const config = testConfig({
    databaseUrl: database.url,
    taskQueue: options.taskQueue ?? uniqueTaskQueue('e2e'),
    temporalAddress: options.temporalAddress,
  });
  const api = await startApi(config);
  const worker = options.worker === false ? undefined : await startWorker(config);
  return {
    ...api,
    close: async () => {
      await worker?.stop();
      await api.close();
      await ownDatabase?.drop();
    },
  };
}

/** A second API on `system`'s database and task queue whose Temporal address answers nothing: Temporal "down". */
export function startCutOffApi(system: TestSystem): Promise<TestSystem> {
  return startTestSystem({
    database: { url: system.config.database.url, drop: async () => undefined },
    temporalAddress: '127.0.0.1:1',
    worker: false,
    taskQueue: system.config.temporal.taskQueue,
  });
}

/** The API app alone, configured exactly as main.ts does, on the given config (no worker, no database of its own). */
export async function startApi(config: AppConfig): Promise<TestSystem> {
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.register(config)] }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
  configureHttpApp(app, { corsOrigins: config.corsOrigins, trustProxy: config.trustProxy });
  await app.init();
  return {
    config,
    app,
    dataSource: app.get(DataSource),
    temporal: app.get(TemporalClient),
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
