import { TicketEventEntity, TicketEntity } from '@app/persistence';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, measured, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

const fields = (body: { errors?: Array<{ field: string }> }): string[] => (body.errors ?? []).map((error) => error.field);

/**
 * Two rules answered as validation (400 naming the field, nothing stored) instead of being silently
 * bent or refused later: a priority below the category's default, and a temperature visit without readings.
 */
describe('ticket rules answered at the edge', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  const as = (who: SignedIn): ReturnType<typeof authed> => authed(system, who.token);

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
  });

  afterAll(async () => {
    await system?.close();
  });

  it('refuses a priority below the category default with 400 naming priority, and stores nothing', async () => {
    const before = await system.dataSource.getRepository(TicketEntity).count();
    for (const [category, priority] of [['LEAK', 'P1'], ['LEAK', 'P2'], ['NOT_WARM', 'P2'], ['TEMPERATURE_TEST', 'P2']]) {
      const response = await as(operator).post('/tickets').send(ticketBody({ category, priority }));
      expect({ category, priority, status: response.status, fields: fields(response.body) }).toEqual({ category, priority, status: 400, fields: ['priority'] });
      expect(response.body.errors[0].message).toMatch(new RegExp(`priority ${priority} is below the ${category} default`));
    }
    expect(await system.dataSource.getRepository(TicketEntity).count()).toBe(before);
    // A bad category is named as such, not as a priority problem.
    expect(fields((await as(operator).post('/tickets').send(ticketBody({ category: 'COLD', priority: 'P2' })).expect(400)).body)).toEqual(['category']);
  });

  it('takes the default, or a raised priority', async () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['LEAK', 'P0', 'P0'],
      ['LEAK', undefined, 'P0'],
      ['NOT_WARM', 'P1', 'P1'],
      ['NOT_WARM', 'P0', 'P0'],
      ['BILLING', 'P2', 'P2'],
      ['BILLING', 'P1', 'P1'],
      ['CONSULTATION', 'P0', 'P0'],
    ];
    for (const [category, priority, stored] of cases) {
      const ticket = (await as(operator).post('/tickets').send(ticketBody({ category, ...(priority ? { priority } : {}) })).expect(201)).body;
      expect([category, priority, ticket.priority]).toEqual([category, priority, stored]);
      await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
    }
  });

  async function contacted(category: string): Promise<{ id: string }> {
    const ticket = (await as(operator).post('/tickets').send(ticketBody({ category })).expect(201)).body;
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    return ticket;
  }

  it.each(['NOT_WARM', 'NO_HEAT', 'TEMPERATURE_TEST'])('answers a %s visit without readings 400 naming readings, and changes nothing', async (category) => {
    const ticket = await contacted(category);
    const events = await system.dataSource.getRepository(TicketEventEntity).countBy({ ticketId: ticket.id });
    const response = await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '上门未测温', readings: [] }).expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, title: 'Validation failed', errors: [{ field: 'readings', message: expect.stringContaining(category) }] });
    const after = (await as(crew).get(`/tickets/${ticket.id}`).expect(200)).body;
    expect(after.status).toBe('CONTACTED');
    expect(await system.dataSource.getRepository(TicketEventEntity).countBy({ ticketId: ticket.id })).toBe(events);
    // With a reading the same visit goes through.
    const visited = (await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '卧室复测', readings: [measured('卧室', 19.5)] }).expect(200)).body;
    expect(visited.status).toBe('VISITED');
  });

  it.each(['LEAK', 'FACILITY'])('takes a %s visit without readings', async (category) => {
    const ticket = await contacted(category);
    const visited = (await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '已修复', readings: [] }).expect(200)).body;
    expect(visited.status).toBe('VISITED');
  });

  it('still answers 409 for a visit the lifecycle refuses: a category without a visit, or a ticket not yet contacted', async () => {
    const billing = await contacted('BILLING');
    await as(crew).post(`/tickets/${billing.id}/visit`).send({ note: '上门', readings: [] }).expect(409);
    const received = (await as(operator).post('/tickets').send(ticketBody({ category: 'NOT_WARM' })).expect(201)).body;
    await as(crew).post(`/tickets/${received.id}/visit`).send({ note: '上门', readings: [measured('卧室', 19)] }).expect(409);
  });
});
