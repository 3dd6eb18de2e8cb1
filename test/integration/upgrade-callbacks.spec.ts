import { DataSource } from 'typeorm';
import { DEFAULT_SLA_POLICIES } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { MIGRATIONS } from '../../migrations';
import { Callbacks1764900000000 } from '../../migrations/1764900000000-Callbacks';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/**
 * Upgrading a database of the previous release (domain.md §2.5): every policy version gets the callback
 * defaults, every ticket's policy snapshot the terms of its version, and the migration undoes.
 */
describe('migration Callbacks on a database with data', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'Callbacks1764900000000');
    expect(before).toBeGreaterThan(0);
    const previous = await new DataSource({ ...dataSourceOptions({ url: database.url }), migrations: MIGRATIONS.slice(0, before) }).initialize();
    await previous.runMigrations({ transaction: 'each' });
    const [{ id: companyId }] = await previous.query(`INSERT INTO companies (code, name, districts) VALUES ('OLD', '旧热力', '{NANKAI}') RETURNING id`);
    const { callbackWithin: _within, callbackAttempts: _attempts, ...olderTerms } = DEFAULT_SLA_POLICIES.P1;
    await previous.query(
      `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                            citizen_phone, description, company_id, dispatched_at, policy_version, policy)
       SELECT gen_random_uuid(), 'OLD-' || i, 'REPLIED', 'NOT_WARM', 'P1', 'PHONE', 'NANKAI', '南开区鞍山西道100号', 'k' || i,
              '王女士', '13812345678', '冷', $1, now(), 1, $2
         FROM generate_series(1, 25) i`,
      [companyId, { priority: 'P1', version: 1, ...olderTerms }],
    );
    await previous.destroy();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    expect((await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toContain('Callbacks1764900000000');
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('gives every policy version and every ticket snapshot the callback defaults, and counts no attempt yet', async () => {
    const policies: Array<{ callback_within: string; callback_attempts: number }> = await dataSource.query(`SELECT callback_within, callback_attempts FROM sla_policies`);
    expect(policies.length).toBeGreaterThanOrEqual(3);
    for (const policy of policies) expect(policy).toEqual({ callback_within: 'P1D', callback_attempts: 3 });
    const tickets: Array<{ within: string; attempts: number; callback_attempts: number; review: unknown }> = await dataSource.query(
      `SELECT policy->>'callbackWithin' AS within, (policy->>'callbackAttempts')::int AS attempts, callback_attempts, review FROM tickets`,
    );
    expect(tickets).toHaveLength(25);
    for (const ticket of tickets) expect(ticket).toEqual({ within: 'P1D', attempts: 3, callback_attempts: 0, review: null });
    await expect(dataSource.query(`UPDATE sla_policies SET callback_attempts = 0 WHERE priority = 'P1'`)).rejects.toThrow(/sla_policies_callback_attempts/);
  });

  it('undoes itself', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new Callbacks1764900000000().down(runner);
      const [{ keys }] = await runner.query(`SELECT count(*) FILTER (WHERE policy ? 'callbackWithin')::int AS keys FROM tickets`);
      expect(keys).toBe(0);
      expect(await runner.hasColumn('sla_policies', 'callback_within')).toBe(false);
      expect(await runner.hasColumn('tickets', 'review')).toBe(false);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
