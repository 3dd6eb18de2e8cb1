import { Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';

/** Login attempts allowed per client address and username within the window. */
export const LOGIN_ATTEMPTS_PER_WINDOW = 5;
export const LOGIN_WINDOW_MS = 60_000;

export const LOGIN_THROTTLER_OPTIONS: ThrottlerModuleOptions = {
  throttlers: [{ ttl: LOGIN_WINDOW_MS, limit: LOGIN_ATTEMPTS_PER_WINDOW }],
  errorMessage: (_context, detail) => `Too many login attempts; try again in ${detail.timeToBlockExpire} s.`,
};

/**
 * Brute-force brake on POST /auth/login: counts per client address and username, so one attacker cannot
 * lock a colleague out from another desk, and a shared office address does not lock everyone out.
 * Runs before validation, so the username is read defensively.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const body = request.body as { username?: unknown } | undefined;
    const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
    const ip = normalizeIp(String(request.ip ?? ''), this.ipv6SubnetPrefix);
    return `${ip}|${username}`;
  }
}
