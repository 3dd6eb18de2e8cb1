import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';

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

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what production runs. */
export function configureHttpApp(app: INestApplication): void {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
