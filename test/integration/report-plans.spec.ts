import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { companyReportSql, overdueReportSql, SqlQuery } from '@app/reports';
import { explain, nodesOn, PlanNode } from '../support/plans';
import { createTestDatabase, TestDatabase } from '../support/test-env';

const TICKETS = 20_000;
const DAY_MS = 24 * 3_600_000;

/**
 * The report SQL, exactly as ReportsService runs it, on 20 000 tickets spread over 200 days: the planner
 * must reach tickets through an index for the overdue list and for a one-week company report.
 */
describe('report query plans (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const now = new Date();
  let companyId: string;

  const plan = (query: SqlQuery): Promise<PlanNode[]> => explain(dataSource, query.text, query.params);
  const onTickets = (all: PlanNode[]): PlanNode[] => nodesOn('tickets', all);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    await dataSource.query(`
      INSERT INTO companies (code, name, districts)
      SELECT 'PLAN' || i, '计划测试公司' || i, ARRAY['NANKAI'] FROM generate_series(1, 20) i`);
    [{ id: companyId }] = await dataSource.query(`SELECT id FROM companies ORDER BY code LIMIT 1`);
    // Mostly closed tickets; one in fifty open with its accept stage overdue, like a real season.
    await dataSource.query(
      `
      WITH c AS (SELECT array_agg(id ORDER BY code) AS ids FROM companies)
      INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                           citizen_phone, description, company_id, dispatched_at, policy_version, policy, stages,
                           escalation_level, created_at)
      SELECT gen_random_uuid(), 'PLAN-' || i,
             CASE WHEN i % 50 = 0 THEN 'RECEIVED' WHEN i % 7 = 0 THEN 'ACCEPTED' ELSE 'CLOSED' END,
             'NOT_WARM', 'P1', 'PHONE', 'NANKAI', '地址' || i, 'addr' || i, '测试', '1380000' || lpad((i % 10000)::text, 4, '0'), '冷',
             c.ids[1 + i % 20], created, 1, '{}'::jsonb,
             jsonb_build_object('accept', jsonb_build_object(
               'startsAt', created, 'dueAt', created + interval '30 minutes',
               'doneAt', CASE WHEN i % 50 = 0 THEN NULL ELSE created + interval '10 minutes' END,
               'overdue', i % 50 = 0)),
             CASE WHEN i % 50 = 0 THEN 'WARNING' ELSE 'NONE' END,
             created
        FROM c, generate_series(1, $1) i, LATERAL (SELECT $2::timestamptz - (i * interval '1 day' * 200 / $1) AS created) t`,
      [TICKETS, now],
    );
    // One dispatch a ticket, plus a second for one in ten (reassigned a day later).
    await dataSource.query(`
      INSERT INTO ticket_dispatches (ticket_id, seq, company_id, dispatched_at, cause, stages, escalation_level, outcome, ended_at)
      SELECT id, 1, company_id, created_at, 'CREATED', stages, escalation_level,
             CASE WHEN status = 'CLOSED' THEN 'CLOSED' END, CASE WHEN status = 'CLOSED' THEN created_at + interval '1 hour' END
        FROM tickets`);
    await dataSource.query(`
      INSERT INTO ticket_dispatches (ticket_id, seq, company_id, dispatched_at, cause, stages)
      SELECT id, 2, company_id, created_at + interval '1 day', 'REASSIGNED', stages FROM tickets WHERE number ~ '0$'`);
    await dataSource.query(`
      INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at)
      SELECT id, type, 'crew', 'crew', '{}'::jsonb, created_at FROM tickets, unnest(ARRAY['CREATED', 'ACCEPT', 'CALLBACK']) type`);
    await dataSource.query(`ANALYZE`);
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('reads the overdue list through the partial index on open overdue tickets', async () => {
    for (const filters of [{}, { companyId }, { district: 'NANKAI' as const, stage: 'accept' as const }]) {
      const all = await plan(overdueReportSql(filters));
      expect(onTickets(all).length).toBeGreaterThan(0);
      expect(onTickets(all).map((node) => node['Node Type'])).not.toContain('Seq Scan');
      // An index scan names both; a bitmap scan names the index on its Bitmap Index Scan child.
      expect(all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name'])).toEqual(['idx_tickets_open_overdue']);
    }
    // And the query really answers: one row per open overdue ticket.
    const query = overdueReportSql({});
    expect(await dataSource.query(query.text, query.params)).toHaveLength(TICKETS / 50);
  });

  it('reads a one-week company report from the dispatches of the week through their index, touching neither tickets nor events', async () => {
    const all = await plan(companyReportSql(new Date(now.getTime() - 7 * DAY_MS), now, now));
    const onDispatches = all.filter((node) => node['Relation Name'] === 'ticket_dispatches');
    expect(onDispatches.length).toBeGreaterThan(0);
    expect(onDispatches.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(all.some((node) => node['Index Name'] === 'idx_ticket_dispatches_dispatched')).toBe(true);
    expect(all.filter((node) => node['Relation Name'] === 'tickets' || node['Relation Name'] === 'ticket_events')).toEqual([]);
  });
});
