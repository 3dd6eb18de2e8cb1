import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizeIp } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { ProblemException } from '@app/http';

/** Failed sign-ins allowed per username (from any address) within one window. */
export const LOGIN_FAILURES_PER_USERNAME = 5;
/** Failed sign-ins allowed per client address (whatever the usernames) within one window. */
export const LOGIN_FAILURES_PER_ADDRESS = 20;
export const LOGIN_WINDOW_SECONDS = 60;

type Scope = 'address' | 'username';

/** A sign-in attempt under way: already counted as a failure until `succeeded` says otherwise. */
export interface LoginAttempt {
  readonly address: string;
  readonly username: string;
  /** The address counter's window the attempt was counted in (PostgreSQL's text form, microseconds kept). */
  readonly addressWindow: string;
}

/** 429 with the seconds to wait, which the controller sends as Retry-After. */
export class LoginThrottledException extends ProblemException {
  constructor(readonly retryAfterSeconds: number, scope: Scope) {
    const who = scope === 'username' ? 'for this username' : 'from this address';
    super(HttpStatus.TOO_MANY_REQUESTS, `Too many failed sign-ins ${who}; try again in ${retryAfterSeconds} s.`);
  }
}

/**
 * Brute-force brake on sign-ins and password changes, shared by every API replica through PostgreSQL
 * (table login_failures, fixed windows of LOGIN_WINDOW_SECONDS on the database's clock). Only failures
 * count: per username across addresses (a guessed account), and per address across usernames (one
 * client spraying names). A success clears the username's counter.
 *
 * An attempt is counted before its password is checked and taken back if it succeeds, so a burst of
 * parallel guesses cannot all pass the check before the first failure is written: the counting UPSERT
 * locks the two rows until its transaction ends. A refused attempt counts nothing.
 */
@Injectable()
export class LoginThrottle {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts the attempt, or throws LoginThrottledException (nothing counted) when a counter is at its limit. */
  async begin(clientIp: string | undefined, username: string): Promise<LoginAttempt> {
    const address = normalizeIp(clientIp ?? '') || 'unknown';
    const subject = username.trim().toLowerCase();
    await this.forgetExpired();
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ scope: Scope; failures: number; window: string; retry_after: number }> = await manager.query(
        `INSERT INTO login_failures AS f (scope, subject, failures, window_started_at)
         VALUES ('address', $1, 1, now()), ('username', $2, 1, now())
         ON CONFLICT (scope, subject) DO UPDATE SET
           failures = CASE WHEN f.window_started_at <= now() - make_interval(secs => $3) THEN 1 ELSE f.failures + 1 END,
           window_started_at = CASE WHEN f.window_started_at <= now() - make_interval(secs => $3) THEN now() ELSE f.window_started_at END
         RETURNING scope, failures, window_started_at::text AS window,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM window_started_at + make_interval(secs => $3) - now())))::int AS retry_after`,
        [address, subject, LOGIN_WINDOW_SECONDS],
      );
      const limits: Record<Scope, number> = { address: LOGIN_FAILURES_PER_ADDRESS, username: LOGIN_FAILURES_PER_USERNAME };
      const over = rows.filter((row) => row.failures > limits[row.scope]).sort((a, b) => b.retry_after - a.retry_after);
      // Thrown inside the transaction: it rolls back, so the refused attempt is not counted.
      if (over.length > 0) throw new LoginThrottledException(over[0].retry_after, over[0].scope);
      return { address, username: subject, addressWindow: rows.find((row) => row.scope === 'address')?.window ?? '' };
    });
  }

  /** The attempt was right: the username starts afresh, and the address gets its attempt back. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    // Rows in the order `begin` locks them (address, then username), so the two never deadlock.
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE login_failures SET failures = GREATEST(failures - 1, 0)
          WHERE scope = 'address' AND subject = $1 AND window_started_at = $2::timestamptz`,
        [attempt.address, attempt.addressWindow],
      );
      await manager.query(`DELETE FROM login_failures WHERE scope = 'username' AND subject = $1`, [attempt.username]);
    });
  }

  /** Rows of windows that are over count nothing; rows another attempt holds are left to the next one. */
  private async forgetExpired(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failures WHERE (scope, subject) IN (
         SELECT scope, subject FROM login_failures WHERE window_started_at <= now() - make_interval(secs => $1)
          LIMIT 1000 FOR UPDATE SKIP LOCKED)`,
      [LOGIN_WINDOW_SECONDS],
    );
  }
}
