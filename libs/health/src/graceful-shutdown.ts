import { Injectable, Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Whether this process has been asked to stop. From then on readiness (`GET /health`) answers 503
 * `draining`, so a balancer takes the replica out, while liveness stays 200 and requests are still served.
 */
@Injectable()
export class ShutdownState {
  private since: Date | undefined;

  get draining(): boolean {
    return this.since !== undefined;
  }

  startDraining(): void {
    this.since ??= new Date();
  }
}

/** The signals that stop a process gracefully: SIGTERM from an orchestrator or the embedded stack, SIGINT from Ctrl-C, SIGHUP from a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface GracefulShutdownOptions {
  /** How long readiness answers 503 `draining` while requests are still served, before the server closes (SHUTDOWN_DRAIN_MS). */
  readonly drainMs: number;
}

/**
 * Stops the API without failing a request it accepted. On the first of SHUTDOWN_SIGNALS:
 *
 * 1. readiness turns 503 `draining` at once, and every response from then on (those in flight included)
 *    carries `Connection: close`, so clients, and balancers holding keep-alive connections, reconnect
 *    elsewhere instead of reusing this one;
 * 2. requests are still served for `drainMs` (a balancer needs a few health checks to take the replica out);
 *    a second signal cuts this short;
 * 3. the server stops listening (a new connection is refused) and closes its idle keep-alive connections;
 *    requests in flight finish and are answered;
 * 4. Nest closes (database pool, Temporal connection, background probes) and the process exits 0.
 *
 * Later signals are only logged: the process is already stopping, and Node's default action (die at once)
 * would cut short the requests still in flight. Call before `app.listen`.
 */
export function enableGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): void {
  const logger = new Logger('GracefulShutdown');
  const state = app.get(ShutdownState);
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  // Runs before Express sees the request: every answer given while draining closes its connection.
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (state.draining) response.setHeader('Connection', 'close');
    inFlight.add(response);
    const done = (): boolean => inFlight.delete(response);
    response.once('finish', done).once('close', done);
  });

  let stopping: Promise<void> | undefined;
  let endDrain: (() => void) | undefined;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    state.startDraining();
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    if (options.drainMs > 0) {
      logger.log(`${signal}: draining for ${options.drainMs} ms (readiness answers 503 draining, requests are still served), then closing`);
      await new Promise<void>((resolveDrain) => {
        const timer = setTimeout(resolveDrain, options.drainMs);
        endDrain = () => {
          clearTimeout(timer);
          resolveDrain();
        };
      });
    }
    // Closed here rather than by Nest (app.close() closes it again, and waits for the same connections):
    // the line below is logged once new connections are refused.
    server.close();
    logger.log(`${signal}: closed to new connections; ${inFlight.size} request(s) in flight finish first`);
    await app.close();
    logger.log('stopped');
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (endDrain) {
        logger.log(`${signal} again: ending the drain now`);
        endDrain();
        endDrain = undefined;
      } else {
        logger.log(`${signal} again: already stopping, waiting for requests in flight`);
      }
      return;
    }
    stopping = stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).stack ?? String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
