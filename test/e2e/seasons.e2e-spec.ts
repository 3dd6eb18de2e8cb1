import { seasonFirstYearAt, seasonName } from '@app/domain';
import { authed, loginAs, SignedIn } from '../support/auth';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * The heating season as admin data (docs/product.md, Heating season) and `season=` on the reports
 * (docs/reports.md): stored or statutory dates, Asia/Shanghai days, the day after the last one exclusive.
 */
describe('heating seasons (HTTP, real PostgreSQL)', () => {
  let system: TestSystem;
  let admin: SignedIn;
  let operator: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    admin = await loginAs(system, 'admin');
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
  });

  afterAll(async () => {
    await system?.close();
  });

  const fields = (body: { errors: Array<{ field: string }> }): string[] => body.errors.map((error) => error.field).sort();

  it('shows the current season with the statutory dates until an admin stores it; admins write, every signed-in user reads', async () => {
    const current = seasonFirstYearAt(new Date());
    const before = (await authed(system, operator.token).get('/seasons').expect(200)).body;
    expect(before).toContainEqual({ season: seasonName(current), starts: `${current}-11-15`, ends: `${current + 1}-03-15`, source: 'DEFAULT', updatedAt: null, updatedBy: null });
    await system.http().get('/seasons').expect(401);

    await authed(system, supervisor.token).put('/seasons/2026-2027').send({ starts: '2026-11-01', ends: '2027-03-31' }).expect(403);
    const stored = (await authed(system, admin.token).put('/seasons/2026-2027').send({ starts: '2026-11-01', ends: '2027-03-31' }).expect(200)).body;
    expect(stored).toMatchObject({ season: '2026-2027', starts: '2026-11-01', ends: '2027-03-31', source: 'STORED', updatedBy: admin.user.username });
    const moved = (await authed(system, admin.token).put('/seasons/2026-2027').send({ starts: '2026-11-06', ends: '2027-03-31' }).expect(200)).body;
    expect(moved.starts).toBe('2026-11-06');
    const after = (await authed(system, operator.token).get('/seasons').expect(200)).body;
    expect(after).toContainEqual(expect.objectContaining({ season: '2026-2027', starts: '2026-11-06', source: 'STORED' }));
  });

  it('refuses a bad season or bad dates with 400 naming the field, storing nothing', async () => {
    const put = (season: string, body: Record<string, unknown>) => authed(system, admin.token).put(`/seasons/${season}`).send(body).expect(400);
    expect(fields((await put('2026-2028', { starts: '2026-11-15', ends: '2027-03-15' })).body)).toEqual(['season']);
    expect(fields((await put('2026', { starts: '2026-11-15', ends: '2027-03-15' })).body)).toEqual(['season']);
    expect(fields((await put('2030-2031', { starts: '2031-11-15', ends: '2030-03-15' })).body)).toEqual(['ends', 'starts']);
    expect(fields((await put('2030-2031', { starts: '2030-02-30', ends: '2031-03-15' })).body)).toEqual(['starts']);
    expect(fields((await put('2030-2031', { starts: '2030-01-01', ends: '2031-12-31' })).body)).toEqual(['ends']); // longer than 366 days
    expect(fields((await put('2030-2031', { starts: 'soon' })).body)).toEqual(['ends', 'starts']);
    expect(fields((await put('2030-2031', { starts: '2030-11-15', ends: '2031-03-15', extra: 1 })).body)).toEqual(['extra']);
    const seasons = (await authed(system, operator.token).get('/seasons').expect(200)).body as Array<{ season: string }>;
    expect(seasons.map((season) => season.season)).not.toContain('2030-2031');
  });

  it('reports over a season: its first day to the day after its last, stored or statutory, on every report', async () => {
    await authed(system, admin.token).put('/seasons/2027-2028').send({ starts: '2027-11-01', ends: '2028-03-31' }).expect(200);
    const as = authed(system, supervisor.token);
    const stored = (await as.get('/reports/companies').query({ season: '2027-2028' }).expect(200)).body;
    expect([stored.from, stored.to]).toEqual(['2027-10-31T16:00:00.000Z', '2028-03-31T16:00:00.000Z']);
    const statutory = (await as.get('/reports/companies').query({ season: '2028-2029' }).expect(200)).body;
    expect([statutory.from, statutory.to]).toEqual(['2028-11-14T16:00:00.000Z', '2029-03-15T16:00:00.000Z']);
    const trends = (await as.get('/reports/trends').query({ season: '2027-2028' }).expect(200)).body;
    expect(trends.byDay[0].day).toBe('2027-11-01');
    expect(trends.byDay.at(-1).day).toBe('2028-03-31');
    const hotspots = (await as.get('/reports/hotspots').query({ season: '2027-2028' }).expect(200)).body;
    expect([hotspots.from, hotspots.to]).toEqual([stored.from, stored.to]);
    const league = (await system.http().get('/public/companies').query({ season: '2027-2028' }).expect(200)).body;
    expect([league.from, league.to]).toEqual([stored.from, stored.to]);
    const csv = await as.get('/reports/companies').query({ season: '2027-2028' }).set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
  });

  it('refuses season with from/to, or a malformed season, with 400 naming season on every report', async () => {
    const as = authed(system, supervisor.token);
    for (const path of ['/reports/companies', '/reports/trends', '/reports/hotspots', '/public/companies']) {
      for (const query of [{ season: '2027-2028', from: '2027-11-01' }, { season: '2027-2028', to: '2028-01-01' }, { season: '2027' }, { season: '2027-2029' }, { season: '' }]) {
        const response = await as.get(path).query(query).expect(400);
        expect(response.headers['content-type']).toMatch(/problem\+json/);
        expect(fields(response.body)).toEqual(['season']);
      }
    }
  });
});
