import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { ticketWorkflowId } from '@app/workflows';
import { CompanyEntity } from '@app/persistence';
import { eventually, RunningWorker, startCutOffApi, startTestSystem, startWorker, TestSystem } from '../support/system';
import { insertCompany, insertDispatchedTicket, insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { bearer, loginAs, SignedIn } from '../support/auth';

/** POST /tickets and GET /tickets/{id} over HTTP, against real PostgreSQL and a real Temporal dev server. */
describe('tickets over HTTP', () => {
  let system: TestSystem;
  let nankai: CompanyEntity;
  let operator: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem();
    nankai = await insertCompany(system.dataSource, ['NANKAI', 'HEXI']);
    operator = await loginAs(system, 'operator', null, { username: 'operator' });
  });

  afterAll(async () => {
    await system?.close();
  });

  const countTickets = (): Promise<number> => system.dataSource.getRepository(TicketEntity).count();

  it('creates a ticket with its deadlines, stores it, starts its workflow and reads it back', async () => {
    const body = ticketBody();
    const response = await system.http().post('/tickets').set(bearer(operator.token)).send(body).expect(201);
    const ticket = response.body;
    expect(ticket).toMatchObject({
      status: 'RECEIVED',
      category: 'NOT_WARM',
      priority: 'P1',
      channel: 'PHONE',
      district: 'NANKAI',
      citizenPhone: body.citizenPhone,
      companyId: nankai.id,
      dispatchCount: 1,
      reopenCount: 0,
      repeatCount: 0,
      policyVersion: 1,
      escalationLevel: 'NONE',
      readings: [],
      closedAt: null,
    });
    expect(ticket.number).toMatch(/^8890-\d{8}-\d{6}$/);
    const dispatched = Date.parse(ticket.dispatchedAt);
    const minutesAfterDispatch = (stage: string): number => (Date.parse(ticket.stages[stage].dueAt) - dispatched) / 60_000;
    expect(minutesAfterDispatch('accept')).toBe(30);
    expect(minutesAfterDispatch('contact')).toBe(60);
    expect(minutesAfterDispatch('visit')).toBe(360);
    expect(minutesAfterDispatch('reply')).toBe(1440);
    expect(ticket.stages.remediate).toBeUndefined();

    const read = await system.http().get(`/tickets/${ticket.id}`).set(bearer(operator.token)).expect(200);
    const { dispatches, refund, ...rest } = read.body;
    expect(rest).toEqual(ticket);
    expect(refund).toEqual({ eligible: false, lines: [] });
    // Its one dispatch so far, current, mirroring the ticket's stages.
    expect(dispatches).toEqual([
      { seq: 1, companyId: nankai.id, dispatchedAt: ticket.dispatchedAt, cause: 'CREATED', stages: ticket.stages, extension: null,
        escalationLevel: 'NONE', rungsFired: [], callback: null, outcome: null, endedAt: null, pauses: 0, pausedSeconds: 0 },
    ]);

    const description = await system.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).describe();
    expect(description.status.name).toBe('RUNNING');
    const stored = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id });
    expect(stored.workflowStartedAt).not.toBeNull();
    const events = await system.dataSource.getRepository(TicketEventEntity).findBy({ ticketId: ticket.id });
    expect(events.map((event) => [event.type, event.actor, event.role])).toEqual([['CREATED', 'operator', 'operator']]);
  });

  it('raises the priority on request, refuses to lower it (400 naming priority)', async () => {
    const raised = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ priority: 'P0' })).expect(201);
    expect(raised.body.priority).toBe('P0');
    const leak = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ category: 'LEAK', priority: 'P2' })).expect(400);
    expect(leak.body.errors.map((error: { field: string }) => error.field)).toEqual(['priority']);
  });

  it('numbers concurrent tickets uniquely within the day', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody())));
    const numbers = responses.map((response) => response.body.number as string);
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    expect(new Set(numbers).size).toBe(8);
  });

  it('answers 400 naming every bad field, stores nothing and starts no workflow', async () => {
    const before = await countTickets();
    const response = await system
      .http()
      .post('/tickets')
      .set(bearer(operator.token))
      .send({ category: 'COLD', citizenPhone: '12345', district: 'SHANGHAI', address: '', description: 'x', priority: 'P9' })
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'about:blank', title: 'Validation failed', status: 400 });
    const fields = response.body.errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual(['address', 'category', 'citizenName', 'citizenPhone', 'district', 'priority']);
    expect(response.body.errors.find((error: { field: string }) => error.field === 'citizenPhone').message).toMatch(/mobile/);
    expect(await countTickets()).toBe(before);
  });

  it('refuses unknown fields', async () => {
    const before = await countTickets();
    const response = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ status: 'CLOSED' })).expect(400);
    expect(response.body.errors).toEqual([{ field: 'status', message: 'property status should not exist' }]);
    expect(await countTickets()).toBe(before);
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await system.http().post('/tickets').set(bearer(operator.token)).set('Content-Type', 'application/json').send('{"category":').expect(400);
    expect(response.body).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('answers 422 when no company covers the district, or the company is unknown', async () => {
    const before = await countTickets();
    const uncovered = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'JIZHOU' })).expect(422);
    expect(uncovered.body.detail).toMatch(/JIZHOU/);
    const unknown = await system
      .http()
      .post('/tickets')
      .set(bearer(operator.token))
      .send(ticketBody({ companyId: '6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77' }))
      .expect(422);
    expect(unknown.body.title).toBe('Unknown company');
    expect(await countTickets()).toBe(before);
  });

  it('routes to the covering company with the fewest open tickets', async () => {
    const busy = await insertCompany(system.dataSource, ['BAODI']);
    const idle = await insertCompany(system.dataSource, ['BAODI']);
    await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'BAODI', companyId: busy.id })).expect(201);
    const routed = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'BAODI' })).expect(201);
    expect(routed.body.companyId).toBe(idle.id);
    await insertCompany(system.dataSource, ['WUQING'], { active: false });
    await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'WUQING' })).expect(422);
  });

  it('answers 404 for an unknown ticket and 400 for a malformed id', async () => {
    const missing = await system.http().get('/tickets/6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77').set(bearer(operator.token)).expect(404);
    expect(missing.body).toMatchObject({ status: 404, title: 'Not Found' });
    await system.http().get('/tickets/not-a-uuid').set(bearer(operator.token)).expect(400);
  });

  it('fires every rung of every stage exactly once, never early, with a seconds-long policy', async () => {
    const version = await insertPolicyVersion(system.dataSource, 'P0', SECONDS_POLICY);
    const created = await system.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ category: 'LEAK' })).expect(201);
    expect(created.body.policyVersion).toBe(version);
    const id = created.body.id as string;
    // An untouched ticket's workflow runs on (it is still open); wait for the last rung of the ladder.
    await eventually(async () => {
      const [{ count }] = await system.dataSource.query('SELECT count(*)::int AS count FROM escalations WHERE ticket_id = $1', [id]);
      return count >= 16 ? true : undefined;
    }, 60_000, 'all 16 rungs');

    const rows: Array<{ stage: string; level: string; due_at: Date; fired_at: Date }> = await system.dataSource.query(
      'SELECT stage, level, due_at, fired_at FROM escalations WHERE ticket_id = $1 ORDER BY due_at, fired_at',
      [id],
    );
    const keys = rows.map((row) => `${row.stage}:${row.level}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      ['accept', 'contact', 'visit', 'reply'].flatMap((stage) => ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'].map((level) => `${stage}:${level}`)).sort(),
    );
    for (const row of rows) expect(row.fired_at.getTime()).toBeGreaterThanOrEqual(row.due_at.getTime());
    const acceptOverdue = rows.find((row) => row.stage === 'accept' && row.level === 'OVERDUE');
    expect(acceptOverdue?.due_at.toISOString()).toBe(created.body.stages.accept.dueAt);

    const ticket = (await system.http().get(`/tickets/${id}`).set(bearer(operator.token)).expect(200)).body;
    expect(ticket.escalationLevel).toBe('PUBLIC_NOTICE');
    expect(Object.keys(ticket.stages).sort()).toEqual(['accept', 'contact', 'reply', 'visit']);
    expect(Object.values(ticket.stages).every((stage) => (stage as { overdue: boolean }).overdue)).toBe(true);
    const events = await system.dataSource.getRepository(TicketEventEntity).findBy({ ticketId: id, actor: 'system' });
    expect(events).toHaveLength(16);
    await system.http().post(`/tickets/${id}/cancel`).set(bearer(operator.token)).send({ reason: 'test over' }).expect(200);
  });

  it('pages through tickets created within one millisecond without skipping or repeating any', async () => {
    const ids: string[] = [];
    for (const micros of ['123100', '123200', '123300', '123400']) {
      const ticket = await insertDispatchedTicket(system.dataSource, { companyId: nankai.id, dispatchedAt: new Date(), district: 'JIZHOU' });
      await system.dataSource.query(`UPDATE tickets SET created_at = $2 WHERE id = $1`, [ticket.id, `2020-01-01T00:00:00.${micros}Z`]);
      ids.push(ticket.id);
    }
    const seen: string[] = [];
    for (let cursor: string | undefined, pages = 0; pages < 10; pages++) {
      const page = (await system.http().get('/tickets').set(bearer(operator.token)).query({ district: 'JIZHOU', limit: 1, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      seen.push(...page.items.map((item: { id: string }) => item.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('documents every endpoint in OpenAPI', async () => {
    const document = (await system.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/auth/login',
        '/users',
        '/companies',
        '/health',
        '/tickets',
        '/tickets/{id}',
        '/tickets/{id}/events',
        '/tickets/{id}/escalations',
        '/tickets/{id}/accept',
        '/tickets/{id}/extension/approve',
        '/tickets/{id}/extension/notified',
        '/tickets/{id}/callback',
        '/escalations',
        '/public/notices',
        '/sla-policies',
        '/sla-policies/{priority}',
        '/calendar/{year}',
        '/seasons',
        '/seasons/{season}',
      ]),
    );
    // Every operation says what it does and what it answers.
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { summary?: string; responses?: object }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect({ path, method, summary: Boolean(operation.summary), responses: Object.keys(operation.responses ?? {}).length > 0 }).toEqual({
          path,
          method,
          summary: true,
          responses: true,
        });
      }
    }
    expect(document.paths['/tickets'].post.requestBody.content['application/json'].schema.$ref).toMatch(/CreateTicketDto/);
    expect(document.components.schemas.TicketDto.required).toEqual(expect.arrayContaining(['id', 'number', 'stages']));
    await system.http().get('/docs').redirects(1).expect(200);
  });

  it('reports health 200 when PostgreSQL and Temporal answer', async () => {
    const response = await system.http().get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', database: 'up', temporal: 'up', checkedAt: expect.any(String) });
  });
});

describe('when Temporal is down', () => {
  let system: TestSystem;
  let cutOff: TestSystem;
  let worker: RunningWorker | undefined;
  let operator: SignedIn;

  beforeAll(async () => {
    // No worker yet: nothing can start a workflow until the test starts one.
    system = await startTestSystem({ worker: false });
    await insertCompany(system.dataSource, ['HEXI']);
    operator = await loginAs(system, 'operator', null, { username: 'operator' });
    // Same database, but its Temporal address answers nothing: the API must still take tickets.
    cutOff = await startCutOffApi(system);
  });

  afterAll(async () => {
    await worker?.stop();
    await cutOff?.close();
    await system?.close();
  });

  it('reports 503 naming Temporal', async () => {
    const response = await cutOff.http().get('/health').expect(503);
    expect(response.body).toEqual({ status: 'unavailable', database: 'up', temporal: 'down', checkedAt: expect.any(String) });
    // Liveness does no I/O: the process is alive although a dependency is not.
    await cutOff.http().get('/health/live').expect(200, { status: 'ok' });
  });

  it('still answers 201, and the worker starts the workflow once Temporal is reachable', async () => {
    const created = await cutOff.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ district: 'HEXI' })).expect(201);
    const id = created.body.id as string;
    const stored = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
    expect(stored.workflowStartedAt).toBeNull();
    // A worker comes up; its sweeper (every second here) picks the ticket up.
    worker = await startWorker(system.config);
    await eventually(async () => {
      const row = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
      return row.workflowStartedAt ?? undefined;
    }, 30_000, 'workflow start by the sweeper');
    const description = await system.temporal.workflow.getHandle(ticketWorkflowId(id)).describe();
    expect(description.status.name).toBe('RUNNING');
    // Deadlines still count from the original dispatch.
    expect((await system.http().get(`/tickets/${id}`).set(bearer(operator.token)).expect(200)).body.stages).toEqual(created.body.stages);

    // An action while Temporal is unreachable: 503, and the ticket stays as it was.
    const crew = await loginAs(system, 'crew', stored.companyId);
    const refused = await cutOff.http().post(`/tickets/${id}/accept`).set(bearer(crew.token)).expect(503);
    expect(refused.body).toMatchObject({ status: 503, title: 'Workflow service unavailable' });
    expect((await system.http().get(`/tickets/${id}`).set(bearer(operator.token))).body.status).toBe('RECEIVED');
    expect((await system.http().post(`/tickets/${id}/accept`).set(bearer(crew.token)).expect(200)).body.status).toBe('ACCEPTED');
  });
});
