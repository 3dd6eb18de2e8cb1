import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ROLES } from '@app/domain';
import type { AuthenticatedUser, Role } from '@app/domain';

export const TOKEN_ISSUER = 'heating-hotline';
export const TOKEN_ALGORITHM = 'HS256';

interface AccessTokenClaims {
  sub: string;
  username: string;
  role: Role;
  companyId: string | null;
  /** The user's token version when the token was issued (users.token_version). */
  ver: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
}

/** The user a token speaks for, and the token version it was issued with. */
export interface VerifiedToken {
  readonly user: AuthenticatedUser;
  readonly tokenVersion: number;
}

/**
 * Signed, expiring bearer tokens that carry the user's id, name, role, company and token version. A valid
 * signature is not enough: the authentication guard also compares the version with the user's row.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `issuedAt` lets tests make a token that has already expired. */
  async issue(user: AuthenticatedUser, tokenVersion: number, issuedAt: Date = new Date()): Promise<IssuedToken> {
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const claims: AccessTokenClaims & { iat: number } = {
      sub: user.id,
      username: user.username,
      role: user.role,
      companyId: user.companyId,
      ver: tokenVersion,
      iat: Math.floor(issuedAt.getTime() / 1000),
    };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn, issuer: TOKEN_ISSUER, algorithm: TOKEN_ALGORITHM });
    return { accessToken, expiresIn };
  }

  /** The token's user and version, or null when the token is malformed, tampered with, expired or not ours. */
  async verify(token: string): Promise<VerifiedToken | null> {
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = await this.jwt.verifyAsync<Partial<AccessTokenClaims>>(token, { issuer: TOKEN_ISSUER, algorithms: [TOKEN_ALGORITHM] });
    } catch {
      return null;
    }
    const { sub, username, role, companyId } = claims;
    if (typeof sub !== 'string' || typeof username !== 'string' || !ROLES.includes(role as Role)) return null;
    if (role === 'crew' ? typeof companyId !== 'string' : companyId !== null) return null;
    // Tokens issued before token versions existed carry none: they hold version 0, which every user row
    // started with, so the first change of the account revokes them like any other.
    const tokenVersion = claims.ver ?? 0;
    if (!Number.isSafeInteger(tokenVersion) || tokenVersion < 0) return null;
    return { user: { id: sub, username, role: role as Role, companyId: companyId ?? null }, tokenVersion };
  }
}
