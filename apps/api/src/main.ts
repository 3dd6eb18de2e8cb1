import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig, nestLogLevels } from '@app/config';
import { enableGracefulShutdown } from '@app/health';
import { configureHttpApp } from '@app/http';
import { ApiModule } from './api.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(ApiModule.register(config), {
    logger: nestLogLevels(config.logLevel),
  });
  configureHttpApp(app, { corsOrigins: config.corsOrigins, trustProxy: config.trustProxy });
  // SIGTERM/SIGINT: readiness 503 draining, serve SHUTDOWN_DRAIN_MS more, close letting requests in flight finish, exit 0.
  enableGracefulShutdown(app, { drainMs: config.shutdownDrainMs ?? 0 });
  await app.listen(config.port);
  Logger.log(`API listening on http://localhost:${config.port} (Swagger UI at /docs)`, 'ApiMain');
}

bootstrap().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: print what is wrong, not a stack trace.
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
