import { DataSource } from 'typeorm';
import { isSuspectedOutage, SUSPECTED_OUTAGE } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { buildingRecentTicketsSql, HOTSPOT_LEVELS, HOTSPOT_ORDERS, hotspotsSql, SqlQuery } from '@app/reports';
import { explain, nodesOn, PlanNode } from '../support/plans';
import { createTestDatabase, TestDatabase } from '../support/test-env';

const TICKETS = 20_000;
const HOT = 30;
const DAY_MS = 24 * 3_600_000;
const HOT_BUILDING = '南开区 鞍山西道9999号 3门';

/**
 * The hot-spot SQL, exactly as HotspotsService runs it, on 20 000 tickets over 200 days from 2 000 buildings
 * (1 in 10 naming none) plus one building with 30 calls in the last hour: the week's ranking reads tickets
 * through idx_tickets_created, the operator's look-up through idx_tickets_building_created, never a Seq Scan.
 */
describe('hot-spot query plans (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const now = new Date();

  const plan = (query: SqlQuery): Promise<PlanNode[]> => explain(dataSource, query.text, query.params);
  const indexesOnTickets = (all: PlanNode[]): string[] => all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name']!);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    const [{ id: companyId }] = await dataSource.query(`INSERT INTO companies (code, name, districts) VALUES ('HOT', '热点测试公司', ARRAY['NANKAI']) RETURNING id`);
    await dataSource.query(
      `
      INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, community_key, building_key,
                           citizen_name, citizen_phone, description, company_id, dispatched_at, policy_version, policy, repeat_count, created_at)
      SELECT gen_random_uuid(), 'HOT-' || i, 'CLOSED', 'NOT_WARM', 'P1', 'PHONE', 'NANKAI', '地址' || i, 'addr' || i,
             CASE WHEN i % 10 = 0 THEN NULL ELSE '南开区 鞍山西道' || (i % 400) || '号' END,
             CASE WHEN i % 10 = 0 THEN NULL ELSE '南开区 鞍山西道' || (i % 400) || '号 ' || (i % 5 + 1) || '门' END,
             '测试', '1380000' || lpad((i % 10000)::text, 4, '0'), '冷', $3, created, 1, '{}'::jsonb, i % 3,
             created
        FROM generate_series(1, $1) i, LATERAL (SELECT $2::timestamptz - (i * interval '1 day' * 200 / $1) - interval '2 hours' AS created) t`,
      [TICKETS, now, companyId],
    );
    // The outage: one call a minute from one building over the last half hour.
    await dataSource.query(
      `
      INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, community_key, building_key,
                           citizen_name, citizen_phone, description, company_id, dispatched_at, policy_version, policy, created_at)
      SELECT gen_random_uuid(), 'OUTAGE-' || i, 'RECEIVED', 'NO_HEAT', 'P1', 'PHONE', 'NANKAI', '鞍山西道9999号3门' || i, 'addr' || i,
             '南开区 鞍山西道9999号', $3, '测试', '1390000' || lpad(i::text, 4, '0'), '停热', $4, created, 1, '{}'::jsonb, created
        FROM generate_series(1, $1) i, LATERAL (SELECT $2::timestamptz - (i * interval '1 minute') AS created) t`,
      [HOT, now, HOT_BUILDING, companyId],
    );
    await dataSource.query(`ANALYZE`);
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('ranks a week through the creation index, for both levels and both orders', async () => {
    for (const level of HOTSPOT_LEVELS) {
      for (const order of HOTSPOT_ORDERS) {
        const all = await plan(hotspotsSql(level, new Date(now.getTime() - 7 * DAY_MS), now, order, 10));
        expect(nodesOn('tickets', all).length).toBeGreaterThan(0);
        expect(nodesOn('tickets', all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
        // Through the creation order: (created_at) or, with few statuses, a skip scan of (status, created_at); which
        // one is the planner's choice by row width (the ticket's snapshots), both read only the week.
        expect(indexesOnTickets(all)).toHaveLength(1);
        expect(['idx_tickets_created', 'idx_tickets_status_created']).toContain(indexesOnTickets(all)[0]);
      }
    }
    // And it answers: the outage's building first, its calls after the third marked.
    const query = hotspotsSql('building', new Date(now.getTime() - 7 * DAY_MS), new Date(now.getTime() + 1), 'tickets', 3);
    const [top] = await dataSource.query(query.text, query.params);
    expect(top).toEqual({ place: HOT_BUILDING, district: 'NANKAI', tickets: HOT, repeat_calls: 0, suspected_outages: HOT - SUSPECTED_OUTAGE.others });
  });

  it('finds the building’s last hour through the building index', async () => {
    const query = buildingRecentTicketsSql(HOT_BUILDING, now);
    const all = await plan(query);
    expect(nodesOn('tickets', all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(indexesOnTickets(all)).toEqual(['idx_tickets_building_created']);
    const rows: Array<{ number: string; others_from_building: number }> = await dataSource.query(query.text, query.params);
    expect(rows).toHaveLength(HOT);
    // Newest first: the newest came with 29 others before it in the hour, the oldest with none.
    expect(rows.map((row) => row.others_from_building)).toEqual(Array.from({ length: HOT }, (_, i) => HOT - 1 - i));
    expect(rows.filter((row) => isSuspectedOutage(row.others_from_building))).toHaveLength(HOT - SUSPECTED_OUTAGE.others);
  });
});
