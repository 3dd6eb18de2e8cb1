import { MigrationInterface, QueryRunner } from 'typeorm';
// By path, not by alias: the test setup runs migrations under Node's own require.
import { addDuration, CATEGORY_DEFAULTS, currentStage, dispatchDeadlines, escalationRank, parseDurationMs, rungInstants } from '../libs/domain/src';
import type { Category, EscalationLevel, SlaPolicySnapshot, Stage, TicketStatus, WorkCalendar } from '../libs/domain/src';
import { storedCalendar } from './stored-calendar';

const BATCH = 500;

type StageRecord = { startsAt: string; dueAt: string; doneAt: string | null; overdue: boolean; rungs: Record<string, string> };
type Stages = Partial<Record<Stage, StageRecord>>;
type EventRow = { type: string; actor: string; payload: Record<string, unknown>; at: Date };

interface DispatchRecord {
  seq: number;
  companyId: string;
  dispatchedAt: string;
  cause: 'CREATED' | 'REASSIGNED' | 'REOPENED';
  stages: Stages;
  extension: unknown;
  escalationLevel: EscalationLevel;
  callback: unknown;
  repeatCalls: number;
  returnRequests: number;
  temperatureTests: number;
  temperaturePassed: number;
  outcome: string | null;
  endedAt: string | null;
}

interface TicketRow {
  id: string;
  category: Category;
  company_id: string;
  dispatched_at: Date;
  created_at: Date;
  policy: SlaPolicySnapshot;
  stages: Stages;
  extension: unknown;
  escalation_level: EscalationLevel;
}

function openStage(stage: Stage, startsAt: Date, dueAt: Date, policy: SlaPolicySnapshot, calendar: WorkCalendar): StageRecord {
  return { startsAt: startsAt.toISOString(), dueAt: dueAt.toISOString(), doneAt: null, overdue: false, rungs: rungInstants({ stage, startsAt, dueAt }, policy, calendar) };
}

/**
 * A ticket's dispatches rebuilt from its audit trail: each CREATED / REASSIGN / reopening event starts
 * one; the events in between fill its stages (done instants, the remediate stage, an approved extension,
 * overdue marks from its OVERDUE rungs), its callback, tests and repeat calls; the event that ends it
 * gives its outcome. The current dispatch takes the ticket's own stages, which are authoritative.
 */
export function dispatchesFromAuditTrail(ticket: TicketRow, events: EventRow[], calendar: WorkCalendar): DispatchRecord[] {
  const visitNeeded = CATEGORY_DEFAULTS[ticket.category].visitNeeded;
  const fresh = (at: Date): Stages =>
    Object.fromEntries(
      dispatchDeadlines(at, ticket.policy, visitNeeded, calendar).map((deadline) => [deadline.stage, openStage(deadline.stage, deadline.startsAt, deadline.dueAt, ticket.policy, calendar)]),
    );
  const dispatches: DispatchRecord[] = [];
  const start = (cause: DispatchRecord['cause'], companyId: string, at: Date): void => {
    dispatches.push({
      seq: dispatches.length + 1,
      companyId,
      dispatchedAt: at.toISOString(),
      cause,
      stages: fresh(at),
      extension: null,
      escalationLevel: 'NONE',
      callback: null,
      repeatCalls: 0,
      returnRequests: 0,
      temperatureTests: 0,
      temperaturePassed: 0,
      outcome: null,
      endedAt: null,
    });
  };
  const created = events.find((event) => event.type === 'CREATED');
  start('CREATED', (created?.payload.companyId as string) ?? ticket.company_id, new Date((created?.payload.dispatchedAt as string) ?? ticket.created_at));
  let pendingExtension: { stage: Stage; extendBy: string } | null = null;
  for (const event of events) {
    const current = dispatches[dispatches.length - 1];
    const at = event.at.toISOString();
    const { from, to } = event.payload as { from?: TicketStatus; to?: TicketStatus };
    const done = (stage: Stage): void => {
      const state = current.stages[stage];
      if (state && !state.doneAt) state.doneAt = at;
    };
    const end = (outcome: string): void => {
      current.outcome = outcome;
      current.endedAt ??= at;
    };
    switch (event.type) {
      case 'ACCEPT':
        done('accept');
        break;
      case 'CONTACT':
        done('contact');
        break;
      case 'VISIT': {
        const readings = (event.payload.readings as unknown[] | undefined) ?? [];
        if (from === 'CONTACTED') done('visit');
        if (from === 'REMEDIATING' && to === 'VISITED') done('remediate');
        if (to === 'REMEDIATING' && !current.stages.remediate && ticket.policy.remediate) {
          const dueAt = addDuration(event.at, parseDurationMs(ticket.policy.remediate), ticket.policy.calendar, calendar);
          current.stages.remediate = openStage('remediate', event.at, dueAt, ticket.policy, calendar);
        }
        if (readings.length > 0) {
          current.temperatureTests += 1;
          if (to === 'VISITED') current.temperaturePassed += 1;
        }
        break;
      }
      case 'REPLY':
        done('reply');
        break;
      case 'EXTENSION': {
        const stage = from ? currentStage({ status: from, category: ticket.category }) : null;
        pendingExtension = stage ? { stage, extendBy: event.payload.extendBy as string } : null;
        break;
      }
      case 'EXTENSION_APPROVE': {
        const state = pendingExtension && current.stages[pendingExtension.stage];
        if (pendingExtension && state) {
          const dueAt = addDuration(new Date(state.dueAt), parseDurationMs(pendingExtension.extendBy), ticket.policy.calendar, calendar);
          current.stages[pendingExtension.stage] = { ...openStage(pendingExtension.stage, new Date(state.startsAt), dueAt, ticket.policy, calendar), doneAt: state.doneAt, overdue: state.overdue };
        }
        pendingExtension = null;
        break;
      }
      case 'EXTENSION_REJECT':
        pendingExtension = null;
        break;
      case 'REPEAT_CALL':
        current.repeatCalls += 1;
        break;
      case 'RETURN':
        current.returnRequests += 1;
        break;
      case 'CANCEL':
        end('CANCELLED');
        break;
      case 'CALLBACK': {
        const { reached, solved, satisfaction, unitAtFault, note } = event.payload;
        current.callback = { reached, solved, satisfaction, unitAtFault, note, at, by: event.actor };
        if (to === 'CLOSED') end('CLOSED');
        break;
      }
      default:
        if (event.type.startsWith('ESCALATION_') && event.payload.dispatchedAt === current.dispatchedAt) {
          const level = event.payload.level as EscalationLevel;
          const stage = current.stages[event.payload.stage as Stage];
          if (level === 'OVERDUE' && stage) stage.overdue = true;
          if (escalationRank(level) > escalationRank(current.escalationLevel)) current.escalationLevel = level;
        }
    }
    // A new dispatch: a reassignment (after a return request: RETURNED) or a reopening.
    const dispatchedAt = event.payload.dispatchedAt as string | undefined;
    if (dispatchedAt && ['REASSIGN', 'CALLBACK', 'REPEAT_CALL', 'REOPEN'].includes(event.type) && dispatchedAt !== current.dispatchedAt) {
      if (event.type === 'REASSIGN') {
        end(from === 'RETURN_REQUESTED' ? 'RETURNED' : 'REASSIGNED');
        start('REASSIGNED', event.payload.companyId as string, new Date(dispatchedAt));
      } else {
        current.outcome = 'REOPENED';
        current.endedAt ??= at;
        start('REOPENED', current.companyId, new Date(dispatchedAt));
      }
      pendingExtension = null;
    }
  }
  const last = dispatches[dispatches.length - 1];
  last.stages = ticket.stages;
  last.extension = ticket.extension;
  last.escalationLevel = ticket.escalation_level;
  return dispatches;
}

