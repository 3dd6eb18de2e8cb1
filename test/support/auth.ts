import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TokenService, UsersService } from '@app/auth';
import type { AuthenticatedUser, Role } from '@app/domain';
import type { TestSystem } from './system';

/**
 * Users and tokens for tests. Users go through the real UsersService (real bcrypt hash, real constraints);
 * tokens through the real TokenService, so they are exactly what POST /auth/login hands out, without
 * spending the login throttle's attempts.
 *
 *   const operator = await loginAs(system, 'operator');
 *   await authed(system, operator.token).post('/tickets').send(body).expect(201);
 *   // or: system.http().get('/companies').set(bearer(operator.token))
 */

export interface TestUser extends AuthenticatedUser {
  /** The plain password, for tests that sign in over HTTP. */
  readonly password: string;
}

export interface SignedIn {
  readonly token: string;
  readonly user: TestUser;
}

let userSequence = 0;

/** Creates a user with the given role; crew needs its company's id. Username and password are made up unless given. */
export async function createUser(
  system: TestSystem,
  role: Role,
  companyId?: string | null,
  options: { username?: string; password?: string } = {},
): Promise<TestUser> {
  if (role === 'crew' && !companyId) throw new Error('createUser: a crew user needs a companyId (see insertCompany in fixtures.ts)');
  userSequence += 1;
  const username = options.username ?? `${role}-${userSequence}-${randomBytes(3).toString('hex')}`;
  const password = options.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const created = await system.app.get(UsersService).create({ username, password, role, companyId: companyId ?? undefined });
  return { id: created.id, username: created.username, role: created.role, companyId: created.companyId, password };
}

/** A valid bearer token for the user. `issuedAt` in the past beyond the TTL gives an expired token. */
export async function tokenFor(system: TestSystem, user: AuthenticatedUser, options: { issuedAt?: Date } = {}): Promise<string> {
  const { id, username, role, companyId } = user;
  // The user's current token version, as a sign-in reads it: a token of an earlier version is revoked.
  const { tokenVersion } = await system.app.get(UsersService).get(id);
  return (await system.app.get(TokenService).issue({ id, username, role, companyId }, tokenVersion, options.issuedAt)).accessToken;
}

/** A new user of the role, and its token. */
export async function loginAs(
  system: TestSystem,
  role: Role,
  companyId?: string | null,
  options: { username?: string; password?: string } = {},
): Promise<SignedIn> {
  const user = await createUser(system, role, companyId, options);
  return { token: await tokenFor(system, user), user };
}

/** The header to `.set(...)` on a supertest request. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Like `system.http()`, with the bearer token sent on every request: `authed(system, token).get('/users')`. */
export function authed(system: TestSystem, token: string): ReturnType<typeof request.agent> {
  return request.agent(system.app.getHttpServer()).set(bearer(token));
}
