import { describeFuzzing } from '../support/openapi-fuzz';

/** Issue 11, bad input everywhere: the ticket operations of the OpenAPI document (the others: fuzz-others). */
describeFuzzing('malformed requests to every ticket operation', 'test/e2e/fuzz-tickets.e2e-spec.ts', (operation) => operation.path.startsWith('/tickets'));
