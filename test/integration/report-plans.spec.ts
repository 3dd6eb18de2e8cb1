import { DataSource } from 'typeorm';
import { RATED_STAGES } from '@app/domain';
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
      // An index scan names both; a bitmap scan names the index on its Bitmap Index Scan child. Either partial index
      // of open escalated tickets: by company and district, or in (created_at, id) order (migration CityScaleReads).
      const indexes = all.filter((node) => node['Index Name']?.startsWith('idx_tickets')).map((node) => node['Index Name']);
      expect(indexes.length).toBeGreaterThan(0);
      for (const index of indexes) expect(['idx_tickets_open_overdue', 'idx_tickets_open_overdue_created']).toContain(index);
    }
    // And the query really answers: one row per open overdue ticket.
    const query = overdueReportSql({});
    expect(await dataSource.query(query.text, query.params)).toHaveLength(TICKETS / 50);
  });

  it('reads a one-week company report from the facts of the week’s dispatches through their index, touching no jsonb table', async () => {
    const all = await plan(companyReportSql(new Date(now.getTime() - 7 * DAY_MS), now, now));
    const onFacts = all.filter((node) => node['Relation Name'] === 'ticket_dispatch_facts');
    expect(onFacts.length).toBeGreaterThan(0);
    expect(onFacts.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(all.some((node) => node['Index Name'] === 'idx_ticket_dispatch_facts_dispatched')).toBe(true);
    expect(all.filter((node) => ['tickets', 'ticket_events', 'ticket_dispatches'].includes(node['Relation Name'] ?? ''))).toEqual([]);
  });

  it('keeps ticket_dispatch_facts equal to what its function makes of every dispatch, on insert and on update (migration CityScaleReads)', async () => {
    const drift = async (): Promise<number> => {
      const [{ count }] = await dataSource.query(`
        SELECT count(*)::int AS count FROM (
          (SELECT f.* FROM ticket_dispatches d CROSS JOIN LATERAL ticket_dispatch_facts_of(d) f EXCEPT ALL SELECT * FROM ticket_dispatch_facts)
          UNION ALL
          (SELECT * FROM ticket_dispatch_facts EXCEPT ALL SELECT f.* FROM ticket_dispatches d CROSS JOIN LATERAL ticket_dispatch_facts_of(d) f)
        ) differences`);
      return count;
    };
    const [{ dispatches }] = await dataSource.query(`SELECT count(*)::int AS dispatches FROM ticket_dispatch_facts`);
    expect(dispatches).toBe(TICKETS + TICKETS / 10);
    expect(await drift()).toBe(0);
    // A dispatch's callback and a stage done change its facts in the same statement.
    const [{ id }] = await dataSource.query(`SELECT id FROM ticket_dispatches WHERE outcome IS NULL ORDER BY dispatched_at DESC LIMIT 1`);
    await dataSource.query(
      `UPDATE ticket_dispatches
          SET callback = '{"reached": true, "solved": true, "contacted": false, "satisfaction": "SATISFIED", "note": ""}'::jsonb,
              stages = jsonb_set(stages, '{accept,doneAt}', to_jsonb(now())), outcome = 'CLOSED', ended_at = now()
        WHERE id = $1`,
      [id],
    );
    const [facts] = await dataSource.query(`SELECT * FROM ticket_dispatch_facts WHERE dispatch_id = $1`, [id]);
    expect(facts).toMatchObject({ outcome: 'CLOSED', has_callback: true, callback_reached: true, callback_solved: true, callback_contacted: false, callback_has_satisfaction: true, callback_satisfaction: 'SATISFIED' });
    expect(facts.accept_done_at).toBeInstanceOf(Date);
    expect(await drift()).toBe(0);
    // One group of columns per rated stage: a new rated stage needs a migration that adds its own.
    const columns: Array<{ column_name: string }> = await dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'ticket_dispatch_facts'`);
    const stageColumns = columns.map((column) => column.column_name).filter((name) => /_(due_at|done_at|overdue)$/.test(name));
    expect(stageColumns.sort()).toEqual(RATED_STAGES.flatMap((stage) => [`${stage}_done_at`, `${stage}_due_at`, `${stage}_overdue`]).sort());
  });
});
