import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from './database-unavailable';
import { defaultTitle, PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';

/**
 * Turns every error into an RFC 9457 answer. Client errors keep their message; PostgreSQL out of reach is a
 * 503 with Retry-After (the request may be sent again); anything else is logged with its stack and answered
 * with a generic 500 that leaks nothing.
 */
/** What a 503 asks a client to wait before trying again: about two health probes. */
const RETRY_AFTER_SECONDS = 5;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.toProblem(exception);
    if (problem.status === HttpStatus.SERVICE_UNAVAILABLE && isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
    } else if (problem.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    if (problem.status === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) {
        return body as ProblemDetails;
      }
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return {
        type: 'about:blank',
        title: defaultTitle(status),
        status,
        detail: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
      };
    }
    if (isBodyParserError(exception)) {
      return { type: 'about:blank', title: 'Bad Request', status: 400, detail: `Malformed request body: ${exception.message}` };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: 'The database cannot be reached right now; try again shortly (a create or action with the same Idempotency-Key is applied at most once).',
      };
    }
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred; it has been logged.',
    };
  }
}

function isBodyParserError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && (error as { type?: string }).type === 'entity.parse.failed';
}
