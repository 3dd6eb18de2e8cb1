import { MigrationInterface, QueryRunner } from 'typeorm';

/** The SLA defaults (docs/product.md, SLA), frozen here: a migration must insert the same rows whenever it runs. */
const INITIAL_POLICIES = [
  ['P0', 'PT15M', 'PT20M', 'PT30M', 'PT24H', 'PT24H', 'PT1H', 'PT12H', '24x7'],
  ['P1', 'PT30M', 'PT1H', 'PT6H', 'PT24H', 'PT24H', 'PT2H', 'PT24H', '24x7'],
  ['P2', 'P1D', 'P1D', null, 'P5D', null, 'P1D', 'P5D', 'workdays'],
];

export class InitialSchema1764316800000 implements MigrationInterface {
  name = 'InitialSchema1764316800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE companies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        districts text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_companies_districts ON companies USING gin (districts)`);

    await queryRunner.query(`
      CREATE TABLE sla_policies (
        priority text NOT NULL CHECK (priority IN ('P0', 'P1', 'P2')),
        version int NOT NULL CHECK (version >= 1),
        accept text NOT NULL,
        contact text NOT NULL,
        visit text,
        reply text NOT NULL,
        remediate text,
        warning_after text NOT NULL,
        notice_after text NOT NULL,
        calendar text NOT NULL CHECK (calendar IN ('24x7', 'workdays')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (priority, version)
      )`);
    for (const policy of INITIAL_POLICIES) {
      await queryRunner.query(
        `INSERT INTO sla_policies (priority, version, accept, contact, visit, reply, remediate, warning_after, notice_after, calendar)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        policy,
      );
    }

    await queryRunner.query(`
      CREATE TABLE calendar_days (
        day date PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('HOLIDAY', 'WORKDAY'))
      )`);

    await queryRunner.query(`
      CREATE TABLE ticket_number_counters (
        day date PRIMARY KEY,
        last_value int NOT NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY,
        number text NOT NULL UNIQUE,
        status text NOT NULL,
        category text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('P0', 'P1', 'P2')),
        channel text NOT NULL,
        district text NOT NULL,
        address text NOT NULL,
        address_key text NOT NULL,
        citizen_name text NOT NULL,
        citizen_phone text NOT NULL,
        description text NOT NULL,
        company_id uuid NOT NULL REFERENCES companies (id),
        dispatched_at timestamptz NOT NULL,
        dispatch_count int NOT NULL DEFAULT 1,
        reopen_count int NOT NULL DEFAULT 0,
        repeat_count int NOT NULL DEFAULT 0,
        policy_version int NOT NULL,
        policy jsonb NOT NULL,
        stages jsonb NOT NULL DEFAULT '{}'::jsonb,
        escalation_level text NOT NULL DEFAULT 'NONE',
        extension jsonb,
        readings jsonb NOT NULL DEFAULT '[]'::jsonb,
        callback jsonb,
        created_by text,
        workflow_started_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_tickets_company_status ON tickets (company_id, status)`);
    await queryRunner.query(`CREATE INDEX idx_tickets_created ON tickets (created_at, id)`);
    await queryRunner.query(`CREATE INDEX idx_tickets_repeat_match ON tickets (citizen_phone, category, address_key)`);
    // The start sweeper scans only tickets whose workflow has not started: a small partial index.
    await queryRunner.query(`CREATE INDEX idx_tickets_workflow_pending ON tickets (created_at) WHERE workflow_started_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE ticket_events (
        id bigserial PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        type text NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_ticket_events_ticket ON ticket_events (ticket_id, id)`);

    await queryRunner.query(`
      CREATE TABLE escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        ticket_number text NOT NULL,
        company_id uuid NOT NULL REFERENCES companies (id),
        dispatched_at timestamptz NOT NULL,
        stage text NOT NULL,
        level text NOT NULL CHECK (level IN ('DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE')),
        due_at timestamptz NOT NULL,
        fired_at timestamptz NOT NULL,
        CONSTRAINT uq_escalations_rung UNIQUE (ticket_id, dispatched_at, stage, level)
      )`);
    await queryRunner.query(`CREATE INDEX idx_escalations_company_fired ON escalations (company_id, fired_at)`);
    await queryRunner.query(`CREATE INDEX idx_escalations_level_fired ON escalations (level, fired_at)`);

    // Append-only means append-only: the audit trail refuses updates and deletes at the database.
    await queryRunner.query(`
      CREATE FUNCTION forbid_ticket_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ticket_events is append-only';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION forbid_ticket_event_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE escalations`);
    await queryRunner.query(`DROP TRIGGER ticket_events_append_only ON ticket_events`);
    await queryRunner.query(`DROP FUNCTION forbid_ticket_event_change`);
    await queryRunner.query(`DROP TABLE ticket_events`);
    await queryRunner.query(`DROP TABLE tickets`);
    await queryRunner.query(`DROP TABLE ticket_number_counters`);
    await queryRunner.query(`DROP TABLE calendar_days`);
    await queryRunner.query(`DROP TABLE sla_policies`);
    await queryRunner.query(`DROP TABLE companies`);
  }
}
