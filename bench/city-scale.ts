import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { CATEGORIES, CATEGORY_DEFAULTS, DISTRICT_NAMES_ZH, DISTRICTS, RATED_STAGES } from '@app/domain';
import { Api, signIn } from './http';
import { round, say } from './progress';
import type { BenchStack } from './stack';
import { quantile } from './stats';

/**
 * Reads at city scale (issue 12): a season's worth of tickets written straight into PostgreSQL by SQL
 * (`INSERT … SELECT generate_series`, no API, no workflows), then the five reads an operator, a supervisor
 * and the public make, each over HTTP one call at a time (p50/p95/p99 against the 100 ms target), and the
 * plan of every statement each read ran, as PostgreSQL's auto_explain logged it (EXPLAIN ANALYZE, BUFFERS)
 * from the API's own sessions: the real SQL with its real parameters, not a copy of it.
 */

export interface CityOptions {
  readonly quick: boolean;
  /** Tickets to generate (1,000,000; 100,000 with --quick). */
  readonly tickets: number;
  /** Measured calls of each read, after `warmup` unrecorded ones. */
  readonly calls: number;
  readonly warmup: number;
  /** Seconds of measured calls per read at most (then at least MIN_CALLS are made anyway). */
  readonly budgetS: number;
  /** Where the plans go (one text file per read), and how the report links them. */
  readonly planDir: string;
  readonly planLink: string;
}

