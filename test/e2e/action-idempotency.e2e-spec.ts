import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/http';
import { CompanyEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { TicketLifecycleGateway } from '@app/tickets';
import type { TicketDto } from '@app/tickets';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, measured, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * A retry after a dropped connection never doubles an action (issue 10): every action takes an
 * Idempotency-Key; the first request sends the action as the workflow Update its key names, and a retry
 * gets the same answer (200 with the ticket as it is now, or the same refusal), never a second application.
 */
describe('Idempotency-Key on ticket actions', () => {
  let system: TestSystem;
  let north: CompanyEntity;
  let south: CompanyEntity;
  let operator: SignedIn;
  let crew: SignedIn;
  let gateway: TicketLifecycleGateway;
  let keySequence = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    north = await insertCompany(system.dataSource, ['HEDONG']);
    south = await insertCompany(system.dataSource, ['HEDONG']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', north.id);
    gateway = system.app.get(TicketLifecycleGateway);
  });

  afterAll(async () => {
    await system?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  const as = (who: SignedIn) => authed(system, who.token);
  /** A key of its own per intended action, as the console makes one. */
  const newKey = (): string => `action-${process.pid}-${++keySequence}`;
  /** A ticket at `north`, whoever the routing would pick. */
  async function createTicket(overrides: Record<string, unknown> = {}): Promise<TicketDto> {
    return (await as(operator).post('/tickets').send(ticketBody({ district: 'HEDONG', companyId: north.id, ...overrides })).expect(201)).body;
  }
  const eventTypes = async (id: string): Promise<string[]> =>
    (await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } })).map((e) => e.type);
  const statusOf = async (id: string): Promise<string> => (await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id })).status;

  it('applies an action once for a retry with its key: the same 200, one ACCEPT event', async () => {
    const ticket = await createTicket();
    const key = newKey();
    const first = await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', key).send({}).expect(200);
    const retry = await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', key).send({}).expect(200);
    expect(first.body.status).toBe('ACCEPTED');
    expect(retry.body).toMatchObject({ id: ticket.id, status: 'ACCEPTED', stages: { accept: { doneAt: first.body.stages.accept.doneAt } } });
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT']);

    // The key keeps the ticket and the outcome, no body (no caller data).
    const rows: Array<{ row: Record<string, unknown> }> = await system.dataSource.query(`SELECT to_jsonb(k) AS row FROM idempotency_keys k WHERE key = $1`, [key]);
    expect(rows).toHaveLength(1);
    expect(rows[0].row).toMatchObject({ actor: crew.user.username, scope: 'accept', ticket_id: ticket.id, status_code: 200, problem: null });
  });

  it('answers 422 to a key used again for another action, body or ticket, and changes nothing', async () => {
    const ticket = await createTicket();
    const other = await createTicket();
    const accepted = newKey();
    await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', accepted).send({}).expect(200);

    // The accept's key on contact.
    const otherAction = await as(crew).post(`/tickets/${ticket.id}/contact`).set('Idempotency-Key', accepted).send({ note: '已电话联系' }).expect(422);
    expect(otherAction.headers['content-type']).toMatch(/problem\+json/);
    expect(otherAction.body).toMatchObject({ status: 422, title: 'Idempotency key reused' });
    // The same key on another ticket.
    const otherTicket = await as(crew).post(`/tickets/${other.id}/accept`).set('Idempotency-Key', accepted).send({}).expect(422);
    expect(otherTicket.body.title).toBe('Idempotency key reused');
    // A create's key on an action (one key, one intended operation).
    const created = newKey();
    await as(operator).post('/tickets').set('Idempotency-Key', created).send(ticketBody({ district: 'HEDONG', companyId: north.id })).expect(201);
    await as(operator).post(`/tickets/${other.id}/reassign`).set('Idempotency-Key', created).send({ companyId: south.id }).expect(422);
    await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', accepted).send({}).expect(200);
    expect(await statusOf(ticket.id)).toBe('ACCEPTED');
    expect(await statusOf(other.id)).toBe('RECEIVED');

    // The contact's key with another body.
    const contacted = newKey();
    await as(crew).post(`/tickets/${ticket.id}/contact`).set('Idempotency-Key', contacted).send({ note: '已电话联系' }).expect(200);
    const otherBody = await as(crew).post(`/tickets/${ticket.id}/contact`).set('Idempotency-Key', contacted).send({ note: '又联系了一次' }).expect(422);
    expect(otherBody.body.title).toBe('Idempotency key reused');
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT']);
    expect(await eventTypes(other.id)).toEqual(['CREATED']);
  });

  it('applies four concurrent requests with one key once: one CONTACT event, four times the same 200', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => as(crew).post(`/tickets/${ticket.id}/contact`).set('Idempotency-Key', key).send({ note: '已电话联系' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((answer) => answer.body.status)).toEqual(['CONTACTED', 'CONTACTED', 'CONTACTED', 'CONTACTED']);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT']);
  });

  it('applies concurrent retries of a repeatable action once (a cold visit): one VISIT event until a new request', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    const key = newKey();
    const cold = { note: '卧室偏冷', readings: [measured('卧室', 16.5)] };
    const answers = await Promise.all(Array.from({ length: 4 }, () => as(crew).post(`/tickets/${ticket.id}/visit`).set('Idempotency-Key', key).send(cold)));
    expect(answers.map((answer) => [answer.status, answer.body.status])).toEqual(Array.from({ length: 4 }, () => [200, 'REMEDIATING']));
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT', 'VISIT']);
    // Another visit is another intended action: it applies (the dedup above was the key's).
    await as(crew).post(`/tickets/${ticket.id}/visit`).send(cold).expect(200);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT', 'VISIT', 'VISIT']);
  });

  it('answers a refused action’s retry with the same 409, even once the action would be allowed', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    const key = newKey();
    const refused = await as(crew).post(`/tickets/${ticket.id}/reply`).set('Idempotency-Key', key).send({ resolution: '已调节阀门' }).expect(409);
    expect(refused.body).toMatchObject({ status: 409, title: 'Action not allowed now' });
    expect(refused.body.detail).toMatch(/reply is not allowed when the ticket is ACCEPTED/);
    const again = await as(crew).post(`/tickets/${ticket.id}/reply`).set('Idempotency-Key', key).send({ resolution: '已调节阀门' }).expect(409);
    expect(again.headers['content-type']).toMatch(/problem\+json/);
    expect(again.body).toEqual(refused.body);

    // The ticket moves on to where a reply is allowed: the key still answers what it answered.
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '室温达标', readings: [measured('卧室', 19)] }).expect(200);
    expect((await as(crew).post(`/tickets/${ticket.id}/reply`).set('Idempotency-Key', key).send({ resolution: '已调节阀门' }).expect(409)).body).toEqual(refused.body);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT', 'VISIT']);
    // A new intended reply has a new key.
    expect((await as(crew).post(`/tickets/${ticket.id}/reply`).set('Idempotency-Key', newKey()).send({ resolution: '已调节阀门' }).expect(200)).body.status).toBe('REPLIED');
  });

  it('answers a bad body’s retry with the same 400, and keeps no key for it', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    const key = newKey();
    const kitchenOnly = { note: '只测了厨房', readings: [measured('厨房', 19, 'KITCHEN')] };
    const bad = await as(crew).post(`/tickets/${ticket.id}/visit`).set('Idempotency-Key', key).send(kitchenOnly).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(['readings']);
    expect((await as(crew).post(`/tickets/${ticket.id}/visit`).set('Idempotency-Key', key).send(kitchenOnly).expect(400)).body).toEqual(bad.body);
    expect(await system.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).toHaveLength(0);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT']);
  });

  it('works as before without the header: each request is its own action', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    const second = await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(409);
    expect(second.body.detail).toMatch(/accept is not allowed when the ticket is ACCEPTED/);
    await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', '   ').send({}).expect(409); // a blank key is no key
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT']);
    expect(await system.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE ticket_id = $1`, [ticket.id])).toHaveLength(0);
  });

  it('answers a retry after the answer was lost, once the workflow had applied the action, with 200 and no second application', async () => {
    const ticket = await createTicket();
    const key = newKey();
    // The workflow applies the reassignment, then the answer is lost on its way back (the API sees a 503).
    const apply = gateway.apply.bind(gateway);
    jest.spyOn(gateway, 'apply').mockImplementationOnce(async (...args) => {
      await apply(...args);
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The connection dropped (simulated)', { title: 'Workflow service unavailable' });
    });
    await as(operator).post(`/tickets/${ticket.id}/reassign`).set('Idempotency-Key', key).send({ companyId: south.id }).expect(503);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'REASSIGN']);

    // The retry takes the Update's own outcome: not a second dispatch, nor the 422 of "already at that company".
    const retry = await as(operator).post(`/tickets/${ticket.id}/reassign`).set('Idempotency-Key', key).send({ companyId: south.id }).expect(200);
    expect(retry.body).toMatchObject({ id: ticket.id, status: 'RECEIVED', companyId: south.id, dispatchCount: 2 });
    expect((await as(operator).post(`/tickets/${ticket.id}/reassign`).set('Idempotency-Key', key).send({ companyId: south.id }).expect(200)).body.dispatchCount).toBe(2);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'REASSIGN']);
  });

  it('sends the action on a retry when the first attempt never reached the workflow', async () => {
    const ticket = await createTicket();
    const key = newKey();
    jest.spyOn(gateway, 'apply').mockRejectedValueOnce(
      new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The ticket workflow could not be reached (simulated)', { title: 'Workflow service unavailable' }),
    );
    await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', key).send({}).expect(503);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED']);
    expect((await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', key).send({}).expect(200)).body.status).toBe('ACCEPTED');
    await as(crew).post(`/tickets/${ticket.id}/accept`).set('Idempotency-Key', key).send({}).expect(200);
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT']);
  });
});
