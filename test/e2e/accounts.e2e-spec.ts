import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_USERNAME } from '@app/auth';
import type { Role } from '@app/domain';
import { CompanyEntity, UserEntity } from '@app/persistence';
import { authed, bearer, createUser, loginAs, SignedIn, TestUser } from '../support/auth';
import { insertCompany } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';
import { TEST_ADMIN } from '../support/test-env';

const UNKNOWN_ID = '6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77';
const PROBLEM = /^application\/problem\+json/;
/** Pass the password policy (libs/auth/src/password-policy.ts). */
const NEW_PASSWORD = 'boiler-lantern-orchard';
const OTHER_PASSWORD = 'copper-pipe-winter-sky';
const WRONG_PASSWORD_ANSWER = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Wrong username or password.' };

type Replica = 'first' | 'second';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** An HTTP request sent from `source` (a loopback address: 127.0.0.x or ::1), the client address the API sees. */
function send(source: string, port: number, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      {
        host: source,
        localAddress: source,
        port,
        method,
        path,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(token ? bearer(token) : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

/** A second API on `first`'s database, as another replica behind the same load balancer. */
function startReplica(first: TestSystem): Promise<TestSystem> {
  return startTestSystem({ database: { url: first.config.database.url, drop: async () => undefined }, worker: false });
}

const login = (system: TestSystem, username: string, password: string): request.Test => system.http().post('/auth/login').send({ username, password });

async function expectRevoked(system: TestSystem, token: string): Promise<void> {
  const response = await authed(system, token).get('/auth/me').expect(401);
  expect(response.headers['content-type']).toMatch(PROBLEM);
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  expect(response.body.detail).toMatch(/revoked/);
}

/** Accounts over their whole life (issue 8), over HTTP against a real PostgreSQL. */
describe('accounts: own record, password change, admin changes and resets', () => {
  let system: TestSystem;
  let nankai: CompanyEntity;
  let hexi: CompanyEntity;
  let admin: SignedIn;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    nankai = await insertCompany(system.dataSource, ['NANKAI']);
    hexi = await insertCompany(system.dataSource, ['HEXI']);
    admin = await loginAs(system, 'admin');
  });

  afterAll(async () => {
    await system?.close();
  });

  const stored = (id: string): Promise<UserEntity> => system.dataSource.getRepository(UserEntity).findOneByOrFail({ id });
  const patchUser = (id: string, body: Record<string, unknown>): request.Test => authed(system, admin.token).patch(`/users/${id}`).send(body);
  /** A user signed in over HTTP, as a person would. */
  async function signedIn(role: Role, companyId?: string): Promise<{ user: TestUser; token: string }> {
    const user = await createUser(system, role, companyId);
    const response = await login(system, user.username, user.password).expect(200);
    return { user, token: response.body.accessToken as string };
  }

  describe('GET /auth/me', () => {
    it.each([['admin'], ['operator'], ['crew'], ['supervisor']] as const)('shows a signed-in %s its own record, never a hash', async (role) => {
      const { user, token } = await signedIn(role, role === 'crew' ? nankai.id : undefined);
      const response = await authed(system, token).get('/auth/me').expect(200);
      expect(response.body).toEqual({
        id: user.id,
        username: user.username,
        displayName: null,
        role,
        companyId: role === 'crew' ? nankai.id : null,
        active: true,
        mustChangePassword: false,
        createdAt: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/\$2[aby]\$|passwordHash|tokenVersion/);
    });

    it('answers 401 without a token', async () => {
      const response = await system.http().get('/auth/me').expect(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
    });
  });

  describe('POST /auth/password', () => {
    it('changes the password, revokes every earlier token (this one too) and answers with a new token', async () => {
      const { user, token } = await signedIn('operator');
      const other = (await login(system, user.username, user.password).expect(200)).body.accessToken as string;
      const response = await authed(system, token).post('/auth/password').send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        expiresIn: 28_800,
        user: { id: user.id, username: user.username, displayName: null, role: 'operator', companyId: null },
        mustChangePassword: false,
      });
      await expectRevoked(system, token);
      await expectRevoked(system, other);
      await authed(system, response.body.accessToken).get('/auth/me').expect(200);
      expect(await login(system, user.username, user.password).expect(401).then((r) => r.body)).toEqual(WRONG_PASSWORD_ANSWER);
      await login(system, user.username, NEW_PASSWORD).expect(200);
    });

    it.each([
      ['a wrong current password', (password: string) => ({ currentPassword: `${password}-typo`, newPassword: NEW_PASSWORD }), 'currentPassword', /^currentPassword is wrong$/],
      ['a common new password', (password: string) => ({ currentPassword: password, newPassword: 'password1234' }), 'newPassword', /^newPassword is too common$/],
      ['a short new password', (password: string) => ({ currentPassword: password, newPassword: 'Xq7!pz' }), 'newPassword', /^newPassword must be at least 10 characters$/],
      ['a repetitive new password', (password: string) => ({ currentPassword: password, newPassword: 'zzzzzzzzzzzz' }), 'newPassword', /^newPassword is too repetitive/],
      ['the same password again', (password: string) => ({ currentPassword: password, newPassword: password }), 'newPassword', /^newPassword must differ from currentPassword$/],
      ['no current password', () => ({ newPassword: NEW_PASSWORD }), 'currentPassword', /currentPassword/],
      ['an unknown field', (password: string) => ({ currentPassword: password, newPassword: NEW_PASSWORD, username: 'x' }), 'username', /should not exist/],
    ])('answers 400 for %s, naming the field, and changes nothing', async (_case, body, field, message) => {
      const { user, token } = await signedIn('supervisor');
      const before = await stored(user.id);
      const response = await authed(system, token).post('/auth/password').send(body(user.password)).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.status).toBe(400);
      expect(response.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
      expect(await stored(user.id)).toEqual(before);
      await authed(system, token).get('/auth/me').expect(200);
      await login(system, user.username, user.password).expect(200);
    });

    it('refuses a new password built from the username', async () => {
      const user = await createUser(system, 'operator', null, { username: 'liu.yang' });
      const token = (await login(system, user.username, user.password).expect(200)).body.accessToken as string;
      const response = await authed(system, token).post('/auth/password').send({ currentPassword: user.password, newPassword: 'liu.yang.2025' }).expect(400);
      expect(response.body.errors).toEqual([{ field: 'newPassword', message: 'newPassword must not be built from the username or display name' }]);
    });
  });

  describe('PATCH /users/{id}', () => {
    it('sets and clears a display name without revoking the user’s tokens', async () => {
      const { user, token } = await signedIn('operator');
      const named = await patchUser(user.id, { displayName: '  王丽  ' }).expect(200);
      expect(named.body).toMatchObject({ id: user.id, displayName: '王丽', role: 'operator', active: true });
      expect((await authed(system, token).get('/auth/me').expect(200)).body.displayName).toBe('王丽');
      expect((await patchUser(user.id, { displayName: null }).expect(200)).body.displayName).toBeNull();
      await authed(system, token).get('/auth/me').expect(200);
    });

    it('changes a role, which revokes the user’s tokens; signing in again gives the new role', async () => {
      const { user, token } = await signedIn('operator');
      const response = await patchUser(user.id, { role: 'supervisor' }).expect(200);
      expect(response.body).toMatchObject({ id: user.id, role: 'supervisor', companyId: null });
      await expectRevoked(system, token);
      const again = await login(system, user.username, user.password).expect(200);
      expect(again.body.user.role).toBe('supervisor');
      await authed(system, again.body.accessToken).get('/reports/companies').expect(200);
    });

    it('moves a crew user to another company (revoking its tokens), and makes it an operator only together with companyId: null', async () => {
      const { user, token } = await signedIn('crew', nankai.id);
      expect((await patchUser(user.id, { companyId: hexi.id }).expect(200)).body.companyId).toBe(hexi.id);
      await expectRevoked(system, token);
      const moved = (await login(system, user.username, user.password).expect(200)).body.accessToken as string;
      expect((await authed(system, moved).get('/companies').expect(200)).body.map((company: { id: string }) => company.id)).toEqual([hexi.id]);

      const operator = await patchUser(user.id, { role: 'operator', companyId: null }).expect(200);
      expect(operator.body).toMatchObject({ role: 'operator', companyId: null });
      await expectRevoked(system, moved);
    });

    it.each([
      ['crew losing its company', 'crew', { companyId: null }, /companyId is required for the crew role/],
      ['crew made an operator but keeping its company', 'crew', { role: 'operator' }, /companyId is only for crew users, not for role operator/],
      ['an operator made crew without a company', 'operator', { role: 'crew' }, /companyId is required for the crew role/],
      ['an operator given a company', 'operator', { companyId: UNKNOWN_ID }, /companyId is only for crew users, not for role operator/],
    ] as const)('answers 422 for %s, naming companyId, and changes nothing', async (_case, role, body, message) => {
      const { user, token } = await signedIn(role, role === 'crew' ? nankai.id : undefined);
      const before = await stored(user.id);
      const response = await patchUser(user.id, body).expect(422);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ status: 422, title: 'Role and company do not fit' });
      expect(response.body.errors).toEqual([{ field: 'companyId', message: expect.stringMatching(message) }]);
      expect(await stored(user.id)).toEqual(before);
      await authed(system, token).get('/auth/me').expect(200);
    });

    it('answers 422 for a company that does not exist, and changes nothing', async () => {
      const { user, token } = await signedIn('crew', nankai.id);
      const response = await patchUser(user.id, { companyId: UNKNOWN_ID }).expect(422);
      expect(response.body).toMatchObject({ status: 422, title: 'Unknown company' });
      expect(response.body.detail).toContain(UNKNOWN_ID);
      expect((await stored(user.id)).companyId).toBe(nankai.id);
      await authed(system, token).get('/auth/me').expect(200);
    });

    it.each([
      ['no field', {}, undefined],
      ['a password (resets go through password-reset)', { password: NEW_PASSWORD }, 'password'],
      ['a null role', { role: null }, 'role'],
      ['an unknown role', { role: 'root' }, 'role'],
      ['active that is not a boolean', { active: 'no' }, 'active'],
      ['a malformed companyId', { companyId: 'nankai' }, 'companyId'],
      ['a display name past 100 characters', { displayName: '王'.repeat(101) }, 'displayName'],
    ])('answers 400 for %s and changes nothing', async (_case, body, field) => {
      const { user } = await signedIn('operator');
      const before = await stored(user.id);
      const response = await patchUser(user.id, body).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      if (field) expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
      else expect(response.body.detail).toMatch(/Send at least one of active, role, companyId, displayName/);
      expect(await stored(user.id)).toEqual(before);
    });

    it('answers 404 for no such user and 400 for an id that is not a UUID', async () => {
      expect((await patchUser(UNKNOWN_ID, { active: false }).expect(404)).body.detail).toContain(UNKNOWN_ID);
      await patchUser('not-a-uuid', { active: false }).expect(400);
    });

    it('deactivates a user: its tokens fail at once and it cannot sign in, with the answer of a wrong password; reactivated, it can', async () => {
      const { user, token } = await signedIn('supervisor');
      expect((await patchUser(user.id, { active: false }).expect(200)).body.active).toBe(false);
      await expectRevoked(system, token);
      const refused = await login(system, user.username, user.password).expect(401);
      const wrongPassword = await login(system, user.username, `${user.password}-typo`).expect(401);
      expect(refused.headers['content-type']).toMatch(PROBLEM);
      expect(refused.body).toEqual(WRONG_PASSWORD_ANSWER);
      expect(refused.body).toEqual(wrongPassword.body);
      expect(refused.body.accessToken).toBeUndefined();

      await patchUser(user.id, { active: true }).expect(200);
      await login(system, user.username, user.password).expect(200);
    });
  });

  describe('POST /users/{id}/password-reset', () => {
    it('gives a one-time password, shown once, that must be changed at the next sign-in before anything else', async () => {
      const { user, token } = await signedIn('operator');
      const reset = await authed(system, admin.token).post(`/users/${user.id}/password-reset`).expect(200);
      expect(reset.headers['cache-control']).toBe('no-store');
      expect(reset.body).toEqual({ userId: user.id, username: user.username, oneTimePassword: expect.any(String), mustChangePassword: true });
      const oneTimePassword = reset.body.oneTimePassword as string;
      expect(oneTimePassword.length).toBeGreaterThanOrEqual(20);
      expect((await stored(user.id)).passwordHash).not.toContain(oneTimePassword);

      // The old password and the old tokens are gone.
      await expectRevoked(system, token);
      await login(system, user.username, user.password).expect(401);

      const first = await login(system, user.username, oneTimePassword).expect(200);
      expect(first.body.mustChangePassword).toBe(true);
      const limited = first.body.accessToken as string;
      expect((await authed(system, limited).get('/auth/me').expect(200)).body).toMatchObject({ id: user.id, mustChangePassword: true });
      for (const [method, path] of [['get', '/companies'], ['get', '/tickets'], ['post', '/tickets']] as const) {
        const refused = await authed(system, limited)[method](path).send(method === 'post' ? {} : undefined).expect(403);
        expect(refused.headers['content-type']).toMatch(PROBLEM);
        expect(refused.body).toMatchObject({ status: 403, title: 'Password change required' });
        expect(refused.body.detail).toMatch(/POST \/auth\/password/);
      }

      const changed = await authed(system, limited).post('/auth/password').send({ currentPassword: oneTimePassword, newPassword: OTHER_PASSWORD }).expect(200);
      expect(changed.body.mustChangePassword).toBe(false);
      await expectRevoked(system, limited);
      await authed(system, changed.body.accessToken).get('/companies').expect(200);
      await login(system, user.username, oneTimePassword).expect(401);
      expect((await login(system, user.username, OTHER_PASSWORD).expect(200)).body.mustChangePassword).toBe(false);
    });

    it('answers 404 for no such user, and 400 for a body; nothing changes', async () => {
      const { user, token } = await signedIn('operator');
      const before = await stored(user.id);
      await authed(system, admin.token).post(`/users/${UNKNOWN_ID}/password-reset`).expect(404);
      const withBody = await authed(system, admin.token).post(`/users/${user.id}/password-reset`).send({ password: NEW_PASSWORD }).expect(400);
      expect(withBody.body.errors).toEqual([{ field: 'password', message: 'property password should not exist' }]);
      expect(await stored(user.id)).toEqual(before);
      await authed(system, token).get('/auth/me').expect(200);
    });
  });

  it('documents the new endpoints with their errors', async () => {
    const document = (await system.http().get('/docs-json').expect(200)).body;
    const responses = (path: string, method: string): string[] => Object.keys(document.paths[path][method].responses).sort();
    expect(responses('/auth/me', 'get')).toEqual(['200', '401']);
    expect(responses('/auth/password', 'post')).toEqual(['200', '400', '401', '409', '429']);
    expect(responses('/users/{id}', 'patch')).toEqual(['200', '400', '401', '403', '404', '409', '422']);
    expect(responses('/users/{id}/password-reset', 'post')).toEqual(['200', '400', '401', '403', '404']);
    for (const [path, method] of [['/auth/me', 'get'], ['/auth/password', 'post'], ['/users/{id}', 'patch'], ['/users/{id}/password-reset', 'post']]) {
      expect(document.paths[path][method].summary).toEqual(expect.any(String));
      expect(document.paths[path][method].security).toEqual([{ bearer: [] }]);
    }
    expect(document.components.schemas.LoginResponseDto.properties).toHaveProperty('mustChangePassword');
    expect(document.components.schemas.UserDto.properties).not.toHaveProperty('tokenVersion');
  });
});

