import { CALENDAR_ZONE, CLOSED_STATUSES, COMPANY_STAGES, ESCALATION_LEVELS, escalationRank, RATED_STAGES } from '@app/domain';

/**
 * The ticket predicates every SQL query shares, each defined once from the domain's constants
 * (ticket-predicates.spec.ts ties them to those constants). `t` is a tickets alias, `s` a row of
 * `jsonb_each(t.stages)`.
 */

const quoted = (values: readonly string[]): string => values.map((value) => `'${value}'`).join(', ');

/** An open ticket: not CLOSED or CANCELLED (the partial indexes of migration ReportIndexes match on it). */
export const OPEN_TICKET_SQL = (t = 't'): string => `${t}.status NOT IN (${quoted(CLOSED_STATUSES)})`;

/**
 * A ticket escalated to OVERDUE or above. A stage marked overdue raises the ticket's level with it and a
 * fresh dispatch resets both, so next to OPEN_TICKET_SQL this only narrows rows to the partial index
 * idx_tickets_open_overdue (migration ReportIndexes), whose predicate the two together spell out, without
 * losing any (report-plans.spec.ts checks the planner uses it).
 */
export const ESCALATED_TICKET_SQL = (t = 't'): string =>
  `${t}.escalation_level IN (${quoted(ESCALATION_LEVELS.filter((level) => escalationRank(level) >= escalationRank('OVERDUE')))})`;

/** A stage whose OVERDUE rung fired, whether it was done later or not: it "went overdue". */
export const STAGE_WENT_OVERDUE_SQL = (s = 's'): string => `(${s}.value->>'overdue')::boolean`;

/** A stage the company answers for (not the hotline's callback): what overdue lists and trends count. */
export const COMPANY_STAGE_SQL = (s = 's'): string => `${s}.key IN (${quoted(COMPANY_STAGES)})`;

/** A stage overdue now: its OVERDUE rung fired and it is still not done. */
export const STAGE_OVERDUE_NOW_SQL = (s = 's'): string => `${STAGE_WENT_OVERDUE_SQL(s)} AND ${s}.value->>'doneAt' IS NULL`;

/** A ticket overdue now: open, with a stage the company answers for overdue now. */
export const TICKET_OVERDUE_NOW_SQL = (t = 't'): string =>
  `(${OPEN_TICKET_SQL(t)} AND EXISTS (SELECT 1 FROM jsonb_each(${t}.stages) s WHERE ${COMPANY_STAGE_SQL('s')} AND ${STAGE_OVERDUE_NOW_SQL('s')}))`;

/** A ticket a stage of which went overdue in any of its dispatches (a reassignment washes nothing). */
export const TICKET_WENT_OVERDUE_SQL = (t = 't'): string =>
  `EXISTS (SELECT 1 FROM ticket_dispatches d CROSS JOIN LATERAL jsonb_each(d.stages) s WHERE d.ticket_id = ${t}.id AND ${COMPANY_STAGE_SQL('s')} AND ${STAGE_WENT_OVERDUE_SQL('s')})`;

/** A stage the company reports time (RATED_STAGES). */
export const RATED_STAGE_SQL = (s = 's'): string => `${s}.key IN (${quoted(RATED_STAGES)})`;

/** The Asia/Shanghai calendar day of a timestamptz expression, as a date. */
export const LOCAL_DAY_SQL = (instant: string): string => `(${instant} AT TIME ZONE '${CALENDAR_ZONE}')::date`;
