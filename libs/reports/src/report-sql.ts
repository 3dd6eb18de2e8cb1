import { RATED_STAGES, SUSPECTED_OUTAGE } from '@app/domain';
import type { District, RatedStage, Stage } from '@app/domain';
import { COMPANY_STAGE_SQL, ESCALATED_TICKET_SQL, LOCAL_DAY_SQL, OPEN_TICKET_SQL, STAGE_OVERDUE_NOW_SQL, TICKET_WENT_OVERDUE_SQL } from '@app/persistence';

/**
 * The report queries as plain SQL with positional parameters. Exported so the plan test
 * (test/integration/report-plans.spec.ts) EXPLAINs exactly the text the service runs.
 */
export interface SqlQuery {
  readonly text: string;
  readonly params: unknown[];
}

export interface OverdueFilters {
  readonly companyId?: string;
  readonly district?: District;
  readonly stage?: Stage;
}

/** One row per (open ticket, stage marked overdue and not done), oldest deadline first. */
export function overdueReportSql(filters: OverdueFilters): SqlQuery {
  const params: unknown[] = [];
  const where = [OPEN_TICKET_SQL('t'), ESCALATED_TICKET_SQL('t'), COMPANY_STAGE_SQL('s'), STAGE_OVERDUE_NOW_SQL('s')];
  if (filters.companyId) {
    params.push(filters.companyId);
    where.push(`t.company_id = $${params.length}`);
  }
  if (filters.district) {
    params.push(filters.district);
    where.push(`t.district = $${params.length}`);
  }
  if (filters.stage) {
    params.push(filters.stage);
    where.push(`s.key = $${params.length}`);
  }
  const text = `
    SELECT t.id AS ticket_id, t.number AS ticket_number, t.company_id, c.name AS company_name, t.district, t.category,
           t.priority, t.status, s.key AS stage, (s.value->>'dueAt')::timestamptz AS due_at, t.escalation_level,
           t.citizen_phone
      FROM tickets t
      JOIN companies c ON c.id = t.company_id
      CROSS JOIN LATERAL jsonb_each(t.stages) s
     WHERE ${where.join('\n       AND ')}
     ORDER BY due_at, t.number, s.key`;
  return { text, params };
}

/**
 * A valid evaluation (有效评价): a callback that reached the citizen and has an answer (domain.md §2.5), over `f`, a
 * row of ticket_dispatch_facts (its callback's `reached` and whether it has a `satisfaction`).
 */
const VALID_EVALUATION_SQL = `f.callback_reached AND f.callback_has_satisfaction`;

const onTime = (stage: RatedStage) => ({ share: [`${stage}_on_time`], of: [`${stage}_decided`] });

/**
 * Every number of the company report and the league table, defined once over the columns of
 * companyReportSql: a count shown as it is, or the share of one sum of columns in another (docs/reports.md).
 */
export const COMPANY_COUNTS = {
  dispatched: 'dispatched',
  callbacks: 'callbacks',
  evaluations: 'evaluations',
  warnings: 'warnings',
  notices: 'notices',
  temperatureTests: 'temperature_tests',
  /** Approved pauses that ended, and how long they stopped the clock: the company's own stoppage, not a rate. */
  pauses: 'pauses',
  pausedSeconds: 'paused_seconds',
} as const;

export const COMPANY_SHARES = {
  acceptOnTimeRate: onTime('accept'),
  contactOnTimeRate: onTime('contact'),
  visitOnTimeRate: onTime('visit'),
  replyOnTimeRate: onTime('reply'),
  /** The league table's: on-time stages of every rated stage / all decided ones. */
  onTimeRate: { share: RATED_STAGES.map((stage) => `${stage}_on_time`), of: RATED_STAGES.map((stage) => `${stage}_decided`) },
  solvedRate: { share: ['solved'], of: ['callbacks'] },
  /** 满意率 over valid evaluations only: a callback that never reached the citizen (未联系上) rates nothing. */
  satisfactionRate: { share: ['satisfied'], of: ['evaluations'] },
  /** 响应率: callbacks answering that the company contacted the citizen (是否联系) / callbacks. */
  responseRate: { share: ['contacted'], of: ['callbacks'] },
  reopenRate: { share: ['reopened'], of: ['dispatched'] },
  repeatCallRate: { share: ['repeated'], of: ['dispatched'] },
  returnRate: { share: ['returned'], of: ['dispatched'] },
  temperaturePassRate: { share: ['temperature_passed'], of: ['temperature_tests'] },
} as const satisfies Record<string, { readonly share: readonly string[]; readonly of: readonly string[] }>;

