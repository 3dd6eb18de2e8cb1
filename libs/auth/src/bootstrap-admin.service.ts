import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PasswordHasher } from './password-hasher.service';

/** Serialises the check-then-insert of API replicas starting together on an empty database. */
const BOOTSTRAP_ADMIN_LOCK = 8890_0001;
const DEFAULT_ADMIN_USERNAME = 'admin';

export type BootstrapOutcome = 'exists' | 'created' | 'username-taken';

/**
 * The first admin, so a fresh install can be signed into: from ADMIN_USERNAME/ADMIN_PASSWORD, or with a
 * random password printed once. Nothing happens while any admin exists; there is no default password.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  async ensureAdmin(): Promise<BootstrapOutcome> {
    if (await this.adminExists(this.dataSource)) return 'exists';
    const username = this.config.auth.adminUsername ?? DEFAULT_ADMIN_USERNAME;
    const generated = this.config.auth.adminPassword === undefined;
    const password = this.config.auth.adminPassword ?? randomBytes(18).toString('base64url');
    // Hashing is slow on purpose: done before the lock, so the lock is held for two short statements.
    const passwordHash = await this.hasher.hash(password);
    const outcome = await this.dataSource.transaction(async (manager): Promise<BootstrapOutcome> => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_ADMIN_LOCK]);
      if (await this.adminExists(manager)) return 'exists';
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'admin')
         ON CONFLICT (username) DO NOTHING RETURNING id`,
        [username, passwordHash],
      );
      return inserted.length === 1 ? 'created' : 'username-taken';
    });
    if (outcome === 'created') {
      this.logger.log(`Created the bootstrap admin "${username}"`);
      if (generated) printOnce(username, password);
    } else if (outcome === 'username-taken') {
      this.logger.warn(`No admin exists and username "${username}" belongs to a non-admin user: set ADMIN_USERNAME to a free name`);
    }
    return outcome;
  }

  private async adminExists(runner: DataSource | EntityManager): Promise<boolean> {
    const rows: unknown[] = await runner.query(`SELECT 1 FROM users WHERE role = 'admin' LIMIT 1`);
    return rows.length > 0;
  }
}

/** The only place a password is ever shown: framed so it stands out in the start-up log. */
function printOnce(username: string, password: string): void {
  const rule = '='.repeat(72);
  process.stdout.write(
    [
      '',
      rule,
      '  No admin user existed, so one was created. Its password is shown ONLY THIS ONCE:',
      '',
      `    username: ${username}`,
      `    password: ${password}`,
      '',
      '  Store it now (e.g. in a password manager). To choose your own instead, set ADMIN_USERNAME and',
      '  ADMIN_PASSWORD before the first start.',
      rule,
      '',
      '',
    ].join('\n'),
  );
}
