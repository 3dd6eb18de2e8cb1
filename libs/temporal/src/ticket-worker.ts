import { resolve } from 'node:path';
import { bundleWorkflowCode, Logger, NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { WORKFLOWS_PATH, type TicketActivities } from '@app/workflows';

/**
 * Workflow code imports only `@app/domain` and `@app/workflows`; webpack resolves those aliases to the
 * libraries' sources (tests, development) or to the compiled tree (where tsc-alias already rewrote them).
 */
const WORKFLOW_ALIASES: Record<string, string> = {
  '@app/domain': resolve(__dirname, '../../domain/src'),
  '@app/workflows': resolve(__dirname, '../../workflows/src'),
};

export const workflowBundlerOptions: NonNullable<WorkerOptions['bundlerOptions']> = {
  webpackConfigHook: (config) => ({
    ...config,
    resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), ...WORKFLOW_ALIASES } },
  }),
};

/** Bundles the workflow code once, e.g. for a prebuilt production bundle or a test file's workers. */
export async function bundleTicketWorkflows(logger?: Logger): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...workflowBundlerOptions, ...(logger ? { logger } : {}) });
}

/**
 * How long activities in flight may run on after the worker was told to stop before they are asked to cancel
 * (Temporal's default is 0: at once). Ours are short database transactions that do not watch for
 * cancellation, so they finish either way; the grace time keeps it so should one ever watch for it. Under
 * the embedded stack's SIGKILL after 15 s and Compose's default 10 s stop timeout.
 */
export const WORKER_SHUTDOWN_GRACE = '8s';

export interface TicketWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: TicketActivities;
  /** A prebuilt bundle (production: config.workflowBundlePath; tests); without one the worker bundles the sources at start. */
  readonly workflowBundle?: { code: string } | { codePath: string };
  readonly identity?: string;
  /** The sticky cache's size; undefined: the SDK's default. */
  readonly maxCachedWorkflows?: number;
  /** Workflow-task slots, open polls and the shared queue's share of them (AppConfig.workerWorkflowTasks); undefined: the SDK's defaults. */
  readonly workflowTasks?: { readonly slots?: number; readonly polls?: number; readonly sharedQueuePollShare?: number };
}

/** The worker both the worker app and the workflow tests run, so tests exercise the production wiring. */
export async function createTicketWorker(options: TicketWorkerOptions): Promise<Worker> {
  const prebuilt = options.workflowBundle;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.workflowTasks?.slots !== undefined ? { maxConcurrentWorkflowTaskExecutions: options.workflowTasks.slots } : {}),
    ...(options.workflowTasks?.polls !== undefined ? { maxConcurrentWorkflowTaskPolls: options.workflowTasks.polls } : {}),
    ...(options.workflowTasks?.sharedQueuePollShare !== undefined ? { nonStickyToStickyPollRatio: options.workflowTasks.sharedQueuePollShare } : {}),
    activities: bindActivities(options.activities),
    shutdownGraceTime: WORKER_SHUTDOWN_GRACE,
    ...(prebuilt ? { workflowBundle: prebuilt } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions }),
  });
}

/** Activities are class methods; Temporal calls them detached, so bind each to its instance. */
function bindActivities(activities: TicketActivities): Record<keyof TicketActivities, (...args: never[]) => unknown> {
  return { recordRung: activities.recordRung.bind(activities), applyTransition: activities.applyTransition.bind(activities) };
}
