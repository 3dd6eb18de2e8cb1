import { ROLES } from '@app/domain';
import type { Role } from '@app/domain';
import { bearer, loginAs, SignedIn } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

type Caller = Role | 'nobody';
const ANYONE = 'anyone' as const;
const SIGNED_IN = ROLES;

/**
 * Who may call each endpoint, written out by hand (not read from the access policy, which it checks):
 * every operation of the OpenAPI document must have a row, so a new route cannot go unchecked.
 */
const WHO_MAY: Record<string, typeof ANYONE | readonly Role[]> = {
  'POST /auth/login': ANYONE,
  'GET /auth/me': SIGNED_IN,
  'POST /auth/password': SIGNED_IN,
  'GET /health': ANYONE,
  'GET /health/live': ANYONE,
  'GET /metrics': ANYONE,
  'GET /public/notices': ANYONE,
  'GET /public/companies': ANYONE,
  'POST /users': ['admin'],
  'GET /users': ['admin'],
  'PATCH /users/{id}': ['admin'],
  'POST /users/{id}/password-reset': ['admin'],
  'POST /companies': ['admin'],
  'PATCH /companies/{id}': ['admin'],
  'GET /companies': SIGNED_IN,
  'GET /sla-policies': SIGNED_IN,
  'PUT /sla-policies/{priority}': ['admin'],
  'GET /calendar/{year}': SIGNED_IN,
  'PUT /calendar/{year}': ['admin'],
  'GET /seasons': SIGNED_IN,
  'PUT /seasons/{season}': ['admin'],
  'GET /indoor-standard': SIGNED_IN,
  'PUT /indoor-standard': ['admin'],
  'POST /tickets': ['operator'],
  'GET /tickets': ['operator', 'supervisor', 'crew', 'admin'],
  'GET /tickets/{id}': ['operator', 'supervisor', 'crew', 'admin'],
  'GET /tickets/{id}/events': ['operator', 'supervisor', 'crew', 'admin'],
  'GET /tickets/{id}/escalations': ['operator', 'supervisor', 'crew', 'admin'],
  'POST /tickets/{id}/accept': ['crew'],
  'POST /tickets/{id}/contact': ['crew'],
  'POST /tickets/{id}/visit': ['crew'],
  'POST /tickets/{id}/reply': ['crew'],
  'POST /tickets/{id}/return': ['crew'],
  'POST /tickets/{id}/extension': ['crew'],
  'POST /tickets/{id}/reassign': ['operator'],
  'POST /tickets/{id}/reject-return': ['operator'],
  'POST /tickets/{id}/callback': ['operator'],
  'POST /tickets/{id}/cancel': ['operator'],
  'POST /tickets/{id}/priority': ['operator'],
  'POST /tickets/{id}/extension/approve': ['supervisor'],
  'POST /tickets/{id}/extension/reject': ['supervisor'],
  'POST /tickets/{id}/review/confirm': ['supervisor'],
  'POST /tickets/{id}/review/reopen': ['supervisor'],
  'POST /tickets/{id}/extension/notified': ['crew'],
  'POST /tickets/{id}/pause': ['crew'],
  'POST /tickets/{id}/pause/approve': ['supervisor'],
  'POST /tickets/{id}/pause/reject': ['supervisor'],
  'POST /tickets/{id}/resume': ['crew'],
  'POST /tickets/{id}/refund-exclusion': ['crew'],
  'GET /intake': ['operator'],
  'GET /escalations': ['supervisor', 'crew', 'admin'],
  'GET /reports/overdue': ['supervisor', 'operator', 'crew', 'admin'],
  'GET /reports/companies': ['supervisor', 'admin'],
  'GET /reports/trends': ['supervisor', 'admin'],
  'GET /reports/hotspots': ['supervisor', 'admin'],
  'GET /reports/refunds': ['supervisor', 'admin'],
  'GET /hotspots/nearby': ['operator', 'supervisor'],
};

/** Every endpoint × every caller over HTTP: 401 without a token, 403 for a role not listed, through otherwise. */
describe('who may call each endpoint', () => {
  let system: TestSystem;
  let as: Record<Role, SignedIn>;
  let ticketId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI']);
    as = {
      admin: await loginAs(system, 'admin'),
      operator: await loginAs(system, 'operator'),
      crew: await loginAs(system, 'crew', company.id),
      supervisor: await loginAs(system, 'supervisor'),
    };
    ticketId = (await system.http().post('/tickets').set(bearer(as.operator.token)).send(ticketBody({ district: 'NANKAI' })).expect(201)).body.id;
  });

  afterAll(async () => {
    await system?.close();
  });

  it('has a row for every operation of the OpenAPI document, and none for a route that is gone', async () => {
    const document = (await system.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.sort()).toEqual(Object.keys(WHO_MAY).sort());
  });

  const cases = Object.entries(WHO_MAY).flatMap(([operation, allowed]) =>
    (['nobody', ...ROLES] as Caller[]).map((caller) => [operation, caller, allowed] as const),
  );

  it.each(cases)('%s as %s', async (operation, caller, allowed) => {
    const [method, template] = operation.split(' ');
    const path = template.replace('{id}', ticketId).replace('{priority}', 'P1').replace('{year}', '2026');
    // An empty body: allowed callers get past the guards to validation or the rules (400/409…), nothing else.
    const call = system.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](path);
    const response = await (caller === 'nobody' ? call : call.set(bearer(as[caller].token))).send(method === 'GET' ? undefined : {});
    if (allowed === ANYONE) {
      expect([401, 403]).not.toContain(response.status);
    } else if (caller === 'nobody') {
      expect(response.status).toBe(401);
    } else if (allowed.includes(caller)) {
      expect([401, 403]).not.toContain(response.status);
    } else {
      expect(response.status).toBe(403);
      expect(response.body.detail).toMatch(new RegExp(`signed in as ${caller}`));
    }
  });
});
