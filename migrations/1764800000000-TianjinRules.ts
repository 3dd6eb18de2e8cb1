import { MigrationInterface, QueryRunner } from 'typeorm';
// By path, not by alias: the test setup runs migrations under Node's own require.
import { returnAllowedUntil } from '../libs/domain/src';
import type { CalendarKind } from '../libs/domain/src';
import { storedCalendar } from './stored-calendar';

/** The defaults of the new policy terms (docs/product.md, SLA), frozen here: every run inserts the same. */
const NEW_TERMS = [
  ['P0', 'PT2H', 'PT24H', 3],
  ['P1', 'PT2H', 'PT24H', 3],
  ['P2', 'P1D', 'P5D', 3],
] as const;

const BATCH = 1000;

/**
 * Tianjin's return, extension and designation rules as versioned policy terms (domain.md §2.2, §2.4):
 * every version of a priority gets that priority's defaults, and every ticket's policy snapshot the terms of
 * its version. Tickets get the return deadline and the 指定承办 flag of their current dispatch; repeat calls
 * the priority they raise a ticket to.
 */
export class TianjinRules1764800000000 implements MigrationInterface {
  name = 'TianjinRules1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sla_policies ADD COLUMN return_window text, ADD COLUMN extension_cap text, ADD COLUMN designated_from_dispatch int`);
    for (const [priority, returnWindow, extensionCap, designatedFromDispatch] of NEW_TERMS) {
      await queryRunner.query(`UPDATE sla_policies SET return_window = $2, extension_cap = $3, designated_from_dispatch = $4 WHERE priority = $1`, [
        priority,
        returnWindow,
        extensionCap,
        designatedFromDispatch,
      ]);
    }
    await queryRunner.query(`
      ALTER TABLE sla_policies
        ALTER COLUMN return_window SET NOT NULL,
        ALTER COLUMN extension_cap SET NOT NULL,
        ALTER COLUMN designated_from_dispatch SET NOT NULL,
        ADD CONSTRAINT sla_policies_designated_from CHECK (designated_from_dispatch BETWEEN 2 AND 10)`);
    await queryRunner.query(`
      UPDATE tickets t
         SET policy = t.policy || jsonb_build_object('returnWindow', p.return_window, 'extensionCap', p.extension_cap,
                                                     'designatedFromDispatch', p.designated_from_dispatch)
        FROM sla_policies p
       WHERE p.priority = t.priority AND p.version = t.policy_version`);

    await queryRunner.query(`ALTER TABLE tickets ADD COLUMN return_allowed_until timestamptz, ADD COLUMN designated boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE repeat_calls ADD COLUMN raises_priority_to text`);
    await this.backfillDispatchTerms(queryRunner);
  }

  private async backfillDispatchTerms(queryRunner: QueryRunner): Promise<void> {
    const calendar = await storedCalendar(queryRunner);
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const tickets: Array<{ id: string; dispatched_at: Date; dispatch_count: number; return_window: string; calendar: CalendarKind; designated_from: number }> =
        await queryRunner.query(
          `SELECT t.id, t.dispatched_at, t.dispatch_count, p.return_window, p.calendar, p.designated_from_dispatch AS designated_from
             FROM tickets t JOIN sla_policies p ON p.priority = t.priority AND p.version = t.policy_version
            WHERE t.id > $1 ORDER BY t.id LIMIT $2`,
          [after, BATCH],
        );
      if (tickets.length === 0) return;
      for (const ticket of tickets) {
        const until = returnAllowedUntil(ticket.dispatched_at, { returnWindow: ticket.return_window, calendar: ticket.calendar }, calendar);
        await queryRunner.query(`UPDATE tickets SET return_allowed_until = $2, designated = $3 WHERE id = $1`, [
          ticket.id,
          until,
          ticket.dispatch_count >= ticket.designated_from,
        ]);
      }
      after = tickets[tickets.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE repeat_calls DROP COLUMN raises_priority_to`);
    await queryRunner.query(`ALTER TABLE tickets DROP COLUMN return_allowed_until, DROP COLUMN designated`);
    await queryRunner.query(`UPDATE tickets SET policy = policy - 'returnWindow' - 'extensionCap' - 'designatedFromDispatch'`);
    await queryRunner.query(`ALTER TABLE sla_policies DROP COLUMN return_window, DROP COLUMN extension_cap, DROP COLUMN designated_from_dispatch`);
  }
}