/** The per-stage columns of the company report, one pair per rated stage, in RATED_STAGES order. */
function stageColumns(columns: (stage: RatedStage) => string): string {
  return RATED_STAGES.map(columns).join(',\n           ');
}

/**
 * A rated stage's mark in a dispatch, over `f`, the dispatch's row of ticket_dispatch_facts (its stage's deadline,
 * done instant and overdue mark as typed columns, NULL when the dispatch has no such stage, e.g. BILLING's visit):
 * 1 when done by its deadline and never marked overdue, 0 when done late, marked overdue, or past its deadline
 * undone while the company held the ticket (until the dispatch ended, or $3, the request's instant, for the
 * current one), and NULL (undecided, left out of the denominator) when it was not yet due when the dispatch ended
 * or at $3, was left undone by a cancellation, or is absent.
 */
const stageMark = (stage: RatedStage): string => `CASE
               WHEN f.${stage}_overdue THEN 0
               WHEN f.${stage}_done_at IS NOT NULL THEN CASE WHEN f.${stage}_done_at <= f.${stage}_due_at THEN 1 ELSE 0 END
               WHEN f.outcome IS DISTINCT FROM 'CANCELLED' AND f.${stage}_due_at <= coalesce(f.ended_at, $3) THEN 0
             END`;

/**
 * Per company, over the dispatches made to it in [$1, $2), judged at $3 (the request's instant): every
 * dispatch is judged against the company that held it, so a return or a reassignment washes nothing.
 * - each rated stage is marked as stageMark says; `<stage>_on_time` counts the 1s, `<stage>_decided` the
 *   marks that are not NULL;
 * - return requests (退单, granted or refused), reopens (重办), repeat calls, callbacks and temperature
 *   tests are those of the dispatches;
 * - warnings and notices are those fired or published in [$1, $2) against the company at firing time.
 * Companies appear when active or when they have anything to show in the period.
 * The dispatches are read from ticket_dispatch_facts (migration CityScaleReads: each dispatch's values as typed
 * columns, kept by a trigger in the transaction of every dispatch write), through its index on the instant:
 * one pass, no jsonb taken apart at request time.
 */