export interface CityRead {
  readonly key: string;
  readonly what: string;
  /** The request (the first one, when calls rotate over several). */
  readonly example: string;
  readonly calls: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The very first call (the warm-up's first): on cold caches, and a miss of the league table's answer cache. */
  readonly firstMs: number;
  /** What the answer held (rows, items), from the last call. */
  readonly answer: string;
  /** The plans of the statements the read ran (auto_explain), in its file under planDir. */
  readonly planFile?: string;
  /** The longest statement of the read: its duration and the indexes and scans its plan used. */
  readonly planSummary?: string;
}

export interface CityScale {
  readonly tickets: number;
  readonly rows: Readonly<Record<string, number>>;
  /** Seconds per generation step, and in all (ANALYZE included). */
  readonly steps: ReadonlyArray<readonly [string, number]>;
  readonly generationS: number;
  readonly sizes: string;
  readonly reads: CityRead[];
  readonly targetMs: number;
  /** The plans' folder as the report links it (relative to the report). */
  readonly planLink: string;
  readonly notes: string[];
}

export const CITY_TARGET_MS = 100;

/** The days the generated season spans, ending now; its first 20 days carry a burst (the season's start). */
const SEASON_DAYS = 120;
const BURST_DAYS = 20;
const BURST_SHARE = 0.3;

/** Roads the generated addresses lie on (real Tianjin road names); 120 numbers and 6 entrances each, per district. */
const ROADS = [
  '鞍山西道', '南京路', '卫津路', '复康路', '红旗路', '黄河道', '长江道', '白堤路', '西康路', '成都道',
  '重庆道', '大沽南路', '友谊路', '解放南路', '围堤道', '津塘路', '中山路', '真理道', '昆纬路', '勤俭道',
  '芥园道', '咸阳路', '北马路', '海河东路', '六纬路', '十一经路', '泰达大街', '第三大街', '光华路', '新开路',
];

/** Phone prefixes of the generated callers; 600,000 distinct callers over the season (some call more than once). */
const PHONE_PREFIXES = ['138', '139', '135', '136', '137', '150', '151', '152', '186', '187'];
const CALLERS = 600_000;

/** A stage as openStage writes it (`StageState`), from SQL expressions of its start, deadline and done instant (`cut`: the dispatch's end, or now). */
function stageJson(starts: string, due: string, done: string, fullLadder: boolean): string {
  const ms = (instant: string): string => `date_trunc('milliseconds', ${instant})`;
  const rungs = fullLadder
    ? `jsonb_build_object('DUE_SOON', ${ms(`${starts} + (${due} - ${starts}) * 0.8`)}, 'OVERDUE', ${ms(due)}, 'WARNING', ${ms(`${due} + warning_t`)}, 'PUBLIC_NOTICE', ${ms(`${due} + notice_t`)})`
    : `jsonb_build_object('DUE_SOON', ${ms(`${starts} + (${due} - ${starts}) * 0.8`)}, 'OVERDUE', ${ms(due)})`;
  return `jsonb_build_object('startsAt', ${ms(starts)}, 'dueAt', ${ms(due)}, 'doneAt', CASE WHEN ${done} <= cut THEN ${ms(done)} END, 'overdue', ${due} < least(${done}, cut), 'rungs', ${rungs})`;
}

/** How far a stage's ladder went before it was done or its dispatch ended: 0 none, 1 DUE_SOON … 4 PUBLIC_NOTICE (the callback: 2 at most). */
function rungRank(starts: string, due: string, done: string, fullLadder: boolean, of = ''): string {
  const before = (instant: string): string => `(${instant} < least(${done}, ${of}cut))::int`;
  const ranks = [before(`${starts} + (${due} - ${starts}) * 0.8`), before(due), ...(fullLadder ? [before(`${due} + ${of}warning_t`), before(`${due} + ${of}notice_t`)] : [])];
  return `(${ranks.join(' + ')})`;
}

/**
 * The generation, one statement after another on one session of the bench's own throw-away database. The
 * session skips foreign-key checks and triggers (session_replication_role = replica: the audit trail's
 * append-only trigger, the FK lookups of 5 million rows) and waits for no WAL flush; every row still goes
 * through every index and check constraint the migrations made. Rows are written in the order of their
 * instants, as a season of real use lays them out on disk (a week's dispatches lie together). `$1` is now,
 * `$2` the ticket count.
 */
function generationSteps(): ReadonlyArray<readonly [string, string, (now: Date, count: number) => unknown[]]> {
  const visitCategories = CATEGORIES.filter((category) => CATEGORY_DEFAULTS[category].visitNeeded);
  const readingCategories = CATEGORIES.filter((category) => CATEGORY_DEFAULTS[category].readingsRequired);
  const burst = BURST_DAYS / SEASON_DAYS;
  return [
    [
      'companies',
      // Two companies per district (Tianjin's heating is split between the city group and local companies).
      `INSERT INTO companies (code, name, districts)
       SELECT 'CITY-' || d.code || '-' || k, d.name || (ARRAY['热力', '供热'])[k] || '公司', ARRAY[d.code]
         FROM unnest($1::text[], $2::text[]) AS d(code, name), generate_series(1, 2) AS k`,
      () => [DISTRICTS, DISTRICTS.map((district) => DISTRICT_NAMES_ZH[district])],
    ],
    [
      'plan of the tickets',
      // One row per ticket, in the order of creation: when (the inverse of the season's distribution: a burst
      // at its start over a steady rate), what, where, who, and the dice of its later life. Numbers count per
      // Asia/Shanghai day, as TicketNumbers does.
      `CREATE TEMP TABLE city_tickets AS
       WITH g AS MATERIALIZED (
         SELECT i, (i - random()) / $2::int AS p, random() AS r_cat, random() AS r_pri, random() AS r_dist,
                random() AS r_disp, random() AS r_stuck, random() AS r_cancel, random() AS r_addr, random() AS r_phone,
                random() AS r_gap1, random() AS r_gap2, random() AS r_end1, random() AS r_end2, random() AS r_repeat
           FROM generate_series(1, $2::int) AS i
       ), shaped AS (
         SELECT g.*,
                $1::timestamptz - interval '1 day' * $3::int
                  + interval '1 day' * $3::int * CASE WHEN p < (1 - $5::float8) * $4::float8 + $5::float8
                                                      THEN p / ((1 - $5::float8) + $5::float8 / $4::float8)
                                                      ELSE (p - $5::float8) / (1 - $5::float8) END AS created,
                CASE WHEN r_cat < 0.45 THEN 'NOT_WARM' WHEN r_cat < 0.60 THEN 'NO_HEAT' WHEN r_cat < 0.70 THEN 'LEAK'
                     WHEN r_cat < 0.78 THEN 'FACILITY' WHEN r_cat < 0.85 THEN 'TEMPERATURE_TEST' WHEN r_cat < 0.92 THEN 'BILLING'
                     WHEN r_cat < 0.96 THEN 'SERVICE_ATTITUDE' ELSE 'CONSULTATION' END AS category,
                1 + floor(power(r_dist, 1.5) * 16)::int AS district_no,
                floor(r_addr * 30 * 120 * 6)::int AS place_no,
                floor(r_phone * $8::int)::int AS caller
           FROM g
       ), typed AS (
         SELECT s.*, ($6::text[])[district_no] AS district, ($7::text[])[district_no] AS district_zh,
                (SELECT u.p FROM unnest($10::text[], $11::text[]) AS u(c, p) WHERE u.c = s.category) AS default_priority
           FROM shaped s
       ), numbered AS (
         SELECT t.*, (created AT TIME ZONE 'Asia/Shanghai')::date AS local_day,
                -- After whatever the API numbered that day already (the bench's own tickets of today).
                coalesce((SELECT c.last_value FROM ticket_number_counters c WHERE c.day = (created AT TIME ZONE 'Asia/Shanghai')::date), 0)
                  + row_number() OVER (PARTITION BY (created AT TIME ZONE 'Asia/Shanghai')::date ORDER BY i) AS day_seq
           FROM typed t
       )
       SELECT i, gen_random_uuid() AS id, created, category, district, district_zh, local_day, day_seq,
              '8890-' || to_char(local_day, 'YYYYMMDD') || '-' || lpad(day_seq::text, 6, '0') AS number,
              'CITY-' || district || '-' || (1 + i % 2) AS company_code, 'CITY-' || district || '-' || (2 - i % 2) AS other_company_code,
              CASE WHEN category = ANY ($9::text[]) AND r_pri < 0.05 THEN 'P0' ELSE default_priority END AS priority,
              category = ANY ($9::text[]) AS visit_needed,
              category = ANY ($12::text[]) AS readings_needed,
              ($13::text[])[1 + place_no % 30] AS road, 1 + (place_no / 30) % 120 AS road_number, 1 + (place_no / 3600) % 6 AS entrance,
              (1 + i % 18) * 100 + 1 + i % 4 AS room,
              ($14::text[])[1 + caller % 10] || lpad(((caller::bigint * 7919) % 100000000)::text, 8, '0') AS phone,
              -- A reassignment or return hours later (10 %), a third dispatch (2 %); a reopening days later.
              CASE WHEN r_disp < 0.02 THEN 3 WHEN r_disp < 0.12 THEN 2 ELSE 1 END AS planned_dispatches,
              CASE WHEN r_end1 < 0.35 THEN 'RETURNED' WHEN r_end1 < 0.80 THEN 'REASSIGNED' ELSE 'REOPENED' END AS end1,
              CASE WHEN r_end2 < 0.35 THEN 'RETURNED' WHEN r_end2 < 0.80 THEN 'REASSIGNED' ELSE 'REOPENED' END AS end2,
              CASE WHEN r_end1 >= 0.80 THEN interval '1 day' * (2 + 3 * r_gap1) ELSE interval '1 hour' * (0.5 + 6 * r_gap1) END AS gap1,
              CASE WHEN r_end2 >= 0.80 THEN interval '1 day' * (2 + 3 * r_gap2) ELSE interval '1 hour' * (0.5 + 6 * r_gap2) END AS gap2,
              (r_repeat < 0.05)::int + (r_repeat < 0.01)::int AS repeat_count,
              r_stuck < 0.002 AS stuck, r_cancel < 0.02 AS cancelled
         FROM numbered`,
      (now, count) => [now, count, SEASON_DAYS, burst, BURST_SHARE, DISTRICTS, DISTRICTS.map((district) => DISTRICT_NAMES_ZH[district]), CALLERS,
        visitCategories, CATEGORIES, CATEGORIES.map((category) => CATEGORY_DEFAULTS[category].priority), readingCategories, ROADS, PHONE_PREFIXES],
    ],
    [
      'plan of the dispatches',
      // Every stage's done instant from the policy's term (version 1 of the priority): on time mostly (10–80 %
      // of the term), late 2 % of the time per stage (105–305 %), never for a stuck ticket's stuck stage; a
      // later stage is done no earlier than the one before it. A dispatch ends at the next one, at its
      // cancellation, or at its callback (closed); what was not done by then stays undone. A reopening needs the
      // callback done first: when it was not, the dispatch was reassigned instead.
      `CREATE TEMP TABLE city_dispatches AS
       WITH counted AS (
         SELECT t.*,
                CASE WHEN t.planned_dispatches >= 3 AND t.created + t.gap1 + t.gap2 < $1::timestamptz THEN 3
                     WHEN t.planned_dispatches >= 2 AND t.created + t.gap1 < $1::timestamptz THEN 2 ELSE 1 END AS dispatches
           FROM city_tickets t
       ), base AS (
         SELECT t.i, t.id AS ticket_id, t.number, k AS seq, t.dispatches, t.district, t.category, t.priority, t.visit_needed, t.readings_needed,
                t.cancelled, t.stuck AND k = t.dispatches AS stuck, t.created, t.repeat_count,
                t.road, t.road_number, t.entrance, t.room, t.phone, t.district_zh,
                -- The district's two companies take turns: the current dispatch is with the ticket's own.
                CASE WHEN (t.dispatches - k) % 2 = 0 THEN t.company_code ELSE t.other_company_code END AS company_code,
                t.created + CASE k WHEN 1 THEN interval '0' WHEN 2 THEN t.gap1 ELSE t.gap1 + t.gap2 END AS dispatched_at,
                CASE WHEN k < t.dispatches THEN t.created + CASE k WHEN 1 THEN t.gap1 ELSE t.gap1 + t.gap2 END END AS next_at,
                CASE WHEN k < t.dispatches THEN CASE k WHEN 1 THEN t.end1 ELSE t.end2 END END AS planned_end,
                p.accept::interval AS accept_t, p.contact::interval AS contact_t, p.visit::interval AS visit_t, p.reply::interval AS reply_t,
                p.warning_after::interval AS warning_t, p.notice_after::interval AS notice_t, p.callback_within::interval AS callback_t,
                p.return_window::interval AS return_t,
                random() AS ra, random() AS rc, random() AS rv, random() AS rr, random() AS rb, random() AS rl, random() AS rx, random() AS ry
           FROM counted t CROSS JOIN LATERAL generate_series(1, t.dispatches) AS k
           JOIN sla_policies p ON p.priority = t.priority AND p.version = 1
       ), factored AS (
         SELECT b.*,
                CASE WHEN b.stuck AND rx < 0.3 THEN 'infinity'::timestamptz
                     ELSE dispatched_at + accept_t * CASE WHEN ra < 0.02 THEN 1.05 + ra * 100 ELSE 0.1 + (ra - 0.02) / 0.98 * 0.7 END END AS accept_done,
                CASE WHEN b.stuck AND rx < 0.6 THEN 'infinity'::timestamptz
                     ELSE dispatched_at + contact_t * CASE WHEN rc < 0.02 THEN 1.05 + rc * 100 ELSE 0.1 + (rc - 0.02) / 0.98 * 0.7 END END AS contact_own,
                CASE WHEN b.stuck AND rx < 0.8 THEN 'infinity'::timestamptz
                     ELSE dispatched_at + coalesce(visit_t, interval '0') * CASE WHEN rv < 0.02 THEN 1.05 + rv * 100 ELSE 0.1 + (rv - 0.02) / 0.98 * 0.7 END END AS visit_own,
                CASE WHEN b.stuck THEN 'infinity'::timestamptz
                     ELSE dispatched_at + reply_t * CASE WHEN rr < 0.02 THEN 1.05 + rr * 100 ELSE 0.1 + (rr - 0.02) / 0.98 * 0.7 END END AS reply_own
           FROM base b
       ), chained AS (
         SELECT f.*,
                greatest(accept_done, contact_own) AS contact_done,
                CASE WHEN visit_needed THEN greatest(accept_done, contact_own, visit_own) END AS visit_done,
                greatest(accept_done, contact_own, CASE WHEN visit_needed THEN visit_own END, reply_own) AS reply_done
           FROM factored f
       ), ended AS (
         SELECT c.*, reply_done + callback_t * CASE WHEN rb < 0.01 THEN 1.2 ELSE 0.05 + rb * 0.75 END AS callback_done,
                CASE WHEN next_at IS NOT NULL THEN next_at
                     WHEN cancelled THEN least($1::timestamptz - interval '1 second', dispatched_at + accept_t * (0.2 + 0.6 * rl)) END AS cut_before
           FROM chained c
       ), outcomes AS (
         SELECT e.*,
                CASE WHEN cut_before IS NOT NULL THEN cut_before WHEN callback_done <= $1::timestamptz THEN callback_done END AS ended_at,
                CASE WHEN next_at IS NOT NULL THEN CASE WHEN planned_end = 'REOPENED' AND callback_done > next_at THEN 'REASSIGNED' ELSE planned_end END
                     WHEN cancelled THEN 'CANCELLED' WHEN callback_done <= $1::timestamptz THEN 'CLOSED' END AS outcome,
                coalesce(cut_before, $1::timestamptz) AS cut
           FROM ended e
       )
       SELECT o.*, lag(outcome) OVER w AS previous_outcome, count(*) FILTER (WHERE outcome = 'REOPENED') OVER (PARTITION BY i) AS reopens
         FROM outcomes o
       WINDOW w AS (PARTITION BY i ORDER BY seq)`,
      (now) => [now],
    ],
    [
      'stages of the dispatches',
      // One jsonb per dispatch straight from its instants, as openStage writes a stage, and the highest rung fired.
      `CREATE TEMP TABLE city_rows AS
       SELECT d.*, co.id AS company_id,
              jsonb_build_object('accept', ${stageJson('dispatched_at', 'dispatched_at + accept_t', 'accept_done', true)},
                                 'contact', ${stageJson('dispatched_at', 'dispatched_at + contact_t', 'contact_done', true)},
                                 'reply', ${stageJson('dispatched_at', 'dispatched_at + reply_t', 'reply_done', true)})
                || CASE WHEN visit_needed THEN jsonb_build_object('visit', ${stageJson('dispatched_at', 'dispatched_at + visit_t', 'visit_done', true)}) ELSE '{}'::jsonb END
                || CASE WHEN reply_done <= cut THEN jsonb_build_object('callback', ${stageJson('reply_done', 'reply_done + callback_t', 'callback_done', false)}) ELSE '{}'::jsonb END
                AS stages,
              (ARRAY['NONE', 'DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'])[1 + greatest(
                ${rungRank('dispatched_at', 'dispatched_at + accept_t', 'accept_done', true)},
                ${rungRank('dispatched_at', 'dispatched_at + contact_t', 'contact_done', true)},
                CASE WHEN visit_needed THEN ${rungRank('dispatched_at', 'dispatched_at + visit_t', 'visit_done', true)} ELSE 0 END,
                ${rungRank('dispatched_at', 'dispatched_at + reply_t', 'reply_done', true)},
                CASE WHEN reply_done <= cut THEN ${rungRank('reply_done', 'reply_done + callback_t', 'callback_done', false)} ELSE 0 END)] AS escalation_level
         FROM city_dispatches d JOIN companies co ON co.code = d.company_code`,
      () => [],
    ],
    [
      'tickets',
      `INSERT INTO tickets (id, number, status, category, priority, channel, district, address, address_key, community_key, building_key,
                            citizen_name, citizen_phone, description, company_id, dispatched_at, dispatch_count, reopen_count, repeat_count,
                            policy_version, policy, stages, escalation_level, created_by, workflow_started_at, created_at, updated_at,
                            closed_at, return_allowed_until, resolution)
       SELECT d.ticket_id, d.number,
              CASE WHEN d.outcome = 'CANCELLED' THEN 'CANCELLED' WHEN d.outcome = 'CLOSED' THEN 'CLOSED'
                   WHEN d.accept_done > $1::timestamptz THEN 'RECEIVED' WHEN d.contact_done > $1::timestamptz THEN 'ACCEPTED'
                   WHEN d.visit_needed AND d.visit_done > $1::timestamptz THEN 'CONTACTED'
                   WHEN d.reply_done > $1::timestamptz THEN CASE WHEN d.visit_needed THEN 'VISITED' ELSE 'CONTACTED' END
                   ELSE 'REPLIED' END,
              d.category, d.priority, (ARRAY['PHONE', 'PHONE', 'PHONE', 'WECHAT', 'APP', 'WEB'])[1 + d.i % 6], d.district,
              d.road || d.road_number || '号' || d.entrance || '门' || d.room, d.road || d.road_number || '号' || d.entrance || '门' || d.room,
              d.district_zh || ' ' || d.road || d.road_number || '号', d.district_zh || ' ' || d.road || d.road_number || '号 ' || d.entrance || '门',
              (ARRAY['王女士', '李先生', '张女士', '刘先生', '陈女士', '杨先生'])[1 + d.i % 6], d.phone,
              (ARRAY['卧室只有15度，暖气片不热', '暖气不热，家中有老人', '管道漏水', '整栋楼停热', '申请测温', '咨询退费'])[1 + d.i % 6],
              d.company_id, d.dispatched_at, d.seq, d.reopens, d.repeat_count,
              1, jsonb_build_object('priority', p.priority, 'version', p.version, 'accept', p.accept, 'contact', p.contact, 'visit', p.visit,
                                    'reply', p.reply, 'remediate', p.remediate, 'warningAfter', p.warning_after, 'noticeAfter', p.notice_after,
                                    'calendar', p.calendar, 'returnWindow', p.return_window, 'extensionCap', p.extension_cap,
                                    'designatedFromDispatch', p.designated_from_dispatch, 'callbackWithin', p.callback_within,
                                    'callbackAttempts', p.callback_attempts, 'pauseCap', p.pause_cap),
              d.stages, d.escalation_level, 'city-scale', d.created, d.created, least(coalesce(d.ended_at, $1::timestamptz), $1::timestamptz),
              CASE WHEN d.outcome IN ('CLOSED', 'CANCELLED') THEN d.ended_at END,
              d.dispatched_at + d.return_t,
              CASE WHEN d.reply_done <= d.cut THEN '已处理' END
         FROM city_rows d JOIN sla_policies p ON p.priority = d.priority AND p.version = 1
        WHERE d.seq = d.dispatches`,
      (now) => [now],
    ],
    [
      'ticket number counters',
      // The API's next number of each day comes after the generated ones.
      `INSERT INTO ticket_number_counters (day, last_value)
       SELECT local_day, max(day_seq) FROM city_tickets GROUP BY local_day
       ON CONFLICT (day) DO UPDATE SET last_value = greatest(ticket_number_counters.last_value, excluded.last_value)`,
      () => [],
    ],
    [
      'dispatches',
      `INSERT INTO ticket_dispatches (ticket_id, seq, company_id, dispatched_at, cause, stages, escalation_level, callback, repeat_calls,
                                      return_requests, temperature_tests, temperature_passed, pauses, paused_seconds, outcome, ended_at)
       SELECT d.ticket_id, d.seq, d.company_id, d.dispatched_at,
              CASE WHEN d.seq = 1 THEN 'CREATED' WHEN d.previous_outcome = 'REOPENED' THEN 'REOPENED' ELSE 'REASSIGNED' END,
              d.stages, d.escalation_level,
              CASE WHEN d.callback_done <= d.cut THEN
                CASE WHEN d.outcome = 'REOPENED'
                       THEN jsonb_build_object('reached', true, 'solved', false, 'contacted', true, 'satisfaction', 'UNSATISFIED', 'unitAtFault', true,
                                               'note', '仍不热', 'at', date_trunc('milliseconds', d.callback_done), 'by', 'city-operator', 'outcome', 'EVALUATED', 'attempts', 1)
                     WHEN d.ry < 0.08
                       THEN jsonb_build_object('reached', false, 'note', '未接听', 'at', date_trunc('milliseconds', d.callback_done), 'by', 'city-operator',
                                               'outcome', 'UNREACHED', 'attempts', 3)
                     ELSE jsonb_build_object('reached', true, 'solved', d.ry < 0.9, 'contacted', d.ry < 0.95,
                                             'satisfaction', CASE WHEN d.ry < 0.70 THEN 'SATISFIED' WHEN d.ry < 0.9 THEN 'BASICALLY_SATISFIED' ELSE 'UNSATISFIED' END,
                                             'unitAtFault', false, 'note', '', 'at', date_trunc('milliseconds', d.callback_done), 'by', 'city-operator',
                                             'outcome', 'EVALUATED', 'attempts', 1) END END,
              CASE WHEN d.seq = d.dispatches THEN d.repeat_count ELSE 0 END, (d.outcome IS NOT DISTINCT FROM 'RETURNED')::int,
              coalesce(d.readings_needed AND d.visit_done <= d.cut, false)::int, coalesce(d.readings_needed AND d.visit_done <= d.cut AND d.rb < 0.85, false)::int,
              (d.rx BETWEEN 0.5 AND 0.51)::int, CASE WHEN d.rx BETWEEN 0.5 AND 0.51 THEN (3600 * (1 + 10 * d.rb))::int ELSE 0 END,
              d.outcome, d.ended_at
         FROM city_rows d`,
      () => [],
    ],
    [
      'dispatch facts',
      // What the trigger of migration CityScaleReads writes for each dispatch (triggers are off here), by the
      // migration's own function; skipped on a schema without it (a measurement of the code before it). The
      // generated dispatches are the only ones with none yet (the bench's API-made ones have theirs).
      `DO $$ BEGIN
         IF to_regprocedure('ticket_dispatch_facts_of(ticket_dispatches)') IS NOT NULL THEN
           INSERT INTO ticket_dispatch_facts SELECT f.* FROM ticket_dispatches d CROSS JOIN LATERAL ticket_dispatch_facts_of(d) f
             ON CONFLICT (dispatch_id) DO NOTHING; -- the API's own dispatches have theirs
         END IF;
       END $$`,
      () => [],
    ],
    [
      'escalations',
      // The ladder of each stage as openStage fixes it: DUE_SOON at 80 % of the window, OVERDUE at the deadline,
      // WARNING and PUBLIC_NOTICE the policy's times after it (the callback: DUE_SOON and OVERDUE only). A rung
      // fired when its instant came before the stage was done and before the dispatch ended, against the company
      // of the dispatch, 200 ms after its instant.
      `INSERT INTO escalations (ticket_id, ticket_number, company_id, dispatched_at, stage, level, due_at, fired_at)
       SELECT d.ticket_id, d.number, d.company_id, d.dispatched_at, s.stage, l.level, l.at, l.at + interval '200 milliseconds'
         FROM city_rows d
        CROSS JOIN LATERAL (VALUES
              ('accept', d.dispatched_at, d.dispatched_at + d.accept_t, d.accept_done, true),
              ('contact', d.dispatched_at, d.dispatched_at + d.contact_t, d.contact_done, true),
              ('visit', d.dispatched_at, d.dispatched_at + d.visit_t, d.visit_done, d.visit_needed),
              ('reply', d.dispatched_at, d.dispatched_at + d.reply_t, d.reply_done, true),
              ('callback', d.reply_done, d.reply_done + d.callback_t, d.callback_done, d.reply_done <= d.cut)
             ) AS s(stage, starts, due, done, present)
        CROSS JOIN LATERAL (VALUES ('DUE_SOON', s.starts + (s.due - s.starts) * 0.8), ('OVERDUE', s.due),
                                   ('WARNING', CASE WHEN s.stage <> 'callback' THEN s.due + d.warning_t END),
                                   ('PUBLIC_NOTICE', CASE WHEN s.stage <> 'callback' THEN s.due + d.notice_t END)) AS l(level, at)
        WHERE s.present AND l.at < least(s.done, d.cut)`,
      () => [],
    ],
    [
      'notices',
      `INSERT INTO notices (escalation_id, company_id, company_name, ticket_number, district, stage, overdue_by_seconds, text, published_at)
       SELECT e.id, e.company_id, c.name, e.ticket_number, t.district, e.stage, extract(epoch FROM e.fired_at - e.due_at + (t.policy ->> 'noticeAfter')::interval)::int,
              c.name || '承办的工单' || e.ticket_number || '超时未办结，予以通报批评。', e.fired_at
         FROM escalations e JOIN companies c ON c.id = e.company_id JOIN tickets t ON t.id = e.ticket_id
        WHERE e.level = 'PUBLIC_NOTICE' AND t.created_by = 'city-scale' -- the rungs the earlier parts recorded have their notices
        ORDER BY e.fired_at`,
      () => [],
    ],
    [
      'events',
      // Two a ticket, as in the issue's measurement: its creation and its latest action.
      `INSERT INTO ticket_events (ticket_id, type, actor, role, payload, at)
       SELECT t.id, 'CREATED', 'city-operator', 'operator', '{}'::jsonb, t.created_at FROM tickets t WHERE t.created_by = 'city-scale'
       UNION ALL
       SELECT t.id, CASE t.status WHEN 'RECEIVED' THEN 'ESCALATION_DUE_SOON' WHEN 'ACCEPTED' THEN 'ACCEPT' WHEN 'CONTACTED' THEN 'CONTACT'
                                  WHEN 'VISITED' THEN 'VISIT' WHEN 'REPLIED' THEN 'REPLY' WHEN 'CANCELLED' THEN 'CANCEL' ELSE 'CALLBACK' END,
              'city-crew', 'crew', '{}'::jsonb, t.updated_at
         FROM tickets t WHERE t.created_by = 'city-scale'`,
      () => [],
    ],
    [
      'repeat calls',
      `INSERT INTO repeat_calls (ticket_id, received_at, actor, role, needs_delivery, delivered_at)
       SELECT t.id, t.created_at + interval '1 hour' * n, 'city-operator', 'operator', false, NULL
         FROM tickets t CROSS JOIN LATERAL generate_series(1, t.repeat_count) AS n
        WHERE t.created_by = 'city-scale' AND t.repeat_count > 0`,
      () => [],
    ],
    [
      'an inactive company',
      // One company stopped serving mid-season: the report still lists it for the dispatches it had.
      `UPDATE companies SET active = false WHERE code = 'CITY-JIZHOU-2'`,
      () => [],
    ],
    ['drop the plan', `DROP TABLE city_tickets, city_dispatches, city_rows`, () => []],
  ];
}

/** Rows of the tables the reads touch, and their size on disk (heap + TOAST + indexes). */
async function tableFigures(client: PgClient): Promise<{ rows: Record<string, number>; sizes: string }> {
  const tables = ['tickets', 'ticket_dispatches', 'ticket_dispatch_facts', 'ticket_events', 'escalations', 'notices', 'repeat_calls', 'companies'];
  const rows: Record<string, number> = {};
  const sizes: string[] = [];
  for (const table of tables) {
    // ticket_dispatch_facts is absent on the schema before migration CityScaleReads.
    if (!(await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0].present) continue;
    // PostgreSQL quotes the table name into the count itself (format's %I); the names are the constants above.
    const [{ statement, size }] = (
      await client.query<{ statement: string; size: string }>(`SELECT format('SELECT count(*) AS n FROM %I', $1::text) AS statement, pg_size_pretty(pg_total_relation_size($1::regclass)) AS size`, [table])
    ).rows;
    rows[table] = Number((await client.query<{ n: string }>(statement)).rows[0].n);
    sizes.push(`${table} ${size}`);
  }
  return { rows, sizes: sizes.join(', ') };
}

/** Generates `count` tickets with everything the reports read, then ANALYZE. */
export async function generateCity(stack: BenchStack, count: number, now: Date): Promise<Pick<CityScale, 'rows' | 'steps' | 'generationS' | 'sizes'>> {
  const client = new PgClient({ connectionString: stack.databaseUrl });
  await client.connect();
  const steps: Array<[string, number]> = [];
  const began = Date.now();
  try {
    for (const statement of [
      "SET TimeZone = 'UTC'",
      'SET synchronous_commit = off',
      'SET session_replication_role = replica',
      "SET work_mem = '256MB'",
      "SET maintenance_work_mem = '512MB'",
      'SELECT setseed(0.889)',
    ]) {
      await client.query(statement);
    }
    for (const [name, text, params] of generationSteps()) {
      const stepBegan = Date.now();
      const result = await client.query(text, params(now, count));
      const seconds = (Date.now() - stepBegan) / 1000;
      steps.push([name, seconds]);
      say(`city: ${name}: ${result.rowCount ?? 0} rows in ${round(seconds, 1)} s`);
    }
    const analyzeBegan = Date.now();
    await client.query('RESET session_replication_role');
    await client.query('VACUUM ANALYZE');
    steps.push(['VACUUM ANALYZE', (Date.now() - analyzeBegan) / 1000]);
    say(`city: VACUUM ANALYZE in ${round((Date.now() - analyzeBegan) / 1000, 1)} s`);
    const generationS = (Date.now() - began) / 1000;
    return { ...(await tableFigures(client)), steps, generationS };
  } finally {
    await client.end();
  }
}

/** What an operator would type: phones, numbers and address parts of generated tickets (a building's, a road and number). */
async function searchTerms(stack: BenchStack, count: number): Promise<{ phones: string[]; numbers: string[]; addresses: string[] }> {
  const rows = await stack.query<{ citizen_phone: string; number: string; address: string }>(
    `SELECT citizen_phone, number, address FROM tickets TABLESAMPLE BERNOULLI (1) REPEATABLE (8890) WHERE created_by = 'city-scale' LIMIT $1`,
    [count],
  );
  return {
    phones: rows.map((row) => row.citizen_phone),
    numbers: rows.map((row) => row.number),
    // The building (road, number, entrance), as an operator types it from the caller's words.
    addresses: rows.map((row) => row.address.replace(/\d+$/, '')),
  };
}

interface ReadSpec {
  readonly key: string;
  readonly what: string;
  readonly api: Api;
  readonly paths: readonly string[];
  readonly count: (body: unknown) => string;
}

/** One GET, timed from the request to the last byte of the answer. */
async function timedGet(api: Api, path: string): Promise<{ ms: number; ok: boolean; body: unknown }> {
  const began = process.hrtime.bigint();
  const response = await fetch(`${api.baseUrl}${path}`, { headers: api.token ? { Authorization: `Bearer ${api.token}` } : {} });
  const text = await response.text();
  const ms = Number(process.hrtime.bigint() - began) / 1e6;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { ms, ok: response.ok, body };
}

/** A read slower than the budget allows gets fewer calls (at least MIN_CALLS): a 20 s report is not called 200 times. */
const MIN_CALLS = 10;

async function measureRead(spec: ReadSpec, options: CityOptions): Promise<CityRead> {
  const warmupUntil = Date.now() + (options.budgetS * 1000) / 4;
  let firstMs = Number.NaN;
  for (let index = 0; index < options.warmup && (index === 0 || Date.now() < warmupUntil); index++) {
    const answer = await timedGet(spec.api, spec.paths[index % spec.paths.length]);
    if (index === 0) firstMs = answer.ms;
  }
  const times: number[] = [];
  let failed = 0;
  let last: unknown;
  const until = Date.now() + options.budgetS * 1000;
  for (let index = 0; index < options.calls && (index < MIN_CALLS || Date.now() < until); index++) {
    const answer = await timedGet(spec.api, spec.paths[index % spec.paths.length]);
    if (!answer.ok) failed++;
    times.push(answer.ms);
    last = answer.body;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const read: CityRead = {
    key: spec.key,
    what: spec.what,
    example: spec.paths[0],
    calls: times.length,
    failed,
    p50Ms: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
    firstMs,
    answer: spec.count(last),
  };
  say(`city: ${spec.key}: p50 ${round(read.p50Ms, 1)} ms, p95 ${round(read.p95Ms, 1)} ms, p99 ${round(read.p99Ms, 1)} ms (${read.answer}${failed ? `, ${failed} failed` : ''})`);
  return read;
}

const DAY_MS = 24 * 3_600_000;

function readSpecs(people: { operator: Api; supervisor: Api; public: Api }, terms: { phones: string[]; numbers: string[]; addresses: string[] }, now: Date): ReadSpec[] {
  const items = (body: unknown): string => {
    const list = Array.isArray(body) ? body : ((body as { items?: unknown[] })?.items ?? []);
    return `${list.length} ${Array.isArray(body) ? 'rows' : 'items'}`;
  };
  const q = (values: string[]): string[] => values.map((value) => `/tickets?q=${encodeURIComponent(value)}`);
  const since = (days: number): string => encodeURIComponent(new Date(now.getTime() - days * DAY_MS).toISOString());
  return [
    { key: 'tickets_overdue', what: 'GET /tickets?overdue=true (operator; first page of 50, newest first)', api: people.operator, paths: ['/tickets?overdue=true'], count: items },
    { key: 'search_phone', what: "GET /tickets?q=<a caller's phone> (operator)", api: people.operator, paths: q(terms.phones), count: items },
    { key: 'search_number', what: 'GET /tickets?q=<a ticket number> (operator)', api: people.operator, paths: q(terms.numbers), count: items },
    { key: 'search_address', what: 'GET /tickets?q=<road, number and entrance, e.g. 鞍山西道88号3门> (operator)', api: people.operator, paths: q(terms.addresses), count: items },
    { key: 'overdue_report', what: 'GET /reports/overdue (supervisor; every company, every overdue stage)', api: people.supervisor, paths: ['/reports/overdue'], count: items },
    { key: 'company_report_7d', what: 'GET /reports/companies (supervisor; the default: the last 7 days)', api: people.supervisor, paths: ['/reports/companies'], count: items },
    { key: 'company_report_30d', what: 'GET /reports/companies?from=<30 days ago> (supervisor)', api: people.supervisor, paths: [`/reports/companies?from=${since(30)}&to=${encodeURIComponent(now.toISOString())}`], count: items },
    {
      key: 'company_report_season',
      what: `GET /reports/companies?from=<${SEASON_DAYS} days ago>&to=<now> (supervisor; the whole generated season)`,
      api: people.supervisor,
      paths: [`/reports/companies?from=${since(SEASON_DAYS)}&to=${encodeURIComponent(now.toISOString())}`],
      count: items,
    },
    { key: 'league_table', what: 'GET /public/companies (no login; the default: the last 7 days)', api: people.public, paths: ['/public/companies'], count: items },
    {
      key: 'league_table_season',
      what: `GET /public/companies?from=<${SEASON_DAYS} days ago>&to=<now> (no login)`,
      api: people.public,
      paths: [`/public/companies?from=${since(SEASON_DAYS)}&to=${encodeURIComponent(now.toISOString())}`],
      count: items,
    },
  ];
}

/**
 * auto_explain on the API's sessions: every statement with EXPLAIN (ANALYZE, BUFFERS) and its parameters, into
 * PostgreSQL's log (the stack's log). For the database only, from the next session on: the API is restarted
 * so its pool's sessions load it, and restarted again without it once the plans are taken.
 */
const AUTO_EXPLAIN = [
  ['session_preload_libraries', 'auto_explain'],
  ['auto_explain.log_min_duration', '0'],
  ['auto_explain.log_analyze', 'on'],
  ['auto_explain.log_buffers', 'on'],
  ['auto_explain.log_timing', 'on'],
  ['auto_explain.log_parameter_max_length', '-1'],
] as const;

async function setAutoExplain(stack: BenchStack, on: boolean): Promise<void> {
  const [{ database }] = await stack.query<{ database: string }>('SELECT current_database() AS database');
  for (const [name, value] of AUTO_EXPLAIN) {
    // ALTER DATABASE takes no parameters: PostgreSQL quotes the names and the value itself (format's %I, %L).
    const [{ ddl }] = await stack.query<{ ddl: string }>(
      on ? `SELECT format('ALTER DATABASE %I SET %s = %L', $1::text, $2::text, $3::text) AS ddl` : `SELECT format('ALTER DATABASE %I RESET %s', $1::text, $2::text) AS ddl`,
      on ? [database, name, value] : [database, name],
    );
    await stack.query(ddl);
  }
}

/** The PostgreSQL lines of the stack's log from byte `from` (to byte `to`), put back together (the log interleaves the parts by chunk). */
function postgresLog(stack: BenchStack, from: number, to?: number): string {
  const file = join(stack.dir, 'stack.log');
  if (!existsSync(file)) return '';
  const text = readFileSync(file).subarray(from, to).toString('utf8');
  const lines: string[] = [];
  let part = '';
  for (const line of text.split('\n')) {
    const tagged = /^\[(api|worker|temporal|postgres)\] ?(.*)$/.exec(line);
    if (tagged) {
      part = tagged[1];
      if (part === 'postgres') lines.push(tagged[2].replace(/^\[STDERR\] /, ''));
    } else if (part === 'postgres') lines.push(line);
  }
  return lines.join('\n');
}

function logSize(stack: BenchStack): number {
  const file = join(stack.dir, 'stack.log');
  return existsSync(file) ? statSync(file).size : 0;
}

interface LoggedPlan {
  readonly durationMs: number;
  readonly text: string;
}

/** auto_explain's entries in a stretch of the log: `LOG:  duration: 1.2 ms  plan:` and the tab-indented lines after it. */
function loggedPlans(log: string): LoggedPlan[] {
  const plans: LoggedPlan[] = [];
  let current: { durationMs: number; lines: string[] } | undefined;
  for (const line of log.split('\n')) {
    const head = /LOG: {2}duration: ([\d.]+) ms {2}plan:/.exec(line);
    if (head) {
      if (current) plans.push({ durationMs: current.durationMs, text: current.lines.join('\n') });
      current = { durationMs: Number(head[1]), lines: [] };
    } else if (current && /^\t/.test(line)) current.lines.push(line.slice(1));
    else if (current) {
      plans.push({ durationMs: current.durationMs, text: current.lines.join('\n') });
      current = undefined;
    }
  }
  if (current) plans.push({ durationMs: current.durationMs, text: current.lines.join('\n') });
  return plans;
}

/** The indexes and sequential scans a text plan names, e.g. "idx_tickets_open_overdue, Seq Scan on companies". */
function planShape(plan: string): string {
  const indexes = new Set<string>();
  const seq = new Set<string>();
  for (const match of plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g)) indexes.add(match[1]);
  for (const match of plan.matchAll(/Seq Scan on (\w+)/g)) seq.add(match[1]);
  return [...[...indexes].map((index) => `index ${index}`), ...[...seq].map((table) => `Seq Scan on ${table}`)].join(', ') || 'no table read';
}

/**
 * One call of each read with auto_explain on (after one call unrecorded, so the plan is a warm one), every
 * statement of that call written to `<planDir>/<key>.txt`; the worker is stopped meanwhile. The league table's
 * second call is a hit of its answer cache and runs no SQL: its file holds the first call's statements.
 */
async function capturePlans(stack: BenchStack, specs: ReadSpec[], options: CityOptions): Promise<Map<string, { file: string; summary: string }>> {
  const found = new Map<string, { file: string; summary: string }>();
  // The worker's sweeps would log their statements among the reads' (its pool opens new sessions as it likes).
  await stack.stopWorker();
  await setAutoExplain(stack, true);
  try {
    await stack.restartApi();
    mkdirSync(options.planDir, { recursive: true });
    const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 700)); // the log reaches the file through a pipe
    const statementsFrom = (from: number, to?: number): LoggedPlan[] =>
      loggedPlans(postgresLog(stack, from, to)).filter((plan) => !/^Query Text: (SELECT 1|BEGIN|COMMIT)\b/.test(plan.text));
    for (const spec of specs) {
      const first = logSize(stack);
      const warm = await timedGet(spec.api, spec.paths[0]);
      await settle();
      const mark = logSize(stack);
      const answer = await timedGet(spec.api, spec.paths[0]);
      await settle();
      let plans = statementsFrom(mark);
      let timed = answer;
      let note = '';
      if (plans.length === 0) {
        // A hit of the league table's answer cache runs no SQL: the statements are those of the call that filled it.
        plans = statementsFrom(first, mark);
        timed = warm;
        note = ' (the call that filled the answer cache: the next one, a hit, ran no SQL)';
      }
      const name = `${spec.key}.txt`;
      const header = [
        `# ${spec.what}`,
        `# GET ${spec.paths[0]}: ${round(timed.ms, 1)} ms over HTTP with auto_explain on (its timing adds to every statement)${note}`,
        `# ${plans.length} statements, as PostgreSQL's auto_explain logged them (EXPLAIN ANALYZE, BUFFERS, with the parameters)`,
        '',
      ];
      writeFileSync(join(options.planDir, name), [...header, ...plans.map((plan) => `-- ${round(plan.durationMs, 3)} ms\n${plan.text}\n`)].join('\n'));
      const longest = [...plans].sort((a, b) => b.durationMs - a.durationMs)[0];
      found.set(spec.key, { file: name, summary: longest ? `${round(longest.durationMs, 1)} ms in PostgreSQL; ${planShape(longest.text)}` : 'no statement logged' });
    }
  } finally {
    await setAutoExplain(stack, false);
    await stack.restartApi();
    await stack.startWorker();
  }
  return found;
}

