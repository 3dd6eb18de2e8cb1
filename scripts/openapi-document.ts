// The API's OpenAPI document without a database or Temporal: Nest's preview mode scans the modules and
// controllers but instantiates no provider (no TypeORM connection, no Temporal client, no bootstrap admin),
// and the document is built by the same function that serves GET /docs-json.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@app/config';
import { openApiDocument } from '@app/http';
import { ApiModule } from '../apps/api/src/api.module';

/** Placeholders that satisfy loadConfig; in preview mode nothing connects to them. */
const PLACEHOLDER_ENV: NodeJS.ProcessEnv = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  JWT_SECRET: 'openapi-document-only-never-used-to-sign-anything',
  LOG_LEVEL: 'error',
};

export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule.register(loadConfig(PLACEHOLDER_ENV)), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
