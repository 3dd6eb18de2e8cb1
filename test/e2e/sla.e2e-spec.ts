import { DateTime } from 'luxon';
import { CALENDAR_ZONE, DEFAULT_SLA_POLICIES } from '@app/domain';
import { SlaPolicyEntity } from '@app/persistence';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/** Policies as versioned data and the working-day calendar, over HTTP. */
describe('SLA policies and calendar', () => {
  let system: TestSystem;
  let admin: SignedIn;
  let operator: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem();
    await insertCompany(system.dataSource, ['HEPING']);
    admin = await loginAs(system, 'admin');
    operator = await loginAs(system, 'operator');
  });

  afterAll(async () => {
    await system?.close();
  });

  const versions = (): Promise<number> => system.dataSource.getRepository(SlaPolicyEntity).count();

  it('lists the current version of each priority, the spec defaults at first', async () => {
    const policies = (await authed(system, operator.token).get('/sla-policies').expect(200)).body;
    expect(policies.map((policy: { priority: string }) => policy.priority)).toEqual(['P0', 'P1', 'P2']);
    for (const policy of policies) {
      expect(policy).toMatchObject({ version: 1, ...DEFAULT_SLA_POLICIES[policy.priority as 'P0'] });
    }
  });

  it('stores a new version that new tickets take while tickets in flight keep theirs', async () => {
    const before = (await authed(system, operator.token).post('/tickets').send(ticketBody({ district: 'HEPING' })).expect(201)).body;
    const terms = { accept: 'PT1S', contact: 'PT2S', visit: 'PT3S', reply: 'PT4S', remediate: 'PT5S', warningAfter: 'PT1S', noticeAfter: 'PT2S', calendar: '24x7' };
    const stored = (await authed(system, admin.token).put('/sla-policies/P1').send(terms).expect(200)).body;
    expect(stored).toMatchObject({ priority: 'P1', version: 2, ...terms });
    const current = (await authed(system, admin.token).get('/sla-policies').expect(200)).body;
    expect(current.find((policy: { priority: string }) => policy.priority === 'P1').version).toBe(2);

    const after = (await authed(system, operator.token).post('/tickets').send(ticketBody({ district: 'HEPING', citizenPhone: '13600000001' })).expect(201)).body;
    expect(after.policyVersion).toBe(2);
    expect(Date.parse(after.stages.accept.dueAt) - Date.parse(after.dispatchedAt)).toBe(1000);
    const unchanged = (await authed(system, operator.token).get(`/tickets/${before.id}`).expect(200)).body;
    expect(unchanged.policyVersion).toBe(1);
    expect(unchanged.stages).toEqual(before.stages);
    // Put the real limits back for the tests after this one.
    await authed(system, admin.token).put('/sla-policies/P1').send(DEFAULT_SLA_POLICIES.P1).expect(200);
  });

  it('refuses bad policies and other roles, storing nothing', async () => {
    const count = await versions();
    const valid = { ...DEFAULT_SLA_POLICIES.P2 };
    await authed(system, operator.token).put('/sla-policies/P2').send(valid).expect(403);
    await system.http().put('/sla-policies/P2').send(valid).expect(401);
    const bad = await authed(system, admin.token).put('/sla-policies/P2').send({ ...valid, accept: 'P1M', calendar: 'sometimes' }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['accept', 'calendar']);
    await authed(system, admin.token).put('/sla-policies/P2').send({ ...valid, noticeAfter: 'PT1H', warningAfter: 'P1D' }).expect(400);
    await authed(system, admin.token).put('/sla-policies/P9').send(valid).expect(400);
    await authed(system, admin.token).put('/sla-policies/P2').send({ ...valid, extra: 1 }).expect(400);
    expect(await versions()).toBe(count);
  });

  it('stores a year’s holidays, and P2 deadlines skip them', async () => {
    const today = DateTime.now().setZone(CALENDAR_ZONE).startOf('day');
    const days = Array.from({ length: 12 }, (_, index) => today.plus({ days: index }));
    const byYear = new Map<number, string[]>();
    for (const day of days) byYear.set(day.year, [...(byYear.get(day.year) ?? []), day.toISODate() as string]);
    for (const [year, holidays] of byYear) {
      const stored = (await authed(system, admin.token).put(`/calendar/${year}`).send({ holidays, workdays: [] }).expect(200)).body;
      expect(stored).toMatchObject({ year, source: 'OVERRIDDEN', holidays, workdays: [] });
      expect((await authed(system, operator.token).get(`/calendar/${year}`).expect(200)).body.holidays).toEqual(holidays);
    }
    const billing = (await authed(system, operator.token).post('/tickets').send(ticketBody({ district: 'HEPING', category: 'BILLING', citizenPhone: '13600000002' })).expect(201)).body;
    // Today and the next 11 days are off: one working day of accept time ends at least 12 days later.
    expect(Date.parse(billing.stages.accept.dueAt) - Date.parse(billing.dispatchedAt)).toBeGreaterThan(11 * 86_400_000);
    for (const year of byYear.keys()) await authed(system, admin.token).put(`/calendar/${year}`).send({ holidays: [], workdays: [] }).expect(200);
  });

  it('refuses dates outside the year or listed twice', async () => {
    const bad = await authed(system, admin.token).put('/calendar/2031').send({ holidays: ['2030-12-31', '2031-02-01'], workdays: ['2031-02-01'] }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['holidays', 'workdays']);
    await authed(system, admin.token).put('/calendar/2031').send({ holidays: ['2031-02-30'], workdays: [] }).expect(400);
    await authed(system, admin.token).put('/calendar/twenty').send({ holidays: [], workdays: [] }).expect(400);
    await authed(system, operator.token).put('/calendar/2031').send({ holidays: [], workdays: [] }).expect(403);
    expect((await authed(system, admin.token).get('/calendar/2031').expect(200)).body).toEqual({ year: 2031, source: 'NONE', shipped: false, overriddenAt: null, holidays: [], workdays: [] });
  });
});
