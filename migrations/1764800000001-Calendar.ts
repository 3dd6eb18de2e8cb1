import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working-day calendar ships with the service (docs/product.md, Working-day calendar): the State
 * Council's holidays and make-up working days come from the `chinese-days` package for every year it has,
 * and `calendar_days` now holds only the years an admin replaced. `calendar_overrides` names those years,
 * so an override that lists nothing (every weekday works, no make-up day) still replaces the shipped year.
 *
 * Every year that already has rows was typed in by an admin before the calendar shipped: it stays as it
 * was (an override), so no deadline computed from now on moves because of this upgrade.
 */
export class Calendar1764800000001 implements MigrationInterface {
  name = 'Calendar1764800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE calendar_overrides (
        year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
        overridden_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO calendar_overrides (year)
      SELECT DISTINCT extract(year FROM day)::integer FROM calendar_days
      ON CONFLICT DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE calendar_overrides`);
  }
}
