import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** Token revocation lives in the users table itself: whatever writer changes an account, its tokens go. */
describe('accounts schema (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let companyId: string;
  let otherCompanyId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    [{ id: companyId }, { id: otherCompanyId }] = await dataSource.query(
      `INSERT INTO companies (code, name, districts) VALUES ('ACC1', '账户测试一', '{HEPING}'), ('ACC2', '账户测试二', '{HEXI}') RETURNING id`,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const versionOf = async (id: string): Promise<number> =>
    (await dataSource.query(`SELECT token_version FROM users WHERE id = $1`, [id]))[0].token_version as number;

  it('starts a user at token version 0, active, with nothing to change', async () => {
    const [row] = await dataSource.query(
      `INSERT INTO users (username, password_hash, role) VALUES ('acc.new', 'hash', 'operator') RETURNING token_version, active, must_change_password, display_name`,
    );
    expect(row).toEqual({ token_version: 0, active: true, must_change_password: false, display_name: null });
  });

  it.each([
    ['the password', `password_hash = 'another hash'`, 1],
    ['the role', `role = 'supervisor'`, 1],
    ['the active flag', `active = false`, 1],
    ['the display name', `display_name = '王丽'`, 0],
    ['the must-change flag alone', `must_change_password = true`, 0],
    ['nothing (the same values again)', `role = role, active = active, password_hash = password_hash`, 0],
    ['password and role together', `password_hash = 'third hash', role = 'admin'`, 1],
  ])('raises the token version by %s: +%i', async (_case, assignment, raise) => {
    const [{ id }] = await dataSource.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, 'hash', 'operator') RETURNING id`, [
      `acc.${Math.random().toString(36).slice(2, 10)}`,
    ]);
    await dataSource.query(`UPDATE users SET ${assignment} WHERE id = $1`, [id]);
    expect(await versionOf(id)).toBe(raise);
  });

  it('raises it when a crew user moves company', async () => {
    const [{ id }] = await dataSource.query(`INSERT INTO users (username, password_hash, role, company_id) VALUES ('acc.crew', 'hash', 'crew', $1) RETURNING id`, [
      companyId,
    ]);
    await dataSource.query(`UPDATE users SET company_id = $2 WHERE id = $1`, [id, otherCompanyId]);
    expect(await versionOf(id)).toBe(1);
  });

  it('refuses a blank or overlong display name, and login failures of an unknown scope or below zero', async () => {
    await expect(dataSource.query(`INSERT INTO users (username, password_hash, role, display_name) VALUES ('acc.blank', 'h', 'operator', '')`)).rejects.toThrow(
      /users_display_name_length/,
    );
    await expect(
      dataSource.query(`INSERT INTO users (username, password_hash, role, display_name) VALUES ('acc.long', 'h', 'operator', repeat('王', 101))`),
    ).rejects.toThrow(/users_display_name_length/);
    await expect(dataSource.query(`INSERT INTO login_failures VALUES ('tenant', 'x', 1, now())`)).rejects.toThrow(/login_failures_scope_known/);
    await expect(dataSource.query(`INSERT INTO login_failures VALUES ('address', 'x', -1, now())`)).rejects.toThrow(/login_failures_not_negative/);
  });
});
