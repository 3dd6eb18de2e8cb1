import { DataSource, SelectQueryBuilder } from 'typeorm';
import type { AuthenticatedUser } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { TicketsService } from '@app/tickets';
import { explain, nodesOn, PlanNode } from '../support/plans';
import { createTestDatabase, TestDatabase } from '../support/test-env';

const TICKETS = 20_000;

type ListTicketsQueryDto = Parameters<TicketsService['list']>[0];
type TicketEntityLike = Awaited<ReturnType<TicketsService['list']>>['items'][number];

/**
 * The supervisors' queues, with the SQL exactly as TicketsService.list builds it, on 20 000 tickets of
 * which 1 in 500 has a pending extension request and 1 in 400 waits in RETURN_REQUESTED (and, for the review
 * queue, about 1 in 300 closed ones made REPLIED with a pending review): no queue scans the tickets table.
 */
describe('queue query plans (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: TicketsService;
  let companyId: string;
  const supervisor: AuthenticatedUser = { id: 's', username: 'supervisor', role: 'supervisor', companyId: null };

  /** The plan of the query `list` would run for `query` (captured where keysetPage runs it). */
  async function plan(query: Partial<ListTicketsQueryDto>, user: AuthenticatedUser): Promise<PlanNode[]> {
    let captured: [string, unknown[]] | undefined;
    const spy = jest.spyOn(SelectQueryBuilder.prototype, 'getRawAndEntities').mockImplementationOnce(async function (this: SelectQueryBuilder<never>) {
      captured = this.getQueryAndParameters();
      return { entities: [], raw: [] };
    });
    try {
      await service.list(query as ListTicketsQueryDto, user);
    } finally {
      spy.mockRestore();
    }
    return explain(dataSource, captured![0], captured![1]);
  }
  const onTickets = (all: PlanNode[]): PlanNode[] => nodesOn('tickets', all);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    // list() reads only the data source; the rest of the service is not needed here.
    service = Object.assign(Object.create(TicketsService.prototype) as TicketsService, { dataSource });
    await dataSource.query(`
      INSERT INTO companies (code, name, districts)
      SELECT 'QUEUE' || i, '队列测试公司' || i, ARRAY['NANKAI'] FROM generate_series(1, 20) i`);
    [{ id: companyId }] = await dataSource.query(`SELECT id FROM companies ORDER BY code LIMIT 1`);
    // Mostly closed; every 500th open with a pending request, every 250th closed with one left pending
    // (never decided), every 7th with a decided one, every 400th waiting for a return decision.
    await dataSource.query(
      `
      WITH c AS (SELECT array_agg(id ORDER BY code) AS ids FROM companies)
      INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                           citizen_phone, description, company_id, dispatched_at, policy_version, policy, stages, extension, created_at)
      SELECT gen_random_uuid(), 'QUEUE-' || i,
             CASE WHEN i % 500 = 0 THEN 'ACCEPTED' WHEN i % 400 = 0 THEN 'RETURN_REQUESTED' WHEN i % 250 = 0 THEN 'CANCELLED' ELSE 'CLOSED' END,
             'NOT_WARM', 'P1', 'PHONE', 'NANKAI', '地址' || i, 'addr' || i, '测试', '1380000' || lpad((i % 10000)::text, 4, '0'), '冷',
             c.ids[1 + i % 20], created, 1, '{}'::jsonb, '{}'::jsonb,
             CASE WHEN i % 250 = 0 OR i % 500 = 0
                    THEN jsonb_build_object('status', 'PENDING', 'stage', 'contact', 'reason', '缺配件', 'extendBy', 'PT1H',
                                            'requestedAt', to_char((created + interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'requestedBy', 'crew')
                  WHEN i % 7 = 0
                    THEN jsonb_build_object('status', 'APPROVED', 'stage', 'accept', 'reason', '缺配件', 'extendBy', 'PT1H',
                                            'requestedAt', to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'requestedBy', 'crew')
             END,
             created
        FROM c, generate_series(1, $1) i, LATERAL (SELECT date_trunc('milliseconds', $2::timestamptz - (i * interval '1 day' * 200 / $1)) AS created) t`,
      [TICKETS, new Date()],
    );
    await dataSource.query(`
      INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at)
      SELECT id, type, 'crew', 'crew', '{}'::jsonb, created_at + interval '1 minute' FROM tickets, unnest(ARRAY['CREATED', 'ACCEPT', 'CALLBACK']) type`);
    await dataSource.query(`
      INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at)
      SELECT id, 'RETURN', 'crew', 'crew', '{}'::jsonb, created_at + interval '2 minutes' FROM tickets WHERE status = 'RETURN_REQUESTED'`);
    await dataSource.query(`ANALYZE`);
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('reads the extension queue through the partial index on pending requests of open tickets', async () => {
    const crew: AuthenticatedUser = { id: 'c', username: 'crew', role: 'crew', companyId };
    for (const [query, user] of [[{ extension: 'PENDING' }, supervisor], [{ extension: 'PENDING' }, crew], [{ extension: 'PENDING', cursor: undefined, limit: 10 }, supervisor]] as const) {
      const all = await plan(query, user);
      expect(onTickets(all).length).toBeGreaterThan(0);
      expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
      expect(all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name'])).toEqual(['idx_tickets_extension_pending']);
    }
    // And it answers: the open tickets with a pending request, oldest request first, over every page.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ extension: 'PENDING', limit: 7, cursor } as ListTicketsQueryDto, supervisor);
      seen.push(...page.items.map((ticket) => ticket.extension!.requestedAt));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(TICKETS / 500);
    expect([...seen].sort()).toEqual(seen);
  });

  it('reads the review queue (objective 不满意, domain.md §2.5) through its partial index, oldest first', async () => {
    await dataSource.query(`
      UPDATE tickets SET status = 'REPLIED',
             review = jsonb_build_object('status', CASE WHEN n % 2 = 0 THEN 'PENDING' ELSE 'CONFIRMED' END,
                                         'requestedAt', to_char((created_at + interval '9 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets WHERE status = 'CLOSED') picked
       WHERE tickets.id = picked.id AND picked.n % 150 = 0`);
    await dataSource.query(`ANALYZE tickets`);
    const all = await plan({ review: 'PENDING' }, supervisor);
    expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name'])).toEqual(['idx_tickets_review_pending']);
    const page = await service.list({ review: 'PENDING', limit: 200 } as ListTicketsQueryDto, supervisor);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((ticket) => ticket.review?.status === 'PENDING')).toBe(true);
    const requested = page.items.map((ticket) => ticket.review!.requestedAt);
    expect([...requested].sort()).toEqual(requested);
  });

  it('pages open overdue tickets (overdue=true) newest first through the partial index of open escalated tickets', async () => {
    // One in 100 closed tickets made open again with its contact stage overdue and undone, escalated as recordRung leaves it.
    await dataSource.query(`
      UPDATE tickets SET status = 'ACCEPTED', escalation_level = CASE WHEN n % 2 = 0 THEN 'OVERDUE' ELSE 'WARNING' END,
             stages = jsonb_build_object('contact', jsonb_build_object('startsAt', created_at, 'dueAt', created_at + interval '1 hour', 'doneAt', NULL, 'overdue', true))
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets WHERE status = 'CLOSED') picked
       WHERE tickets.id = picked.id AND picked.n % 100 = 0`);
    await dataSource.query(`ANALYZE tickets`);
    const [{ overdue }] = await dataSource.query(`SELECT count(*)::int AS overdue FROM tickets WHERE stages ? 'contact'`);
    const indexesFor = async (user: AuthenticatedUser): Promise<string[]> => {
      const all = await plan({ overdue: true }, user);
      expect(onTickets(all).length).toBeGreaterThan(0);
      expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
      return all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name']!);
    };
    expect(await indexesFor(supervisor)).toEqual(['idx_tickets_open_overdue_created']);
    // A crew's own company: either partial index of open escalated tickets (by company, or in page order).
    const crewIndexes = await indexesFor({ id: 'c', username: 'crew', role: 'crew', companyId });
    expect(crewIndexes.length).toBeGreaterThan(0);
    for (const index of crewIndexes) expect(['idx_tickets_open_overdue_created', 'idx_tickets_open_overdue']).toContain(index);
    const seen: TicketEntityLike[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ overdue: true, limit: 37, cursor } as ListTicketsQueryDto, supervisor);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(overdue);
    const created = seen.map((ticket) => ticket.createdAt.getTime());
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  it('searches by number, phone or part of an address through their indexes (the address through its trigram index)', async () => {
    // Twelve flats of one building, among addresses that share no part with it.
    await dataSource.query(`
      UPDATE tickets SET address = '鞍山西道88号3门' || (100 + n), address_key = '鞍山西道88号3门' || (100 + n)
        FROM (SELECT id, row_number() OVER (ORDER BY created_at DESC) AS n FROM tickets WHERE number LIKE 'QUEUE-3%') picked
       WHERE tickets.id = picked.id AND picked.n <= 12`);
    // VACUUM as autovacuum would by now: it also empties the trigram index's pending list, which these 20 000 rows,
    // written after the index was made, are still in (a long pending list makes the planner shun the index).
    await dataSource.query(`VACUUM ANALYZE tickets`);
    for (const q of ['QUEUE-1234', '13800001234', '鞍山西道88号3门']) {
      const all = await plan({ q }, supervisor);
      expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
      expect(all.map((node) => node['Index Name'])).toEqual(expect.arrayContaining(['tickets_number_key', 'idx_tickets_repeat_match', 'idx_tickets_address_trgm']));
    }
    const found = async (q: string): Promise<string[]> => (await service.list({ q, limit: 200 } as ListTicketsQueryDto, supervisor)).items.map((ticket) => ticket.number);
    expect(await found('QUEUE-1234')).toEqual(['QUEUE-1234']);
    expect((await found('13800001234')).sort()).toEqual(['QUEUE-1234', 'QUEUE-11234'].sort());
    // Part of the folded address (spaces and punctuation do not count), newest first.
    const building = await found('鞍山西道 88号，3门');
    expect(building).toHaveLength(12);
    const [{ numbers }] = await dataSource.query(`SELECT array_agg(number ORDER BY created_at DESC, id DESC) AS numbers FROM tickets WHERE address_key LIKE '鞍山西道88号3门%'`);
    expect(building).toEqual(numbers);
    expect(await found('addr1234')).toEqual(['QUEUE-1234', ...Array.from({ length: 10 }, (_, k) => `QUEUE-1234${k}`)]);
  });

  it('reads the return queue by status, never scanning tickets', async () => {
    const all = await plan({ returnRequested: true }, supervisor);
    expect(onTickets(all).length).toBeGreaterThan(0);
    expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
    const page = await service.list({ returnRequested: true, limit: 200 } as ListTicketsQueryDto, supervisor);
    expect(page.items.map((ticket) => ticket.status)).toEqual(Array(TICKETS / 400 - TICKETS / 2000).fill('RETURN_REQUESTED'));
    // Oldest request first: here the requests follow creation.
    const created = page.items.map((ticket) => ticket.createdAt.getTime());
    expect([...created].sort((a, b) => a - b)).toEqual(created);
  });
});
