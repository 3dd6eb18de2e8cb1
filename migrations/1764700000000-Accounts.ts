import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts over their whole life (docs/product.md, Accounts):
 * - users get a display name, an `active` flag, a "must change password" flag (set by an admin's reset)
 *   and a token version. Every access token carries the version it was issued with; the API compares it
 *   with the row on each request (a primary-key lookup), so a revoked token fails on every replica.
 * - the trigger raises the version whenever the password, role, company or `active` flag changes, by
 *   whatever writer: the API cannot forget it, nor can an operator fixing a row by hand.
 * - login_failures counts failed sign-ins per client address and per username in fixed windows, shared by
 *   every API replica.
 */
export class Accounts1764700000000 implements MigrationInterface {
  name = 'Accounts1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users
        ADD COLUMN display_name text,
        ADD COLUMN active boolean NOT NULL DEFAULT true,
        ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT users_display_name_length CHECK (display_name IS NULL OR char_length(display_name) BETWEEN 1 AND 100)`);
    await queryRunner.query(`
      CREATE FUNCTION users_revoke_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
           OR NEW.role IS DISTINCT FROM OLD.role
           OR NEW.company_id IS DISTINCT FROM OLD.company_id
           OR NEW.active IS DISTINCT FROM OLD.active THEN
          NEW.token_version := OLD.token_version + 1;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER users_revoke_tokens BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_revoke_tokens()`);

    await queryRunner.query(`
      CREATE TABLE login_failures (
        scope text NOT NULL,
        subject text NOT NULL,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        PRIMARY KEY (scope, subject),
        CONSTRAINT login_failures_scope_known CHECK (scope IN ('address', 'username')),
        CONSTRAINT login_failures_not_negative CHECK (failures >= 0)
      )`);
    await queryRunner.query(`CREATE INDEX idx_login_failures_window ON login_failures (window_started_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE login_failures`);
    await queryRunner.query(`DROP TRIGGER users_revoke_tokens ON users`);
    await queryRunner.query(`DROP FUNCTION users_revoke_tokens()`);
    await queryRunner.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_display_name_length,
        DROP COLUMN token_version,
        DROP COLUMN must_change_password,
        DROP COLUMN active,
        DROP COLUMN display_name`);
  }
}
