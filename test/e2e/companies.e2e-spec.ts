import { authed, loginAs, SignedIn } from '../support/auth';
import { eventually, startTestSystem, TestSystem } from '../support/system';
import { insertPolicyVersion, SECONDS_POLICY, ticketBody } from '../support/fixtures';

interface Company {
  id: string;
  code: string;
  name: string;
  districts: string[];
  active: boolean;
}

const fields = (body: { errors?: Array<{ field: string }> }): string[] => (body.errors ?? []).map((error) => error.field);

/**
 * PATCH /companies/{id} over HTTP: renaming, new districts, deactivation (no routed or dispatched ticket,
 * its open tickets listed for reassignment); and every CSV export neutralising a formula in a company name.
 */
describe('companies: change, deactivate, and their names in CSV', () => {
  let system: TestSystem;
  let admin: SignedIn;
  let operator: SignedIn;
  let supervisor: SignedIn;
  const as = (who: SignedIn): ReturnType<typeof authed> => authed(system, who.token);
  const register = async (code: string, districts: string[]): Promise<Company> =>
    (await as(admin).post('/companies').send({ code, name: `${code} 供热公司`, districts }).expect(201)).body;

  beforeAll(async () => {
    system = await startTestSystem();
    admin = await loginAs(system, 'admin');
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
  });

  afterAll(async () => {
    await system?.close();
  });

  it('changes name, districts and active; keeps what the body leaves out; validates every field', async () => {
    const company = await register('EDIT-1', ['HEXI']);
    const renamed: Company = (await as(admin).patch(`/companies/${company.id}`).send({ name: '  天津热力河西分公司 ' }).expect(200)).body;
    expect(renamed).toMatchObject({ id: company.id, code: 'EDIT-1', name: '天津热力河西分公司', districts: ['HEXI'], active: true });
    const moved: Company = (await as(admin).patch(`/companies/${company.id}`).send({ districts: ['HEXI', 'NANKAI'], active: false }).expect(200)).body;
    expect(moved).toMatchObject({ name: '天津热力河西分公司', districts: ['HEXI', 'NANKAI'], active: false });
    expect((await as(admin).patch(`/companies/${company.id}`).send({}).expect(200)).body).toEqual(moved);
    expect((await as(admin).get('/companies').expect(200)).body).toContainEqual(moved);

    const refused: Array<[Record<string, unknown>, string[]]> = [
      [{ name: '' }, ['name']],
      [{ name: 'x'.repeat(201) }, ['name']],
      [{ name: null }, ['name']],
      [{ districts: [] }, ['districts']],
      [{ districts: ['MARS'] }, ['districts']],
      [{ districts: ['HEXI', 'HEXI'] }, ['districts']],
      [{ districts: 'HEXI' }, ['districts']],
      [{ active: 'no' }, ['active']],
      [{ active: null }, ['active']],
      [{ code: 'NEW-CODE' }, ['code']],
    ];
    for (const [body, named] of refused) {
      const response = await as(admin).patch(`/companies/${company.id}`).send(body);
      expect({ body, status: response.status, fields: fields(response.body) }).toEqual({ body, status: 400, fields: named });
    }
    expect((await as(admin).get('/companies').expect(200)).body).toContainEqual(moved); // nothing changed

    await as(admin).patch('/companies/00000000-0000-4000-8000-000000000000').send({ active: true }).expect(404);
    await as(admin).patch('/companies/not-a-uuid').send({ active: true }).expect(400);
    for (const who of [operator, supervisor]) await as(who).patch(`/companies/${company.id}`).send({ active: true }).expect(403);
    // The code stays the key: taken on create is still 409.
    await as(admin).post('/companies').send({ code: 'EDIT-1', name: '另一家', districts: ['HEXI'] }).expect(409);
  });

  it('routes and dispatches nothing to an inactive company; its open tickets stay, listed for reassignment', async () => {
    const old = await register('OLD-JH', ['JINGHAI']);
    const kept = (await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI' })).expect(201)).body;
    const closedLater = (await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI' })).expect(201)).body;
    expect([kept.companyId, closedLater.companyId]).toEqual([old.id, old.id]);
    await as(operator).post(`/tickets/${closedLater.id}/cancel`).send({ reason: '误派' }).expect(200);

    await as(admin).patch(`/companies/${old.id}`).send({ active: false }).expect(200);
    const unrouted = await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI' })).expect(422);
    expect(unrouted.body.detail).toMatch(/JINGHAI/);
    await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI', companyId: old.id })).expect(422);

    // Another company takes the district over: new tickets go there.
    const successor = await register('NEW-JH', ['JIZHOU']);
    await as(admin).patch(`/companies/${successor.id}`).send({ districts: ['JIZHOU', 'JINGHAI'] }).expect(200);
    const routed = (await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI' })).expect(201)).body;
    expect(routed.companyId).toBe(successor.id);

    // The open ticket stays where it was, and the supervisors and operators find it.
    expect((await as(supervisor).get(`/tickets/${kept.id}`).expect(200)).body).toMatchObject({ companyId: old.id, status: 'RECEIVED' });
    for (const who of [supervisor, operator]) {
      const all = (await as(who).get('/tickets?companyActive=false').expect(200)).body.items.map((t: { id: string }) => t.id);
      expect(all.sort()).toEqual([kept.id, closedLater.id].sort());
      const open = (await as(who).get('/tickets?companyActive=false&open=true').expect(200)).body.items.map((t: { id: string }) => t.id);
      expect(open).toEqual([kept.id]);
      const active = (await as(who).get('/tickets?companyActive=true').expect(200)).body.items.map((t: { id: string }) => t.id);
      expect(active).toContain(routed.id);
      expect(active).not.toContain(kept.id);
    }
    // Reassigned, it leaves the list; reassigning to the inactive company is refused.
    await as(operator).post(`/tickets/${routed.id}/reassign`).send({ companyId: old.id }).expect(422);
    await as(operator).post(`/tickets/${kept.id}/reassign`).send({ companyId: successor.id }).expect(200);
    expect((await as(supervisor).get('/tickets?companyActive=false&open=true').expect(200)).body.items).toEqual([]);

    // Active again, it takes part in routing again (it has fewer open tickets than its successor now).
    await as(admin).patch(`/companies/${old.id}`).send({ active: true }).expect(200);
    const back = (await as(operator).post('/tickets').send(ticketBody({ district: 'JINGHAI' })).expect(201)).body;
    expect(back.companyId).toBe(old.id);
  });

  it('writes a company named like a formula as text in the company report and the overdue CSV', async () => {
    const formula = '=HYPERLINK("http://x","y")';
    const company = await register('FORMULA', ['BAODI']);
    await as(admin).patch(`/companies/${company.id}`).send({ name: formula }).expect(200);
    // A leak under a seconds-long policy, accepted but never contacted: overdue within seconds.
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT1H', contact: 'PT1S', visit: 'PT1H', reply: 'PT1H' });
    const ticket = (await as(operator).post('/tickets').send(ticketBody({ category: 'LEAK', district: 'BAODI' })).expect(201)).body;
    const crew = await loginAs(system, 'crew', company.id);
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await eventually(
      async () => ((await as(supervisor).get(`/reports/overdue?companyId=${company.id}`).expect(200)).body.length > 0 ? true : undefined),
      30_000,
      'the overdue row',
    );

    // The cell as csv-stringify writes it: a leading ' (shown, not run), quoted because of the quotes and comma.
    const neutralised = `"'=HYPERLINK(""http://x"",""y"")"`;
    const overdue = await as(supervisor).get(`/reports/overdue?companyId=${company.id}`).set('Accept', 'text/csv').expect(200);
    const overdueRow = overdue.text.split('\r\n')[1];
    expect(overdueRow.split(',')[1]).toBe(`"'=HYPERLINK(""http://x""`); // the 承办单位 column, second
    expect(overdueRow).toContain(neutralised);
    expect(overdue.text).not.toMatch(/(^|,)"?=/m);
    expect(overdueRow).toMatch(/,P?T\d/); // the 超时 duration is no formula and stays as it was

    const report = await as(supervisor).get('/reports/companies').set('Accept', 'text/csv').expect(200);
    const reportRow = report.text.split('\r\n').find((line) => line.includes('HYPERLINK'));
    expect(reportRow?.startsWith(neutralised)).toBe(true); // 承办单位 is the first column
    expect(reportRow).toMatch(/,1,/); // numbers stay numbers (dispatched: 1)
    expect(report.text).not.toMatch(/(^|,)"?=/m);
    // JSON is data, not a spreadsheet: the name as it is.
    const json = (await as(supervisor).get('/reports/companies').expect(200)).body.items.find((item: { companyId: string }) => item.companyId === company.id);
    expect(json.companyName).toBe(formula);
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
  });
});
