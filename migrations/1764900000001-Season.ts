import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The heating season is admin data (docs/product.md, Heating season): the city moves it each year, so each
 * season an admin set is a row; a season without one is the statutory 11-15 → 03-15 (domain.md §3).
 */
export class Season1764900000001 implements MigrationInterface {
  name = 'Season1764900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE heating_seasons (
        first_year integer PRIMARY KEY CHECK (first_year BETWEEN 2000 AND 2099),
        starts date NOT NULL CHECK (extract(year FROM starts) = first_year),
        ends date NOT NULL CHECK (extract(year FROM ends) = first_year + 1),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CHECK (ends - starts < 366)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE heating_seasons`);
  }
}
