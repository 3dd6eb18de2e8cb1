import bcrypt from 'bcryptjs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DEMO_DESIGNATED, DEMO_HOTSPOT, seedDemoData, seedDemoTickets } from '@app/devstack';
import { DISTRICTS, SUSPECTED_OUTAGE } from '@app/domain';
import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { HotspotsService } from '@app/reports';
import { startTestSystem, TestSystem } from '../support/system';
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

  it('seeds a designated ticket (three dispatches, its records and audit events) and a hot spot of one building', async () => {
    const { seeded, users } = await seedDemoData(system.config.database.url, 4);
    expect(seeded).toBe(true);
    const tickets = await seedDemoTickets(apiUrl, users, 30_000);

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
  });
});
