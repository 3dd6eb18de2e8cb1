import { randomBytes } from 'node:crypto';

/** One HTTP answer, its body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the API answered
}

/**
 * The few API calls the benchmark makes outside the measured load (setting up users, companies, policies,
 * filling pools): fetch with a bearer token. Kept apart from test/support, which bench code does not import.
 */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): Api {
    return new Api(this.baseUrl, token);
  }

  async send(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text };
  }

  /** `send`, throwing with the answer when its status is not `status`. */
  async expect(status: number, method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await this.send(method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer;
  }
}

export async function signIn(api: Api, username: string, password: string): Promise<Api> {
  const answer = await api.expect(200, 'POST', '/auth/login', { username, password });
  return api.as(answer.body.accessToken);
}

export interface Staff {
  readonly companyId: string;
  readonly admin: Api;
  readonly operator: Api;
  readonly crew: Api;
}

/** As the admin: one company covering `district`, an operator and a crew of that company, each signed in. */
export async function staffCompany(api: Api, admin: { username: string; password: string }, district: string): Promise<Staff> {
  const asAdmin = await signIn(api, admin.username, admin.password);
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const company = await asAdmin.expect(201, 'POST', '/companies', { code: `B-${suffix}`, name: `基准测试供热公司${suffix}`, districts: [district] });
  const user = async (role: string, companyId?: string): Promise<Api> => {
    const username = `bench-${role}-${suffix.toLowerCase()}`;
    const password = `Pw-${randomBytes(12).toString('base64url')}`;
    await asAdmin.expect(201, 'POST', '/users', { username, password, role, ...(companyId ? { companyId } : {}) });
    return signIn(api, username, password);
  };
  return { companyId: company.body.id, admin: asAdmin, operator: await user('operator'), crew: await user('crew', company.body.id) };
}

/** A priority's policy as a new version: `terms` over the stored ones, as an admin sets it. */
export async function setPolicy(admin: Api, priority: 'P0' | 'P1' | 'P2', terms: Record<string, unknown>): Promise<void> {
  const policies = (await admin.expect(200, 'GET', '/sla-policies')).body as Array<Record<string, unknown>>;
  const current = policies.find((policy) => policy.priority === priority);
  if (!current) throw new Error(`no ${priority} policy`);
  const { priority: _priority, version: _version, createdAt: _createdAt, ...stored } = current;
  await admin.expect(200, 'PUT', `/sla-policies/${priority}`, { ...stored, ...terms });
}

/** A random start, so two runs on one database would not collide either; then one more per call. */
let citizen = Math.floor(Math.random() * 5e7);

/**
 * A realistic 不热 call from a new citizen (so no repeat-call match): a fresh mobile number and flat each
 * time, within one district the bench company covers.
 */
export function ticketBody(district: string, priority?: 'P0'): string {
  citizen += 1;
  const n = citizen;
  return JSON.stringify({
    category: 'NOT_WARM',
    ...(priority ? { priority } : {}),
    citizenName: '王女士',
    citizenPhone: `139${String(n % 1e8).padStart(8, '0')}`,
    district,
    address: `鞍山西道${(n % 900) + 100}号${(n % 9) + 1}门${(n % 30) + 1}0${(n % 4) + 1}`,
    description: '卧室只有15度，暖气片不热，家中有老人',
  });
}

/** Runs `task` `count` times, `concurrency` at a time (filling pools between measured runs; not measured). */
export async function times(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
