import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every ticket action takes an Idempotency-Key too, kept in the same table as the creates' (one key, one
 * intended operation per caller): `scope` says which (`create`, or the action's name), `status_code` stays
 * empty while an action's workflow Update has not answered, and `problem` keeps the refusal an action got
 * (problem details naming the rule, no caller data), so a retry gets the same 409.
 */
export class ActionKeys1765000000001 implements MigrationInterface {
  name = 'ActionKeys1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN scope text NOT NULL DEFAULT 'create',
        ADD COLUMN problem jsonb,
        ALTER COLUMN status_code DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE idempotency_keys ADD CONSTRAINT chk_idempotency_keys_create_answered CHECK (scope <> 'create' OR status_code IS NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM idempotency_keys WHERE scope <> 'create'`);
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT chk_idempotency_keys_create_answered`);
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP COLUMN scope, DROP COLUMN problem, ALTER COLUMN status_code SET NOT NULL`);
  }
}
