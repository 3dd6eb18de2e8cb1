import { RepeatCallEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany } from '../support/fixtures';
import { eventually, RunningWorker, startCutOffApi, startTestSystem, startWorker, TestSystem } from '../support/system';

/**
 * A repeat call (催办) never makes a second ticket: it is recorded in PostgreSQL with the caller's
 * Idempotency-Key, even while Temporal cannot be reached or the ticket's workflow has not started, and a
 * call that must reopen a closed ticket reaches its workflow later. Phones match in one canonical form.
 */
describe('repeat calls', () => {
  let system: TestSystem;
  /** The same database, but its Temporal address answers nothing. */
  let cutOff: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  let worker: RunningWorker | undefined;
  let phoneSequence = 0;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    worker = await startWorker(system.config);
    const company = await insertCompany(system.dataSource, ['HEXI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    cutOff = await startCutOffApi(system);
  });

  afterAll(async () => {
    await worker?.stop();
    await cutOff?.close();
    await system?.close();
  });

  const as = (where: TestSystem, who: SignedIn) => authed(where, who.token);
  /** A landline of its own per test, written with the dashes and spaces callers dictate. */
  const caller = (overrides: Record<string, unknown> = {}) => {
    const digits = String(2_000_0000 + ++phoneSequence * 7919 + (process.pid % 1000));
    return {
      category: 'BILLING',
      citizenName: '李先生',
      citizenPhone: `022-${digits.slice(0, 4)} ${digits.slice(4)}`,
      district: 'HEXI',
      address: `河西区友谊路${phoneSequence}号`,
      description: '多收了取暖费',
      ...overrides,
    };
  };
  const ticketsOf = (phone: string) => system.dataSource.getRepository(TicketEntity).findBy({ citizenPhone: phone });
  const eventTypes = async (id: string): Promise<string[]> =>
    (await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } })).map((e) => e.type);

  it('stores one canonical phone, so a differently written number is the same caller', async () => {
    const body = caller();
    const first = (await as(system, operator).post('/tickets').send(body).expect(201)).body;
    const canonical = body.citizenPhone.replace(/[- ]/g, '');
    expect(first.citizenPhone).toBe(canonical);
    const again = await as(system, operator).post('/tickets').send({ ...body, citizenPhone: canonical }).expect(200);
    expect(again.body).toMatchObject({ id: first.id, repeatCount: 1 });
    const spaced = await as(system, operator).post('/tickets').send({ ...body, citizenPhone: `(${canonical.slice(0, 3)}) ${canonical.slice(3)}` }).expect(200);
    expect(spaced.body).toMatchObject({ id: first.id, repeatCount: 2 });
    expect(await ticketsOf(canonical)).toHaveLength(1);
  });

  it('records a repeat call while Temporal is down and the ticket’s workflow has not started: 200, no second ticket', async () => {
    const body = caller();
    const created = (await as(cutOff, operator).post('/tickets').send(body).expect(201)).body;
    const repeat = await as(cutOff, operator).post('/tickets').send(body).expect(200);
    expect(repeat.body).toMatchObject({ id: created.id, status: 'RECEIVED', repeatCount: 1 });
    const tickets = await ticketsOf(created.citizenPhone);
    expect(tickets).toHaveLength(1);
    expect(await eventTypes(created.id)).toEqual(['CREATED', 'REPEAT_CALL']);
  });

  it('reopens a closed ticket through its workflow once Temporal is reachable again, decided when the call came in', async () => {
    const body = caller();
    const done = (await as(system, operator).post('/tickets').send(body).expect(201)).body;
    await as(system, crew).post(`/tickets/${done.id}/accept`).send({}).expect(200);
    await as(system, crew).post(`/tickets/${done.id}/contact`).send({ note: '已电话联系' }).expect(200);
    await as(system, crew).post(`/tickets/${done.id}/reply`).send({ resolution: '已退还多收费用' }).expect(200);
    await as(system, operator)
      .post(`/tickets/${done.id}/callback`)
      .send({ reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '' })
      .expect(200);

    // No worker (so no sweeper), and Temporal unreachable from this API: the call is recorded against the
    // closed ticket, not made a new one, and waits.
    await worker?.stop();
    worker = undefined;
    const repeat = await as(cutOff, operator).post('/tickets').send(body).expect(200);
    expect(repeat.body).toMatchObject({ id: done.id, status: 'CLOSED', repeatCount: 1 });
    const [call] = await system.dataSource.getRepository(RepeatCallEntity).findBy({ ticketId: done.id });
    expect(call).toMatchObject({ needsDelivery: true });
    expect(await ticketsOf(done.citizenPhone)).toHaveLength(1);

    // A worker comes back; its sweeper delivers the call: the ticket reopens (重办), dispatched at the call's instant.
    worker = await startWorker(system.config);
    const reopened = await eventually(async () => {
      const ticket = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: done.id });
      return ticket.status === 'RECEIVED' ? ticket : undefined;
    }, 60_000, 'the repeat call reopening the ticket');
    expect(reopened).toMatchObject({ reopenCount: 1, repeatCount: 1, closedAt: null });
    expect(reopened.dispatchedAt.toISOString()).toBe(call.receivedAt.toISOString());
    const delivered = await system.dataSource.getRepository(RepeatCallEntity).findOneByOrFail({ id: call.id });
    expect(delivered.deliveredAt).not.toBeNull();
    expect(delivered.outcome).toBeNull();
    const types = await eventTypes(done.id);
    expect(types.slice(-2)).toEqual(['REPEAT_CALL', 'REOPEN']);
    // The reopened ticket takes actions again through its workflow.
    expect((await as(system, crew).post(`/tickets/${done.id}/accept`).send({}).expect(200)).body.status).toBe('ACCEPTED');
  });

  it('applies a repeat call once for concurrent retries with one Idempotency-Key, and keeps no caller data with the key', async () => {
    const body = caller();
    const created = (await as(system, operator).post('/tickets').send(body).expect(201)).body;
    const retries = await Promise.all(
      Array.from({ length: 4 }, () => as(cutOff, operator).post('/tickets').set('Idempotency-Key', `repeat-${created.id}`).send(body)),
    );
    expect(retries.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(retries.every((response) => response.body.id === created.id && response.body.citizenPhone === created.citizenPhone)).toBe(true);
    const stored = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: created.id });
    expect(stored.repeatCount).toBe(1);
    expect(await system.dataSource.getRepository(RepeatCallEntity).countBy({ ticketId: created.id })).toBe(1);

    const keys: Array<{ row: Record<string, unknown> }> = await system.dataSource.query(
      `SELECT to_jsonb(k) AS row FROM idempotency_keys k WHERE key = $1`,
      [`repeat-${created.id}`],
    );
    expect(keys).toHaveLength(1);
    expect(keys[0].row).toMatchObject({ ticket_id: created.id, status_code: 200 });
    const text = JSON.stringify(keys[0].row);
    for (const personal of [created.citizenPhone, created.citizenName, created.address]) expect(text).not.toContain(personal);
  });
});
