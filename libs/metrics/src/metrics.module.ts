import { Module, OnModuleDestroy, Inject } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HotlineMetrics } from './hotline-metrics.service';
import { METRICS_REGISTRY } from './metrics.tokens';

/** A fresh registry with the default process metrics: one per application, so two apps in a process do not clash. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The registry and the business metrics. A static module: Nest makes one instance per application, and
 * every module importing it (tickets on both sides, the HTTP and worker exposers) shares that instance.
 */
@Module({
  providers: [{ provide: METRICS_REGISTRY, useFactory: createMetricsRegistry }, HotlineMetrics],
  exports: [METRICS_REGISTRY, HotlineMetrics],
})
export class MetricsModule implements OnModuleDestroy {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
