import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import type { AppConfig } from '@app/config';
import { TOKEN_ISSUER, TokenService } from './token.service';

describe('TokenService', () => {
  const secret = 'unit-test-secret-unit-test-secret';
  const jwt = new JwtService({ secret });
  const tokens = new TokenService(jwt, { auth: { tokenTtlSeconds: 600, bcryptRounds: 4 } } as AppConfig);
  const crew = { id: 'u-1', username: 'li.na', role: 'crew' as const, companyId: 'c-1' };

  it('round-trips the user and its token version, and expires after the TTL', async () => {
    const { accessToken, expiresIn } = await tokens.issue(crew, 3);
    expect(expiresIn).toBe(600);
    expect(await tokens.verify(accessToken)).toEqual({ user: crew, tokenVersion: 3 });
    const claims = jwt.decode<{ iat: number; exp: number; iss: string; ver: number }>(accessToken);
    expect(claims.exp - claims.iat).toBe(600);
    expect(claims.iss).toBe(TOKEN_ISSUER);
    expect(claims.ver).toBe(3);
  });

  it('reads a token from before token versions as version 0', async () => {
    const legacy = jwt.sign({ sub: 'u-1', username: 'li.na', role: 'crew', companyId: 'c-1' }, { issuer: TOKEN_ISSUER, expiresIn: 60 });
    expect(await tokens.verify(legacy)).toEqual({ user: crew, tokenVersion: 0 });
  });

  it('refuses an expired token', async () => {
    const { accessToken } = await tokens.issue(crew, 0, new Date(Date.now() - 601_000));
    expect(await tokens.verify(accessToken)).toBeNull();
  });

  it.each([
    ['another issuer', { sub: 'u', username: 'x', role: 'admin', companyId: null }, { issuer: 'someone-else' }],
    ['an unknown role', { sub: 'u', username: 'x', role: 'root', companyId: null }, { issuer: TOKEN_ISSUER }],
    ['crew without a company', { sub: 'u', username: 'x', role: 'crew', companyId: null }, { issuer: TOKEN_ISSUER }],
    ['an operator with a company', { sub: 'u', username: 'x', role: 'operator', companyId: 'c-1' }, { issuer: TOKEN_ISSUER }],
    ['no subject', { username: 'x', role: 'admin', companyId: null }, { issuer: TOKEN_ISSUER }],
    ['a token version that is not a count', { sub: 'u', username: 'x', role: 'admin', companyId: null, ver: 'latest' }, { issuer: TOKEN_ISSUER }],
    ['a negative token version', { sub: 'u', username: 'x', role: 'admin', companyId: null, ver: -1 }, { issuer: TOKEN_ISSUER }],
  ])('refuses a correctly signed token with %s', async (_case, claims, options) => {
    expect(await tokens.verify(jwt.sign(claims, { ...options, expiresIn: 60 }))).toBeNull();
  });

  it('refuses a token signed with another key or none', async () => {
    const foreign = await new TokenService(new JwtService({ secret: 'x'.repeat(32) }), { auth: { tokenTtlSeconds: 600 } } as AppConfig).issue(crew, 0);
    expect(await tokens.verify(foreign.accessToken)).toBeNull();
    const [, payload] = foreign.accessToken.split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(await tokens.verify(unsigned)).toBeNull();
  });

  it('signs and verifies the same with the key as a KeyObject (what AuthModule passes) as with the string', async () => {
    const keyed = new TokenService(new JwtService({ secret: createSecretKey(Buffer.from(secret, 'utf8')) }), { auth: { tokenTtlSeconds: 600 } } as AppConfig);
    const issuedAt = new Date();
    const fromKey = await keyed.issue(crew, 2, issuedAt);
    expect(fromKey.accessToken).toBe((await tokens.issue(crew, 2, issuedAt)).accessToken);
    expect(await tokens.verify(fromKey.accessToken)).toEqual({ user: crew, tokenVersion: 2 });
    expect(await keyed.verify((await tokens.issue(crew, 1)).accessToken)).toEqual({ user: crew, tokenVersion: 1 });
  });
});
