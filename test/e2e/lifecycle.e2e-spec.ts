import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompanyEntity, EscalationEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, measured, SECONDS_POLICY, ticketBody } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

/** Every path of the lifecycle table (docs/product.md, Lifecycle) over HTTP, through the ticket workflows, against real PostgreSQL and Temporal. */
describe('ticket lifecycle over HTTP', () => {
  let system: TestSystem;
  let north: CompanyEntity;
  let south: CompanyEntity;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let crew: SignedIn;
  let otherCrew: SignedIn;
  let phoneSequence = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    north = await insertCompany(system.dataSource, ['NANKAI']);
    south = await insertCompany(system.dataSource, ['JINNAN']);
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    crew = await loginAs(system, 'crew', north.id);
    otherCrew = await loginAs(system, 'crew', south.id);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  /** Each ticket gets its own caller, so repeat-call detection only joins tickets a test means to join. */
  const freshBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
    ticketBody({ citizenPhone: `139${String(10_000_000 + ++phoneSequence).slice(-8)}`, ...overrides });
  async function createTicket(overrides: Record<string, unknown> = {}): Promise<TicketDto> {
    return (await as(operator).post('/tickets').send(freshBody(overrides)).expect(201)).body;
  }
  const eventTypes = async (id: string): Promise<string[]> =>
    (await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: id }, order: { id: 'ASC' } })).map((e) => e.type);

  it('walks a cold-flat ticket through accept, contact, a failed and a passed visit, reply and a satisfied callback', async () => {
    const ticket = await createTicket();
    const accepted = (await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200)).body;
    expect(accepted.status).toBe('ACCEPTED');
    expect(accepted.stages.accept.doneAt).not.toBeNull();
    const contacted = (await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200)).body;
    expect(contacted.status).toBe('CONTACTED');

    const cold = (
      await as(crew)
        .post(`/tickets/${ticket.id}/visit`)
        .send({ note: '卧室偏冷', readings: [measured('卧室', 16.5), measured('客厅', 18.5, 'LIVING_ROOM')] })
        .expect(200)
    ).body;
    expect(cold.status).toBe('REMEDIATING');
    expect(cold.stages.visit.doneAt).not.toBeNull();
    const remediationHours = (Date.parse(cold.stages.remediate.dueAt) - Date.parse(cold.stages.visit.doneAt)) / 3_600_000;
    expect(remediationHours).toBeCloseTo(24, 2);

    const warm = (await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '复测', readings: [measured('卧室', 19)] }).expect(200)).body;
    expect(warm.status).toBe('VISITED');
    expect(warm.stages.remediate.doneAt).not.toBeNull();
    expect(warm.readings.map((reading: { celsius: number }) => reading.celsius)).toEqual([16.5, 18.5, 19]);

    const replied = (await as(crew).post(`/tickets/${ticket.id}/reply`).send({ resolution: '已调节阀门' }).expect(200)).body;
    expect(replied).toMatchObject({ status: 'REPLIED', resolution: '已调节阀门' });
    const closed = (
      await as(operator)
        .post(`/tickets/${ticket.id}/callback`)
        .send({ reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '满意' })
        .expect(200)
    ).body;
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.callback).toMatchObject({ solved: true, satisfaction: 'SATISFIED', by: operator.user.username });
    expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'ACCEPT', 'CONTACT', 'VISIT', 'VISIT', 'REPLY', 'CALLBACK']);
    const events = await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } });
    expect(events[1]).toMatchObject({ actor: crew.user.username, role: 'crew', payload: { from: 'RECEIVED', to: 'ACCEPTED' } });
    if (process.env.RECORD_HISTORIES) {
      // A history with every kind of Update, for the replay test (test/workflows/replay.spec.ts).
      const history = await system.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).fetchHistory();
      writeFileSync(join(__dirname, '../histories/ticket-lifecycle-walkthrough.json'), historyToJSON(temporal.api.history.v1.History.create(history)));
    }
  });

  it('answers 409 to an action the status does not allow, and changes nothing', async () => {
    const ticket = await createTicket();
    const before = await eventTypes(ticket.id);
    const refused = await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: 'too early' }).expect(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.detail).toMatch(/contact is not allowed when the ticket is RECEIVED/);
    await as(operator).post(`/tickets/${ticket.id}/callback`).send({ reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '' }).expect(409);
    expect((await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body.status).toBe('RECEIVED');
    expect(await eventTypes(ticket.id)).toEqual(before);
  });

  it('keeps crews to their company (404), roles to their actions (403) and callers to a token (401)', async () => {
    const ticket = await createTicket();
    await as(otherCrew).get(`/tickets/${ticket.id}`).expect(404);
    await as(otherCrew).post(`/tickets/${ticket.id}/accept`).expect(404);
    await as(operator).post(`/tickets/${ticket.id}/accept`).expect(403);
    await as(supervisor).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'x' }).expect(403);
    await as(crew).post('/tickets').send(freshBody()).expect(403);
    await system.http().post(`/tickets/${ticket.id}/accept`).expect(401);
    expect((await as(supervisor).get(`/tickets/${ticket.id}`).expect(200)).body.citizenPhone).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect((await as(crew).get(`/tickets/${ticket.id}`).expect(200)).body.citizenPhone).toBe(ticket.citizenPhone);
    expect((await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body.status).toBe('RECEIVED');
  });

  it('handles a return: refused back to where it was, then reassigned as a fresh dispatch', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    expect((await as(crew).post(`/tickets/${ticket.id}/return`).send({ reason: '不属本公司' }).expect(200)).body.status).toBe('RETURN_REQUESTED');
    const back = (await as(operator).post(`/tickets/${ticket.id}/reject-return`).send({ reason: '属于贵公司' }).expect(200)).body;
    expect(back.status).toBe('ACCEPTED');
    expect(back.stages).toEqual((await as(operator).get(`/tickets/${ticket.id}`)).body.stages);
    expect(back.stages.contact.dueAt).toBe(ticket.stages.contact!.dueAt);

    await as(crew).post(`/tickets/${ticket.id}/return`).send({ reason: '确实不属本公司' }).expect(200);
    await as(operator).post(`/tickets/${ticket.id}/reassign`).send({ companyId: '6f0f4b1e-9d7e-4a52-8a35-3f0c2a1d9b77' }).expect(422);
    const moved = (await as(operator).post(`/tickets/${ticket.id}/reassign`).send({ companyId: south.id }).expect(200)).body;
    expect(moved).toMatchObject({ status: 'RECEIVED', companyId: south.id, dispatchCount: 2 });
    expect(Date.parse(moved.dispatchedAt)).toBeGreaterThan(Date.parse(ticket.dispatchedAt));
    expect(Date.parse(moved.stages.accept.dueAt)).toBeGreaterThan(Date.parse(ticket.stages.accept!.dueAt));
    expect(moved.stages.accept.doneAt).toBeNull();
    // The old company's crew lost it; the new one has it.
    await as(crew).get(`/tickets/${ticket.id}`).expect(404);
    await as(otherCrew).post(`/tickets/${ticket.id}/accept`).expect(200);
  });

  it('grants one extension per ticket, approved by a supervisor, moving the current deadline', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '缺配件', extendBy: 'P1M' }).expect(400);
    const asked = (await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '缺配件', extendBy: 'PT1H' }).expect(200)).body;
    expect(asked.extension).toMatchObject({ status: 'PENDING', stage: 'accept', extendBy: 'PT1H' });
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: 'again', extendBy: 'PT1H' }).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/extension/approve`).expect(403);
    const approved = (await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).expect(200)).body;
    expect(approved.extension).toMatchObject({ status: 'APPROVED', decidedBy: supervisor.user.username });
    expect(Date.parse(approved.stages.accept.dueAt) - Date.parse(ticket.stages.accept!.dueAt)).toBe(3_600_000);
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: 'more', extendBy: 'PT1H' }).expect(409);
    await as(supervisor).post(`/tickets/${ticket.id}/extension/reject`).send({}).expect(409);
  });

  it('records once, after an approval, that the crew told the citizen of the extension (domain.md §2.4), in the timeline', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({}).expect(409); // nothing approved yet
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '缺配件', extendBy: 'PT1H' }).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({ note: 'too early' }).expect(409); // still pending
    await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).send({}).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({ note: 42 }).expect(400);
    await as(supervisor).post(`/tickets/${ticket.id}/extension/notified`).send({}).expect(403);
    await as(otherCrew).post(`/tickets/${ticket.id}/extension/notified`).send({}).expect(404);
    const told = (await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({ note: '已电话告知新时限及原因' }).expect(200)).body;
    expect(told.status).toBe('RECEIVED');
    expect(told.extension).toMatchObject({ status: 'APPROVED', citizenNotifiedNote: '已电话告知新时限及原因' });
    expect(Date.parse(told.extension.citizenNotifiedAt)).toBeGreaterThanOrEqual(Date.parse(told.extension.decidedAt));
    await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({}).expect(409); // once
    const events = (await as(supervisor).get(`/tickets/${ticket.id}/events`).expect(200)).body as Array<{ type: string; actor: string; payload: Record<string, unknown> }>;
    expect(events.map((event) => event.type)).toEqual(['CREATED', 'EXTENSION', 'EXTENSION_APPROVE', 'EXTENSION_NOTIFIED']);
    expect(events[3]).toMatchObject({ actor: crew.user.username, payload: { note: '已电话告知新时限及原因' } });

    // On its own, without a note.
    const other = await createTicket();
    await as(crew).post(`/tickets/${other.id}/extension`).send({ reason: '缺配件', extendBy: 'PT1H' }).expect(200);
    await as(supervisor).post(`/tickets/${other.id}/extension/approve`).send({}).expect(200);
    const bare = (await as(crew).post(`/tickets/${other.id}/extension/notified`).send({}).expect(200)).body;
    expect(bare.extension).toMatchObject({ citizenNotifiedNote: null });
  });

  it('reopens (重办) on an unsatisfied callback through the unit’s fault', async () => {
    const ticket = await createTicket({ category: 'BILLING', description: '多收费' });
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: 'ok' }).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: 'x', readings: [] }).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/reply`).send({ resolution: '已退费' }).expect(200);
    const reopened = (
      await as(operator)
        .post(`/tickets/${ticket.id}/callback`)
        .send({ reached: true, solved: false, contacted: true, satisfaction: 'UNSATISFIED', unitAtFault: true, note: '未退费' })
        .expect(200)
    ).body;
    expect(reopened).toMatchObject({ status: 'RECEIVED', reopenCount: 1, companyId: north.id, closedAt: null });
    expect(reopened.stages.accept.doneAt).toBeNull();
    expect(Date.parse(reopened.dispatchedAt)).toBeGreaterThan(Date.parse(ticket.dispatchedAt));
  });

  it('raises a priority: open stages re-armed by the new policy from the raise, never later, and audited', async () => {
    const ticket = await createTicket(); // NOT_WARM: P1
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    const raised = (await as(operator).post(`/tickets/${ticket.id}/priority`).send({ priority: 'P0', reason: '独居老人' }).expect(200)).body;
    expect(raised).toMatchObject({ priority: 'P0', status: 'ACCEPTED' });
    const [event] = (await system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId: ticket.id, type: 'RAISE_PRIORITY' } }));
    expect(event).toMatchObject({ actor: operator.user.username, payload: { priority: 'P0', reason: '独居老人', fromPriority: 'P1' } });
    const raisedAt = event.at.getTime();
    const due = (body: TicketDto, stage: 'accept' | 'contact' | 'visit' | 'reply') => Date.parse(body.stages[stage]!.dueAt);
    // P0: contact 20 min and visit 30 min from the raise (earlier than P1's 1 h and 6 h from dispatch);
    // reply 24 h from the raise would be later than P1's 24 h from dispatch, so it stays; accept is done.
    expect(due(raised, 'contact')).toBe(raisedAt + 20 * 60_000);
    expect(due(raised, 'visit')).toBe(raisedAt + 30 * 60_000);
    expect(due(raised, 'reply')).toBe(due(ticket, 'reply'));
    expect(raised.stages.accept).toEqual({ ...ticket.stages.accept, doneAt: raised.stages.accept!.doneAt });
    expect(event.payload.deadlines).toMatchObject({ contact: raised.stages.contact!.dueAt, visit: raised.stages.visit!.dueAt });
    // The workflow re-armed the rungs at the new deadlines.
    const armed = (await system.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).query(ticketLifecycleQuery)).rungs;
    expect(armed.find((rung) => rung.stage === 'contact' && rung.level === 'OVERDUE')?.at).toBe(raised.stages.contact!.dueAt);
    // Only up: the same or a lower priority is refused, as is a bad body.
    await as(operator).post(`/tickets/${ticket.id}/priority`).send({ priority: 'P0', reason: 'again' }).expect(409);
    await as(operator).post(`/tickets/${ticket.id}/priority`).send({ priority: 'P2', reason: 'lower' }).expect(409);
    const bad = await as(operator).post(`/tickets/${ticket.id}/priority`).send({ priority: 'P9' }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['priority', 'reason']);
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
  });

  it('cancels: all timers stop and no action is taken any more', async () => {
    const ticket = await createTicket();
    expect((await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: '重复录入' }).expect(200)).body.status).toBe('CANCELLED');
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(409);
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'again' }).expect(409);
    const handle = system.temporal.workflow.getHandle(ticketWorkflowId(ticket.id));
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('answers a repeat call with the open ticket (200), forceNew with a new one, and reopens a recently closed one', async () => {
    const body = freshBody({ address: '南开区鞍山西道 5 号' });
    const first = (await as(operator).post('/tickets').send(body).expect(201)).body;
    const repeat = await as(operator).post('/tickets').send({ ...body, address: '南开区鞍山西道5号' }).expect(200);
    expect(repeat.body).toMatchObject({ id: first.id, repeatCount: 1 });
    expect(await eventTypes(first.id)).toContain('REPEAT_CALL');
    const forced = (await as(operator).post('/tickets').send({ ...body, forceNew: true }).expect(201)).body;
    expect(forced.id).not.toBe(first.id);

    const billing = freshBody({ category: 'BILLING' });
    const closedLater = (await as(operator).post('/tickets').send(billing).expect(201)).body;
    await as(operator).post(`/tickets/${closedLater.id}/cancel`).send({ reason: 'test' }).expect(200);
    // A cancelled ticket is not reopened: the next call is a new ticket.
    expect((await as(operator).post('/tickets').send(billing).expect(201)).body.id).not.toBe(closedLater.id);

    const leak = freshBody({ category: 'LEAK' });
    const done = (await as(operator).post('/tickets').send(leak).expect(201)).body;
    await as(crew).post(`/tickets/${done.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${done.id}/contact`).send({ note: 'x' }).expect(200);
    await as(crew).post(`/tickets/${done.id}/visit`).send({ note: 'fixed', readings: [] }).expect(200);
    await as(crew).post(`/tickets/${done.id}/reply`).send({ resolution: '已修复' }).expect(200);
    await as(operator).post(`/tickets/${done.id}/callback`).send({ reached: true, solved: true, contacted: true, satisfaction: 'BASICALLY_SATISFIED', unitAtFault: false, note: '' }).expect(200);
    const reopened = await as(operator).post('/tickets').send(leak).expect(200);
    expect(reopened.body).toMatchObject({ id: done.id, status: 'RECEIVED', reopenCount: 1, repeatCount: 1, closedAt: null });
  });

  it('honours Idempotency-Key: a retry gets the first answer and creates nothing', async () => {
    const body = freshBody();
    const count = (): Promise<number> => system.dataSource.getRepository(TicketEntity).count();
    const first = await as(operator).post('/tickets').set('Idempotency-Key', 'call-123').send(body).expect(201);
    const before = await count();
    const retry = await as(operator).post('/tickets').set('Idempotency-Key', 'call-123').send(body).expect(201);
    expect(retry.body).toEqual(first.body);
    expect(await count()).toBe(before);
    await as(operator).post('/tickets').set('Idempotency-Key', 'call-123').send({ ...body, description: 'other' }).expect(422);
    expect(await count()).toBe(before);
  });

  it('answers 409, not 503, when the activity refuses what the workflow allowed (the database moved on)', async () => {
    const ticket = await createTicket();
    // The row changes behind the workflow's back (as when a rung or another writer won a race): the Update's
    // validator still allows accept, the activity's re-check against the row refuses it.
    await system.dataSource.query(`UPDATE tickets SET status = 'RETURN_REQUESTED' WHERE id = $1`, [ticket.id]);
    const before = await eventTypes(ticket.id);
    const refused = await as(crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(409);
    expect(refused.body).toMatchObject({ status: 409, title: 'Action not allowed now' });
    expect(refused.body.detail).toMatch(/accept is not allowed when the ticket is RETURN_REQUESTED/);
    expect(await eventTypes(ticket.id)).toEqual(before);
  });

  it('refuses unknown fields in the bodies of actions that take none (accept, extension approval)', async () => {
    const ticket = await createTicket();
    const accept = await as(crew).post(`/tickets/${ticket.id}/accept`).send({ note: 'on my way' }).expect(400);
    expect(accept.body.errors).toEqual([{ field: 'note', message: 'property note should not exist' }]);
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '配件未到', extendBy: 'PT1H' }).expect(200);
    await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).send({ extendBy: 'P30D' }).expect(400);
    const unchanged = (await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body;
    expect(unchanged).toMatchObject({ status: 'RECEIVED', extension: { status: 'PENDING', extendBy: 'PT1H' } });
    expect(unchanged.stages.accept.dueAt).toBe(ticket.stages.accept?.dueAt);
  });

  it('refuses bad action bodies with 400 naming the field', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: 'x' }).expect(200);
    const bad = await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: 'x', readings: [{ ...measured('卧室', 0), celsius: 'hot' }] }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(['readings[0].celsius']);
    await as(operator).post(`/tickets/${ticket.id}/callback`).send({ reached: 'yes' }).expect(400);
    expect((await as(crew).get(`/tickets/${ticket.id}`)).body.status).toBe('CONTACTED');
  });

  it('re-arms the current stage’s rungs at the extended deadline', async () => {
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT15S', contact: 'PT1H', visit: 'PT1H', reply: 'PT1H' });
    const ticket = await createTicket({ category: 'LEAK' });
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '管井需破拆', extendBy: 'PT5S' }).expect(200);
    const approved = (await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).expect(200)).body;
    const dispatched = Date.parse(ticket.dispatchedAt);
    expect(Date.parse(approved.stages.accept.dueAt) - dispatched).toBe(20_000);
    const accept = (): Promise<EscalationEntity[]> => system.dataSource.getRepository(EscalationEntity).findBy({ ticketId: ticket.id, stage: 'accept' });
    await eventually(async () => ((await accept()).some((row) => row.level === 'OVERDUE') ? true : undefined), 60_000, 'accept overdue');
    const byLevel = Object.fromEntries((await accept()).map((row) => [row.level, row.dueAt.getTime() - dispatched]));
    // 80 % of the extended 20 s window, and the extended deadline: the original instants (12 s, 15 s) never fired.
    expect(byLevel).toMatchObject({ DUE_SOON: 16_000, OVERDUE: 20_000 });
    expect((await accept()).filter((row) => row.level === 'DUE_SOON')).toHaveLength(1);
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);
  });

  it('stops a stage’s rungs the moment it is done, and keeps firing the others', async () => {
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT30S', contact: 'PT2S', visit: 'PT3S', reply: 'PT4S' });
    const ticket = await createTicket({ category: 'LEAK' });
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    const rows = (stage: string): Promise<EscalationEntity[]> => system.dataSource.getRepository(EscalationEntity).findBy({ ticketId: ticket.id, stage: stage as never });
    await eventually(async () => ((await rows('reply')).some((row) => row.level === 'PUBLIC_NOTICE') ? true : undefined), 60_000, 'reply notice');
    expect(await rows('accept')).toEqual([]);
    expect((await rows('contact')).map((row) => row.level).sort()).toEqual(['DUE_SOON', 'OVERDUE', 'PUBLIC_NOTICE', 'WARNING']);
    await as(operator).post(`/tickets/${ticket.id}/cancel`).send({ reason: 'test over' }).expect(200);

    // What supervisors, crews and the public read of it.
    const fired = (await as(supervisor).get(`/tickets/${ticket.id}/escalations`).expect(200)).body;
    expect(fired.length).toBeGreaterThanOrEqual(12);
    expect(fired.every((rung: { ticketNumber: string; stage: string }) => rung.ticketNumber === ticket.number && rung.stage !== 'accept')).toBe(true);
    const notices = (await as(supervisor).get('/escalations').query({ level: 'PUBLIC_NOTICE', companyId: north.id }).expect(200)).body.items;
    expect(notices.filter((rung: { ticketId: string }) => rung.ticketId === ticket.id).map((rung: { stage: string }) => rung.stage).sort()).toEqual([
      'contact',
      'reply',
      'visit',
    ]);
    expect((await as(otherCrew).get('/escalations').expect(200)).body).toEqual({ items: [], nextCursor: null });

    // Every fired rung, page by page (3 a page), newest first, none twice and none left out.
    const paged: Array<{ id: string; firedAt: string }> = [];
    for (let cursor: string | undefined, pages = 0; pages < 50; pages++) {
      const page = (await as(supervisor).get('/escalations').query({ companyId: north.id, limit: 3, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const firedForNorth = await system.dataSource.query(`SELECT id FROM escalations WHERE company_id = $1`, [north.id]);
    expect(firedForNorth.length).toBeGreaterThan(3);
    expect(paged.map((rung) => rung.id).sort()).toEqual(firedForNorth.map((row: { id: string }) => row.id).sort());
    expect(paged.map((rung) => rung.firedAt)).toEqual([...paged.map((rung) => rung.firedAt)].sort().reverse());
    await as(otherCrew).get(`/tickets/${ticket.id}/escalations`).expect(404);
    await as(operator).get('/escalations').expect(403);

    const published = await system.http().get('/public/notices').expect(200);
    expect(published.headers['cache-control']).toMatch(/public/);
    const ours = published.body.items.filter((notice: { ticketNumber: string }) => notice.ticketNumber === ticket.number);
    expect(ours).toHaveLength(3);
    for (const notice of ours) {
      expect(notice).toMatchObject({ companyId: north.id, companyName: north.name, district: 'NANKAI' });
      expect(notice.text).toContain(north.name);
      expect(notice.text).toContain(ticket.number);
      expect(notice.text).toContain('南开区');
      expect(notice.overdueBy).toMatch(/^PT/);
      const serialized = JSON.stringify(notice);
      expect(serialized).not.toContain(ticket.citizenPhone);
      expect(serialized).not.toContain(ticket.citizenName);
      expect(serialized).not.toContain(ticket.address);
    }
    const firstPage = (await system.http().get('/public/notices').query({ limit: 1 }).expect(200)).body;
    expect(firstPage.items).toHaveLength(1);
    const secondPage = (await system.http().get('/public/notices').query({ limit: 1, cursor: firstPage.nextCursor }).expect(200)).body;
    expect(secondPage.items[0].id).not.toBe(firstPage.items[0].id);
    await system.http().get('/public/notices').query({ cursor: 'forged' }).expect(400);
  });

  it('lists tickets by filter and cursor, scoped for crews and masked for supervisors', async () => {
    const listed = async (who: SignedIn, query: Record<string, string | number>): Promise<{ items: TicketDto[]; nextCursor: string | null }> =>
      (await as(who).get('/tickets').query(query).expect(200)).body;
    const mine = await createTicket({ district: 'NANKAI' });
    const theirs = await createTicket({ district: 'JINNAN' });
    const crewView = await listed(crew, { limit: 200 });
    expect(crewView.items.map((item) => item.id)).toContain(mine.id);
    expect(crewView.items.every((item) => item.companyId === north.id)).toBe(true);
    // Asking for another company's tickets, a crew still gets only its own.
    const otherView = await listed(otherCrew, { companyId: north.id, limit: 200 });
    expect(otherView.items.map((item) => item.id)).toContain(theirs.id);
    expect(otherView.items.every((item) => item.companyId === south.id)).toBe(true);
    expect((await listed(operator, { district: 'JINNAN', limit: 200 })).items.map((item) => item.id)).toContain(theirs.id);
    const received = await listed(operator, { status: 'RECEIVED', limit: 200 });
    expect(received.items.map((item) => item.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(received.items.every((item) => item.status === 'RECEIVED')).toBe(true);
    const masked = await listed(supervisor, { limit: 5 });
    expect(masked.items).toHaveLength(5);
    expect(masked.items.every((item) => /\*{4}/.test(item.citizenPhone))).toBe(true);
    // A P0 leak under a seconds-long policy: its contact stage is overdue within seconds.
    await insertPolicyVersion(system.dataSource, 'P0', { ...SECONDS_POLICY, accept: 'PT30S', contact: 'PT2S', visit: 'PT3S', reply: 'PT4S' });
    const late = await createTicket({ category: 'LEAK' });
    await as(crew).post(`/tickets/${late.id}/accept`).expect(200);
    await eventually(async () => ((await as(operator).get(`/tickets/${late.id}`)).body.stages.contact.overdue ? true : undefined), 30_000, 'contact overdue');
    const overdue = await listed(supervisor, { overdue: 'true', limit: 200 });
    expect(overdue.items.map((item) => item.id)).toContain(late.id);
    expect(overdue.items.map((item) => item.id)).not.toContain(mine.id);
    expect(overdue.items.every((item) => Object.values(item.stages).some((stage) => stage.overdue && !stage.doneAt))).toBe(true);
    expect((await listed(supervisor, { overdue: 'false', limit: 200 })).items.map((item) => item.id)).toContain(mine.id);
    await as(operator).post(`/tickets/${late.id}/cancel`).send({ reason: 'test over' }).expect(200);

    // Walking every page gives every ticket once, in a stable order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: TicketDto[]; nextCursor: string | null } = await listed(operator, cursor ? { limit: 3, cursor } : { limit: 3 });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await system.dataSource.getRepository(TicketEntity).count());
    await as(operator).get('/tickets').query({ status: 'LOST' }).expect(400);
    await as(operator).get('/tickets').query({ limit: 0 }).expect(400);
  });

  it('shows the audit trail with who, role, what and when', async () => {
    const ticket = await createTicket();
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    const events = (await as(supervisor).get(`/tickets/${ticket.id}/events`).expect(200)).body;
    expect(events.map((event: { type: string; actor: string; role: string }) => [event.type, event.actor, event.role])).toEqual([
      ['CREATED', operator.user.username, 'operator'],
      ['ACCEPT', crew.user.username, 'crew'],
    ]);
    expect(Date.parse(events[1].at)).toBeGreaterThanOrEqual(Date.parse(events[0].at));
    await as(otherCrew).get(`/tickets/${ticket.id}/events`).expect(404);
  });
});
