import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';

/** One HTTP answer, its body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- callers read whatever the API answered
  readonly headers: Headers;
}

/**
 * The API of a system running in other processes (the fault tier, the benchmark): fetch, a bearer token, JSON in
 * and out. Connection failures throw; the caller decides whether to retry.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, body: json, headers: response.headers };
  }

  get(path: string): Promise<Answer> {
    return this.send('GET', path);
  }

  post(path: string, body: unknown = {}, headers?: Record<string, string>): Promise<Answer> {
    return this.send('POST', path, body, headers);
  }

  put(path: string, body: unknown): Promise<Answer> {
    return this.send('PUT', path, body);
  }

  /** `send`, throwing with the answer when its status is not `status`. */
  async expect(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
    const answer = await this.send(method, path, body, headers);
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer;
  }
}

/** Signs in over HTTP and returns a client carrying the token. */
export async function signIn(client: ApiClient, username: string, password: string): Promise<ApiClient> {
  const answer = await client.expect(200, 'POST', '/auth/login', { username, password });
  return client.as(answer.body.accessToken);
}

export interface StaffedCompany {
  readonly companyId: string;
  readonly admin: ApiClient;
  readonly operator: ApiClient;
  readonly crew: ApiClient;
  readonly supervisor: ApiClient;
}

/** As the admin: one company covering `district`, and an operator, a crew of that company and a supervisor, each signed in. */
export async function staffCompany(client: ApiClient, admin: { username: string; password: string }, district = 'NANKAI'): Promise<StaffedCompany> {
  const asAdmin = await signIn(client, admin.username, admin.password);
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const company = await asAdmin.expect(201, 'POST', '/companies', { code: `S-${suffix}`, name: `供热公司${suffix}`, districts: [district] });
  const user = async (role: string, companyId?: string): Promise<ApiClient> => {
    const username = `${role}-${suffix.toLowerCase()}`;
    const password = `Pw-${randomBytes(12).toString('base64url')}`;
    await asAdmin.expect(201, 'POST', '/users', { username, password, role, ...(companyId ? { companyId } : {}) });
    return signIn(client, username, password);
  };
  return {
    companyId: company.body.id,
    admin: asAdmin,
    operator: await user('operator'),
    crew: await user('crew', company.body.id),
    supervisor: await user('supervisor'),
  };
}

/** A priority's policy as a new version: `terms` over the stored ones, as an admin sets it. */
export async function setPolicy(admin: ApiClient, priority: 'P0' | 'P1' | 'P2', terms: Record<string, unknown>): Promise<void> {
  const policies = (await admin.expect(200, 'GET', '/sla-policies')).body as Array<Record<string, unknown>>;
  const current = policies.find((policy) => policy.priority === priority);
  if (!current) throw new Error(`no ${priority} policy`);
  const { priority: _priority, version: _version, createdAt: _createdAt, ...stored } = current;
  await admin.expect(200, 'PUT', `/sla-policies/${priority}`, { ...stored, ...terms });
}

/** One SQL statement on a connection of its own, closed after: it works across restarts of the database. */
export async function queryOnce<T = Record<string, unknown>>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
