import { isUtf8 } from 'node:buffer';
import { HttpStatus, INestApplication } from '@nestjs/common';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { defaultTitle, PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';
import { BodyShapePipe, createValidationPipe } from './validation';

/**
 * The API's OpenAPI document, defined once: served at /docs-json and written to the console's generated
 * types by `npm run console:types` (scripts/openapi-document.ts builds the app in preview mode for that).
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('8890 heating hotline work orders')
      .setDescription(
        'Tickets for Tianjin heating complaints, their SLA clocks and escalations. Errors are RFC 9457 problem details.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
}

/** What the HTTP edge needs to know of the configuration. */
export interface HttpEdgeOptions {
  /** Browser origins allowed to call the API (CORS_ORIGINS); empty: CORS closed. */
  readonly corsOrigins?: readonly string[];
  /** Proxies believed about the client's address (TRUST_PROXY); null/undefined: none. */
  readonly trustProxy?: number | readonly string[] | null;
}

/**
 * Answers carry tickets, names and phones: no shared cache (a proxy, a CDN) may keep one. A route that serves
 * public or immutable files says otherwise with its own Cache-Control (the console's assets, notices).
 */
function noSharedCaching(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Request bodies are JSON, as the OpenAPI document says: a body of another media type (a form, text, none
 * named) is 415 before any parser reads it. Express would otherwise parse a form too, and a form with the
 * right fields passed validation as if it were JSON.
 */
function jsonBodiesOnly(request: Request, response: Response, next: NextFunction): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  // JSON is UTF-8 (RFC 8259): a declared charset=utf-7 or latin1 would be decoded by the parser and taken.
  const charset = /;\s*charset="?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (!hasBody || (request.is('application/json') && (charset === undefined || charset === 'utf-8' || charset === 'utf8'))) {
    next();
    return;
  }
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: defaultTitle(HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    detail: `Request bodies must be application/json in UTF-8, not ${request.headers['content-type'] ?? 'of no media type'}.`,
  };
  response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * A JSON body must be UTF-8 (RFC 8259): the parser would otherwise decode invalid bytes to U+FFFD and store
 * the damaged text (a password, a name). Refused as malformed JSON: 400.
 */
function utf8Only(_request: Request, _response: Response, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'entity.parse.failed' });
}

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what production runs. */
export function configureHttpApp(app: INestApplication, options: HttpEdgeOptions = {}): void {
  // Security headers, and no X-Powered-By. The CSP allows only the origin (helmet's default: scripts from
  // 'self', inline styles, which the console's components set) and data: images (Swagger UI's icons).
  // request.ip (the login throttle's address) is X-Forwarded-For's client only when it came through a trusted proxy.
  if (options.trustProxy !== undefined && options.trustProxy !== null) {
    (app as NestExpressApplication).set('trust proxy', typeof options.trustProxy === 'number' ? options.trustProxy : [...options.trustProxy]);
  }
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] } } }));
  app.use(noSharedCaching);
  app.use(jsonBodiesOnly);
  // Express's JSON parser (100 KB, as Nest's default) with the UTF-8 check; Nest then adds no other. Nest's
  // types leave `verify` out (its rawBody option sets one); without rawBody it reaches express.json as given.
  const jsonParser: NestExpressBodyParserOptionsFor<'json'> & { verify: typeof utf8Only } = { verify: utf8Only };
  (app as NestExpressApplication).useBodyParser('json', jsonParser);
  if (options.corsOrigins && options.corsOrigins.length > 0) app.enableCors({ origin: [...options.corsOrigins], exposedHeaders: ['Content-Disposition'] });
  app.useGlobalPipes(new BodyShapePipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  // No app.enableShutdownHooks(): main.ts stops the API on SIGTERM/SIGINT with enableGracefulShutdown (@app/health).
  // Nest's hooks would close the server at once (no drain) and then re-raise the signal, so it never exited 0.

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
