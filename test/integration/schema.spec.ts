import { DataSource } from 'typeorm';
import { DEFAULT_SLA_POLICIES } from '@app/domain';
import { dataSourceOptions, runMigrations } from '@app/persistence';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** The schema comes only from migrations; the entities must describe exactly that schema. */
describe('schema and migrations (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('has every entity column as migrated: TypeORM finds no table or column to change', async () => {
    // Indexes, checks, foreign keys and defaults live in the migrations only, so the schema builder would
    // drop them; tables and columns (names, types, nullability) must match exactly.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const structural = pending.upQueries
      .map((query) => query.query)
      .filter((sql) => /CREATE TABLE|ADD "|ADD COLUMN|DROP COLUMN|TYPE |NOT NULL|RENAME/i.test(sql));
    expect(structural).toEqual([]);
    expect(pending.upQueries.length).toBeGreaterThan(0); // the filter above has something to look at
  });

  it('seeds version 1 of each priority with the spec defaults', async () => {
    const rows: Array<Record<string, unknown>> = await dataSource.query(
      `SELECT priority, version, accept, contact, visit, reply, remediate, warning_after, notice_after, calendar,
              return_window, extension_cap, designated_from_dispatch
         FROM sla_policies ORDER BY priority`,
    );
    expect(rows).toEqual(
      Object.entries(DEFAULT_SLA_POLICIES).map(([priority, terms]) => ({
        priority,
        version: 1,
        accept: terms.accept,
        contact: terms.contact,
        visit: terms.visit,
        reply: terms.reply,
        remediate: terms.remediate,
        warning_after: terms.warningAfter,
        notice_after: terms.noticeAfter,
        calendar: terms.calendar,
        return_window: terms.returnWindow,
        extension_cap: terms.extensionCap,
        designated_from_dispatch: terms.designatedFromDispatch,
      })),
    );
  });

  const ALL_MIGRATIONS = MIGRATIONS.map((migration) => migration.name);
  const undoAll = async (target: DataSource): Promise<void> => {
    for (let i = 0; i < MIGRATIONS.length; i += 1) await target.undoLastMigration({ transaction: 'each' });
  };

  it('runs down and up again, and a second run applies nothing', async () => {
    await undoAll(dataSource);
    const tables: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'tickets'`,
    );
    expect(Number(tables[0].count)).toBe(0);
    expect(await runMigrations({ url: database.url })).toEqual(ALL_MIGRATIONS);
    expect(await runMigrations({ url: database.url })).toEqual([]);
  });

  it('runs safely from two processes at once', async () => {
    const fresh = await createTestDatabase();
    try {
      const admin = await new DataSource(dataSourceOptions({ url: fresh.url })).initialize();
      await undoAll(admin);
      await admin.destroy();
      const [first, second] = await Promise.all([runMigrations({ url: fresh.url }), runMigrations({ url: fresh.url })]);
      expect([...first, ...second]).toEqual(ALL_MIGRATIONS);
    } finally {
      await fresh.drop();
    }
  });

  it('keeps the audit trail append-only', async () => {
    const [company] = await dataSource.query(`INSERT INTO companies (code, name, districts) VALUES ('AUD', '审计', '{HEPING}') RETURNING id`);
    const ticketId = '2d4ae8a4-41f5-4b0e-9d3a-7c1b6e9f0a11';
    await dataSource.query(
      `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                            citizen_phone, description, company_id, dispatched_at, policy_version, policy)
       VALUES ($1, '8890-20261128-999999', 'RECEIVED', 'LEAK', 'P0', 'PHONE', 'HEPING', 'a', 'a', 'n', '13812345678', 'd', $2, now(), 1, '{}')`,
      [ticketId, company.id],
    );
    await dataSource.query(`INSERT INTO ticket_events (ticket_id, type, actor, role) VALUES ($1, 'CREATED', 'op', 'operator')`, [ticketId]);
    await expect(dataSource.query(`UPDATE ticket_events SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM ticket_events`)).rejects.toThrow(/append-only/);
  });
});
