import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NativeConnection } from '@temporalio/worker';
import { setTimeout as delay } from 'node:timers/promises';
import { AppConfig, ConfigError, loadConfig, nestLogLevels } from '@app/config';
import { createTicketWorker, temporalConnectionOptions } from '@app/temporal';
import { TicketActivitiesService } from '@app/tickets';
import { WorkerModule } from './worker.module';

const logger = new Logger('WorkerMain');

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    logger: nestLogLevels(config.logLevel),
  });
  app.enableShutdownHooks();
  const connection = await connectWithRetry(config);
  const worker = await createTicketWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: app.get(TicketActivitiesService),
    ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
  });
  logger.log(`Worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before it resolves.
  await worker.run();
  await connection.close();
  await app.close();
  logger.log('Worker stopped');
}

/** Temporal may come up after the worker (compose, the embedded stack): wait for it instead of crashing. */
async function connectWithRetry(config: AppConfig): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect(temporalConnectionOptions(config.temporal));
    } catch (error) {
      if (attempt % 5 === 1) logger.warn(`Temporal at ${config.temporal.address} not reachable yet: ${(error as Error).message}`);
      await delay(Math.min(1000 * attempt, 5000));
    }
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
