import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
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
}

/**
 * Answers carry tickets, names and phones: no shared cache (a proxy, a CDN) may keep one. A route that serves
 * public or immutable files says otherwise with its own Cache-Control (the console's assets, notices).
 */
function noSharedCaching(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  next();
}

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what production runs. */
export function configureHttpApp(app: INestApplication, options: HttpEdgeOptions = {}): void {
  // Security headers, and no X-Powered-By. The CSP allows only the origin (helmet's default: scripts from
  // 'self', inline styles, which the console's components set) and data: images (Swagger UI's icons).
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] } } }));
  app.use(noSharedCaching);
  if (options.corsOrigins && options.corsOrigins.length > 0) app.enableCors({ origin: [...options.corsOrigins], exposedHeaders: ['Content-Disposition'] });
  app.useGlobalPipes(new BodyShapePipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
