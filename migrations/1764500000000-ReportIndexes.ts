import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The overdue report reads only open tickets that reached the OVERDUE rung: a small partial index keeps
 * it from scanning every ticket (its predicate is repeated literally in overdueReportSql so the planner
 * can prove the match). The company report ranges over idx_tickets_created, already there.
 */
export class ReportIndexes1764500000000 implements MigrationInterface {
  name = 'ReportIndexes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX idx_tickets_open_overdue ON tickets (company_id, district)
       WHERE status NOT IN ('CLOSED', 'CANCELLED') AND escalation_level IN ('OVERDUE', 'WARNING', 'PUBLIC_NOTICE')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_tickets_open_overdue`);
  }
}
