import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { setTimeout as delay } from 'node:timers/promises';
import { AppConfig, ConfigError, loadConfig, nestLogLevels } from '@app/config';
import { createTicketWorker, temporalConnectionOptions, WORKER_SHUTDOWN_GRACE } from '@app/temporal';
import { TicketActivitiesService } from '@app/tickets';
import { WorkerModule } from './worker.module';

const logger = new Logger('WorkerMain');

/** As the API's (SHUTDOWN_SIGNALS in @app/health, which the worker does not load: it would bring the HTTP side with it). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * SIGTERM/SIGINT/SIGHUP, handled here rather than by Temporal's Runtime (which would stop listening after the first
 * one, so that a second, e.g. Ctrl-C's SIGINT followed by the stack's SIGTERM, killed the process mid-drain)
 * or by Nest's shutdown hooks (which closed the database pool under the activities in flight and re-raised
 * the signal, so the worker never exited 0). The first signal stops polling; tasks in flight finish; then the
 * Temporal connection and the Nest context close, and the process exits 0.
 */
class StopSignal {
  private received: NodeJS.Signals | undefined;
  private worker: Worker | undefined;

  constructor() {
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.onSignal(signal));
  }

  get requested(): boolean {
    return this.received !== undefined;
  }

  /** The worker a signal stops, once it runs (a signal before that: the caller stops it as soon as it runs). */
  attach(worker: Worker): void {
    this.worker = worker;
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.received) {
      logger.log(`${signal} again: already stopping, waiting for the tasks in flight`);
      return;
    }
    this.received = signal;
    logger.log(`${signal}: no new tasks; the ones in flight finish (activities have ${WORKER_SHUTDOWN_GRACE} before they are asked to cancel), then the worker stops`);
    if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Signals are StopSignal's alone (see above). The SDK's own metrics (slots, schedule-to-start, sticky cache)
  // are served by its core on a port of their own, when asked for.
  Runtime.install({
    shutdownSignals: [],
    ...(config.workerSdkMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${config.workerSdkMetricsPort}` } } } } : {}),
  });
  const stop = new StopSignal();
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    logger: nestLogLevels(config.logLevel),
  });
  const connection = await connectWithRetry(config, stop);
  if (connection && !stop.requested) {
    const worker = await createTicketWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: app.get(TicketActivitiesService),
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
      maxCachedWorkflows: config.workerMaxCachedWorkflows,
      workflowTasks: config.workerWorkflowTasks,
    });
    // Resolves once shutdown() was called and every task in flight has finished. Run even when a signal came
    // while the worker was being made (it bundles for seconds): a worker made and never run keeps its
    // connection from closing.
    const running = worker.run();
    stop.attach(worker);
    if (stop.requested) worker.shutdown();
    else logger.log(`Worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
    await running;
  }
  await connection?.close();
  await app.close();
  logger.log('Worker stopped');
  process.exit(0);
}

/** Temporal may come up after the worker (compose, the embedded stack): wait for it instead of crashing; undefined when told to stop meanwhile. */
async function connectWithRetry(config: AppConfig, stop: StopSignal): Promise<NativeConnection | undefined> {
  for (let attempt = 1; !stop.requested; attempt++) {
    try {
      return await NativeConnection.connect(temporalConnectionOptions(config.temporal));
    } catch (error) {
      if (attempt % 5 === 1) logger.warn(`Temporal at ${config.temporal.address} not reachable yet: ${(error as Error).message}`);
      await delay(Math.min(1000 * attempt, 5000));
    }
  }
  return undefined;
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