/**
 * The whole section: generation, the reads, their plans. `admin` creates the supervisor the reports need.
 */
export async function measureCityScale(stack: BenchStack, admin: Api, operator: Api, options: CityOptions): Promise<CityScale> {
  const now = new Date();
  say(`city: generating ${round(options.tickets)} tickets with their dispatches, events, rungs and notices by SQL…`);
  const generated = await generateCity(stack, options.tickets, now);
  say(`city: generated in ${round(generated.generationS, 1)} s: ${Object.entries(generated.rows).map(([table, rows]) => `${table} ${round(rows)}`).join(', ')}`);
  const username = `city-supervisor-${Date.now().toString(36)}`;
  const password = `Pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-Aa9`;
  await admin.expect(201, 'POST', '/users', { username, password, role: 'supervisor' });
  const supervisor = await signIn(new Api(stack.baseUrl), username, password);
  const terms = await searchTerms(stack, Math.max(options.calls, 20));
  const specs = readSpecs({ operator, supervisor, public: new Api(stack.baseUrl) }, terms, new Date());
  const reads: CityRead[] = [];
  for (const spec of specs) reads.push(await measureRead(spec, options));
  const notes: string[] = [];
  let plans = new Map<string, { file: string; summary: string }>();
  try {
    plans = await capturePlans(stack, specs, options);
  } catch (error) {
    notes.push(`plans not captured: ${(error as Error).message.split('\n')[0]}`);
    say(`city: plans not captured: ${(error as Error).message}`);
  }
  const withPlans = reads.map((read) => ({ ...read, planFile: plans.get(read.key)?.file, planSummary: plans.get(read.key)?.summary }));
  appendFileSync(join(stack.dir, 'stack.log'), `[bench] city-scale done\n`);
  return { tickets: options.tickets, ...generated, reads: withPlans, targetMs: CITY_TARGET_MS, planLink: options.planLink, notes };
}

