import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, sampleSum } from './prometheus-text';

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes) and values, skipping comments', () => {
    const samples = parsePrometheusText(
      [
        '# HELP a_total A counter.',
        '# TYPE a_total counter',
        'a_total{action="accept",outcome="applied"} 3',
        'b{path="/x\\"y\\\\z",nl="a\\nb"} 1.5 1700000000000',
        'c_bucket{le="+Inf"} 7',
        'plain 42',
        '',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'a_total', labels: { action: 'accept', outcome: 'applied' }, value: 3 },
      { name: 'b', labels: { path: '/x"y\\z', nl: 'a\nb' }, value: 1.5 },
      { name: 'c_bucket', labels: { le: '+Inf' }, value: 7 },
      { name: 'plain', labels: {}, value: 42 },
    ]);
  });

  it('refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('a_total{x="1" 3')).toThrow(/Not a Prometheus sample|Bad labels/);
  });

  it('reads what prom-client writes, and sums over the labels left out', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 't_total', help: 'h', labelNames: ['a', 'b'], registers: [registry] });
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['level'], buckets: [0.1, 1], registers: [registry] });
    counter.inc({ a: 'x', b: '1' }, 2);
    counter.inc({ a: 'x', b: '2' });
    counter.inc({ a: 'y', b: '1' });
    histogram.observe({ level: 'WARNING' }, 0.5);
    const samples = parsePrometheusText(await registry.metrics());
    expect(sampleSum(samples, 't_total', { a: 'x', b: '1' })).toBe(2);
    expect(sampleSum(samples, 't_total', { a: 'x' })).toBe(3);
    expect(sampleSum(samples, 't_total')).toBe(4);
    expect(sampleSum(samples, 't_total', { a: 'z' })).toBe(0);
    expect(sampleSum(samples, 'h_seconds_count', { level: 'WARNING' })).toBe(1);
    expect(sampleSum(samples, 'h_seconds_bucket', { level: 'WARNING', le: '0.1' })).toBe(0);
    expect(sampleSum(samples, 'h_seconds_bucket', { level: 'WARNING', le: '1' })).toBe(1);
  });
});
