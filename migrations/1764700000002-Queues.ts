import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The supervisors' extension queue (GET /tickets?extension=PENDING) reads only open tickets whose extension
 * request is pending: a small partial index keeps it from scanning every ticket on each dashboard refresh
 * (its predicate is written literally in TicketsService.list). The return queue filters on status, which
 * idx_tickets_status_created already serves.
 */
export class Queues1764700000002 implements MigrationInterface {
  name = 'Queues1764700000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX idx_tickets_extension_pending ON tickets (company_id)
       WHERE extension->>'status' = 'PENDING' AND status NOT IN ('CLOSED', 'CANCELLED')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_tickets_extension_pending`);
  }
}
