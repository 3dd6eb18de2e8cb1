import { MigrationInterface, QueryRunner } from 'typeorm';

/** The defaults, frozen here: every run inserts the same (docs/product.md, SLA and Indoor temperature). */
const PAUSE_CAP = 'PT48H';
const FIRST_STANDARD = {
  rooms: ['BEDROOM', 'LIVING_ROOM'],
  refundTiers: [
    { maxShortfall: 2, percent: 10 },
    { maxShortfall: 6, percent: 50 },
    { maxShortfall: null, percent: 100 },
  ],
};

/**
 * The °C of the first standard: 18 (domain.md §3), or what this deployment judged readings by until now
 * (ROOM_TEMPERATURE_STANDARD, a setting before the standard was admin data), so no ticket changes verdict.
 */
function firstStandardCelsius(): number {
  const configured = Number(process.env.ROOM_TEMPERATURE_STANDARD);
  return process.env.ROOM_TEMPERATURE_STANDARD && Number.isFinite(configured) && configured >= 10 && configured <= 30 ? configured : 18;
}

/**
 * Pauses with evidence and a cap, and the indoor temperature standard as versioned admin data with refunds
 * (domain.md §3): every policy version gets the pause cap; the standard's first version is seeded, and every
 * ticket snapshots it; tickets keep their pause request and a refund exclusion; dispatches count their pauses.
 */
export class PausesAndRefunds1765000000000 implements MigrationInterface {
  name = 'PausesAndRefunds1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sla_policies ADD COLUMN pause_cap text`);
    await queryRunner.query(`UPDATE sla_policies SET pause_cap = $1`, [PAUSE_CAP]);
    await queryRunner.query(`ALTER TABLE sla_policies ALTER COLUMN pause_cap SET NOT NULL`);
    await queryRunner.query(`
      UPDATE tickets t
         SET policy = t.policy || jsonb_build_object('pauseCap', p.pause_cap)
        FROM sla_policies p
       WHERE p.priority = t.priority AND p.version = t.policy_version`);

    await queryRunner.query(`
      CREATE TABLE indoor_standards (
        version integer PRIMARY KEY CHECK (version >= 1),
        celsius numeric(4, 1) NOT NULL CHECK (celsius BETWEEN 10 AND 30),
        rooms text[] NOT NULL CHECK (cardinality(rooms) >= 1),
        refund_tiers jsonb NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    const celsius = firstStandardCelsius();
    await queryRunner.query(`INSERT INTO indoor_standards (version, celsius, rooms, refund_tiers) VALUES (1, $1, $2, $3)`, [
      celsius,
      FIRST_STANDARD.rooms,
      JSON.stringify(FIRST_STANDARD.refundTiers),
    ]);
    await queryRunner.query(`ALTER TABLE tickets ADD COLUMN indoor_standard jsonb, ADD COLUMN pause jsonb, ADD COLUMN refund_exclusion jsonb`);
    const first = JSON.stringify({ version: 1, celsius, ...FIRST_STANDARD });
    await queryRunner.query(`UPDATE tickets SET indoor_standard = $1`, [first]);
    // A writer that does not know the column yet (an older replica during a rolling upgrade) snapshots version 1.
    // DDL takes no parameters: PostgreSQL itself quotes the default into the statement (format's %L).
    const [{ ddl }]: Array<{ ddl: string }> = await queryRunner.query(
      `SELECT format('ALTER TABLE tickets ALTER COLUMN indoor_standard SET NOT NULL, ALTER COLUMN indoor_standard SET DEFAULT %L::jsonb', $1::text) AS ddl`,
      [first],
    );
    await queryRunner.query(ddl);
    // The pause queue (GET /tickets?pause=PENDING), oldest request first.
    await queryRunner.query(`CREATE INDEX idx_tickets_pause_pending ON tickets (company_id) WHERE pause->>'status' = 'PENDING'`);
    await queryRunner.query(`ALTER TABLE ticket_dispatches ADD COLUMN pauses int NOT NULL DEFAULT 0, ADD COLUMN paused_seconds int NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ticket_dispatches DROP COLUMN pauses, DROP COLUMN paused_seconds`);
    await queryRunner.query(`DROP INDEX idx_tickets_pause_pending`);
    await queryRunner.query(`ALTER TABLE tickets DROP COLUMN indoor_standard, DROP COLUMN pause, DROP COLUMN refund_exclusion`);
    await queryRunner.query(`DROP TABLE indoor_standards`);
    await queryRunner.query(`UPDATE tickets SET policy = policy - 'pauseCap'`);
    await queryRunner.query(`ALTER TABLE sla_policies DROP COLUMN pause_cap`);
  }
}
