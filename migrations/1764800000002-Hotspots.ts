import { MigrationInterface, QueryRunner } from 'typeorm';
// By path, not by alias: the test setup runs migrations under Node's own require.
import { addressPlace } from '../libs/domain/src';
import type { District } from '../libs/domain/src';

const BATCH = 1000;

/**
 * Hot spots (热点, domain.md §2.6): every ticket keeps the community and the building its address names
 * (`addressPlace` in libs/domain/src/address.ts), set when the ticket is created and back-filled here for
 * the tickets already stored, so the hot-spot report groups by a column and the operator's form finds the
 * tickets of one building in the last hour through an index (`idx_tickets_building_created`). A change to
 * the parsing rules needs a migration that recomputes both columns, as this one computes them.
 */
export class Hotspots1764800000002 implements MigrationInterface {
  name = 'Hotspots1764800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tickets ADD COLUMN community_key text, ADD COLUMN building_key text`);
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const tickets: Array<{ id: string; district: District; address: string }> = await queryRunner.query(
        `SELECT id, district, address FROM tickets WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, BATCH],
      );
      if (tickets.length === 0) break;
      const places = tickets.map((ticket) => addressPlace(ticket.district, ticket.address));
      await queryRunner.query(
        `UPDATE tickets t SET community_key = p.community_key, building_key = p.building_key
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS p (id, community_key, building_key)
          WHERE t.id = p.id`,
        [tickets.map((ticket) => ticket.id), places.map((place) => place.communityKey), places.map((place) => place.buildingKey)],
      );
      after = tickets[tickets.length - 1].id;
    }
    await queryRunner.query(`CREATE INDEX idx_tickets_building_created ON tickets (building_key, created_at) WHERE building_key IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_tickets_building_created`);
    await queryRunner.query(`ALTER TABLE tickets DROP COLUMN building_key, DROP COLUMN community_key`);
  }
}
