import { DISTRICT_NAMES_ZH, SUSPECTED_OUTAGE } from '@app/domain';
import type { District } from '@app/domain';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/** A CSV download's bytes, whatever its content type. */
function bytesOf(request: ReturnType<ReturnType<typeof authed>['get']>) {
  return request.buffer(true).parse((response, done) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

type Hotspot = { rank: number; place: string; district: District; tickets: number; repeatCalls: number; suspectedOutages: number };

/** The cells of a CSV without quoted fields (no place key holds a comma or a quote). */
const csvRows = (text: string): string[][] => text.split('\r\n').filter((line) => line !== '').map((line) => line.split(','));

/**
 * Hot spots (热点, domain.md §2.6) over HTTP: tickets created through POST /tickets with addresses spelled as
 * callers give them are grouped by the building and community they name; the operator taking a call sees
 * the tickets from the caller's building in the last hour and whether it looks like an outage (片区停热);
 * supervisors read the top communities and buildings by tickets and by repeat calls, in JSON or CSV.
 */
describe('hot spots', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let crew: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    const company = await insertCompany(system.dataSource, ['NANKAI', 'HEXI']);
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    admin = await loginAs(system, 'admin');
    crew = await loginAs(system, 'crew', company.id);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  const create = async (body: Record<string, unknown>, status = 201): Promise<{ id: string; number: string; citizenPhone: string }> =>
    (await as(operator).post('/tickets').send(body).expect(status)).body;
  const nearby = async (who: SignedIn, district: string, address: string) =>
    (await as(who).get('/hotspots/nearby').query({ district, address }).expect(200)).body;

  describe('GET /hotspots/nearby (片区停热)', () => {
    it('counts the tickets from the caller’s building in the last hour, however the address is spelled, and flags a suspected outage', async () => {
      const building = '南开区 鞍山西道500号 3门';
      const first = await create(ticketBody({ district: 'NANKAI', address: '南开区鞍山西道500号3门201' }));
      const second = await create(ticketBody({ district: 'NANKAI', address: '鞍山西道５００号三单元３０２' }));
      // Neighbours that are not this building: another entrance, the next number, the same text in another district.
      await create(ticketBody({ district: 'NANKAI', address: '南开区鞍山西道500号4门101' }));
      await create(ticketBody({ district: 'NANKAI', address: '南开区鞍山西道502号3门101' }));
      await create(ticketBody({ district: 'HEXI', address: '鞍山西道500号3门201' }));

      const early = await nearby(operator, 'NANKAI', '鞍山西道500号3门');
      expect(early).toMatchObject({ buildingKey: building, communityKey: '南开区 鞍山西道500号', count: 2, suspectedOutage: false, threshold: SUSPECTED_OUTAGE.others });
      expect(early.tickets.map((ticket: { id: string }) => ticket.id)).toEqual([second.id, first.id]);

      const third = await create(ticketBody({ district: 'NANKAI', address: '南开区 鞍山西道500号 3-401' }));
      // Typing the 4th caller's address: three came from the building in the hour, so this call would be the outage's.
      const typing = await nearby(operator, 'NANKAI', '南开区鞍山西道500号3单元5');
      expect(typing).toMatchObject({ buildingKey: building, count: 3, suspectedOutage: true });
      expect(typing.tickets.map((ticket: { suspectedOutage: boolean }) => ticket.suspectedOutage)).toEqual([false, false, false]);
      expect(Date.parse(typing.since)).toBeGreaterThan(Date.now() - SUSPECTED_OUTAGE.windowMs - 60_000);

      const fourth = await create(ticketBody({ district: 'NANKAI', address: '天津市南开区鞍山西道500号3号门601室' }));
      const after = await nearby(supervisor, 'NANKAI', '鞍山西道500号3门');
      expect(after.count).toBe(4);
      expect(after.tickets.map((ticket: { id: string; number: string; suspectedOutage: boolean }) => [ticket.id, ticket.number, ticket.suspectedOutage])).toEqual([
        [fourth.id, fourth.number, true], // created while 3 others came from the building in the hour
        [third.id, third.number, false],
        [second.id, second.number, false],
        [first.id, first.number, false],
      ]);
      // What an operator may see of other calls: no name, phone, address or description.
      const text = JSON.stringify(after);
      for (const ticket of [first, second, third, fourth]) expect(text).not.toContain(ticket.citizenPhone);
      expect(text).not.toMatch(/王女士|卧室/);
      expect(JSON.stringify(after.tickets)).not.toContain('鞍山西道'); // nor the other callers' addresses
      expect(Object.keys(after.tickets[0]).sort()).toEqual(['category', 'createdAt', 'id', 'number', 'status', 'suspectedOutage']);

      // The key is stored with the ticket when it is created.
      const [row] = await system.dataSource.query(`SELECT building_key, community_key FROM tickets WHERE id = $1`, [fourth.id]);
      expect(row).toEqual({ building_key: building, community_key: '南开区 鞍山西道500号' });
    });

    it('counts only the last hour', async () => {
      const old = await create(ticketBody({ district: 'HEXI', address: '河西区友谊路35号2号楼3单元502' }));
      const recent = await create(ticketBody({ district: 'HEXI', address: '友谊路35号2栋1门101' }));
      await system.dataSource.query(`UPDATE tickets SET created_at = now() - interval '61 minutes' WHERE id = $1`, [old.id]);
      const answer = await nearby(operator, 'HEXI', '友谊路35号2#楼');
      expect(answer).toMatchObject({ buildingKey: '河西区 友谊路35号 2号楼', count: 1, suspectedOutage: false });
      expect(answer.tickets.map((ticket: { id: string }) => ticket.id)).toEqual([recent.id]);
    });

    it('answers nothing for an address that names no building yet', async () => {
      for (const address of ['华苑小区', '鞍山西道', '3号楼2门']) {
        expect(await nearby(operator, 'NANKAI', address)).toMatchObject({ buildingKey: null, count: 0, suspectedOutage: false, tickets: [] });
      }
    });

    it('refuses a bad query naming the field, and roles other than operator and supervisor', async () => {
      const fields = async (query: Record<string, string>): Promise<string[]> =>
        (await as(operator).get('/hotspots/nearby').query(query).expect(400)).body.errors.map((error: { field: string }) => error.field);
      expect(await fields({ district: 'NANKAI' })).toEqual(['address']);
      expect(await fields({ district: 'NANKAI', address: '   ' })).toEqual(['address']);
      expect(await fields({ district: 'MARS', address: '鞍山西道1号' })).toEqual(['district']);
      expect(await fields({ district: 'NANKAI', address: 'x'.repeat(301) })).toEqual(['address']);
      expect(await fields({ district: 'NANKAI', address: '鞍山西道1号', phone: '1' })).toEqual(['phone']);
      for (const who of [crew, admin]) await as(who).get('/hotspots/nearby').query({ district: 'NANKAI', address: '鞍山西道1号' }).expect(403);
      await system.http().get('/hotspots/nearby').query({ district: 'NANKAI', address: '鞍山西道1号' }).expect(401);
    });
  });

  describe('GET /reports/hotspots', () => {
    let from: string;
    let to: string;
    const repeatCaller = ticketBody({ district: 'NANKAI', address: '南开区华苑小区居华里6-2-301', category: 'NO_HEAT' });

    beforeAll(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      from = new Date().toISOString();
      // 迎水道88号 2号楼: five calls, five spellings of one building.
      for (const address of ['南开区迎水道88号2号楼1门101', '迎水道88号2栋2门202', '南开区迎水道８８号二号楼３单元303', '迎水道88号2#楼1-402', '南开区迎水道88号2幢502']) {
        await create(ticketBody({ district: 'NANKAI', address }));
      }
      await create(ticketBody({ district: 'NANKAI', address: '南开区迎水道88号5号楼101' })); // same community, another building
      // 居华里 6号楼: two tickets, three repeat calls (催办) on them.
      await create(repeatCaller);
      await create(repeatCaller, 200);
      await create(repeatCaller, 200);
      const other = ticketBody({ district: 'NANKAI', address: '居华里6-1-101', category: 'NO_HEAT' });
      await create(other);
      await create(other, 200);
      await create(ticketBody({ district: 'HEXI', address: '河西区梅江南水岸花园5号楼2单元301' }));
      await create(ticketBody({ district: 'NANKAI', address: '请尽快派人处理' })); // names no place: in no list
      to = new Date(Date.now() + 60_000).toISOString();
    });

    it('ranks buildings and communities by tickets, with repeat calls and suspected outages', async () => {
      const report = (await as(supervisor).get('/reports/hotspots').query({ from, to }).expect(200)).body;
      expect(report).toMatchObject({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), by: 'tickets' });
      expect(report.buildings).toEqual([
        // The 4th and 5th calls came while 3 and 4 others had come from the building in the hour.
        { rank: 1, place: '南开区 迎水道88号 2号楼', district: 'NANKAI', tickets: 5, repeatCalls: 0, suspectedOutages: 2 },
        { rank: 2, place: '南开区 居华里 6号楼', district: 'NANKAI', tickets: 2, repeatCalls: 3, suspectedOutages: 0 },
        { rank: 3, place: '南开区 迎水道88号 5号楼', district: 'NANKAI', tickets: 1, repeatCalls: 0, suspectedOutages: 0 },
        { rank: 4, place: '河西区 梅江南水岸花园 5号楼', district: 'HEXI', tickets: 1, repeatCalls: 0, suspectedOutages: 0 },
      ]);
      expect(report.communities).toEqual([
        { rank: 1, place: '南开区 迎水道88号', district: 'NANKAI', tickets: 6, repeatCalls: 0, suspectedOutages: 2 },
        { rank: 2, place: '南开区 居华里', district: 'NANKAI', tickets: 2, repeatCalls: 3, suspectedOutages: 0 },
        { rank: 3, place: '河西区 梅江南水岸花园', district: 'HEXI', tickets: 1, repeatCalls: 0, suspectedOutages: 0 },
      ]);
      // Places only (the lists above): no room, name or phone.
      expect(JSON.stringify(report)).not.toMatch(/王女士|138\d{8}/);
    });

    it('ranks by repeat calls, leaving out places without any, and takes a limit', async () => {
      const byRepeats = (await as(admin).get('/reports/hotspots').query({ from, to, by: 'repeatCalls' }).expect(200)).body;
      expect(byRepeats.buildings.map((row: { place: string; repeatCalls: number }) => [row.place, row.repeatCalls])).toEqual([['南开区 居华里 6号楼', 3]]);
      expect(byRepeats.communities.map((row: { place: string }) => row.place)).toEqual(['南开区 居华里']);
      const top = (await as(supervisor).get('/reports/hotspots').query({ from, to, limit: 1 }).expect(200)).body;
      expect(top.buildings.map((row: { place: string }) => row.place)).toEqual(['南开区 迎水道88号 2号楼']);
      expect(top.communities).toHaveLength(1);
      // The range: tickets created before `from` are not counted.
      const before = (await as(supervisor).get('/reports/hotspots').query({ to: from }).expect(200)).body;
      expect(before.buildings.map((row: { place: string }) => row.place)).not.toContain('南开区 迎水道88号 2号楼');
    });

    it('answers Accept: text/csv with a BOM, Chinese headers and the same rows', async () => {
      const response = await bytesOf(as(supervisor).get('/reports/hotspots').query({ from, to }).set('Accept', 'text/csv')).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="hotspots-\d{8}-\d{8}\.csv"$/);
      const bytes = response.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = csvRows(bytes.subarray(3).toString('utf8'));
      expect(rows[0]).toEqual(['类型', '排名', '区', '地点', '工单数', '重复来电', '疑似片区停热']);
      const json = (await as(supervisor).get('/reports/hotspots').query({ from, to }).expect(200)).body;
      expect(rows.slice(1)).toEqual([
        ...json.communities.map((row: Hotspot) => ['小区', row.rank, DISTRICT_NAMES_ZH[row.district], row.place, row.tickets, row.repeatCalls, row.suspectedOutages].map(String)),
        ...json.buildings.map((row: Hotspot) => ['楼栋', row.rank, DISTRICT_NAMES_ZH[row.district], row.place, row.tickets, row.repeatCalls, row.suspectedOutages].map(String)),
      ]);
    });

    it('refuses a bad range, order or limit naming the field, and roles other than supervisor and admin', async () => {
      const fields = async (query: Record<string, string | number>): Promise<string[]> =>
        (await as(supervisor).get('/reports/hotspots').query(query).expect(400)).body.errors.map((error: { field: string }) => error.field);
      expect(await fields({ from: to, to: from })).toEqual(['to']);
      expect(await fields({ from: '2025-02-30' })).toEqual(['from']);
      expect(await fields({ by: 'calls' })).toEqual(['by']);
      expect(await fields({ limit: 0 })).toEqual(['limit']);
      expect(await fields({ limit: 101 })).toEqual(['limit']);
      expect(await fields({ district: 'NANKAI' })).toEqual(['district']);
      for (const who of [operator, crew]) await as(who).get('/reports/hotspots').expect(403);
    });
  });
});
