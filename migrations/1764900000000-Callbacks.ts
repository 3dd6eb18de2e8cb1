import { MigrationInterface, QueryRunner } from 'typeorm';

/** The defaults of the callback terms (docs/product.md, SLA), frozen here: every run inserts the same. */
const CALLBACK_WITHIN = 'P1D';
const CALLBACK_ATTEMPTS = 3;

/**
 * Callbacks and evaluation (domain.md §2.5): every policy version gets the callback deadline (the next
 * working day) and the attempts before 未联系上, every ticket's policy snapshot the terms of its version;
 * tickets count the callback attempts of their reply and keep the supervisor review of an objective 不满意.
 * Tickets already REPLIED get no callback stage (it is opened by a reply from now on).
 */
export class Callbacks1764900000000 implements MigrationInterface {
  name = 'Callbacks1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sla_policies ADD COLUMN callback_within text, ADD COLUMN callback_attempts int`);
    await queryRunner.query(`UPDATE sla_policies SET callback_within = $1, callback_attempts = $2`, [CALLBACK_WITHIN, CALLBACK_ATTEMPTS]);
    await queryRunner.query(`
      ALTER TABLE sla_policies
        ALTER COLUMN callback_within SET NOT NULL,
        ALTER COLUMN callback_attempts SET NOT NULL,
        ADD CONSTRAINT sla_policies_callback_attempts CHECK (callback_attempts BETWEEN 1 AND 10)`);
    await queryRunner.query(`
      UPDATE tickets t
         SET policy = t.policy || jsonb_build_object('callbackWithin', p.callback_within, 'callbackAttempts', p.callback_attempts)
        FROM sla_policies p
       WHERE p.priority = t.priority AND p.version = t.policy_version`);
    await queryRunner.query(`ALTER TABLE tickets ADD COLUMN callback_attempts int NOT NULL DEFAULT 0, ADD COLUMN review jsonb`);
    // The review queue (GET /tickets?review=PENDING), oldest first.
    await queryRunner.query(`CREATE INDEX idx_tickets_review_pending ON tickets (company_id) WHERE review->>'status' = 'PENDING'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_tickets_review_pending`);
    await queryRunner.query(`ALTER TABLE tickets DROP COLUMN callback_attempts, DROP COLUMN review`);
    await queryRunner.query(`UPDATE tickets SET policy = policy - 'callbackWithin' - 'callbackAttempts'`);
    await queryRunner.query(`ALTER TABLE sla_policies DROP COLUMN callback_within, DROP COLUMN callback_attempts`);
  }
}