export function companyReportSql(from: Date, to: Date, now: Date): SqlQuery {
  const text = `
    WITH dispatch_totals AS (
      SELECT f.company_id,
             count(*) AS dispatched,
             count(*) FILTER (WHERE f.outcome = 'REOPENED') AS reopened,
             count(*) FILTER (WHERE f.return_requests > 0) AS returned,
             count(*) FILTER (WHERE f.repeat_calls > 0) AS repeated,
             count(*) FILTER (WHERE f.has_callback) AS callbacks,
             count(*) FILTER (WHERE f.callback_solved) AS solved,
             count(*) FILTER (WHERE ${VALID_EVALUATION_SQL}) AS evaluations,
             count(*) FILTER (WHERE ${VALID_EVALUATION_SQL} AND f.callback_satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED')) AS satisfied,
             count(*) FILTER (WHERE f.callback_contacted) AS contacted,
             sum(f.temperature_tests) AS temperature_tests,
             sum(f.temperature_passed) AS temperature_passed,
             sum(f.pauses) AS pauses,
             sum(f.paused_seconds) AS paused_seconds,
             ${stageColumns((stage) => `count(*) FILTER (WHERE m.${stage} = 1) AS ${stage}_on_time, count(m.${stage}) AS ${stage}_decided`)}
        FROM ticket_dispatch_facts f
        CROSS JOIN LATERAL (SELECT ${RATED_STAGES.map((stage) => `${stageMark(stage)} AS ${stage}`).join(',\n                                   ')}) m
       WHERE f.dispatched_at >= $1 AND f.dispatched_at < $2
       GROUP BY f.company_id
    ), warning_totals AS (
      SELECT company_id, count(*) AS warnings
        FROM escalations
       WHERE level = 'WARNING' AND fired_at >= $1 AND fired_at < $2
       GROUP BY company_id
    ), notice_totals AS (
      SELECT company_id, count(*) AS notices
        FROM notices
       WHERE published_at >= $1 AND published_at < $2
       GROUP BY company_id
    )
    SELECT co.id AS company_id, co.name AS company_name, co.active,
           coalesce(dt.dispatched, 0)::int AS dispatched,
           coalesce(dt.reopened, 0)::int AS reopened,
           coalesce(dt.repeated, 0)::int AS repeated,
           ${stageColumns((stage) => `coalesce(dt.${stage}_on_time, 0)::int AS ${stage}_on_time, coalesce(dt.${stage}_decided, 0)::int AS ${stage}_decided`)},
           coalesce(dt.callbacks, 0)::int AS callbacks, coalesce(dt.solved, 0)::int AS solved,
           coalesce(dt.satisfied, 0)::int AS satisfied,
           coalesce(dt.evaluations, 0)::int AS evaluations,
           coalesce(dt.contacted, 0)::int AS contacted,
           coalesce(dt.temperature_tests, 0)::int AS temperature_tests,
           coalesce(dt.temperature_passed, 0)::int AS temperature_passed,
           coalesce(dt.pauses, 0)::int AS pauses,
           coalesce(dt.paused_seconds, 0)::int AS paused_seconds,
           coalesce(dt.returned, 0)::int AS returned,
           coalesce(wt.warnings, 0)::int AS warnings,
           coalesce(nt.notices, 0)::int AS notices
      FROM companies co
      LEFT JOIN dispatch_totals dt ON dt.company_id = co.id
      LEFT JOIN warning_totals wt ON wt.company_id = co.id
      LEFT JOIN notice_totals nt ON nt.company_id = co.id
     WHERE co.active OR dt.dispatched > 0 OR wt.warnings > 0 OR nt.notices > 0
     ORDER BY co.name, co.id`;
  return { text, params: [from, to, now] };
}

/**
 * Tickets created in [$1, $2) by Asia/Shanghai day and by district; `overdue` counts those with a stage
 * marked overdue in any of their dispatches (done later or not: a reassignment washes nothing). Every day
 * of the range is listed, empty ones as zeros.
 */
export function trendsByDaySql(from: Date, to: Date): SqlQuery {
  const text = `
    WITH days AS (
      SELECT generate_series(
               ${LOCAL_DAY_SQL('$1::timestamptz')},
               ${LOCAL_DAY_SQL(`($2::timestamptz - interval '1 microsecond')`)},
               interval '1 day')::date AS day
    ), counted AS (
      SELECT ${LOCAL_DAY_SQL('t.created_at')} AS day,
             count(*) AS tickets,
             count(*) FILTER (WHERE ${TICKET_WENT_OVERDUE_SQL('t')}) AS overdue
        FROM tickets t
       WHERE t.created_at >= $1 AND t.created_at < $2
       GROUP BY 1
    )
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(c.tickets, 0)::int AS tickets, coalesce(c.overdue, 0)::int AS overdue
      FROM days d LEFT JOIN counted c ON c.day = d.day
     ORDER BY d.day`;
  return { text, params: [from, to] };
}

export function trendsByDistrictSql(from: Date, to: Date): SqlQuery {
  const text = `
    SELECT t.district, count(*)::int AS tickets,
           (count(*) FILTER (WHERE ${TICKET_WENT_OVERDUE_SQL('t')}))::int AS overdue
      FROM tickets t
     WHERE t.created_at >= $1 AND t.created_at < $2
     GROUP BY t.district`;
  return { text, params: [from, to] };
}

