import request from 'supertest';
import type { AppConfig } from '@app/config';
import { CompanyEntity, TicketEntity, UserEntity } from '@app/persistence';
import { authed, bearer, createUser, loginAs, SignedIn, tokenFor } from '../support/auth';
import { insertCompany, ticketBody } from '../support/fixtures';
import { startApi, startTestSystem, TestSystem } from '../support/system';
import { createTestDatabase, TEST_ADMIN, TestDatabase, testConfig, uniqueTaskQueue } from '../support/test-env';

const UNKNOWN_ID = '6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77';
const PROBLEM = /^application\/problem\+json/;
/** Passes the password policy (libs/auth/src/password-policy.ts). */
const GOOD_PASSWORD = 'radiator-valve-kettle';

/** Login, bearer tokens, roles, users and companies over HTTP, against a real PostgreSQL. */
describe('auth, users and companies over HTTP', () => {
  let system: TestSystem;
  let nankai: CompanyEntity;
  let other: CompanyEntity;
  let as: Record<'admin' | 'operator' | 'crew' | 'supervisor', SignedIn>;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    nankai = await insertCompany(system.dataSource, ['NANKAI']);
    other = await insertCompany(system.dataSource, ['HEXI']);
    as = {
      admin: await loginAs(system, 'admin'),
      operator: await loginAs(system, 'operator'),
      crew: await loginAs(system, 'crew', nankai.id),
      supervisor: await loginAs(system, 'supervisor'),
    };
  });

  afterAll(async () => {
    await system?.close();
  });

  const countUsers = (): Promise<number> => system.dataSource.getRepository(UserEntity).count();
  const countCompanies = (): Promise<number> => system.dataSource.getRepository(CompanyEntity).count();
  const login = (username: string, password: string): request.Test => system.http().post('/auth/login').send({ username, password });
  let companyCodeSequence = 0;
  const newCompanyCode = (): string => `E2E-${Date.now().toString(36).toUpperCase()}-${++companyCodeSequence}`;

  describe('POST /auth/login', () => {
    it('signs the bootstrap admin in with a token that works and expires in JWT_TTL_SECONDS', async () => {
      const response = await login(TEST_ADMIN.username, TEST_ADMIN.password).expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        expiresIn: 28_800,
        user: { id: expect.any(String), username: 'admin', displayName: null, role: 'admin', companyId: null },
        mustChangePassword: false,
      });
      const [, payload] = (response.body.accessToken as string).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      expect(claims.exp - claims.iat).toBe(28_800);
      await authed(system, response.body.accessToken).get('/users').expect(200);
    });

    it('signs a crew user in with its company, matching the name case-insensitively', async () => {
      const crew = await createUser(system, 'crew', nankai.id, { username: 'zhang.wei' });
      const response = await login('Zhang.Wei', crew.password).expect(200);
      expect(response.body.user).toEqual({ id: crew.id, username: 'zhang.wei', displayName: null, role: 'crew', companyId: nankai.id });
    });

    it('answers a wrong password and an unknown name with the same 401 problem', async () => {
      const user = await createUser(system, 'operator');
      const wrongPassword = await login(user.username, 'not-the-password').expect(401);
      const unknownName = await login('nobody-here', 'not-the-password').expect(401);
      expect(wrongPassword.headers['content-type']).toMatch(PROBLEM);
      expect(wrongPassword.body).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Wrong username or password.' });
      expect(unknownName.body).toEqual(wrongPassword.body);
      expect(wrongPassword.body.accessToken).toBeUndefined();
    });

    it('answers 400 naming missing or unknown fields', async () => {
      const missing = await system.http().post('/auth/login').send({ username: 'admin' }).expect(400);
      expect(missing.body.errors.map((error: { field: string }) => error.field)).toEqual(['password']);
      const extra = await system.http().post('/auth/login').send({ username: 'admin', password: 'x', role: 'admin' }).expect(400);
      expect(extra.body.errors).toEqual([{ field: 'role', message: 'property role should not exist' }]);
    });

    it('throttles the sixth failed attempt a minute for one name with a 429 problem, even with the right password', async () => {
      const target = await createUser(system, 'supervisor');
      for (let attempt = 1; attempt <= 5; attempt += 1) await login(target.username, `guess-${attempt}`).expect(401);
      const throttled = await login(target.username, target.password).expect(429);
      expect(throttled.headers['content-type']).toMatch(PROBLEM);
      expect(throttled.body).toMatchObject({ type: 'about:blank', title: 'Too Many Requests', status: 429 });
      expect(throttled.body.detail).toMatch(/^Too many failed sign-ins for this username; try again in \d+ s\.$/);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      // Counted per name (and per address only from 20 failures on): a colleague at the same address still signs in.
      const colleague = await createUser(system, 'supervisor');
      await login(colleague.username, colleague.password).expect(200);
    });
  });

  describe('bearer tokens', () => {
    const expectUnauthorized = async (headers: Record<string, string>): Promise<request.Response> => {
      const before = await countUsers();
      const response = await system
        .http()
        .post('/users')
        .set(headers)
        .send({ username: `intruder-${Date.now()}`, password: GOOD_PASSWORD, role: 'admin' })
        .expect(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(await countUsers()).toBe(before);
      return response;
    };

    it('refuses a request without a token', async () => {
      const response = await expectUnauthorized({});
      expect(response.body.detail).toMatch(/Authorization: Bearer/);
      await expectUnauthorized({ Authorization: `Basic ${Buffer.from(`${TEST_ADMIN.username}:${TEST_ADMIN.password}`).toString('base64')}` });
      await expectUnauthorized({ Authorization: 'Bearer' });
    });

    it('refuses a malformed token', async () => {
      await expectUnauthorized(bearer('not.a.jwt'));
    });

    it('refuses a token whose claims were changed after signing', async () => {
      const [header, payload, signature] = as.operator.token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      const response = await expectUnauthorized(bearer(`${header}.${forged}.${signature}`));
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('refuses a token signed with another key, or with no signature at all', async () => {
      // Same user, same claims, a different key: as if minted by another deployment.
      const foreign = await startApi({ ...system.config, auth: { ...system.config.auth, jwtSecret: 'another-deployment-secret-of-32-chars!!' } });
      try {
        await expectUnauthorized(bearer(await tokenFor(foreign, as.admin.user)));
      } finally {
        await foreign.close();
      }
      const [, payload] = as.admin.token.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      await expectUnauthorized(bearer(unsigned));
    });

    it('refuses an expired token', async () => {
      const ttlMs = system.config.auth.tokenTtlSeconds * 1000;
      const expired = await tokenFor(system, as.admin.user, { issuedAt: new Date(Date.now() - ttlMs - 60_000) });
      await expectUnauthorized(bearer(expired));
      // The same user with a fresh token is let in: it is the expiry that was refused.
      await authed(system, await tokenFor(system, as.admin.user)).get('/users').expect(200);
    });

    it('keeps /health, /docs and /docs-json open without a token', async () => {
      await system.http().get('/health').expect(200);
      await system.http().get('/docs-json').expect(200);
      await system.http().get('/docs').redirects(1).expect(200);
    });

    it('requires a token for the ticket routes', async () => {
      const before = await system.dataSource.getRepository(TicketEntity).count();
      await system.http().post('/tickets').send(ticketBody()).expect(401);
      await system.http().get(`/tickets/${UNKNOWN_ID}`).expect(401);
      expect(await system.dataSource.getRepository(TicketEntity).count()).toBe(before);
    });
  });

  describe('who may call what', () => {
    type Caller = 'nobody' | 'admin' | 'operator' | 'crew' | 'supervisor';
    const matrix: Array<[string, string, () => Record<string, unknown> | undefined, Record<Caller, number>]> = [
      [
        'POST',
        '/users',
        () => ({ username: `matrix-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, password: GOOD_PASSWORD, role: 'operator' }),
        { nobody: 401, admin: 201, operator: 403, crew: 403, supervisor: 403 },
      ],
      ['GET', '/users', () => undefined, { nobody: 401, admin: 200, operator: 403, crew: 403, supervisor: 403 }],
      [
        'POST',
        '/companies',
        () => ({ code: newCompanyCode(), name: '矩阵测试热力', districts: ['JINNAN'] }),
        { nobody: 401, admin: 201, operator: 403, crew: 403, supervisor: 403 },
      ],
      ['GET', '/companies', () => undefined, { nobody: 401, admin: 200, operator: 200, crew: 200, supervisor: 200 }],
    ];
    const cases = matrix.flatMap(([method, path, body, expected]) =>
      (Object.keys(expected) as Caller[]).map((caller) => [method, path, caller, expected[caller], body] as const),
    );

    it.each(cases)('%s %s as %s answers %i', async (method, path, caller, status, body) => {
      const [users, companies] = [await countUsers(), await countCompanies()];
      const call = method === 'POST' ? system.http().post(path).send(body()) : system.http().get(path);
      const response = await (caller === 'nobody' ? call : call.set(bearer(as[caller].token))).expect(status);
      if (status >= 400) {
        expect(response.headers['content-type']).toMatch(PROBLEM);
        expect(response.body.status).toBe(status);
        if (status === 403) expect(response.body.detail).toMatch(new RegExp(`signed in as ${caller}`));
        expect([await countUsers(), await countCompanies()]).toEqual([users, companies]);
      }
    });
  });

  describe('users', () => {
    const createAsAdmin = (body: Record<string, unknown>): request.Test => authed(system, as.admin.token).post('/users').send(body);

    it('creates a crew user bound to its company and an operator bound to none, and never shows a hash', async () => {
      const crew = await createAsAdmin({ username: 'Li.Na', password: GOOD_PASSWORD, role: 'crew', companyId: nankai.id }).expect(201);
      expect(crew.body).toEqual({
        id: expect.any(String),
        username: 'li.na',
        displayName: null,
        role: 'crew',
        companyId: nankai.id,
        active: true,
        mustChangePassword: false,
        createdAt: expect.any(String),
      });
      const operator = await createAsAdmin({ username: 'op-zhao', password: GOOD_PASSWORD, role: 'operator' }).expect(201);
      expect(operator.body.companyId).toBeNull();
      await login('li.na', GOOD_PASSWORD).expect(200);

      const stored = await system.dataSource.getRepository(UserEntity).findOneByOrFail({ id: crew.body.id });
      expect(stored.passwordHash).toMatch(/^\$2[aby]\$04\$/);
      expect(stored.passwordHash).not.toContain(GOOD_PASSWORD);

      const list = await authed(system, as.admin.token).get('/users').expect(200);
      expect(list.body.map((user: { username: string }) => user.username)).toEqual(expect.arrayContaining(['admin', 'li.na', 'op-zhao']));
      expect(list.body).toHaveLength(await countUsers());
      for (const user of list.body) expect(Object.keys(user).sort()).toEqual(['active', 'companyId', 'createdAt', 'displayName', 'id', 'mustChangePassword', 'role', 'username']);
      expect(JSON.stringify(list.body)).not.toMatch(/\$2[aby]\$/);
    });

    it.each([
      ['crew without companyId', { role: 'crew' }, 'companyId', /required for the crew role/],
      ['crew with a malformed companyId', { role: 'crew', companyId: 'nankai' }, 'companyId', /UUID/],
      ['an operator with a companyId', { role: 'operator', companyId: UNKNOWN_ID }, 'companyId', /only for crew users/],
      ['a supervisor with a companyId', { role: 'supervisor', companyId: UNKNOWN_ID }, 'companyId', /only for crew users/],
      ['a short password', { role: 'operator', password: 'short-1!' }, 'password', /^password must be at least 10 characters$/],
      ['a common password', { role: 'operator', password: 'password1234' }, 'password', /^password is too common$/],
      ['a keyboard pattern', { role: 'operator', password: '1qaz2wsx3edc' }, 'password', /^password is too common$/],
      ['a password built from the username', { role: 'operator', username: 'wang.fang', password: 'wang.fang2025' }, 'password', /^password must not be built from the username/],
      ['a blank display name', { role: 'operator', displayName: '   ' }, 'displayName', /displayName must be 1-100 characters/],
      ['a password past bcrypt\'s 72 bytes', { role: 'operator', password: '暖气密码'.repeat(7) }, 'password', /72 bytes/],
      ['an unknown role', { role: 'root' }, 'role', /role must be one of/],
      ['a username with spaces', { role: 'operator', username: 'wang li' }, 'username', /username must be/],
      ['an unknown field', { role: 'operator', active: true }, 'active', /should not exist/],
    ])('answers 400 for %s, naming the field, and creates nothing', async (_case, overrides, field, message) => {
      const before = await countUsers();
      const response = await createAsAdmin({ username: `bad-${Date.now()}`, password: GOOD_PASSWORD, ...overrides }).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ title: 'Validation failed', status: 400 });
      expect(response.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
      expect(await countUsers()).toBe(before);
    });

    it('answers 409 for a taken username, whatever its case', async () => {
      await createAsAdmin({ username: 'chen.gang', password: GOOD_PASSWORD, role: 'supervisor' }).expect(201);
      const before = await countUsers();
      const duplicate = await createAsAdmin({ username: 'Chen.Gang', password: 'another-radiator-valve', role: 'operator' }).expect(409);
      expect(duplicate.headers['content-type']).toMatch(PROBLEM);
      expect(duplicate.body).toMatchObject({ status: 409, title: 'Conflict', detail: 'Username chen.gang is already taken' });
      expect(await countUsers()).toBe(before);
      // The first user's password still holds.
      await login('chen.gang', GOOD_PASSWORD).expect(200);
    });

    it('answers 409 to one of two concurrent creates of the same name', async () => {
      const before = await countUsers();
      const body = { username: 'race.user', password: GOOD_PASSWORD, role: 'operator' };
      const statuses = (await Promise.all([createAsAdmin(body), createAsAdmin(body)])).map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409]);
      expect(await countUsers()).toBe(before + 1);
    });

    it('answers 422 for crew of a company that does not exist', async () => {
      const before = await countUsers();
      const response = await createAsAdmin({ username: 'ghost.crew', password: GOOD_PASSWORD, role: 'crew', companyId: UNKNOWN_ID }).expect(422);
      expect(response.body).toMatchObject({ status: 422, title: 'Unknown company' });
      expect(response.body.detail).toContain(UNKNOWN_ID);
      expect(await countUsers()).toBe(before);
    });
  });

  describe('companies', () => {
    const createAsAdmin = (body: Record<string, unknown>): request.Test => authed(system, as.admin.token).post('/companies').send(body);

    it('creates a company with its districts, which tickets can then be routed to', async () => {
      const code = newCompanyCode();
      const response = await createAsAdmin({ code, name: '天津热力静海分公司', districts: ['JINGHAI', 'XIQING'] }).expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        code,
        name: '天津热力静海分公司',
        districts: ['JINGHAI', 'XIQING'],
        active: true,
        createdAt: expect.any(String),
      });
      const stored = await system.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: response.body.id });
      expect(stored).toMatchObject({ code, districts: ['JINGHAI', 'XIQING'], active: true });
    });

    it('answers 409 for a taken code and changes nothing', async () => {
      const code = newCompanyCode();
      const first = await createAsAdmin({ code, name: '天津热力河北分公司', districts: ['HEBEI'] }).expect(201);
      const before = await countCompanies();
      const response = await createAsAdmin({ code, name: '冒名公司', districts: ['HEPING'] }).expect(409);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ status: 409, detail: `Company code ${code} is already taken` });
      expect(await countCompanies()).toBe(before);
      const unchanged = await system.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: first.body.id });
      expect(unchanged).toMatchObject({ name: '天津热力河北分公司', districts: ['HEBEI'] });
    });

    it.each([
      ['a lower-case code', { code: 'tjrl-nk' }, 'code'],
      ['a one-letter code', { code: 'T' }, 'code'],
      ['no districts', { districts: [] }, 'districts'],
      ['an unknown district', { districts: ['NANKAI', 'PUDONG'] }, 'districts'],
      ['a repeated district', { districts: ['NANKAI', 'NANKAI'] }, 'districts'],
      ['districts that are not a list', { districts: 'NANKAI' }, 'districts'],
      ['a blank name', { name: '   ' }, 'name'],
      ['an unknown field', { active: false }, 'active'],
    ])('answers 400 for %s, naming the field, and creates nothing', async (_case, overrides, field) => {
      const before = await countCompanies();
      const response = await createAsAdmin({ code: newCompanyCode(), name: '测试热力', districts: ['NANKAI'], ...overrides }).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
      expect(await countCompanies()).toBe(before);
    });

    it('shows a crew user only its own company, and everyone else all of them', async () => {
      const crewView = await authed(system, as.crew.token).get('/companies').expect(200);
      expect(crewView.body.map((company: { id: string }) => company.id)).toEqual([nankai.id]);

      const total = await countCompanies();
      for (const role of ['admin', 'operator', 'supervisor'] as const) {
        const view = await authed(system, as[role].token).get('/companies').expect(200);
        expect(view.body).toHaveLength(total);
        expect(view.body.map((company: { id: string }) => company.id)).toEqual(expect.arrayContaining([nankai.id, other.id]));
        const codes = view.body.map((company: { code: string }) => company.code);
        expect(codes).toEqual([...codes].sort());
      }
    });
  });

  it('documents the new endpoints with bearer auth, and login without', async () => {
    const document = (await system.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/auth/login', '/users', '/companies']));
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, method] of [['/users', 'post'], ['/users', 'get'], ['/companies', 'post'], ['/companies', 'get']]) {
      expect(document.paths[path][method].security).toEqual([{ bearer: [] }]);
      expect(document.paths[path][method].responses).toHaveProperty('401');
    }
    expect(document.paths['/auth/login'].post.security).toBeUndefined();
    expect(Object.keys(document.paths['/auth/login'].post.responses).sort()).toEqual(['200', '400', '401', '429']);
    expect(document.components.schemas.UserDto.properties).not.toHaveProperty('passwordHash');
  });
});

describe('bootstrap admin', () => {
  let database: TestDatabase;
  let output: string[];
  let stdoutSpy: jest.SpyInstance;

  beforeEach(async () => {
    database = await createTestDatabase();
    output = [];
    // Capture what the API prints; the one-time password goes to stdout, nowhere else.
    stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    stdoutSpy.mockRestore();
    await database.drop();
  });

  const configFor = (auth: Partial<AppConfig['auth']>): AppConfig =>
    testConfig({ databaseUrl: database.url, taskQueue: uniqueTaskQueue('auth'), auth });
  const adminRows = (system: TestSystem): Promise<Array<{ username: string }>> =>
    system.dataSource.query(`SELECT username FROM users WHERE role = 'admin'`);

  it('without ADMIN_*: two replicas starting together create one admin "admin" and print its random password once', async () => {
    const config = configFor({ adminUsername: undefined, adminPassword: undefined });
    const [first, second] = await Promise.all([startApi(config), startApi(config)]);
    try {
      const printed = output.join('');
      const passwords = [...printed.matchAll(/^ {4}password: (\S+)$/gm)].map((match) => match[1]);
      expect(passwords).toHaveLength(1);
      expect(printed).toMatch(/^ {4}username: admin$/m);
      expect(printed).toMatch(/ONLY THIS ONCE/);
      expect(passwords[0].length).toBeGreaterThanOrEqual(20);
      expect(await adminRows(first)).toEqual([{ username: 'admin' }]);

      // The printed password works, on either replica.
      const signedIn = await second.http().post('/auth/login').send({ username: 'admin', password: passwords[0] }).expect(200);
      expect(signedIn.body.user.role).toBe('admin');
      await first.http().get('/users').set(bearer(signedIn.body.accessToken)).expect(200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }

    // A restart finds the admin: nothing new, nothing printed.
    output.length = 0;
    const restarted = await startApi(config);
    try {
      expect(output.join('')).not.toMatch(/password:/);
      expect(await adminRows(restarted)).toEqual([{ username: 'admin' }]);
    } finally {
      await restarted.close();
    }
  });

  it('with ADMIN_USERNAME and ADMIN_PASSWORD: creates that admin, prints nothing, and never resets it later', async () => {
    const chosen = configFor({ adminUsername: 'root.admin', adminPassword: 'chosen-by-the-operator' });
    const first = await startApi(chosen);
    try {
      expect(output.join('')).not.toMatch(/password/i);
      expect(await adminRows(first)).toEqual([{ username: 'root.admin' }]);
      await first.http().post('/auth/login').send({ username: 'root.admin', password: 'chosen-by-the-operator' }).expect(200);
    } finally {
      await first.close();
    }

    // Changing ADMIN_PASSWORD after the first start changes nothing: the admin exists.
    const later = await startApi(configFor({ adminUsername: 'root.admin', adminPassword: 'a-different-password' }));
    try {
      await later.http().post('/auth/login').send({ username: 'root.admin', password: 'a-different-password' }).expect(401);
      await later.http().post('/auth/login').send({ username: 'root.admin', password: 'chosen-by-the-operator' }).expect(200);
      expect(await adminRows(later)).toEqual([{ username: 'root.admin' }]);
    } finally {
      await later.close();
    }
  });
});

/** The API alone (no worker) with a given config, wired as main.ts wires it. */
