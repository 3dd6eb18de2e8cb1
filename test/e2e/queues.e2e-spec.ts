import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

interface Ticket {
  id: string;
  number: string;
  companyId: string;
  status: string;
  stages: Record<string, { dueAt: string }>;
  extension: { status: string; requestedAt: string } | null;
}
interface TicketPage {
  items: Ticket[];
  nextCursor: string | null;
}

/**
 * The supervisors' queues over HTTP: `GET /tickets?extension=PENDING` and `?returnRequested=true`, oldest
 * request first (not creation order), paged by cursor, scoped to a crew's company, their values validated.
 */
describe('ticket queues: pending extensions and return requests', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let crew: SignedIn;
  let otherCrew: SignedIn;
  let companyId: string;
  let otherCompanyId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    companyId = (await insertCompany(system.dataSource, ['HEPING'])).id;
    otherCompanyId = (await insertCompany(system.dataSource, ['HEDONG'])).id;
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    admin = await loginAs(system, 'admin');
    crew = await loginAs(system, 'crew', companyId);
    otherCrew = await loginAs(system, 'crew', otherCompanyId);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn): ReturnType<typeof authed> => authed(system, who.token);
  const create = async (district: 'HEPING' | 'HEDONG'): Promise<Ticket> => (await as(operator).post('/tickets').send(ticketBody({ district })).expect(201)).body;
  /** Every page of a list, following nextCursor, `limit` at a time. */
  async function allPages(who: SignedIn, query: string, limit: number): Promise<Ticket[][]> {
    const pages: Ticket[][] = [];
    let cursor: string | null = null;
    do {
      const page: TicketPage = (await as(who).get(`/tickets?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200)).body;
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  }
  const numbers = (pages: Ticket[][]): string[][] => pages.map((page) => page.map((ticket) => ticket.number));

  it('lists pending extension requests oldest request first, page by page, a crew only its own', async () => {
    // Created a, b, c, d (other company); asked c, a, d, b: the queue is in the order of asking.
    const [a, b, c] = [await create('HEPING'), await create('HEPING'), await create('HEPING')];
    const d = await create('HEDONG');
    const untouched = await create('HEPING');
    const ask = (who: SignedIn, ticket: Ticket): Promise<unknown> => as(who).post(`/tickets/${ticket.id}/extension`).send({ reason: '需协调物业', extendBy: 'PT1H' }).expect(200);
    await ask(crew, c);
    await ask(crew, a);
    await ask(otherCrew, d);
    await ask(crew, b);

    for (const reader of [supervisor, operator, admin]) {
      expect(numbers(await allPages(reader, 'extension=PENDING', 3))).toEqual([[c, a, d].map((t) => t.number), [b.number]]);
      expect(numbers(await allPages(reader, 'extension=PENDING', 1))).toEqual([[c.number], [a.number], [d.number], [b.number]]);
    }
    expect(numbers(await allPages(crew, 'extension=PENDING', 2))).toEqual([[c.number, a.number], [b.number]]);
    // A crew asking for another company's queue still gets its own.
    expect(numbers(await allPages(crew, `extension=PENDING&companyId=${otherCompanyId}`, 10))).toEqual([[c.number, a.number, b.number]]);
    expect(numbers(await allPages(otherCrew, 'extension=PENDING', 10))).toEqual([[d.number]]);
    // Other filters narrow the queue; the plain list stays newest first and holds the ticket never asked about.
    expect(numbers(await allPages(supervisor, `extension=PENDING&companyId=${otherCompanyId}`, 10))).toEqual([[d.number]]);
    const plain = (await as(supervisor).get('/tickets?limit=200').expect(200)).body as TicketPage;
    expect(plain.items.map((t) => t.number).slice(0, 5)).toEqual([untouched, d, c, b, a].map((t) => t.number));

    // Decided requests leave the queue: approved (deadline moved) and rejected.
    const approved: Ticket = (await as(supervisor).post(`/tickets/${a.id}/extension/approve`).send({}).expect(200)).body;
    expect(Date.parse(approved.stages.accept.dueAt) - Date.parse(a.stages.accept.dueAt)).toBe(3_600_000);
    await as(supervisor).post(`/tickets/${c.id}/extension/reject`).send({ reason: '理由不充分' }).expect(200);
    expect(numbers(await allPages(supervisor, 'extension=PENDING', 10))).toEqual([[d.number, b.number]]);

    for (const ticket of [a, b, c, d, untouched]) await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
    expect(numbers(await allPages(supervisor, 'extension=PENDING', 10))).toEqual([[]]);
  });

  it('lists return requests waiting for an operator, oldest (latest) request first', async () => {
    const [x, y, z] = [await create('HEPING'), await create('HEPING'), await create('HEPING')];
    const w = await create('HEDONG');
    const giveBack = (who: SignedIn, ticket: Ticket): Promise<unknown> => as(who).post(`/tickets/${ticket.id}/return`).send({ reason: '不在供热范围' }).expect(200);
    // z asked first, was refused, and asked again last: its place is that of its latest request.
    await giveBack(crew, z);
    await as(operator).post(`/tickets/${z.id}/reject-return`).send({ reason: '在范围内' }).expect(200);
    await giveBack(crew, y);
    await giveBack(otherCrew, w);
    await giveBack(crew, x);
    await giveBack(crew, z);

    expect(numbers(await allPages(operator, 'returnRequested=true', 2))).toEqual([[y.number, w.number], [x.number, z.number]]);
    expect(numbers(await allPages(supervisor, 'returnRequested=true', 1))).toEqual([[y.number], [w.number], [x.number], [z.number]]);
    expect(numbers(await allPages(crew, 'returnRequested=true', 10))).toEqual([[y.number, x.number, z.number]]);

    // Reassigned or refused, a ticket leaves the queue.
    await as(operator).post(`/tickets/${y.id}/reassign`).send({ companyId: otherCompanyId }).expect(200);
    await as(operator).post(`/tickets/${x.id}/reject-return`).send({ reason: '请继续处理' }).expect(200);
    expect(numbers(await allPages(operator, 'returnRequested=true', 10))).toEqual([[w.number, z.number]]);
    for (const ticket of [x, y, z, w]) await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
  });

  it.each([
    ['extension=APPROVED', 'extension'],
    ['extension=pending', 'extension'],
    ['returnRequested=false', 'returnRequested'],
    ['returnRequested=yes', 'returnRequested'],
    ['extension=PENDING&returnRequested=true', 'returnRequested'],
    ['companyActive=maybe', 'companyActive'],
    ['open=1', 'open'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const response = await as(supervisor).get(`/tickets?${query}`).expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });

  it('refuses a cursor it did not hand out on a queue too', async () => {
    const response = await as(supervisor).get('/tickets?extension=PENDING&cursor=bm90LWEtY3Vyc29y').expect(400);
    expect(response.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });
  it('finds tickets by number, by phone in any written form, or by part of the address (q), within what the caller may see', async () => {
    const body = ticketBody({ district: 'HEPING', citizenPhone: '022-2345 6789', address: '和平区南京路88号（搜索）2门301' });
    const ticket: Ticket = (await as(operator).post('/tickets').send(body).expect(201)).body;
    await as(operator).post('/tickets').send(ticketBody({ district: 'HEPING' })).expect(201);
    const found = async (who: SignedIn, q: string): Promise<string[]> =>
      ((await as(who).get('/tickets').query({ q, limit: 100 }).expect(200)).body as TicketPage).items.map((item) => item.id);
    expect(await found(operator, ticket.number)).toEqual([ticket.id]);
    expect(await found(operator, '02223456789')).toEqual([ticket.id]);
    expect(await found(operator, '南京路 88号（搜索）')).toEqual([ticket.id]);
    expect(await found(operator, '100%_不存在')).toEqual([]);
    expect(await found(otherCrew, ticket.number)).toEqual([]);
    expect(await found(crew, ticket.number)).toEqual([ticket.id]);
    await as(operator).get('/tickets').query({ q: 'x'.repeat(101) }).expect(400);
  });
});
