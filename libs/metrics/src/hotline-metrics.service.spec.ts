import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { HotlineMetrics } from './hotline-metrics.service';
import { MetricsModule } from './metrics.module';
import { METRICS_REGISTRY } from './metrics.tokens';
import { parsePrometheusText, sampleSum } from '../../../test/support/prometheus-text';

async function boot(): Promise<{ registry: Registry; metrics: HotlineMetrics; close: () => Promise<void> }> {
  const moduleRef = await Test.createTestingModule({ imports: [MetricsModule] }).compile();
  return { registry: moduleRef.get(METRICS_REGISTRY), metrics: moduleRef.get(HotlineMetrics), close: () => moduleRef.close() };
}

describe('MetricsModule', () => {
  it('gives each application its own registry, so two apps in one process do not clash', async () => {
    const first = await boot();
    const second = await boot();
    try {
      expect(first.registry).not.toBe(second.registry);
      first.metrics.ticketCreated('NOT_WARM', 'P1');
      first.metrics.ticketCreated('NOT_WARM', 'P1');
      second.metrics.ticketCreated('NOT_WARM', 'P1');
      const a = parsePrometheusText(await first.registry.metrics());
      const b = parsePrometheusText(await second.registry.metrics());
      expect(sampleSum(a, 'hotline_tickets_created_total', { category: 'NOT_WARM', priority: 'P1' })).toBe(2);
      expect(sampleSum(b, 'hotline_tickets_created_total', { category: 'NOT_WARM', priority: 'P1' })).toBe(1);
      // Default process metrics are on the app's registry too.
      expect(a.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('counts a rung and files its lateness in the "within a second" buckets', async () => {
    const { registry, metrics, close } = await boot();
    try {
      metrics.rungFired('WARNING', 'accept', new Date('2026-01-01T00:00:00.300Z'), '2026-01-01T00:00:00.000Z');
      metrics.rungFired('OVERDUE', 'accept', new Date('2026-01-01T00:00:07Z'), '2026-01-01T00:00:00Z');
      const samples = parsePrometheusText(await registry.metrics());
      expect(sampleSum(samples, 'hotline_rungs_fired_total', { level: 'WARNING', stage: 'accept' })).toBe(1);
      expect(sampleSum(samples, 'hotline_rungs_fired_total')).toBe(2);
      expect(sampleSum(samples, 'hotline_rung_lateness_seconds_bucket', { level: 'WARNING', le: '0.25' })).toBe(0);
      expect(sampleSum(samples, 'hotline_rung_lateness_seconds_bucket', { level: 'WARNING', le: '0.5' })).toBe(1);
      expect(sampleSum(samples, 'hotline_rung_lateness_seconds_bucket', { level: 'OVERDUE', le: '5' })).toBe(0);
      expect(sampleSum(samples, 'hotline_rung_lateness_seconds_bucket', { level: 'OVERDUE', le: '10' })).toBe(1);
      expect(sampleSum(samples, 'hotline_rung_lateness_seconds_sum', { level: 'OVERDUE' })).toBe(7);
      expect(sampleSum(samples, 'hotline_workflow_start_failures_total')).toBe(0);
      metrics.workflowStartFailed();
      expect(sampleSum(parsePrometheusText(await registry.metrics()), 'hotline_workflow_start_failures_total')).toBe(1);
    } finally {
      await close();
    }
  });
});