/** The rated stages a report judges, for the section's text. */
export const CITY_RATED_STAGES = RATED_STAGES;

/**
 * p95 of each read before the changes of issue 12 (indexes, the company report's SQL, the league table's cache),
 * measured by this module on the same stack with the code as it was: shown next to this run's figure.
 */
export const CITY_BEFORE: { readonly when: string; readonly tickets: number; readonly p95Ms: Readonly<Record<string, number>> } = {
  when: 'commit 37ab828 with this module, 2026-12-01, the same 2-core machine shared with other work (load 2–4)',
  tickets: 1_000_000,
  p95Ms: {
    tickets_overdue: 33.6,
    search_phone: 525.5,
    search_number: 502.4,
    search_address: 512.5,
    overdue_report: 78.5,
    company_report_7d: 630.0,
    company_report_30d: 3022.6,
    company_report_season: 16056.1,
    league_table: 729.8,
    league_table_season: 20063.2,
  },
};

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The p95 of each read against the target, for the report's "Against the targets" table. */
export function cityComparisons(city: CityScale | undefined): Array<{ what: string; value: number | undefined; limit: number }> {
  if (!city) return [];
  return city.reads.map((read) => ({ what: `${read.key} p95 at ${round(city.tickets)} tickets`, value: read.p95Ms, limit: city.targetMs }));
}

