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

/** The hot spot of the demo: tickets from one building (楼栋) within an hour, enough for a suspected outage (片区停热). */
export const DEMO_HOTSPOT = {
  district: 'NANKAI',
  addresses: ['南开区鞍山西道88号3门201', '南开区鞍山西道88号3门302', '南开区鞍山西道88号3门401', '南开区鞍山西道88号3门502'],
} as const;

/** The designated ticket of the demo (指定承办): created at the city company, reassigned away and back. */
export const DEMO_DESIGNATED = {
  district: 'HEPING',
  address: '和平区南京路120号1门301',
  reassignedTo: ['TJRL-SUBURB', 'TJRL-CITY'],
} as const;

export interface DemoTickets {
  readonly hotspot: readonly string[];
  readonly designated: string;
}

/**
 * Seeds the demo's tickets through the HTTP API of the running stack, as the demo operator (the audit
 * trail, the dispatch records and the workflows are the ones real calls make): the hot spot's tickets, then
 * the designated ticket, reassigned twice (three dispatches). Waits until the API answers /health with 200
 * (the worker connected: reassignments go through the workflow). Called once, right after seedDemoData seeded.
 */
export async function seedDemoTickets(apiUrl: string, users: readonly DemoUser[], timeoutMs = 120_000): Promise<DemoTickets> {
  const operator = users.find((user) => user.role === 'operator');
  if (!operator) throw new Error('no demo operator to seed tickets with');
  await waitForHealthy(apiUrl, timeoutMs);
  const call = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`demo seeding: ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { accessToken } = await call<{ accessToken: string }>('POST', '/auth/login', { username: operator.username, password: operator.password });
  let caller = 0;
  const create = async (district: string, address: string, description: string): Promise<string> => {
    caller += 1;
    const body = { category: 'NOT_WARM', citizenName: '演示住户', citizenPhone: `1390000${String(caller).padStart(4, '0')}`, district, address, description };
    return (await call<{ id: string }>('POST', '/tickets', body, accessToken)).id;
  };
  const hotspot: string[] = [];
  for (const address of DEMO_HOTSPOT.addresses) hotspot.push(await create(DEMO_HOTSPOT.district, address, '整栋楼暖气不热（演示）'));
  const designated = await create(DEMO_DESIGNATED.district, DEMO_DESIGNATED.address, '卧室温度只有15度（演示）');
  const companies = await call<Array<{ id: string; code: string }>>('GET', '/companies', undefined, accessToken);
  for (const code of DEMO_DESIGNATED.reassignedTo) {
    const company = companies.find((candidate) => candidate.code === code);
    if (!company) throw new Error(`demo seeding: no company ${code}`);
    // A 503 while the worker still connects: the Update did not run; asked again a few times.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await call('POST', `/tickets/${designated}/reassign`, { companyId: company.id }, accessToken);
        break;
      } catch (error) {
        if (attempt >= 10 || !/answered 503/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }
  return { hotspot, designated };
}

async function waitForHealthy(apiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${apiUrl}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`demo seeding: ${apiUrl}/health did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
