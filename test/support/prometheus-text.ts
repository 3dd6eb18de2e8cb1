// Test support: the parser lives in @app/devstack, where the benchmark reads the same format.
export { parsePrometheusText, sampleSum, type PrometheusSample } from '@app/devstack';
