import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrometheusText, sampleSum, type PrometheusSample } from '@app/devstack';
import { round } from './progress';
import type { BenchStack } from './stack';

/**
 * What the Temporal server and the worker's SDK said about a window of a run, from their Prometheus metrics:
 * counters and histograms as the difference between the window's ends, gauges sampled every `everyMs`. It is
 * where a rung's time goes between its timer and its write: the server's timer and transfer queues, a workflow
 * task waiting to be matched (sticky or shared queue), the worker's slots and its local activities.
 */
interface Snapshot {
  readonly temporal: PrometheusSample[];
  readonly workerSdk: PrometheusSample[];
}

async function scrape(url: string): Promise<string> {
  const answer = await fetch(url).catch(() => undefined);
  return answer?.ok ? answer.text() : '';
}

async function snapshot(stack: BenchStack, label?: string): Promise<Snapshot> {
  const [temporal, workerSdk] = await Promise.all([scrape(stack.metricsUrls.temporal), scrape(stack.metricsUrls.workerSdk)]);
  if (label) {
    // Raw, for a closer look when the stack's directory is kept (BENCH_KEEP=1).
    writeFileSync(join(stack.dir, `metrics-${label}-temporal.txt`), temporal);
    writeFileSync(join(stack.dir, `metrics-${label}-worker-sdk.txt`), workerSdk);
  }
  return { temporal: parsePrometheusText(temporal), workerSdk: parsePrometheusText(workerSdk) };
}

type Labels = Record<string, string>;
const delta = (before: PrometheusSample[], after: PrometheusSample[], name: string, labels: Labels = {}): number => sampleSum(after, name, labels) - sampleSum(before, name, labels);

/** Mean of a histogram over the window (in the histogram's unit), NaN without observations. */
function meanOf(before: PrometheusSample[], after: PrometheusSample[], name: string, labels: Labels = {}): number {
  const count = delta(before, after, `${name}_count`, labels);
  return count > 0 ? delta(before, after, `${name}_sum`, labels) / count : Number.NaN;
}

/** Observations over the window above `bound` (a bucket edge of the histogram). */
function countAbove(before: PrometheusSample[], after: PrometheusSample[], name: string, bound: string, labels: Labels = {}): number {
  return delta(before, after, `${name}_count`, labels) - delta(before, after, `${name}_bucket`, { ...labels, le: bound });
}

interface Gauges {
  workflowSlotsUsed: number;
  localActivitySlotsUsed: number;
  stickyCache: number;
  normalBacklog: number;
  stickyBacklog: number;
  /** Age of the oldest task waiting on the shared queue, in seconds. */
  normalBacklogAgeS: number;
}

function gaugesOf(now: Snapshot, taskQueue: string): Gauges {
  const matchingQueue = taskQueue.replace(/-/g, '_');
  const workflowQueue = (name: string) => now.temporal.filter((sample) => sample.name === name && sample.labels.task_type === 'Workflow');
  const backlog = workflowQueue('approximate_backlog_count');
  const shared = (sample: PrometheusSample) => sample.labels.taskqueue === matchingQueue && sample.labels.partition !== '__sticky__';
  return {
    workflowSlotsUsed: sampleSum(now.workerSdk, 'temporal_worker_task_slots_used', { worker_type: 'WorkflowWorker' }),
    localActivitySlotsUsed: sampleSum(now.workerSdk, 'temporal_worker_task_slots_used', { worker_type: 'LocalActivityWorker' }),
    stickyCache: sampleSum(now.workerSdk, 'temporal_sticky_cache_size'),
    normalBacklog: backlog.filter(shared).reduce((sum, sample) => sum + sample.value, 0),
    stickyBacklog: backlog.filter((sample) => sample.labels.partition === '__sticky__').reduce((sum, sample) => sum + sample.value, 0),
    normalBacklogAgeS: Math.max(0, ...workflowQueue('approximate_backlog_age_seconds').filter(shared).map((sample) => sample.value)),
  };
}

export interface MetricsWatch {
  /** One line per part: what the window's metrics show. */
  stop(): Promise<string[]>;
}

export async function watchMetrics(stack: BenchStack, label: string, everyMs = 2000): Promise<MetricsWatch> {
  const first = await snapshot(stack, `${label}-before`);
  const startedAt = Date.now();
  const peaks: Gauges = { workflowSlotsUsed: 0, localActivitySlotsUsed: 0, stickyCache: 0, normalBacklog: 0, stickyBacklog: 0, normalBacklogAgeS: 0 };
  let samples = 0;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const now = gaugesOf(await snapshot(stack), stack.taskQueue);
      for (const key of Object.keys(peaks) as Array<keyof Gauges>) peaks[key] = Math.max(peaks[key], now[key]);
      samples++;
    });
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await sampling;
      const last = await snapshot(stack, `${label}-after`);
      return describeWindow(first, last, peaks, samples, everyMs, (Date.now() - startedAt) / 1000);
    },
  };
}

