import bcrypt from 'bcryptjs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DEMO_DESIGNATED, DEMO_HOTSPOT, DEMO_PAUSED, DEMO_REFUND, seedDemoData, seedDemoTickets } from '@app/devstack';
import { DISTRICTS, formatTicketNumber, localDate, SUSPECTED_OUTAGE } from '@app/domain';
import { TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { HotspotsService } from '@app/reports';
import { bearer, loginAs } from '../support/auth';
import { eventually, startTestSystem, TestSystem } from '../support/system';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** `npm start -- --demo`: companies for all 16 districts and one user per role, seeded once. */
describe('demo data', () => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('seeds companies covering every district and a user per role whose password works', async () => {
    const { seeded, users } = await seedDemoData(database.url, 4);
    expect(seeded).toBe(true);
    expect(users.map((user) => user.role).sort()).toEqual(['admin', 'crew', 'operator', 'supervisor']);
    const { rows: companies } = await client.query<{ districts: string[] }>('SELECT districts FROM companies');
    expect(new Set(companies.flatMap((company) => company.districts))).toEqual(new Set(DISTRICTS));
    for (const user of users) {
      const { rows } = await client.query<{ password_hash: string; role: string; company_id: string | null }>(
        'SELECT password_hash, role, company_id FROM users WHERE username = $1',
        [user.username],
      );
      expect(rows[0].role).toBe(user.role);
      expect(await bcrypt.compare(user.password, rows[0].password_hash)).toBe(true);
      expect(rows[0].company_id === null).toBe(user.role !== 'crew');
    }
    expect(new Set(users.map((user) => user.password)).size).toBe(4);
  });

  it('numbers the refund-eligible ticket from the API counter of its dispatch day', async () => {
    const { rows } = await client.query<{ number: string; dispatched_at: Date; status: string }>(
      'SELECT number, dispatched_at, status FROM tickets WHERE address = $1',
      [DEMO_REFUND.address],
    );
    expect(rows).toHaveLength(1);
    const day = localDate(rows[0].dispatched_at);
    const { rows: counters } = await client.query<{ last_value: number }>('SELECT last_value FROM ticket_number_counters WHERE day = $1', [day]);
    expect(rows[0]).toMatchObject({ status: 'REMEDIATING', number: formatTicketNumber(day, counters[0].last_value) });
  });

  it('seeds nothing the second time', async () => {
    const before = await client.query('SELECT count(*)::int AS n FROM companies');
    expect(await seedDemoData(database.url, 4)).toEqual({ seeded: false, users: [] });
    expect((await client.query('SELECT count(*)::int AS n FROM companies')).rows).toEqual(before.rows);
  });
});