/** The places hot spots rank: communities (小区) or buildings (楼栋), by the keys stored on every ticket. */
export const HOTSPOT_LEVELS = ['community', 'building'] as const;
export type HotspotLevel = (typeof HOTSPOT_LEVELS)[number];
export const HOTSPOT_ORDERS = ['tickets', 'repeatCalls'] as const;
export type HotspotOrder = (typeof HOTSPOT_ORDERS)[number];

const HOTSPOT_COLUMN: Record<HotspotLevel, string> = { community: 'community_key', building: 'building_key' };
const HOTSPOT_ORDER_SQL: Record<HotspotOrder, string> = { tickets: 'tickets DESC, repeat_calls DESC', repeatCalls: 'repeat_calls DESC, tickets DESC' };

/** The suspected-outage window (SUSPECTED_OUTAGE.windowMs) as an SQL interval. */
const OUTAGE_WINDOW_SQL = `interval '${SUSPECTED_OUTAGE.windowMs / 1000} seconds'`;

/**
 * Over rows of `alias` ordered per building: how many other tickets came from the ticket's building in the
 * outage window up to its creation ([created_at − 1 h, created_at]), among the rows the query reads — so a
 * query must read the window before its first ticket too. Null building keys are no building: never an outage.
 */
export function othersFromBuildingSql(alias: string): string {
  return `CASE WHEN ${alias}.building_key IS NULL THEN 0 ELSE (count(*) OVER (PARTITION BY ${alias}.building_key ORDER BY ${alias}.created_at RANGE BETWEEN ${OUTAGE_WINDOW_SQL} PRECEDING AND CURRENT ROW) - 1)::int END`;
}

/**
 * 热点: per community or building (the keys of addressPlace), over the tickets created in [$1, $2) — the
 * same cohort as the trends — `tickets`, `repeat_calls` (the repeat calls recorded on those tickets,
 * their repeat_count) and `suspected_outages` (those created while at least SUSPECTED_OUTAGE.others other
 * tickets came from their building in the hour before, tickets of the hour before $1 counted); the first
 * $3 by `order` (ranking by repeat calls leaves out places with none), then by key (code point order, whatever the
 * database's locale). Tickets whose address
 * names no such place are left out.
 */
export function hotspotsSql(level: HotspotLevel, from: Date, to: Date, order: HotspotOrder, limit: number): SqlQuery {
  const place = HOTSPOT_COLUMN[level];
  const text = `
    WITH marked AS (
      SELECT t.district, t.${place} AS place, t.created_at, t.repeat_count, ${othersFromBuildingSql('t')} AS others_from_building
        FROM tickets t
       WHERE t.created_at >= $1::timestamptz - ${OUTAGE_WINDOW_SQL} AND t.created_at < $2
    )
    SELECT place, district, count(*)::int AS tickets, coalesce(sum(repeat_count), 0)::int AS repeat_calls,
           (count(*) FILTER (WHERE others_from_building >= ${SUSPECTED_OUTAGE.others}))::int AS suspected_outages
      FROM marked
     WHERE created_at >= $1 AND place IS NOT NULL
     GROUP BY place, district${order === 'repeatCalls' ? '\n    HAVING sum(repeat_count) > 0' : ''}
     ORDER BY ${HOTSPOT_ORDER_SQL[order]}, place COLLATE "C"
     LIMIT $3`;
  return { text, params: [from, to, limit] };
}

/**
 * The tickets from building $1 created in the outage window up to $2 ([$2 − 1 h, $2]), newest first, each with
 * the number of others from the building in the hour up to its own creation (read from the window before).
 */
export function buildingRecentTicketsSql(buildingKey: string, now: Date): SqlQuery {
  const text = `
    WITH marked AS (
      SELECT t.id, t.number, t.category, t.status, t.created_at, ${othersFromBuildingSql('t')} AS others_from_building
        FROM tickets t
       WHERE t.building_key = $1 AND t.created_at >= $2::timestamptz - 2 * ${OUTAGE_WINDOW_SQL} AND t.created_at <= $2
    )
    SELECT id, number, category, status, created_at, others_from_building
      FROM marked
     WHERE created_at >= $2::timestamptz - ${OUTAGE_WINDOW_SQL}
     ORDER BY created_at DESC, id`;
  return { text, params: [buildingKey, now] };
}
