import { randomUUID } from 'node:crypto';
import { CompanyEntity, EscalationEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { authed, loginAs, SignedIn } from '../support/auth';
import { DEFAULT_SLA_POLICIES } from '@app/domain';
import { backfillDispatches } from '../../migrations/1764700000001-Dispatches';
import { insertCompany, insertPolicyVersion, measured, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

type Stage = 'accept' | 'contact' | 'visit' | 'reply';
type Mark = 'on' | 'late' | 'open';
const RATED: Stage[] = ['accept', 'contact', 'visit', 'reply'];

/**
 * What the test did in one dispatch of a ticket (the company that held it), from which every expected
 * number is computed: each dispatch is judged against its own company.
 */
interface Facts {
  ticket: TicketDto;
  company: CompanyEntity;
  marks: Partial<Record<Stage, Mark>>;
  callbacks: Array<{ solved: boolean; satisfaction: string }>;
  reopened: boolean;
  repeated: boolean;
  /** The company asked to return the ticket (退单) in this dispatch, granted or refused. */
  returned: boolean;
  tests: boolean[];
  /** Stages whose OVERDUE rung fired in this dispatch. */
  marked: Stage[];
  /** Stages that fired their whole ladder (WARNING and PUBLIC_NOTICE) in this dispatch. */
  overdueStages: Stage[];
  /** The ticket's current dispatch, and the ticket is open (its overdue stages are on the overdue list). */
  stillOpen: boolean;
}

const rate = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
const shanghaiDay = (iso: string | number): string => new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const SECONDS: Record<Stage, number> = { accept: 2, contact: 3, visit: 4, reply: 5 };

/** RFC 4180 CSV, enough for the reports (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

function parseIsoDurationMs(text: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
}

/** Every number of the report endpoints, against fixture data built over HTTP through the real workflows. */
describe('reports over HTTP', () => {
  let system: TestSystem;
  let north: CompanyEntity;
  let west: CompanyEntity;
  let idle: CompanyEntity;
  let retired: CompanyEntity;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let crewNorth: SignedIn;
  let crewWest: SignedIn;
  let admin: SignedIn;
  const facts: Facts[] = [];
  /** The ticket north returned after letting its accept deadline pass. */
  let dodged: TicketDto;
  let startedAt: number;
  let phoneSequence = 0;

  const as = (who: SignedIn) => authed(system, who.token);
  const body = (overrides: Record<string, unknown> = {}) => ticketBody({ citizenPhone: `137${String(20_000_000 + ++phoneSequence).slice(-8)}`, ...overrides });
  const crewOf = (company: CompanyEntity) => (company.id === north.id ? crewNorth : crewWest);
  const rungs = (ticketId: string) => system.dataSource.getRepository(EscalationEntity).countBy({ ticketId });

  async function create(company: CompanyEntity, overrides: Record<string, unknown> = {}): Promise<TicketDto> {
    return (await as(operator).post('/tickets').send(body({ district: company.districts[0], companyId: company.id, ...overrides })).expect(201)).body;
  }
  function record(ticket: TicketDto, company: CompanyEntity, partial: Partial<Facts>): void {
    facts.push({ ticket, company, marks: {}, callbacks: [], reopened: false, repeated: false, returned: false, tests: [], marked: partial.overdueStages ?? [], overdueStages: [], stillOpen: true, ...partial });
  }
  /** Waits until the OVERDUE rung of `stage` has fired in `count` dispatches of the ticket. */
  const overdueFired = (ticketId: string, stage: Stage, count: number) =>
    eventually(async () => ((await system.dataSource.getRepository(EscalationEntity).countBy({ ticketId, stage, level: 'OVERDUE' })) >= count ? true : undefined), 60_000, `${stage} overdue`);
  async function walk(ticket: TicketDto, company: CompanyEntity, visits: number[][] | null): Promise<void> {
    const crew = crewOf(company);
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    for (const celsius of visits ?? []) {
      await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '测温', readings: celsius.map((c, i) => measured(`房间${i}`, c)) }).expect(200);
    }
    await as(crew).post(`/tickets/${ticket.id}/reply`).send({ resolution: '已处理' }).expect(200);
  }
  const callback = (ticket: TicketDto, solved: boolean, satisfaction: string, unitAtFault = false) =>
    // 是否联系 answered like 是否解决, so 响应率 has something to show.
    as(operator).post(`/tickets/${ticket.id}/callback`).send({ reached: true, solved, contacted: solved, satisfaction, unitAtFault, note: '' }).expect(200);
  /** A seconds-policy LEAK ticket left alone until all 16 rungs of its four stages have fired. */
  async function leakFullyEscalated(company: CompanyEntity): Promise<TicketDto> {
    const ticket = await create(company, { category: 'LEAK', description: '暖气管漏水' });
    await eventually(async () => ((await rungs(ticket.id)) === 16 ? true : undefined), 60_000, 'all rungs fired');
    return ticket;
  }

  beforeAll(async () => {
    startedAt = Date.now();
    system = await startTestSystem();
    north = await insertCompany(system.dataSource, ['NANKAI']);
    west = await insertCompany(system.dataSource, ['HEXI']);
    idle = await insertCompany(system.dataSource, ['BINHAI']);
    retired = await insertCompany(system.dataSource, ['JINNAN'], { active: false });
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    admin = await loginAs(system, 'admin');
    crewNorth = await loginAs(system, 'crew', north.id);
    crewWest = await loginAs(system, 'crew', west.id);
    // LEAK is P0: seconds-long limits, so its rungs fire during the test; every other category keeps hours or days.
    await insertPolicyVersion(system.dataSource, 'P0', SECONDS_POLICY);

    // north 1: done on time, a failed then a passed temperature test, satisfied and solved.
    const n1 = await create(north);
    await walk(n1, north, [[16.5, 19], [19]]);
    await callback(n1, true, 'SATISFIED');
    record(n1, north, { marks: { accept: 'on', contact: 'on', visit: 'on', reply: 'on' }, callbacks: [{ solved: true, satisfaction: 'SATISFIED' }], tests: [false, true], stillOpen: false });

    // north 2: billing (no visit), done on time, unsatisfied through the unit's fault: that dispatch is
    // reopened (重办, counted for north, whose reply it judged), and a fresh one starts with undecided stages.
    const n2 = await create(north, { category: 'BILLING', description: '多收费' });
    await walk(n2, north, null);
    expect((await callback(n2, false, 'UNSATISFIED', true)).body).toMatchObject({ status: 'RECEIVED', reopenCount: 1 });
    record(n2, north, { marks: { accept: 'on', contact: 'on', reply: 'on' }, callbacks: [{ solved: false, satisfaction: 'UNSATISFIED' }], reopened: true, stillOpen: false });
    record(n2, north, {});

    // north 3: a leak nobody touched: every stage overdue, still open.
    const n3 = await leakFullyEscalated(north);
    record(n3, north, { marks: { accept: 'late', contact: 'late', visit: 'late', reply: 'late' }, overdueStages: [...RATED] });

    // north 4: a leak done only after every rung fired (late), then basically satisfied; visit without readings.
    const n4 = await leakFullyEscalated(north);
    await walk(n4, north, [[]]);
    await callback(n4, true, 'BASICALLY_SATISFIED');
    record(n4, north, { marks: { accept: 'late', contact: 'late', visit: 'late', reply: 'late' }, overdueStages: [...RATED], callbacks: [{ solved: true, satisfaction: 'BASICALLY_SATISFIED' }], stillOpen: false });

    // north 5: accepted, asked to return, refused back.
    const n5 = await create(north);
    await as(crewNorth).post(`/tickets/${n5.id}/accept`).expect(200);
    await as(crewNorth).post(`/tickets/${n5.id}/return`).send({ reason: '不属本公司' }).expect(200);
    await as(operator).post(`/tickets/${n5.id}/reject-return`).send({ reason: '属于贵公司' }).expect(200);
    record(n5, north, { marks: { accept: 'on' }, returned: true });

    // north 6: the same caller again while open: a repeat call, not a new ticket.
    const repeatBody = body({ district: 'NANKAI', companyId: north.id, address: '南开区复康路8号' });
    const n6: TicketDto = (await as(operator).post('/tickets').send(repeatBody).expect(201)).body;
    expect((await as(operator).post('/tickets').send(repeatBody).expect(200)).body).toMatchObject({ id: n6.id, repeatCount: 1 });
    record(n6, north, { repeated: true });

    // north 7: cancelled before anything was due.
    const n7 = await create(north);
    await as(operator).post(`/tickets/${n7.id}/cancel`).send({ reason: '重复录入' }).expect(200);
    record(n7, north, { stillOpen: false });

    // west 1: an untouched leak; west 2: on time with a passing test.
    const w1 = await leakFullyEscalated(west);
    record(w1, west, { marks: { accept: 'late', contact: 'late', visit: 'late', reply: 'late' }, overdueStages: [...RATED] });
    const w2 = await create(west);
    await walk(w2, west, [[20, 18]]);
    await callback(w2, true, 'SATISFIED');
    record(w2, west, { marks: { accept: 'on', contact: 'on', visit: 'on', reply: 'on' }, callbacks: [{ solved: true, satisfaction: 'SATISFIED' }], tests: [true], stillOpen: false });

    // north 8: an extension of the accept stage, approved, then accepted inside the extended deadline.
    const n8 = await create(north);
    await as(crewNorth).post(`/tickets/${n8.id}/extension`).send({ reason: '配件未到', extendBy: 'PT1H' }).expect(200);
    const extended = (await as(supervisor).post(`/tickets/${n8.id}/extension/approve`).send({}).expect(200)).body;
    expect(Date.parse(extended.stages.accept.dueAt) - Date.parse(n8.stages.accept!.dueAt)).toBe(3_600_000);
    await as(crewNorth).post(`/tickets/${n8.id}/accept`).expect(200);
    record(n8, north, { marks: { accept: 'on' } });

    // west 3: done on time with a passing test, unsatisfied through the unit's fault: reopened at west
    // (counted for west), then reassigned to north, which now holds it with undecided stages.
    const w3 = await create(west);
    await walk(w3, west, [[19]]);
    await callback(w3, false, 'UNSATISFIED', true);
    await as(operator).post(`/tickets/${w3.id}/reassign`).send({ companyId: north.id }).expect(200);
    record(w3, west, { marks: { accept: 'on', contact: 'on', visit: 'on', reply: 'on' }, callbacks: [{ solved: false, satisfaction: 'UNSATISFIED' }], tests: [true], reopened: true, stillOpen: false });
    record(w3, west, { stillOpen: false });
    record(w3, north, {});

    // north 9, the dodge this model closes: north lets the accept deadline pass (OVERDUE fires), returns
    // the ticket, the operator reassigns it to west. The late accept stays north's, and the return too;
    // west's own accept, left until it is late as well, is west's. A seconds-long accept limit for P1
    // (the others stay hours), restored right after.
    await insertPolicyVersion(system.dataSource, 'P1', { ...DEFAULT_SLA_POLICIES.P1, accept: 'PT2S' });
    const n9 = await create(north);
    await insertPolicyVersion(system.dataSource, 'P1', DEFAULT_SLA_POLICIES.P1);
    await overdueFired(n9.id, 'accept', 1);
    await as(crewNorth).post(`/tickets/${n9.id}/return`).send({ reason: '不属本公司' }).expect(200);
    await as(operator).post(`/tickets/${n9.id}/reassign`).send({ companyId: west.id }).expect(200);
    await overdueFired(n9.id, 'accept', 2);
    await as(crewWest).post(`/tickets/${n9.id}/accept`).expect(200);
    record(n9, north, { marks: { accept: 'late' }, marked: ['accept'], returned: true, stillOpen: false });
    record(n9, west, { marks: { accept: 'late' }, marked: ['accept'] });
    dodged = n9;
  }, 240_000);

  afterAll(async () => {
    await system?.close();
  });

  const range = () => ({ from: new Date(startedAt - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

  function expectedCompany(company: CompanyEntity) {
    const mine = facts.filter((f) => f.company.id === company.id);
    const count = (p: (f: Facts) => boolean) => mine.filter(p).length;
    const stageRate = (stage: Stage) => rate(count((f) => f.marks[stage] === 'on'), count((f) => f.marks[stage] !== undefined));
    const callbacks = mine.flatMap((f) => f.callbacks);
    const tests = mine.flatMap((f) => f.tests);
    // Each overdue stage of these tickets fired its WARNING and its PUBLIC_NOTICE rung once.
    const overdueStages = mine.reduce((total, f) => total + f.overdueStages.length, 0);
    return {
      companyId: company.id,
      companyName: company.name,
      active: company.active,
      dispatched: mine.length,
      acceptOnTimeRate: stageRate('accept'),
      contactOnTimeRate: stageRate('contact'),
      visitOnTimeRate: stageRate('visit'),
      replyOnTimeRate: stageRate('reply'),
      callbacks: callbacks.length,
      solvedRate: rate(callbacks.filter((c) => c.solved).length, callbacks.length),
      evaluations: callbacks.length,
      satisfactionRate: rate(callbacks.filter((c) => c.satisfaction !== 'UNSATISFIED').length, callbacks.length),
      responseRate: rate(callbacks.filter((c) => c.solved).length, callbacks.length),
      reopenRate: rate(count((f) => f.reopened), mine.length),
      repeatCallRate: rate(count((f) => f.repeated), mine.length),
      returnRate: rate(count((f) => f.returned), mine.length),
      warnings: overdueStages,
      notices: overdueStages,
      temperatureTests: tests.length,
      temperaturePassRate: rate(tests.filter(Boolean).length, tests.length),
      // No pause was asked in this test (test/e2e/pauses.e2e-spec.ts counts them).
      pauses: 0,
      pausedSeconds: 0,
    };
  }

  it('reports every company figure computed from what the test did', async () => {
    const report = (await as(supervisor).get('/reports/companies').query(range()).expect(200)).body;
    const expected = [north, west, idle].map(expectedCompany).sort((a, b) => (a.companyName < b.companyName ? -1 : 1));
    expect(report.items).toEqual(expected);
    // Spot-check against hand arithmetic. north: 11 dispatches; accepts on time n1, n2, n5, n8 of n1, n2,
    // n3, n4, n5, n8, n9 (4/7); returns n5, n9 (2/11); reopened n2 (1/11).
    expect(report.items.find((row: { companyId: string }) => row.companyId === north.id)).toMatchObject({
      dispatched: 11, acceptOnTimeRate: 0.5714, contactOnTimeRate: 0.5, solvedRate: 0.6667, reopenRate: 0.0909, returnRate: 0.1818, warnings: 8, notices: 8, temperaturePassRate: 0.5,
    });
    // west: 5 dispatches; accepts on time w2, w3 of w1, w2, w3, n9 (2/4); reopened w3 (1/5); no return.
    expect(report.items.find((row: { companyId: string }) => row.companyId === west.id)).toMatchObject({
      dispatched: 5, acceptOnTimeRate: 0.5, contactOnTimeRate: 0.6667, callbacks: 2, satisfactionRate: 0.5, reopenRate: 0.2, returnRate: 0, warnings: 4, notices: 4, temperaturePassRate: 1,
    });
    // The default range (the last 7 days) holds the same tickets.
    expect((await as(supervisor).get('/reports/companies').expect(200)).body.items).toEqual(expected);
    // An inactive company with nothing in the period is left out; a range before the test is empty.
    expect(report.items.map((row: { companyId: string }) => row.companyId)).not.toContain(retired.id);
    const before = (await as(supervisor).get('/reports/companies').query({ from: '2024-01-01', to: '2024-01-08' }).expect(200)).body;
    expect(before.items.every((row: { dispatched: number; warnings: number }) => row.dispatched === 0 && row.warnings === 0)).toBe(true);
  });

  it('lists open overdue stages oldest deadline first, with masked phones, and filters them', async () => {
    const askedAt = Date.now();
    const rows = (await as(supervisor).get('/reports/overdue').expect(200)).body;
    const answeredAt = Date.now();
    const expected = facts
      .filter((f) => f.stillOpen)
      .flatMap((f) =>
        f.overdueStages.map((stage) => ({
          ticketId: f.ticket.id,
          ticketNumber: f.ticket.number,
          companyId: f.company.id,
          companyName: f.company.name,
          district: f.ticket.district,
          category: f.ticket.category,
          priority: f.ticket.priority,
          status: 'RECEIVED',
          stage,
          dueAt: new Date(Date.parse(f.ticket.dispatchedAt) + SECONDS[stage] * 1000).toISOString(),
          escalationLevel: 'PUBLIC_NOTICE',
          citizenPhone: `${f.ticket.citizenPhone.slice(0, 3)}****${f.ticket.citizenPhone.slice(-4)}`,
        })),
      )
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ticketNumber.localeCompare(b.ticketNumber) || a.stage.localeCompare(b.stage));
    expect(rows.map(({ overdueBy: _overdueBy, ...rest }: { overdueBy: string }) => rest)).toEqual(expected);
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const late = parseIsoDurationMs(row.overdueBy);
      expect(late).toBeGreaterThanOrEqual(askedAt - Date.parse(row.dueAt) - 1000);
      expect(late).toBeLessThanOrEqual(answeredAt - Date.parse(row.dueAt) + 1000);
      expect(JSON.stringify(row)).not.toMatch(/王女士|南开区|河西区鞍山/);
    }
    const ids = (list: Array<{ ticketId: string; stage: string }>) => list.map((row) => `${row.ticketId}/${row.stage}`);
    const westRows = expected.filter((row) => row.companyId === west.id);
    expect(ids((await as(supervisor).get('/reports/overdue').query({ companyId: west.id }).expect(200)).body)).toEqual(ids(westRows));
    expect(ids((await as(operator).get('/reports/overdue').query({ district: 'NANKAI' }).expect(200)).body)).toEqual(ids(expected.filter((row) => row.district === 'NANKAI')));
    expect(ids((await as(supervisor).get('/reports/overdue').query({ stage: 'contact' }).expect(200)).body)).toEqual(ids(expected.filter((row) => row.stage === 'contact')));
    expect((await as(supervisor).get('/reports/overdue').query({ companyId: randomUUID() }).expect(200)).body).toEqual([]);
    // A crew sees its own company's whatever it asks for.
    expect(ids((await as(crewWest).get('/reports/overdue').query({ companyId: north.id }).expect(200)).body)).toEqual(ids(westRows));
    await as(supervisor).get('/reports/overdue').query({ stage: 'lunch' }).expect(400);
  });

  it('answers Accept: text/csv with a BOM, a header row and masked phones', async () => {
    const raw = (path: string) =>
      as(supervisor)
        .get(path)
        .query(path.endsWith('companies') ? range() : {})
        .set('Accept', 'text/csv')
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);

    const companies = await raw('/reports/companies');
    expect(companies.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(companies.headers['content-disposition']).toMatch(/^attachment; filename="companies-\d{8}-\d{8}\.csv"$/);
    const bytes = companies.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(table[0]).toEqual(['承办单位', '派单量', '及时签收率', '及时联系率', '及时上门率', '及时回复率', '回访数', '解决率', '满意率', '响应率', '重办率', '重复来电率', '退单率', '约谈', '通报批评', '测温次数', '室温合格率', '暂停次数', '暂停时长(小时)', '单位ID']);
    const json = (await as(supervisor).get('/reports/companies').query(range()).expect(200)).body.items;
    expect(table.slice(1)).toEqual(
      json.map((row: Record<string, unknown>) =>
        [row.companyName, row.dispatched, row.acceptOnTimeRate, row.contactOnTimeRate, row.visitOnTimeRate, row.replyOnTimeRate, row.callbacks, row.solvedRate, row.satisfactionRate, row.responseRate, row.reopenRate, row.repeatCallRate, row.returnRate, row.warnings, row.notices, row.temperatureTests, row.temperaturePassRate, row.pauses, (row.pausedSeconds as number) / 3600, row.companyId].map((value) => (value === null ? '' : String(value))),
      ),
    );

    const overdue = await raw('/reports/overdue');
    expect(overdue.headers['content-disposition']).toMatch(/^attachment; filename="overdue-\d{8}\.csv"$/);
    const text = (overdue.body as Buffer).subarray(3).toString('utf8');
    const rows = parseCsv(text);
    const phone = rows[0].indexOf('来电号码');
    expect(rows[0].slice(0, 3)).toEqual(['工单号', '承办单位', '区']);
    expect(rows).toHaveLength(1 + 8);
    for (const row of rows.slice(1)) expect(row[phone]).toMatch(/^\d{3}\*{4}\d{4}$/);
    for (const f of facts) expect(text).not.toContain(f.ticket.citizenPhone);
    expect(rows.slice(1).map((row) => row[0])).toContain(facts.find((f) => f.overdueStages.length && f.stillOpen)!.ticket.number);
  });

  it('publishes a league table of active companies, best first, without login or personal data', async () => {
    const response = await system.http().get('/public/companies').query(range()).expect(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const expected = [north, west, idle].map((company) => {
      const mine = facts.filter((f) => f.company.id === company.id);
      const marks = mine.flatMap((f) => Object.values(f.marks));
      const callbacks = mine.flatMap((f) => f.callbacks);
      return {
        companyId: company.id,
        companyName: company.name,
        dispatched: mine.length,
        onTimeRate: rate(marks.filter((m) => m === 'on').length, marks.length),
        satisfactionRate: rate(callbacks.filter((c) => c.satisfaction !== 'UNSATISFIED').length, callbacks.length),
        notices: mine.reduce((total, f) => total + f.overdueStages.length, 0),
      };
    });
    // west 8/13 beats north 9/18; the idle company has no rate and comes last.
    const [northRow, westRow, idleRow] = expected;
    expect(response.body.items).toEqual([westRow, northRow, idleRow].map((row, index) => ({ rank: index + 1, ...row })));
    expect([westRow.onTimeRate, northRow.onTimeRate]).toEqual([0.6154, 0.5]);
    const text = JSON.stringify(response.body);
    for (const f of facts) {
      expect(text).not.toContain(f.ticket.citizenPhone);
      expect(text).not.toContain(f.ticket.id);
    }
    expect(text).not.toMatch(/王女士|鞍山西道|复康路/);
    expect(response.body.items.map((row: { companyId: string }) => row.companyId)).not.toContain(retired.id);
  });

  it('charts tickets and overdue tickets by Shanghai day and by district', async () => {
    const { from, to } = range();
    const trends = (await as(supervisor).get('/reports/trends').query({ from, to }).expect(200)).body;
    const days: string[] = [];
    for (let day = shanghaiDay(from); day <= shanghaiDay(Date.parse(to) - 1); day = shanghaiDay(Date.parse(`${day}T12:00:00+08:00`) + 24 * 3_600_000)) days.push(day);
    // Per ticket: counted on its creation day and district; overdue when a stage went overdue in any dispatch.
    const tickets = [...new Map(facts.map((f) => [f.ticket.id, f.ticket])).values()];
    const overdue = (ticket: TicketDto) => facts.some((f) => f.ticket.id === ticket.id && f.marked.length > 0);
    expect(trends.byDay).toEqual(
      days.map((day) => {
        const mine = tickets.filter((ticket) => shanghaiDay(ticket.createdAt) === day);
        return { day, tickets: mine.length, overdue: mine.filter(overdue).length };
      }),
    );
    expect(trends.byDistrict).toHaveLength(16);
    for (const row of trends.byDistrict) {
      const mine = tickets.filter((ticket) => ticket.district === row.district);
      expect(row).toEqual({ district: row.district, tickets: mine.length, overdue: mine.filter(overdue).length });
    }
    expect(trends.byDistrict.find((row: { district: string }) => row.district === 'NANKAI')).toEqual({ district: 'NANKAI', tickets: 9, overdue: 3 });
  });

  it('keeps each dispatch’s record on the ticket: the late accept and the return stay north’s', async () => {
    const read = (who: SignedIn) => as(who).get(`/tickets/${dodged.id}`).expect(200);
    const { dispatches, stages, escalationLevel } = (await read(supervisor)).body;
    expect(dispatches).toHaveLength(2);
    const [first, second] = dispatches;
    expect(first).toMatchObject({ seq: 1, companyId: north.id, cause: 'CREATED', outcome: 'RETURNED', escalationLevel: 'OVERDUE' });
    expect(first.stages.accept).toMatchObject({ doneAt: null, overdue: true });
    expect(first.rungsFired.map((rung: { stage: string; level: string }) => `${rung.stage}:${rung.level}`)).toEqual(['accept:DUE_SOON', 'accept:OVERDUE']);
    expect(first.endedAt).toBe(second.dispatchedAt);
    expect(second).toMatchObject({ seq: 2, companyId: west.id, cause: 'REASSIGNED', outcome: null, endedAt: null });
    expect(second.stages.accept.overdue).toBe(true);
    expect(second.stages.accept.doneAt).not.toBeNull();
    // The ticket's current stages are the current dispatch's.
    expect(stages).toEqual(second.stages);
    expect(escalationLevel).toBe(second.escalationLevel);
    // A crew sees only its own company's dispatches.
    expect((await read(crewWest)).body.dispatches.map((dispatch: { seq: number }) => dispatch.seq)).toEqual([2]);
    await as(crewNorth).get(`/tickets/${dodged.id}`).expect(404);
  });

  it('rebuilds the same dispatches from the audit trail (the migration’s back-fill of older tickets)', async () => {
    // The back-fill rebuilds what dispatches held before callbacks were staged and evaluated (domain.md §2.5):
    // the callback stage and the callback's newer answers are compared without.
    const columns = `ticket_id, seq, company_id, dispatched_at, cause, stages - 'callback' AS stages, extension, escalation_level,
                     callback - 'contacted' - 'evaluation' - 'outcome' - 'attempts' AS callback, repeat_calls,
                     return_requests, temperature_tests, temperature_passed, outcome, ended_at`;
    const snapshot = () => system.dataSource.query(`SELECT ${columns} FROM ticket_dispatches ORDER BY ticket_id, seq`);
    const written = await snapshot();
    expect(written.length).toBe(facts.length);
    const runner = system.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('DELETE FROM ticket_dispatches');
      await backfillDispatches(runner);
      const rebuilt = await runner.query(`SELECT ${columns} FROM ticket_dispatches ORDER BY ticket_id, seq`);
      expect(rebuilt).toEqual(written);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('refuses bad ranges with 400 naming the field, and other roles with 401/403', async () => {
    const problem = async (query: Record<string, string>, field: string) => {
      const response = await as(supervisor).get('/reports/companies').query(query).expect(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    };
    await problem({ from: '2025-01-10', to: '2025-01-01' }, 'to');
    await problem({ from: '2025-01-10', to: '2025-01-10' }, 'to');
    await problem({ from: '2024-01-01', to: '2025-06-01' }, 'to');
    await problem({ from: 'last week' }, 'from');
    await problem({ to: '2025-02-30' }, 'to');
    await problem({ foo: '1' }, 'foo');
    await as(supervisor).get('/reports/companies').query({ from: '2025-01-01', to: '2026-01-02' }).expect(200); // 366 days
    await as(supervisor).get('/reports/trends').query({ from: '2025-01-10T00:00:00Z', to: '2025-01-01' }).expect(400);
    await system.http().get('/public/companies').query({ from: 'x' }).expect(400);

    for (const path of ['/reports/overdue', '/reports/companies', '/reports/trends']) await system.http().get(path).expect(401);
    for (const who of [operator, crewNorth]) {
      await as(who).get('/reports/companies').expect(403);
      await as(who).get('/reports/trends').expect(403);
    }
    // Admins read what supervisors read (the dashboard works for them too).
    await as(admin).get('/reports/companies').expect(200);
    await as(admin).get('/reports/trends').expect(200);
    await as(admin).get('/reports/overdue').expect(200);
    await as(crewNorth).get('/reports/overdue').expect(200);
  });
});