function describeWindow(first: Snapshot, last: Snapshot, peaks: Gauges, samples: number, everyMs: number, windowS: number): string[] {
  const s = (before: PrometheusSample[], after: PrometheusSample[], name: string, labels: Labels = {}) => round(meanOf(before, after, name, labels) * 1000, 1);
  const t = [first.temporal, last.temporal] as const;
  const w = [first.workerSdk, last.workerSdk] as const;
  const workerTasks = delta(...w, 'temporal_workflow_task_schedule_to_start_latency_count');
  // The slowest persistence operations by total time over the window (SQLite has one writer).
  const persistence = [...new Set(last.temporal.filter((sample) => sample.name === 'persistence_latency_sum').map((sample) => sample.labels.operation))]
    .map((operation) => ({ operation, total: delta(...t, 'persistence_latency_sum', { operation }), mean: meanOf(...t, 'persistence_latency', { operation }) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, 3)
    .map((entry) => `${entry.operation} ${round(entry.total, 1)} s (mean ${round(entry.mean * 1000, 1)} ms)`);
  // The dev server's SQLite store works on one connection: persistence time summed over the window, waits for that
  // connection included, against the window's length says how busy (or queued) it was.
  const persistenceS = delta(...t, 'persistence_latency_sum');
  return [
    `server: a timer task waited ${s(...t, 'task_latency_queue', { operation: 'TimerActiveTaskUserTimer' })} ms on average in the timer queue, a workflow-task transfer ${s(...t, 'task_latency_queue', { operation: 'TransferActiveTaskWorkflowTask' })} ms; ` +
      `schedule-to-start of workflow tasks ${s(...t, 'task_schedule_to_start_latency', { partition: '__sticky__' })} ms mean on the sticky queue, ${s(...t, 'task_schedule_to_start_latency', { partition: '__normal__' })} ms on the shared one ` +
      `(${delta(...t, 'task_schedule_to_start_latency_count', { partition: '__normal__' })} tasks); persistence calls took ${round(persistenceS)} s in a ${round(windowS)} s window (${round((100 * persistenceS) / windowS)} %), most: ${persistence.join(', ')}`,
    `worker SDK: ${workerTasks} workflow tasks, schedule-to-start > 1 s for ${countAbove(...w, 'temporal_workflow_task_schedule_to_start_latency', '1000')}, > 10 s for ${countAbove(...w, 'temporal_workflow_task_schedule_to_start_latency', '10000')}; ` +
      `a task's run ${round(meanOf(...w, 'temporal_workflow_task_execution_latency'), 1)} ms mean, a local activity ${round(meanOf(...w, 'temporal_local_activity_execution_latency'), 1)} ms (${round(meanOf(...w, 'temporal_local_activity_succeed_endtoend_latency'), 1)} ms with its wait); ` +
      `peaks over ${samples} samples every ${everyMs / 1000} s: workflow slots used ${peaks.workflowSlotsUsed}, local-activity slots ${peaks.localActivitySlotsUsed}, sticky cache ${peaks.stickyCache}, backlog ${peaks.normalBacklog} shared (oldest ${round(peaks.normalBacklogAgeS, 1)} s) / ${peaks.stickyBacklog} sticky`,
  ];
}

/**
 * Waits until the shared task queue has no workflow task waiting (the server's approximate backlog of its
 * partitions, 0 in two samples a second apart), at most `timeoutMs`; the seconds it waited. A measurement right
 * after many creates would otherwise time the leftover first tasks of those tickets: an Update to a ticket whose
 * first workflow task still waits on the shared queue waits for it (growth's accept p99 of 6 s and 27 s in the
 * second full run was that backlog, not the Update).
 */
export async function waitForSharedQueue(stack: BenchStack, timeoutMs = 180_000): Promise<number> {
  const began = Date.now();
  let emptyInARow = 0;
  while (Date.now() - began < timeoutMs) {
    const now = gaugesOf(await snapshot(stack), stack.taskQueue);
    emptyInARow = now.normalBacklog === 0 ? emptyInARow + 1 : 0;
    if (emptyInARow >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return (Date.now() - began) / 1000;
}
