import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ProblemException } from '@app/http';
import { AuthenticatedRequest, IS_PUBLIC_KEY } from './auth.decorators';
import { TokenService } from './token.service';
import { UsersService } from './users.service';

/**
 * Global: every route needs a valid bearer token unless it is @Public(). Valid means well signed, not
 * expired, and issued at the user's current token version by an active user: one primary-key lookup per
 * request, so a token revoked on one replica fails on every replica at once.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw this.unauthorized(http.getResponse<Response>(), 'Sign in first: send Authorization: Bearer <token> from POST /auth/login.');
    }
    const verified = await this.tokens.verify(token);
    if (!verified) {
      throw this.unauthorized(http.getResponse<Response>(), 'The access token is invalid or has expired; sign in again.', 'invalid_token');
    }
    const state = await this.users.credentialState(verified.user.id);
    if (!state || !state.active || state.tokenVersion !== verified.tokenVersion) {
      throw this.unauthorized(
        http.getResponse<Response>(),
        'The access token was revoked: the account’s password, role, company or status changed since it was issued. Sign in again.',
        'invalid_token',
      );
    }
    request.user = verified.user;
    request.mustChangePassword = state.mustChangePassword;
    return true;
  }

  private unauthorized(response: Response, detail: string, error?: string): ProblemException {
    // RFC 6750 §3: a 401 names the scheme the client should use.
    response.setHeader('WWW-Authenticate', error ? `Bearer error="${error}"` : 'Bearer');
    return new ProblemException(HttpStatus.UNAUTHORIZED, detail);
  }
}