describe('the last active admin', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
  });

  afterAll(async () => {
    await system?.close();
  });

  it('can be neither deactivated nor given another role until another admin exists', async () => {
    const signedIn = await login(system, TEST_ADMIN.username, TEST_ADMIN.password).expect(200);
    const token = signedIn.body.accessToken as string;
    const id = signedIn.body.user.id as string;
    for (const body of [{ active: false }, { role: 'supervisor' }]) {
      const refused = await authed(system, token).patch(`/users/${id}`).send(body).expect(409);
      expect(refused.body).toMatchObject({ status: 409, title: 'Last admin' });
    }
    await authed(system, token).get('/auth/me').expect(200);

    const second = await createUser(system, 'admin');
    await authed(system, token).patch(`/users/${id}`).send({ role: 'supervisor' }).expect(200);
    await expectRevoked(system, token);
    const secondToken = (await login(system, second.username, second.password).expect(200)).body.accessToken as string;
    await authed(system, secondToken).patch(`/users/${second.id}`).send({ active: false }).expect(409);
  });
});

/** Two API replicas on one database: what one decides, the other enforces at once. */
describe('two API replicas on one database', () => {
  let first: TestSystem;
  let second: TestSystem;
  let admin: SignedIn;

  beforeAll(async () => {
    first = await startTestSystem({ worker: false });
    second = await startReplica(first);
    admin = await loginAs(first, 'admin');
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  describe('token revocation', () => {
    it('a change of role, company, active or password on one replica revokes the tokens on the other', async () => {
      const company = await insertCompany(first.dataSource, ['BEICHEN']);
      const other = await insertCompany(first.dataSource, ['WUQING']);
      const user = await createUser(first, 'crew', company.id);
      const signIn = async (on: TestSystem, password = user.password): Promise<string> =>
        (await login(on, user.username, password).expect(200)).body.accessToken as string;

      const changes: Array<[string, () => Promise<unknown>]> = [
        ['company', () => authed(first, admin.token).patch(`/users/${user.id}`).send({ companyId: other.id }).expect(200)],
        ['role', () => authed(first, admin.token).patch(`/users/${user.id}`).send({ role: 'operator', companyId: null }).expect(200)],
        ['active', () => authed(second, admin.token).patch(`/users/${user.id}`).send({ active: false }).expect(200)],
      ];
      for (const [what, change] of changes) {
        const token = await signIn(second);
        await authed(second, token).get('/auth/me').expect(200);
        await authed(first, token).get('/auth/me').expect(200);
        await change();
        await expectRevoked(second, token);
        await expectRevoked(first, token);
        if (what !== 'active') continue;
        // Deactivated: refused at sign-in on both replicas, with the answer of a wrong password.
        for (const replica of [first, second]) {
          const refused = await login(replica, user.username, user.password).expect(401);
          expect(refused.body).toEqual(WRONG_PASSWORD_ANSWER);
        }
        await authed(first, admin.token).patch(`/users/${user.id}`).send({ active: true }).expect(200);
      }

      // A password change on one replica: the earlier token fails on the other, the new one works on both.
      const token = await signIn(first);
      const changed = await authed(second, token).post('/auth/password').send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(200);
      await expectRevoked(first, token);
      await authed(first, changed.body.accessToken).get('/auth/me').expect(200);

      // A reset on one replica: the user's tokens fail on the other, and the one-time password there too.
      const reset = await authed(second, admin.token).post(`/users/${user.id}/password-reset`).expect(200);
      await expectRevoked(first, changed.body.accessToken);
      const limited = await login(first, user.username, reset.body.oneTimePassword).expect(200);
      expect(limited.body.mustChangePassword).toBe(true);
      const refused = await authed(second, limited.body.accessToken).get('/companies').expect(403);
      expect(refused.body.title).toBe('Password change required');
    });
  });

  describe('login throttling', () => {
    // Both replicas listen on a port, and each test sends from a loopback source address of its own
    // (127.0.0.x, ::1), which is the client address the API counts: one test's failures do not reach the next.
    let port: Record<Replica, number>;
    beforeAll(async () => {
      const listen = (system: TestSystem): Promise<number> =>
        new Promise((resolve) => {
          const server = system.app.getHttpServer() as unknown as Server;
          server.listen(0, '::', () => resolve((server.address() as AddressInfo).port));
        });
      port = { first: await listen(first), second: await listen(second) };
    });
    const loginFrom = (source: string, replica: Replica, username: string, password: string): Promise<Answer> =>
      send(source, port[replica], 'POST', '/auth/login', { username, password });
    const alternate = (attempt: number): Replica => (attempt % 2 ? 'first' : 'second');

    it('counts a username’s failures on both replicas, refuses the next attempt with 429 and Retry-After, even with the right password', async () => {
      const source = '127.0.0.11';
      const user = await createUser(first, 'supervisor');
      for (let attempt = 1; attempt <= LOGIN_FAILURES_PER_USERNAME; attempt += 1) {
        expect((await loginFrom(source, alternate(attempt), user.username, `guess-${attempt}`)).status).toBe(401);
      }
      for (const replica of ['first', 'second'] as const) {
        const throttled = await loginFrom(source, replica, user.username, user.password);
        expect(throttled.status).toBe(429);
        expect(throttled.headers['content-type']).toMatch(PROBLEM);
        expect(throttled.body).toMatchObject({ type: 'about:blank', title: 'Too Many Requests', status: 429 });
        expect(throttled.body.detail).toMatch(/^Too many failed sign-ins for this username; try again in \d+ s\.$/);
        const retryAfter = Number(throttled.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
      // A colleague at the same address is not held back.
      const colleague = await createUser(first, 'supervisor');
      expect((await loginFrom(source, 'second', colleague.username, colleague.password)).status).toBe(200);
    });

    it('counts one username’s failures from every address', async () => {
      const user = await createUser(first, 'operator');
      const sources = ['127.0.0.12', '::1', '127.0.0.13', '::1', '127.0.0.12'];
      for (const [attempt, source] of sources.entries()) expect((await loginFrom(source, alternate(attempt), user.username, `guess-${attempt}`)).status).toBe(401);
      expect((await loginFrom('127.0.0.14', 'first', user.username, user.password)).status).toBe(429);
      expect((await loginFrom('::1', 'second', user.username, user.password)).status).toBe(429);
    });

    it('a success resets the username’s counter, and successes never count', async () => {
      const source = '127.0.0.15';
      const user = await createUser(first, 'operator');
      for (let round = 0; round < 3; round += 1) {
        for (let attempt = 1; attempt < LOGIN_FAILURES_PER_USERNAME; attempt += 1) {
          expect((await loginFrom(source, alternate(attempt), user.username, `guess-${attempt}`)).status).toBe(401);
        }
        expect((await loginFrom(source, alternate(round), user.username, user.password)).status).toBe(200);
      }
      // 12 failures from this address so far and many successes: the address stays below its limit.
      for (let attempt = 0; attempt < LOGIN_FAILURES_PER_ADDRESS; attempt += 1) {
        expect((await loginFrom(source, alternate(attempt), user.username, user.password)).status).toBe(200);
      }
    });

    it('counts one address’s failures across usernames on both replicas; another address still signs in', async () => {
      const source = '127.0.0.16';
      const victim = await createUser(first, 'supervisor');
      for (let attempt = 0; attempt < LOGIN_FAILURES_PER_ADDRESS; attempt += 1) {
        expect((await loginFrom(source, alternate(attempt), `sprayed-${attempt}`, 'winter-is-coming')).status).toBe(401);
      }
      for (const replica of ['first', 'second'] as const) {
        const throttled = await loginFrom(source, replica, victim.username, victim.password);
        expect(throttled.status).toBe(429);
        expect(throttled.body.detail).toMatch(/^Too many failed sign-ins from this address; try again in \d+ s\.$/);
        expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await loginFrom('127.0.0.17', 'first', victim.username, victim.password)).status).toBe(200);
    });

    it('takes only as many parallel guesses as the limit allows, the rest answered 429', async () => {
      const user = await createUser(first, 'operator');
      const guesses = Array.from({ length: 12 }, (_, index) => loginFrom('127.0.0.18', alternate(index), user.username, `parallel-guess-${index}`));
      const statuses = (await Promise.all(guesses)).map((answer) => answer.status).sort();
      expect(statuses).toEqual([...Array(LOGIN_FAILURES_PER_USERNAME).fill(401), ...Array(12 - LOGIN_FAILURES_PER_USERNAME).fill(429)]);
    });

    it('counts wrong current passwords of POST /auth/password as failed sign-ins', async () => {
      const source = '127.0.0.19';
      const user = await createUser(first, 'operator');
      const token = (await loginFrom(source, 'first', user.username, user.password)).body.accessToken as string;
      const hashBefore = (await first.dataSource.getRepository(UserEntity).findOneByOrFail({ id: user.id })).passwordHash;
      const change = (replica: Replica, currentPassword: string): Promise<Answer> =>
        send(source, port[replica], 'POST', '/auth/password', { currentPassword, newPassword: NEW_PASSWORD }, token);
      for (let attempt = 1; attempt <= LOGIN_FAILURES_PER_USERNAME; attempt += 1) expect((await change(alternate(attempt), `guess-${attempt}`)).status).toBe(400);
      const throttled = await change('second', user.password);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect((await loginFrom(source, 'first', user.username, user.password)).status).toBe(429);
      expect((await first.dataSource.getRepository(UserEntity).findOneByOrFail({ id: user.id })).passwordHash).toBe(hashBefore);
      expect((await send(source, port.second, 'GET', '/auth/me', undefined, token)).status).toBe(200);
    });
  });
});
