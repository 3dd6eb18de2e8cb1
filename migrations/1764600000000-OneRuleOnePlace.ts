import { MigrationInterface, QueryRunner } from 'typeorm';
// By path, not by alias: the test setup runs migrations under Node's own require.
import { rungInstants } from '../libs/domain/src';
import type { SlaPolicySnapshot, Stage } from '../libs/domain/src';
import { storedCalendar } from './stored-calendar';

const BATCH = 1000;

/**
 * - Idempotency keys keep the ticket id and status, not the answer (which held the caller's full phone).
 * - Repeat calls are recorded in their own table, so one that must reopen a closed ticket is delivered to
 *   its workflow later when Temporal is down, instead of becoming a second ticket.
 * - Phones are stored in their canonical form (no dashes), so repeat calls match whatever was typed.
 * - Each stage stores its rungs' instants, fixed when its deadline was set: back-filled here with the
 *   calendar of today, the same instants the workflows of these tickets already hold.
 */
export class OneRuleOnePlace1764600000000 implements MigrationInterface {
  name = 'OneRuleOnePlace1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ADD COLUMN ticket_id uuid REFERENCES tickets (id)`);
    await queryRunner.query(`UPDATE idempotency_keys SET ticket_id = (response->>'id')::uuid`);
    await queryRunner.query(`ALTER TABLE idempotency_keys ALTER COLUMN ticket_id SET NOT NULL, DROP COLUMN response`);

    await queryRunner.query(`
      CREATE TABLE repeat_calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        received_at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        needs_delivery boolean NOT NULL,
        delivered_at timestamptz,
        outcome text
      )`);
    await queryRunner.query(`CREATE INDEX idx_repeat_calls_ticket ON repeat_calls (ticket_id)`);
    await queryRunner.query(`CREATE INDEX idx_repeat_calls_pending ON repeat_calls (received_at) WHERE needs_delivery AND delivered_at IS NULL`);

    await queryRunner.query(`UPDATE tickets SET citizen_phone = regexp_replace(citizen_phone, '[-－‐‑–—]', '', 'g') WHERE citizen_phone ~ '[-－‐‑–—]'`);

    await this.backfillRungs(queryRunner);
  }

  private async backfillRungs(queryRunner: QueryRunner): Promise<void> {
    const calendar = await storedCalendar(queryRunner);
    type StoredStage = { startsAt: string; dueAt: string; rungs?: Record<string, string> };
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const tickets: Array<{ id: string; policy: SlaPolicySnapshot; stages: Record<string, StoredStage> }> = await queryRunner.query(
        `SELECT id, policy, stages FROM tickets WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, BATCH],
      );
      if (tickets.length === 0) return;
      for (const ticket of tickets) {
        const stages = Object.fromEntries(
          Object.entries(ticket.stages).map(([stage, state]) => {
            if (state.rungs) return [stage, state];
            const deadline = { stage: stage as Stage, startsAt: new Date(state.startsAt), dueAt: new Date(state.dueAt) };
            return [stage, { ...state, rungs: rungInstants(deadline, ticket.policy, calendar) }];
          }),
        );
        await queryRunner.query(`UPDATE tickets SET stages = $2 WHERE id = $1`, [ticket.id, stages]);
      }
      after = tickets[tickets.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE tickets SET stages = (SELECT jsonb_object_agg(s.key, s.value - 'rungs') FROM jsonb_each(stages) s) WHERE stages <> '{}'::jsonb`);
    await queryRunner.query(`DROP TABLE repeat_calls`);
    // The answers are not kept any more: keys made after the upgrade cannot be replayed after a downgrade.
    await queryRunner.query(`DELETE FROM idempotency_keys`);
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP COLUMN ticket_id, ADD COLUMN response jsonb NOT NULL`);
  }
}
