import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import { seedDemoData } from '@app/devstack';
import { DISTRICTS } from '@app/domain';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** `npm start -- --demo`: companies for all 16 districts and one user per role, seeded once. */
describe('demo data', () => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('seeds companies covering every district and a user per role whose password works', async () => {
    const { seeded, users } = await seedDemoData(database.url, 4);
    expect(seeded).toBe(true);
    expect(users.map((user) => user.role).sort()).toEqual(['admin', 'crew', 'operator', 'supervisor']);
    const { rows: companies } = await client.query<{ districts: string[] }>('SELECT districts FROM companies');
    expect(new Set(companies.flatMap((company) => company.districts))).toEqual(new Set(DISTRICTS));
    for (const user of users) {
      const { rows } = await client.query<{ password_hash: string; role: string; company_id: string | null }>(
        'SELECT password_hash, role, company_id FROM users WHERE username = $1',
        [user.username],
      );
      expect(rows[0].role).toBe(user.role);
      expect(await bcrypt.compare(user.password, rows[0].password_hash)).toBe(true);
      expect(rows[0].company_id === null).toBe(user.role !== 'crew');
    }
    expect(new Set(users.map((user) => user.password)).size).toBe(4);
  });

  it('seeds nothing the second time', async () => {
    const before = await client.query('SELECT count(*)::int AS n FROM companies');
    expect(await seedDemoData(database.url, 4)).toEqual({ seeded: false, users: [] });
    expect((await client.query('SELECT count(*)::int AS n FROM companies')).rows).toEqual(before.rows);
  });
});
