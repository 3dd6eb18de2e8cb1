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
 * send them), 30 s request timeout. With `overallRate`, autocannon corrects latencies for coordinated
 * omission (a request that could not be sent on time counts from when it should have been).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  const next = options.next;
  const stopCpu = measureCpu(options.cpuParts);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
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
  });
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