/** The demo's tickets, seeded through the HTTP API of a running stack (API and worker) like `npm start -- --demo` does. */
describe('demo tickets', () => {
  let system: TestSystem;
  let apiUrl: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const server = system.app.getHttpServer() as unknown as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await system?.close();
  });

  it('seeds a designated ticket (three dispatches, its records and audit events), a hot spot of one building, a paused and a refund-eligible ticket', async () => {
    const { seeded, users, refundTicket } = await seedDemoData(system.config.database.url, 4);
    expect(seeded).toBe(true);
    const tickets = await seedDemoTickets(apiUrl, users, 30_000);
    expect(tickets.refund).toBe(refundTicket);

    const designated = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: tickets.designated });
    expect(designated).toMatchObject({ designated: true, dispatchCount: 3, status: 'RECEIVED', district: DEMO_DESIGNATED.district });
    const dispatches: Array<{ seq: number; cause: string; outcome: string | null; code: string }> = await system.dataSource.query(
      `SELECT d.seq, d.cause, d.outcome, c.code FROM ticket_dispatches d JOIN companies c ON c.id = d.company_id WHERE d.ticket_id = $1 ORDER BY d.seq`,
      [tickets.designated],
    );
    expect(dispatches.map(({ cause, outcome, code }) => [cause, outcome, code])).toEqual([
      ['CREATED', 'REASSIGNED', 'TJRL-CITY'],
      ['REASSIGNED', 'REASSIGNED', 'TJRL-SUBURB'],
      ['REASSIGNED', null, 'TJRL-CITY'],
    ]);
    const events = await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: tickets.designated }, order: { id: 'ASC' } });
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['CREATED', 'demo-operator'],
      ['REASSIGN', 'demo-operator'],
      ['REASSIGN', 'demo-operator'],
    ]);
    expect(events[2].payload).toMatchObject({ designated: true });

    const nearby = await system.app.get(HotspotsService).nearby(DEMO_HOTSPOT.district, DEMO_HOTSPOT.addresses[0]);
    expect(nearby.count).toBe(DEMO_HOTSPOT.addresses.length);
    expect(nearby.count).toBeGreaterThanOrEqual(SUSPECTED_OUTAGE.others);
    expect(nearby.suspectedOutage).toBe(true);
    expect(nearby.tickets.map((ticket) => ticket.id).sort()).toEqual([...tickets.hotspot].sort());
  
    const paused = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: tickets.paused });
    expect(paused).toMatchObject({ status: 'ACCEPTED', address: DEMO_PAUSED.address });
    expect(paused.pause).toMatchObject({ status: 'ACTIVE', stage: 'contact', reason: 'RESIDENT_AWAY', requestedBy: 'demo-crew', decidedBy: 'demo-supervisor' });
  });

  it('seeds a refund-eligible ticket whose workflow the start sweeper starts and which the API shows eligible for both rooms', async () => {
    const refund = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ address: DEMO_REFUND.address });
    expect(refund).toMatchObject({ status: 'REMEDIATING', district: DEMO_REFUND.district, category: 'NOT_WARM', priority: 'P1', transitionSeq: 3 });
    expect(refund.stages.remediate).toMatchObject({ doneAt: null });
    expect(refund.stages.reply!.dueAt).toBe(refund.stages.remediate!.dueAt);
    const dispatches = await system.dataSource.getRepository(TicketDispatchEntity).find({ where: { ticketId: refund.id } });
    expect(dispatches.map(({ seq, cause, outcome }) => [seq, cause, outcome])).toEqual([[1, 'CREATED', null]]);
    const events = await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: refund.id }, order: { id: 'ASC' } });
    expect(events.filter((event) => event.actor !== 'system').map((event) => [event.type, event.actor])).toEqual([
      ['CREATED', 'demo-operator'],
      ['ACCEPT', 'demo-crew'],
      ['CONTACT', 'demo-crew'],
      ['VISIT', 'demo-crew'],
    ]);

    // The sweeper (every workflowStartSweepMs, 1 s in tests) starts its workflow, which fires the rungs already due.
    await eventually(async () => {
      const [row]: Array<{ started: boolean }> = await system.dataSource.query('SELECT workflow_started_at IS NOT NULL AS started FROM tickets WHERE id = $1', [refund.id]);
      return row.started || undefined;
    }, 20_000, 'the refund ticket’s workflow started by the sweeper');
    await eventually(async () => {
      const rows: unknown[] = await system.dataSource.query(`SELECT 1 FROM escalations WHERE ticket_id = $1 AND stage = 'remediate' AND level = 'WARNING'`, [refund.id]);
      return rows.length > 0 || undefined;
    }, 20_000, 'the remediation’s overdue rungs fired');
    const escalated = await system.dataSource.getRepository(TicketEntity).findOneByOrFail({ id: refund.id });
    expect(escalated).toMatchObject({ escalationLevel: 'WARNING', status: 'REMEDIATING' });
    expect(escalated.stages.remediate).toMatchObject({ overdue: true, doneAt: null });

    const supervisor = await loginAs(system, 'supervisor');
    const { body } = await system.http().get(`/tickets/${refund.id}`).set(bearer(supervisor.token)).expect(200);
    expect(body.refund.eligible).toBe(true);
    const visitDay = localDate(new Date(refund.readings[0].at));
    const today = localDate(new Date());
    // Every local day from the visit's to today's (two or three: the visit was 47 h ago).
    const days = [visitDay];
    while (days.at(-1)! < today) days.push(new Date(Date.parse(`${days.at(-1)!}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
    expect(days.length).toBeGreaterThanOrEqual(2);
    expect(body.refund.lines).toEqual(
      ['主卧', '客厅'].flatMap((room) =>
        days.map((day) =>
          expect.objectContaining(room === '主卧' ? { room, day, celsius: 15.5, shortfall: 2.5, percent: 50 } : { room, day, celsius: 13, shortfall: 5, percent: 50 }),
        ),
      ),
    );
  });
});
