import { Module } from '@nestjs/common';
import { MetricsModule } from './metrics.module';
import { WorkerMetricsServer } from './worker-metrics.server';

/** The worker's side: its own `/metrics` over node:http on WORKER_METRICS_PORT (rungs fire in the worker). */
@Module({
  imports: [MetricsModule],
  providers: [WorkerMetricsServer],
  exports: [WorkerMetricsServer],
})
export class WorkerMetricsModule {}
