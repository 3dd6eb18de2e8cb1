import autocannon from 'autocannon';
import { CpuPart, CpuShares, measureCpu } from './cpu';

/** What one autocannon run gives: the rate of 2xx answers, their latency, and the CPU each part took. */
export interface LoadResult {
  /** 2xx answers per second over the run. */
  readonly rate: number;
  readonly ok: number;
  /** Answers other than 2xx, and connection errors and timeouts. */
  readonly failed: number;
  readonly statusCodes: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly seconds: number;
  readonly cpu: CpuShares;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly token?: string;
  /** The path and body of each request (a new ticket, the next ticket of a pool); fixed when absent. */
  readonly next?: () => { path: string; body?: string };
  readonly path?: string;
  readonly connections: number;
  readonly seconds?: number;
  /** Stop after this many requests (takes precedence over `seconds`). */
  readonly amount?: number;
  /** A fixed offered rate (requests per second over all connections): latency at a given load. */
  readonly overallRate?: number;
  readonly cpuParts: readonly CpuPart[];
}

/**
 * One autocannon run: no pipelining (one request in flight per connection, as browsers and crews' phones
 * send them), 30 s request timeout; with `overallRate`, a paced run (below).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  return options.overallRate ? runPacedLoad(options, options.overallRate) : runOneLoad(options);
}

/** The most autocannon instances a paced run starts (each sends its share of the rate). */
const MAX_PACED_INSTANCES = 64;

/**
 * A fixed offered rate with arrivals spread over each second. autocannon's own `overallRate` lets every
 * connection send its quota at the start of each second: at 38/s over 32 connections that is a burst of 38
 * requests at once every second, and the "p99 at half rate" measured the drain of that burst (467–621 ms on
 * the create, first full run). So the rate is split over up to 64 autocannon instances started 1000/K ms
 * apart, each pacing its own share (1 request a second per connection): arrivals come evenly spaced.
 * Latencies are collected from every instance's responses and corrected for coordinated omission as
 * autocannon does (a request sent late because the previous one was slow also counts the wait).
 */
async function runPacedLoad(options: LoadOptions, rate: number): Promise<LoadResult> {
  const perSecond = Math.max(1, Math.round(rate));
  const instances = Math.min(perSecond, MAX_PACED_INSTANCES);
  const shares = Array.from({ length: instances }, (_, index) => Math.floor(perSecond / instances) + (index < perSecond % instances ? 1 : 0));
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const stopCpu = measureCpu(options.cpuParts);
  const began = Date.now();
  await Promise.all(
    shares.map(async (share, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * 1000) / instances));
      // One request a second per connection: a reply later than that delayed the next send.
      const intervalMs = 1000;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon({ ...autocannonOptions(options), connections: share, overallRate: share }, (error, finished) => (error ? reject(error) : resolve(finished)));
        instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
          statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
          if (statusCode < 200 || statusCode >= 300) return;
          for (let value = responseTime; value > 0; value -= intervalMs) latencies.push(value);
        });
      });
      ok += result['2xx'];
      failed += result.non2xx + result.errors + result.timeouts;
    }),
  );
  const seconds = (Date.now() - began) / 1000 - (1000 * (instances - 1)) / instances / 1000;
  const cpu = stopCpu();
  latencies.sort((a, b) => a - b);
  const at = (quantile: number): number => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN;
  return { rate: ok / seconds, ok, failed, statusCodes, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies[latencies.length - 1] ?? Number.NaN, seconds, cpu };
}

/** What every autocannon run gets: the URL, no pipelining, the 30 s timeout, the duration, the requests. */
function autocannonOptions(options: LoadOptions): autocannon.Options {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  const next = options.next;
  return {
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    requests: [
      {
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers,
        ...(next
          ? {
              setupRequest: (request: autocannon.Request) => {
                const { path, body } = next();
                return { ...request, path, ...(body === undefined ? {} : { body }) };
              },
            }
          : {}),
      },
    ],
  };
}

async function runOneLoad(options: LoadOptions): Promise<LoadResult> {
  const stopCpu = measureCpu(options.cpuParts);
  const result = await autocannon(autocannonOptions(options));
  const cpu = stopCpu();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]));
  const ok = result['2xx'];
  return {
    rate: ok / result.duration,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    statusCodes,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    seconds: result.duration,
    cpu,
  };
}
