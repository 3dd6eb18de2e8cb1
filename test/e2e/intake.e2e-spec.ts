import { RepeatCallEntity, TicketEntity } from '@app/persistence';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * GET /intake, the operator's new-ticket form (issue 10): while the phone or address is typed it shows the
 * ticket a submit would be a repeat call (催办) on, the caller's open tickets, and the company a new ticket
 * would go to, by the very rules POST /tickets applies, and changes nothing.
 */
describe('intake (the new-ticket form)', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  let company: { id: string; name: string };
  let phoneSequence = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    company = await insertCompany(system.dataSource, ['HEXI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  /** A mobile of its own per test. */
  const caller = (overrides: Record<string, unknown> = {}) => {
    phoneSequence += 1;
    return {
      category: 'NOT_WARM',
      citizenName: '赵女士',
      citizenPhone: `139${String(process.pid % 10_000).padStart(4, '0')}${String(phoneSequence).padStart(4, '0')}`,
      district: 'HEXI',
      address: `河西区大沽南路${phoneSequence}号2门301`,
      description: '暖气不热',
      ...overrides,
    };
  };
  const intake = (query: Record<string, string>) => as(operator).get('/intake').query(query);
  /** How the form lists a caller's ticket just taken: received, at the address typed, in HEXI, no rung fired. */
  const listedNew = (created: { id: string; number: string; createdAt: string }, caller: { address: string; category: string }) => ({
    id: created.id,
    number: created.number,
    status: 'RECEIVED',
    category: caller.category,
    district: 'HEXI',
    address: caller.address,
    createdAt: created.createdAt,
    escalationLevel: 'NONE',
  });

  it('shows the ticket a submit would be a repeat call on, the caller’s open tickets and the company, recording nothing', async () => {
    const body = caller();
    const created = (await as(operator).post('/tickets').send(body).expect(201)).body;

    // The phone and address as the operator types them: another spelling of the same caller and place.
    const phone = `${body.citizenPhone.slice(0, 3)} ${body.citizenPhone.slice(3, 7)}-${body.citizenPhone.slice(7)}`;
    const address = ` ${body.address.replace('2门', '2 门，')} `;
    const response = await intake({ citizenPhone: phone, district: 'HEXI', address, category: 'NOT_WARM' }).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual(['company', 'companyProblem', 'openTickets', 'repeatOf']);
    expect(response.body.repeatOf).toMatchObject({ id: created.id, number: created.number, citizenPhone: body.citizenPhone, repeatCount: 0 });
    expect(response.body.repeatOf).toEqual({ ...created, updatedAt: response.body.repeatOf.updatedAt });
    expect(response.body.openTickets).toEqual([listedNew(created, body)]);
    expect(Object.keys(response.body.openTickets[0]).sort()).toEqual(['address', 'category', 'createdAt', 'district', 'escalationLevel', 'id', 'number', 'status']);
    expect(response.body.company).toEqual({ id: company.id, name: company.name });
    expect(response.body.company.id).toBe(created.companyId);
    expect(response.body.companyProblem).toBeNull();

    // Nothing was counted or locked: the submit is then the repeat call, as the form said.
    const stored = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: created.id });
    expect(stored.repeatCount).toBe(0);
    expect(await system.dataSource.getRepository(RepeatCallEntity).countBy({ ticketId: created.id })).toBe(0);
    const submitted = await as(operator).post('/tickets').send({ ...body, citizenPhone: phone, address }).expect(200);
    expect(submitted.body).toMatchObject({ id: created.id, repeatCount: 1 });
  });

  it('another address or category is no repeat call, but the caller’s open tickets are still listed', async () => {
    const body = caller();
    const created = (await as(operator).post('/tickets').send(body).expect(201)).body;
    const elsewhere = await intake({ citizenPhone: body.citizenPhone, district: 'HEXI', address: '河西区围堤道1号', category: 'NOT_WARM' }).expect(200);
    expect(elsewhere.body).toMatchObject({ repeatOf: null, openTickets: [listedNew(created, body)], company: { id: company.id } });
    const otherCategory = await intake({ citizenPhone: body.citizenPhone, address: body.address, category: 'BILLING' }).expect(200);
    expect(otherCategory.body).toMatchObject({ repeatOf: null, openTickets: [listedNew(created, body)], company: null, companyProblem: null });
    // The phone alone: the open tickets, no repeat call (address and category not given yet).
    const phoneOnly = await intake({ citizenPhone: body.citizenPhone }).expect(200);
    expect(phoneOnly.body).toEqual({ repeatOf: null, openTickets: [listedNew(created, body)], company: null, companyProblem: null });
  });

  it('lists at most 10 open tickets, newest first, and no cancelled one', async () => {
    const first = caller();
    const ids: string[] = [];
    for (let n = 0; n < 11; n++) {
      ids.push((await as(operator).post('/tickets').send({ ...first, address: `河西区解放南路${n}号`, category: n % 2 ? 'BILLING' : 'NOT_WARM' }).expect(201)).body.id);
    }
    await as(operator).post(`/tickets/${ids[10]}/cancel`).send({ reason: '误建' }).expect(200);
    const listed = (await intake({ citizenPhone: first.citizenPhone }).expect(200)).body.openTickets as Array<{ id: string }>;
    expect(listed.map((ticket) => ticket.id)).toEqual(ids.slice(0, 10).reverse());
  });

  it('a ticket closed less than 7 days ago is the repeat call’s (it would reopen), though no longer open', async () => {
    const body = caller({ category: 'BILLING' });
    const done = (await as(operator).post('/tickets').send(body).expect(201)).body;
    await as(crew).post(`/tickets/${done.id}/accept`).send({}).expect(200);
    await as(crew).post(`/tickets/${done.id}/contact`).send({ note: '已电话联系' }).expect(200);
    await as(crew).post(`/tickets/${done.id}/reply`).send({ resolution: '已退还多收费用' }).expect(200);
    await as(operator)
      .post(`/tickets/${done.id}/callback`)
      .send({ reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '' })
      .expect(200);
    const response = await intake({ citizenPhone: body.citizenPhone, address: body.address, category: 'BILLING' }).expect(200);
    expect(response.body.repeatOf).toMatchObject({ id: done.id, status: 'CLOSED' });
    expect(response.body.openTickets).toEqual([]);
  });

  it('answers nulls and an empty list while nothing is typed', async () => {
    const empty = { repeatOf: null, openTickets: [], company: null, companyProblem: null };
    expect((await intake({}).expect(200)).body).toEqual(empty);
    expect((await intake({ citizenPhone: '', district: '', address: '  ', category: '' }).expect(200)).body).toEqual(empty);
  });

  it('says when no active company covers the district', async () => {
    const response = await intake({ district: 'JIZHOU' }).expect(200);
    expect(response.body).toMatchObject({ company: null, repeatOf: null, openTickets: [] });
    expect(response.body.companyProblem).toMatch(/No active heating company covers the district/);
    expect(response.body.companyProblem).toMatch(/该区暂无/);
  });

  it('refuses a bad phone, district, category or address, naming the field', async () => {
    const fields = async (query: Record<string, string>) =>
      (await intake(query).expect(400)).body.errors.map((error: { field: string }) => error.field);
    const bad = await intake({ citizenPhone: '12345' }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'citizenPhone', message: expect.stringMatching(/citizenPhone must be/) })]);
    expect(await fields({ district: 'MARS' })).toEqual(['district']);
    expect(await fields({ category: 'COLD' })).toEqual(['category']);
    expect(await fields({ address: 'x'.repeat(301) })).toEqual(['address']);
    expect(await fields({ phone: '13812345678' })).toEqual(['phone']);
  });

  it('is the operator’s: 403 for a crew, 401 without a token', async () => {
    const refused = await as(crew).get('/intake').query({ district: 'HEXI' }).expect(403);
    expect(refused.body.detail).toMatch(/signed in as crew/);
    await system.http().get('/intake').expect(401);
  });
});