/** The report's "Reads at city scale" section. */
export function renderCitySection(city: CityScale): string[] {
  const lines: string[] = [];
  lines.push('## Reads at city scale');
  lines.push('');
  lines.push(
    `${round(city.tickets)} tickets generated by SQL (\`bench/city-scale.ts\`: \`INSERT … SELECT generate_series\` on one session, foreign-key checks and triggers off, every index`,
  );
  lines.push(
    `and check on) over a season of ${SEASON_DAYS} days ending now, ${round(BURST_SHARE * 100)} % of them in its first ${BURST_DAYS} days; the mix of categories, priorities (the category's`,
  );
  lines.push('default, 5 % of heating calls raised to P0), districts (central ones busier), two companies per district, 12 % reassigned or');
  lines.push('returned (2 % twice), reopenings days later; every stage done at 10–80 % of its term, 2 % late per stage, 0.2 % of tickets stuck;');
  lines.push('each stage\'s ladder fired as far as the time let it (escalations, notices), callbacks with the three-level answer.');
  lines.push(
    `Generated in **${round(city.generationS, 0)} s** (${city.steps.filter(([, seconds]) => seconds >= 1).map(([name, seconds]) => `${name} ${round(seconds)} s`).join(', ')}); ${city.sizes}.`,
  );
  lines.push('');
  lines.push(table(['table', 'rows'], Object.entries(city.rows).map(([name, rows]) => [name, round(rows)])));
  lines.push('');
  lines.push(
    'Each read is called over HTTP one call at a time (no concurrency: the latency of one request on an idle service), after a warm-up; the time is',
  );
  lines.push('from sending the request to the last byte of the answer. The plan of every statement a read ran is PostgreSQL\'s own (auto_explain in');
  lines.push('the API\'s sessions, `EXPLAIN ANALYZE, BUFFERS` with the real parameters), taken once after the measurement, in the linked file.');
  lines.push('"first call" is the very first (cold caches; for the league table, a miss of its 30 s answer cache: every later call within');
  lines.push('30 s of it is a hit, so its p95 is that of hits, and a miss costs about what the 7-day company report costs).');
  const before = CITY_BEFORE.tickets > 0;
  if (before) lines.push(`"before" is the p95 of the same read on the code before the changes (${CITY_BEFORE.when}, ${round(CITY_BEFORE.tickets)} tickets).`);
  lines.push('');
  lines.push(
    table(
      ['read', 'what', 'calls', 'first call', 'p50', 'p95', 'p99', `p95 ≤ ${city.targetMs} ms`, ...(before ? ['before (p95)'] : []), 'answer', 'plan'],
      city.reads.map((read) => [
        read.key,
        read.what,
        `${read.calls}${read.failed ? ` (${read.failed} failed)` : ''}`,
        `${round(read.firstMs, 1)} ms`,
        `${round(read.p50Ms, 1)} ms`,
        `**${round(read.p95Ms, 1)} ms**`,
        `${round(read.p99Ms, 1)} ms`,
        read.p95Ms <= city.targetMs ? 'met' : 'missed',
        ...(before ? [CITY_BEFORE.p95Ms[read.key] !== undefined ? `${round(CITY_BEFORE.p95Ms[read.key], 0)} ms` : '–'] : []),
        read.answer,
        read.planFile ? `[${read.planFile}](${city.planLink}/${read.planFile}): ${read.planSummary}` : '–',
      ]),
    ),
  );
  for (const note of city.notes) lines.push(`\n- ${note}`);
  lines.push('');
  return lines;
}
