/** Injection token of the process's prom-client Registry (one per Nest application, never the global one). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
