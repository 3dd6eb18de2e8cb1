import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { HotlineMetrics } from './hotline-metrics.service';
import { methodLabel, routeLabel } from './labels';

/**
 * Times every request to its end. A middleware rather than an interceptor: it also sees the answers that
 * guards (401/403), pipes (400) and the router (404) give before any handler runs. The route label is read
 * when the response is finished, once the router has matched the template.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HotlineMetrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const stop = this.metrics.httpRequestDuration.startTimer();
    response.once('finish', () => {
      stop({ method: methodLabel(request.method), route: routeLabel(request), status: String(response.statusCode) });
    });
    next();
  }
}
