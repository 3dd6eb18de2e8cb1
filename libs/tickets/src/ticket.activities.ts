import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ESCALATION_LEVELS } from '@app/domain';
import type { RecordRungInput, TicketActivities } from '@app/workflows';

/**
 * The ticket workflow's activities: all its I/O. Each is idempotent, because Temporal runs an activity
 * at least once; the database's unique keys turn a repeat into a no-op.
 */
@Injectable()
export class TicketActivitiesService implements TicketActivities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async recordRung(input: RecordRungInput): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ fired_at: Date }> = await manager.query(
        `INSERT INTO escalations (ticket_id, ticket_number, company_id, dispatched_at, stage, level, due_at, fired_at)
         SELECT id, number, company_id, $2, $3, $4, $5, now() FROM tickets WHERE id = $1
         ON CONFLICT ON CONSTRAINT uq_escalations_rung DO NOTHING
         RETURNING fired_at`,
        [input.ticketId, input.dispatchedAt, input.stage, input.level, input.dueAt],
      );
      if (inserted.length === 0) return; // already recorded by an earlier attempt
      await manager.query(
        `UPDATE tickets
            SET escalation_level = CASE
                  WHEN array_position($3::text[], $2) > array_position($3::text[], escalation_level) THEN $2
                  ELSE escalation_level END,
                stages = CASE
                  WHEN $2 = 'OVERDUE' AND stages ? $4 THEN jsonb_set(stages, ARRAY[$4, 'overdue'], 'true'::jsonb)
                  ELSE stages END,
                updated_at = now()
          WHERE id = $1`,
        [input.ticketId, input.level, ESCALATION_LEVELS, input.stage],
      );
      await manager.query(
        `INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at) VALUES ($1, $2, 'system', 'system', $3, $4)`,
        [
          input.ticketId,
          `ESCALATION_${input.level}`,
          { stage: input.stage, level: input.level, dueAt: input.dueAt, dispatchedAt: input.dispatchedAt },
          inserted[0].fired_at,
        ],
      );
    });
  }
}
