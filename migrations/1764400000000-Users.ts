import { MigrationInterface, QueryRunner } from 'typeorm';

/** Logins: the four roles (docs/product.md, Roles), a crew user bound to exactly one company. */
export class Users1764400000000 implements MigrationInterface {
  name = 'Users1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL,
        company_id uuid REFERENCES companies (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_users_username UNIQUE (username),
        -- Names are compared lower-case at login: storing them so keeps "Admin" and "admin" one user.
        CONSTRAINT users_username_lower_case CHECK (username = lower(username)),
        CONSTRAINT users_role_known CHECK (role IN ('admin', 'operator', 'crew', 'supervisor')),
        CONSTRAINT users_crew_has_company CHECK ((role = 'crew') = (company_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX idx_users_company ON users (company_id) WHERE company_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE users`);
  }
}
