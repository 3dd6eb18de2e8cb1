import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** The users table refuses what the API refuses, so no other writer can break the role rules either. */
describe('users table constraints (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let companyId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    [{ id: companyId }] = await dataSource.query(`INSERT INTO companies (code, name, districts) VALUES ('USR', '用户测试', '{HEPING}') RETURNING id`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const insert = (username: string, role: string, company: string | null): Promise<unknown> =>
    dataSource.query(`INSERT INTO users (username, password_hash, role, company_id) VALUES ($1, 'hash', $2, $3)`, [username, role, company]);

  it('binds crew, and only crew, to a company', async () => {
    await insert('crew.ok', 'crew', companyId);
    await insert('operator.ok', 'operator', null);
    await expect(insert('crew.lost', 'crew', null)).rejects.toThrow(/users_crew_has_company/);
    await expect(insert('admin.bound', 'admin', companyId)).rejects.toThrow(/users_crew_has_company/);
  });

  it('knows only the four roles, a real company, one user per lower-case name', async () => {
    await expect(insert('root.user', 'root', null)).rejects.toThrow(/users_role_known/);
    await expect(insert('crew.ghost', 'crew', '6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77')).rejects.toThrow(/foreign key/);
    await expect(insert('Upper.Case', 'operator', null)).rejects.toThrow(/users_username_lower_case/);
    await expect(insert('operator.ok', 'supervisor', null)).rejects.toThrow(/uq_users_username/);
  });
});
