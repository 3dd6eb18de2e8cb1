import { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns the whole lifecycle needs: return, extension, reply and the workflow's transition counter. */
export class Lifecycle1764400000001 implements MigrationInterface {
  name = 'Lifecycle1764400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE tickets
        ADD COLUMN approved_extensions int NOT NULL DEFAULT 0 CHECK (approved_extensions BETWEEN 0 AND 1),
        ADD COLUMN status_before_return text,
        ADD COLUMN resolution text,
        ADD COLUMN transition_seq int NOT NULL DEFAULT 0`);
    await queryRunner.query(`CREATE INDEX idx_tickets_status_created ON tickets (status, created_at, id)`);
    // 通报批评: published text only, never the citizen's name, phone or address.
    await queryRunner.query(`
      CREATE TABLE notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        escalation_id uuid NOT NULL UNIQUE REFERENCES escalations (id),
        company_id uuid NOT NULL REFERENCES companies (id),
        company_name text NOT NULL,
        ticket_number text NOT NULL,
        district text NOT NULL,
        stage text NOT NULL,
        overdue_by_seconds int NOT NULL,
        text text NOT NULL,
        published_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_notices_published ON notices (published_at DESC, id DESC)`);
    // A retried create with the same Idempotency-Key gets the first answer back.
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        key text NOT NULL,
        actor text NOT NULL,
        request_hash text NOT NULL,
        status_code int NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor, key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE notices`);
    await queryRunner.query(`DROP INDEX idx_tickets_status_created`);
    await queryRunner.query(`
      ALTER TABLE tickets
        DROP COLUMN transition_seq,
        DROP COLUMN resolution,
        DROP COLUMN status_before_return,
        DROP COLUMN approved_extensions`);
  }
}
