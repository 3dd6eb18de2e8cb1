import request from 'supertest';
import type { App } from 'supertest/types';
import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { loginAs, SignedIn } from '../support/auth';
import { insertCompany, measured, ticketBody } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * Hostile bodies at the edge (issue 11, bad input): oversized, malformed, invalid UTF-8, deeply nested,
 * huge arrays, very long strings and control characters each get a clear 4xx problem answer, change
 * nothing, and leave the process serving.
 */
describe('bad input at the HTTP edge', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  let ticketId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    ticketId = (await system.http().post('/tickets').set('Authorization', `Bearer ${operator.token}`).send(ticketBody({ district: 'NANKAI' })).expect(201)).body.id;
    await system.http().post(`/tickets/${ticketId}/accept`).set('Authorization', `Bearer ${crew.token}`).send({}).expect(200);
    await system.http().post(`/tickets/${ticketId}/contact`).set('Authorization', `Bearer ${crew.token}`).send({ note: '已联系' }).expect(200);
  });

  afterAll(async () => {
    await system?.close();
  });

  const raw = (path: string, who: SignedIn) =>
    request(system.app.getHttpServer() as App).post(path).set('Authorization', `Bearer ${who.token}`).set('Content-Type', 'application/json');
  const counts = async () => ({
    tickets: await system.dataSource.getRepository(TicketEntity).count(),
    events: await system.dataSource.getRepository(TicketEventEntity).count(),
  });
  const expectProblem = (response: request.Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status });
  };

  it('answers each hostile body with a 4xx problem, changes nothing and keeps serving', async () => {
    const before = await counts();
    const long = 'x'.repeat(50_000);
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const cases: Array<[string, () => request.Test, number]> = [
      ['an oversized body (2 MB)', () => raw('/tickets', operator).send(JSON.stringify(ticketBody({ description: 'd'.repeat(2_000_000) }))), 413],
      ['malformed JSON', () => raw('/tickets', operator).send('{"category": "NOT_WARM",'), 400],
      ['invalid UTF-8', () => raw('/tickets', operator).send(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400],
      ['deeply nested JSON', () => raw('/tickets', operator).send(deep), 400],
      ['a very long text field', () => raw('/tickets', operator).send(JSON.stringify(ticketBody({ description: long }))), 400],
      ['control characters in a name', () => raw('/tickets', operator).send(JSON.stringify(ticketBody({ citizenName: '王\u0000\u0007女士' }))), 400],
      ['a huge readings array', () => raw(`/tickets/${ticketId}/visit`, crew).send(JSON.stringify({ note: '测温', readings: Array.from({ length: 300 }, () => measured('主卧', 15)) })), 400],
      ['a JSON array instead of an object', () => raw('/tickets', operator).send('[1,2,3]'), 400],
    ];
    for (const [what, send, status] of cases) {
      const response = await send();
      try {
        expectProblem(response, status);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}\n${response.text.slice(0, 300)}`);
      }
    }
    expect(await counts()).toEqual(before);
    await system.http().get('/health/live').expect(200);
    // The ticket is as it was: the crew can still visit it normally.
    await system.http().post(`/tickets/${ticketId}/visit`).set('Authorization', `Bearer ${crew.token}`).send({ note: '测温', readings: [measured('主卧', 19)] }).expect(200);
  });
});