/** Every ticket's dispatches from its audit trail, for tickets that have none yet. */
export async function backfillDispatches(queryRunner: QueryRunner): Promise<void> {
  const calendar = await storedCalendar(queryRunner);
  for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
    const tickets: TicketRow[] = await queryRunner.query(
      `SELECT id, category, company_id, dispatched_at, created_at, policy, stages, extension, escalation_level
         FROM tickets t WHERE id > $1 AND NOT EXISTS (SELECT 1 FROM ticket_dispatches d WHERE d.ticket_id = t.id)
        ORDER BY id LIMIT $2`,
      [after, BATCH],
    );
    if (tickets.length === 0) return;
    for (const ticket of tickets) {
      const events: EventRow[] = await queryRunner.query(`SELECT type, actor, payload, at FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [ticket.id]);
      for (const dispatch of dispatchesFromAuditTrail(ticket, events, calendar)) {
        await queryRunner.query(
          `INSERT INTO ticket_dispatches (ticket_id, seq, company_id, dispatched_at, cause, stages, extension, escalation_level, callback,
                                          repeat_calls, return_requests, temperature_tests, temperature_passed, outcome, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [
            ticket.id,
            dispatch.seq,
            dispatch.companyId,
            dispatch.dispatchedAt,
            dispatch.cause,
            dispatch.stages,
            dispatch.extension,
            dispatch.escalationLevel,
            dispatch.callback,
            dispatch.repeatCalls,
            dispatch.returnRequests,
            dispatch.temperatureTests,
            dispatch.temperaturePassed,
            dispatch.outcome,
            dispatch.endedAt,
          ],
        );
      }
    }
    after = tickets[tickets.length - 1].id;
  }
}

/**
 * Every dispatch of a ticket keeps its own record (company, stages, overdue marks, extension, callback,
 * outcome), so reports judge each against the company that held it. Back-filled from the audit trail.
 */
export class Dispatches1764700000001 implements MigrationInterface {
  name = 'Dispatches1764700000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ticket_dispatches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        seq int NOT NULL,
        company_id uuid NOT NULL REFERENCES companies (id),
        dispatched_at timestamptz NOT NULL,
        cause text NOT NULL CHECK (cause IN ('CREATED', 'REASSIGNED', 'REOPENED')),
        stages jsonb NOT NULL,
        extension jsonb,
        escalation_level text NOT NULL DEFAULT 'NONE',
        callback jsonb,
        repeat_calls int NOT NULL DEFAULT 0,
        return_requests int NOT NULL DEFAULT 0,
        temperature_tests int NOT NULL DEFAULT 0,
        temperature_passed int NOT NULL DEFAULT 0,
        outcome text CHECK (outcome IN ('RETURNED', 'REASSIGNED', 'REOPENED', 'CANCELLED', 'CLOSED')),
        ended_at timestamptz,
        CONSTRAINT uq_ticket_dispatches_seq UNIQUE (ticket_id, seq),
        CONSTRAINT uq_ticket_dispatches_instant UNIQUE (ticket_id, dispatched_at)
      )`);
    await queryRunner.query(`CREATE INDEX idx_ticket_dispatches_dispatched ON ticket_dispatches (dispatched_at, company_id)`);
    await backfillDispatches(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ticket_dispatches`);
  }
}
