import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DISTRICT_NAMES_ZH, DISTRICTS } from '@app/domain';

/** Sample heating companies: four, covering the 16 districts between them. */
export const DEMO_COMPANIES = [
  { code: 'TJRL-CITY', name: '天津热力市区供热公司（演示）', districts: ['HEPING', 'HEDONG', 'HEXI', 'NANKAI', 'HEBEI', 'HONGQIAO'] },
  { code: 'TJRL-SUBURB', name: '天津环城供热公司（演示）', districts: ['DONGLI', 'XIQING', 'JINNAN', 'BEICHEN'] },
  { code: 'TJRL-OUTER', name: '天津远郊供热公司（演示）', districts: ['WUQING', 'BAODI', 'NINGHE', 'JINGHAI', 'JIZHOU'] },
  { code: 'TJRL-BINHAI', name: '滨海新区供热公司（演示）', districts: ['BINHAI'] },
] as const;

export interface DemoUser {
  readonly username: string;
  readonly role: string;
  readonly password: string;
  readonly company?: string;
}

/**
 * Seeds the demo companies and one user per role (`demo-operator`, `demo-crew` of the city company,
 * `demo-supervisor`, `demo-admin`) with random passwords, returned once for printing. Runs only on a
 * database that has no demo data yet; otherwise seeds nothing and returns no users.
 */
export async function seedDemoData(databaseUrl: string, bcryptRounds = 12): Promise<{ seeded: boolean; users: DemoUser[] }> {
  const covered = new Set(DEMO_COMPANIES.flatMap((company) => company.districts));
  const missing = DISTRICTS.filter((district) => !covered.has(district));
  if (missing.length > 0) throw new Error(`demo companies miss ${missing.map((d) => DISTRICT_NAMES_ZH[d]).join(', ')}`);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query('SELECT 1 FROM companies WHERE code = $1', [DEMO_COMPANIES[0].code]);
    if (rowCount) {
      await client.query('ROLLBACK');
      return { seeded: false, users: [] };
    }
    const ids = new Map<string, string>();
    for (const company of DEMO_COMPANIES) {
      const { rows } = await client.query('INSERT INTO companies (code, name, districts) VALUES ($1, $2, $3) RETURNING id', [
        company.code,
        company.name,
        company.districts,
      ]);
      ids.set(company.code, rows[0].id as string);
    }
    const users: DemoUser[] = [
      { username: 'demo-operator', role: 'operator', password: randomBytes(9).toString('base64url') },
      { username: 'demo-crew', role: 'crew', password: randomBytes(9).toString('base64url'), company: 'TJRL-CITY' },
      { username: 'demo-supervisor', role: 'supervisor', password: randomBytes(9).toString('base64url') },
      { username: 'demo-admin', role: 'admin', password: randomBytes(9).toString('base64url') },
    ];
    for (const user of users) {
      await client.query(
        `INSERT INTO users (username, password_hash, role, company_id) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING`,
        [user.username, await bcrypt.hash(user.password, bcryptRounds), user.role, user.company ? ids.get(user.company) : null],
      );
    }
    await client.query('COMMIT');
    return { seeded: true, users };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
