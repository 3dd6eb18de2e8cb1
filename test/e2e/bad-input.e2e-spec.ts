import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TicketEntity, TicketEventEntity } from '@app/persistence';
import { loginAs, SignedIn } from '../support/auth';
import { insertCompany, measured, ticketBody } from '../support/fixtures';
import {
  answerProblems,
  changedTables,
  fieldName,
  fingerprint,
  FuzzRequest,
  FuzzSystem,
  fuzzTargets,
  operationsWithInput,
  requestWith,
  send,
  startFuzzSystem,
  STRONG_PASSWORD,
  textFields,
} from '../support/openapi-fuzz';
import { resolveSchema } from '../support/openapi-operations';
import { startTestSystem, TestSystem } from '../support/system';

/**
 * Hostile bodies at the edge (issue 11, bad input): oversized, malformed, invalid UTF-8, deeply nested,
 * huge arrays, very long strings and control characters each get a clear 4xx problem answer, change
 * nothing, and leave the process serving. The property-based sweep over every operation is
 * test/e2e/fuzz-*.e2e-spec.ts; here are the fixed cases: every text field of the OpenAPI document at
 * lengths past its limit, huge readings, and each defect the fuzzing found.
 */
describe('bad input at the HTTP edge', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let crew: SignedIn;
  let ticketId: string;
  let fuzz: FuzzSystem;

  beforeAll(async () => {
    system = await startTestSystem();
    const company = await insertCompany(system.dataSource, ['NANKAI']);
    operator = await loginAs(system, 'operator');
    crew = await loginAs(system, 'crew', company.id);
    ticketId = (await system.http().post('/tickets').set('Authorization', `Bearer ${operator.token}`).send(ticketBody({ district: 'NANKAI' })).expect(201)).body.id;
    await system.http().post(`/tickets/${ticketId}/accept`).set('Authorization', `Bearer ${crew.token}`).send({}).expect(200);
    await system.http().post(`/tickets/${ticketId}/contact`).set('Authorization', `Bearer ${crew.token}`).send({ note: '已联系' }).expect(200);
    fuzz = await startFuzzSystem(system);
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
      // Found by the fuzzing (FUZZ_SEED=641273930): an array where a reading belongs answered 500.
      ['a reading that is an array', () => raw(`/tickets/${ticketId}/visit`, crew).send(JSON.stringify({ note: '测温', readings: [[]] })), 400],
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

  /** Sends each request, checks a 4xx problem of the expected status and that no table changed; returns what went wrong. */
  async function sendAll(cases: ReadonlyArray<readonly [string, FuzzRequest, readonly number[]]>): Promise<string[]> {
    const failures: string[] = [];
    let before = await fingerprint(system.dataSource);
    for (const [what, fuzzRequest, expected] of cases) {
      const answer = await send(fuzz.baseUrl, fuzzRequest);
      const after = await fingerprint(system.dataSource);
      const problems = answerProblems({ operation: what, violations: [what], expected, request: fuzzRequest }, answer);
      const changed = changedTables(before, after);
      before = after;
      if (changed.length > 0) problems.push(`changed ${changed.join(', ')}`);
      if (problems.length > 0) failures.push(`${what}: ${problems.join('; ')}`);
    }
    return failures;
  }

  it('refuses a too long text in every text field of every operation (from the OpenAPI document): 400, or 413 past 100 KB', async () => {
    const { targets, refused } = await fuzzTargets(fuzz, operationsWithInput(fuzz.operations));
    expect(refused).toEqual([]);
    const cases: Array<readonly [string, FuzzRequest, readonly number[]]> = [];
    for (const target of targets) {
      const { key } = target.operation;
      for (const field of textFields(fuzz.document, target)) {
        const name = `${key} ${fieldName(field.path)}`;
        const at = (value: string): FuzzRequest => requestWith(target, { in: 'body', path: field.path, value });
        if (field.schema.maxLength !== undefined) cases.push([`${name}: maxLength ${field.schema.maxLength} + 1 characters`, at('x'.repeat(field.schema.maxLength + 1)), [400]]);
        cases.push([`${name}: 50,000 characters`, at('x'.repeat(50_000)), [400]]);
        cases.push([`${name}: 60,000 Chinese characters (180 KB)`, at('热'.repeat(60_000)), [413]]);
      }
      for (const parameter of target.operation.parameters) {
        if ((parameter.in !== 'query' && parameter.in !== 'path') || resolveSchema(fuzz.document, parameter.schema ?? {}).type !== 'string') continue;
        cases.push([`${key} ${parameter.in} ${parameter.name}: 3,000 characters`, requestWith(target, { in: parameter.in, name: parameter.name, value: 'x'.repeat(3_000) }), [400]]);
      }
    }
    // The document was read: the ticket's texts and the action notes are among the fields.
    const swept = cases.map(([what]) => what);
    for (const field of ['POST /tickets description', 'POST /tickets citizenName', 'POST /tickets/{id}/visit readings[0].room', 'POST /tickets/{id}/contact note', 'GET /tickets query q']) {
      expect(swept.some((what) => what.startsWith(field))).toBe(true);
    }
    expect(await sendAll(cases)).toEqual([]);
    await system.http().get('/health/live').expect(200);
  });

  it('refuses an array where an object of a list belongs (a refund tier), and keeps the standard', async () => {
    const admin = await loginAs(system, 'admin');
    const put = () => request(system.app.getHttpServer() as App).put('/indoor-standard').set('Authorization', `Bearer ${admin.token}`).set('Content-Type', 'application/json');
    const standard = (await request(system.app.getHttpServer() as App).get('/indoor-standard').set('Authorization', `Bearer ${admin.token}`).expect(200)).body;
    const { version: _version, createdAt: _createdAt, ...terms } = standard;
    expectProblem(await put().send(JSON.stringify({ ...terms, refundTiers: [[]] })), 400);
    expect((await request(system.app.getHttpServer() as App).get('/indoor-standard').set('Authorization', `Bearer ${admin.token}`).expect(200)).body.version).toBe(standard.version);
  });

  it('refuses huge readings arrays on the visit: 400 past 20 readings, 413 past 100 KB, and the ticket stays as it was', async () => {
    const before = await counts();
    const reading = measured('主卧', 15);
    const cases: Array<[string, unknown, number]> = [
      ['21 readings (one past the limit)', Array.from({ length: 21 }, () => reading), 400],
      ['500 readings', Array.from({ length: 500 }, () => reading), 400],
      ['5,000 readings (700 KB)', Array.from({ length: 5_000 }, () => reading), 413],
      ['40,000 numbers for readings', Array.from({ length: 40_000 }, () => 1), 400],
      ['20 readings, each room 1,000 characters (60 KB)', Array.from({ length: 20 }, () => ({ ...reading, room: '卧'.repeat(1_000) })), 400],
    ];
    for (const [what, readings, status] of cases) {
      const response = await raw(`/tickets/${ticketId}/visit`, crew).send(JSON.stringify({ note: '测温', readings }));
      try {
        expectProblem(response, status);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}\n${response.text.slice(0, 300)}`);
      }
    }
    expect(await counts()).toEqual(before);
    await system.http().get('/health/live').expect(200);
  });

  it('refuses each input the fuzzing found let through or answered 500, changing nothing', async () => {
    const [admin, supervisor, homeCrew, changer] = [await loginAs(system, 'admin'), await loginAs(system, 'supervisor'), await loginAs(system, 'crew', fuzz.fixtures.homeCompanyId), await loginAs(system, 'supervisor')];
    const json = (token: string | undefined, body: string | Uint8Array, headers: Record<string, string> = {}) => ({
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...headers },
      body,
    });
    const get = (path: string, token?: string): FuzzRequest => ({ method: 'get', path, query: [], headers: token ? { authorization: `Bearer ${token}` } : {} });
    const post = (path: string, parts: { headers: Record<string, string>; body: string | Uint8Array }): FuzzRequest => ({ method: 'post', path, query: [], ...parts });
    const cursor = (position: object): string => Buffer.from(JSON.stringify(position)).toString('base64url');
    const validTicket = JSON.stringify(ticketBody({ companyId: fuzz.fixtures.homeCompanyId }));
    const [nameStart] = [Buffer.from(validTicket).indexOf(Buffer.from('"citizenName":"')) + '"citizenName":"'.length];
    const invalidUtf8 = Buffer.concat([Buffer.from(validTicket).subarray(0, nameStart), Buffer.from([0xff, 0xfe]), Buffer.from(validTicket).subarray(nameStart)]);
    const cases: Array<readonly [string, FuzzRequest, readonly number[]]> = [
      // Properties dropped in silence by Nest and class-transformer, so the unknown-field check never saw them (were let through).
      ['a __proto__ property', post('/auth/login', json(undefined, '{"username":"admin","password":"wrong password","__proto__":{"role":"admin"}}')), [400]],
      ['a hasOwnProperty property', post('/auth/login', json(undefined, '{"username":"admin","password":"wrong password","hasOwnProperty":false}')), [400]],
      ['a prototype property', post('/auth/password', json(changer.token, JSON.stringify({ currentPassword: changer.user.password, newPassword: STRONG_PASSWORD, prototype: 1 }))), [400]],
      // A form with the right fields passed as JSON (a password was changed by one).
      ['a form body', post('/auth/password', { headers: { authorization: `Bearer ${changer.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ currentPassword: changer.user.password, newPassword: STRONG_PASSWORD }).toString() }), [415]],
      ['a JSON body with no Content-Type', post('/tickets', { headers: { authorization: `Bearer ${operator.token}` }, body: new Uint8Array(Buffer.from(validTicket)) }), [415]],
      // A declared charset other than UTF-8 was decoded by the parser and taken (UTF-7 hides characters).
      ['a JSON body declared UTF-7', post('/tickets', { headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json; charset=utf-7' }, body: validTicket }), [415]],
      ['a JSON body declared latin1', post('/tickets', { headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json; charset=ISO-8859-1' }, body: validTicket }), [415]],
      // Invalid bytes were decoded to U+FFFD and stored.
      ['invalid UTF-8 in a valid ticket’s name', post('/tickets', json(operator.token, new Uint8Array(invalidUtf8))), [400]],
      // A JSON array passed a DTO without fields: the action was applied, the password reset.
      ['a JSON array for an action without input', post(`/tickets/${fuzz.fixtures.ticketId}/accept`, json(homeCrew.token, '[]')), [400]],
      ['a JSON array for a password reset', post(`/users/${fuzz.fixtures.userId}/password-reset`, json(admin.token, '[{}]')), [400]],
      // A long Idempotency-Key reached the keys' index (500) or was taken (the action applied).
      ['a 4,000-character Idempotency-Key', post('/tickets', json(operator.token, validTicket, { 'idempotency-key': randomBytes(3_000).toString('base64') })), [400]],
      ['a 201-character Idempotency-Key', post(`/tickets/${fuzz.fixtures.ticketId}/accept`, json(homeCrew.token, '{}', { 'idempotency-key': 'k'.repeat(201) })), [400]],
      // Control characters in a query reached PostgreSQL (500), or were searched for.
      ['a NUL in a query', get(`/hotspots/nearby?district=NANKAI&address=${encodeURIComponent('鞍山西道\u0000100号')}`, operator.token), [400]],
      ['a control character in a search', get(`/tickets?q=${encodeURIComponent('138\u0001')}`, operator.token), [400]],
      ['a control character in a path parameter', { method: 'put', path: `/seasons/${encodeURIComponent('2026\u0001-2027')}`, query: [], ...json(admin.token, '{"starts":"2026-11-15","ends":"2027-03-15"}') }, [400]],
      ['an unknown __proto__ query parameter', get('/reports/companies?__proto__=1', supervisor.token), [400]],
      // Forged cursors reached PostgreSQL's casts (500).
      ['a cursor whose id is 36 dashes', get(`/escalations?cursor=${cursor({ at: '2026-01-01T00:00:00.000Z', id: '-'.repeat(36) })}`, supervisor.token), [400]],
      ['a cursor at February 30', get(`/public/notices?cursor=${cursor({ at: '2025-02-30T10:00:00Z', id: '00000000-0000-4000-8000-000000000000' })}`), [400]],
      // Dates that do not exist were read as others (March 2, New Year 2020).
      ['an escalation list from February 30', get('/escalations?from=2025-02-30T10:00:00Z', supervisor.token), [400]],
      ['an escalation list from "x 2020"', get(`/escalations?from=${encodeURIComponent('x 2020')}`, supervisor.token), [400]],
    ];
    expect(await sendAll(cases)).toEqual([]);
    // Nothing of it was taken: the password is the same, the ticket still RECEIVED.
    await system.http().post('/auth/login').send({ username: changer.user.username, password: changer.user.password }).expect(200);
    expect((await system.http().get(`/tickets/${fuzz.fixtures.ticketId}`).set('Authorization', `Bearer ${operator.token}`).expect(200)).body).toMatchObject({ status: 'RECEIVED' });
  });

  it('answers what Node refuses before the app (a control character in a header, a header past 16 KB) and keeps serving', async () => {
    const { hostname, port } = new URL(fuzz.baseUrl);
    const exchange = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        let answer = '';
        const socket = connect(Number(port), hostname, () => socket.end(text));
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    expect(await exchange(`GET /health/live HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(`GET /health/live HTTP/1.1\r\nHost: x\r\nIdempotency-Key: ${'k'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    await system.http().get('/health/live').expect(200);
  });
});
