import { DataSource } from 'typeorm';
import { DEFAULT_SLA_POLICIES, dispatchDeadlines, EMPTY_CALENDAR, escalationRungs } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/**
 * Upgrading a database that holds tickets of the previous release: nothing is lost, phones become
 * canonical, idempotency keys keep their ticket, and every stage gets its rung instants.
 */
describe('migration OneRuleOnePlace on a database with data', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const ticketId = '2f8c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const dispatchedAt = new Date('2026-11-30T02:00:00.000Z');

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'OneRuleOnePlace1764600000000');
    expect(before).toBeGreaterThan(0);
    // The schema of the previous release, with one of its tickets and an idempotency answer.
    const previous = await new DataSource({ ...dataSourceOptions({ url: database.url }), migrations: MIGRATIONS.slice(0, before) }).initialize();
    await previous.runMigrations({ transaction: 'each' });
    const [{ id: companyId }] = await previous.query(`INSERT INTO companies (code, name, districts) VALUES ('OLD', '旧热力', '{NANKAI}') RETURNING id`);
    const policy = { priority: 'P1', version: 1, ...DEFAULT_SLA_POLICIES.P1 };
    const stages = Object.fromEntries(
      dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P1, true, EMPTY_CALENDAR).map((deadline) => [
        deadline.stage,
        { startsAt: deadline.startsAt.toISOString(), dueAt: deadline.dueAt.toISOString(), doneAt: null, overdue: false },
      ]),
    );
    await previous.query(
      `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, citizen_name,
                            citizen_phone, description, company_id, dispatched_at, policy_version, policy, stages)
       VALUES ($1, '8890-20261130-000001', 'RECEIVED', 'NOT_WARM', 'P1', 'PHONE', 'NANKAI', '鞍山西道1号', '鞍山西道1号', '王女士',
               '022-23456789', '冷', $2, $3, 1, $4, $5)`,
      [ticketId, companyId, dispatchedAt, policy, stages],
    );
    await previous.query(
      `INSERT INTO idempotency_keys (actor, key, request_hash, status_code, response) VALUES ('op', 'k1', 'h', 201, $1)`,
      [{ id: ticketId, citizenPhone: '022-23456789' }],
    );
    await previous.destroy();

    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    expect((await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toContain('OneRuleOnePlace1764600000000');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('stores the phone in its canonical form', async () => {
    const [{ citizen_phone }] = await dataSource.query(`SELECT citizen_phone FROM tickets WHERE id = $1`, [ticketId]);
    expect(citizen_phone).toBe('02223456789');
  });

  it('keeps the idempotency key with its ticket and status, and drops the stored answer', async () => {
    const rows = await dataSource.query(`SELECT to_jsonb(k) AS row FROM idempotency_keys k`);
    expect(rows).toHaveLength(1);
    expect(rows[0].row).toEqual(expect.objectContaining({ key: 'k1', ticket_id: ticketId, status_code: 201 }));
    expect(rows[0].row).not.toHaveProperty('response');
  });

  it('gives every stage the rung instants its workflow already holds', async () => {
    const [{ stages }] = await dataSource.query(`SELECT stages FROM tickets WHERE id = $1`, [ticketId]);
    const deadlines = dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P1, true, EMPTY_CALENDAR);
    expect(Object.keys(stages).sort()).toEqual(deadlines.map((deadline) => deadline.stage).sort());
    for (const deadline of deadlines) {
      const expected = Object.fromEntries(escalationRungs(deadline, DEFAULT_SLA_POLICIES.P1, EMPTY_CALENDAR).map((rung) => [rung.level, rung.at.toISOString()]));
      expect(stages[deadline.stage].rungs).toEqual(expected);
      expect(stages[deadline.stage].dueAt).toBe(deadline.dueAt.toISOString());
    }
  });
});
