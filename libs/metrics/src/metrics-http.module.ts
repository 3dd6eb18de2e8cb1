import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';

/** The API's side: `GET /metrics` and the latency of every request by route template. */
@Module({
  imports: [MetricsModule],
  controllers: [MetricsController],
  providers: [HttpMetricsMiddleware],
})
export class MetricsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
