import { DEFAULT_SLA_POLICIES } from '@app/domain';
import { TicketEventEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, measured, ticketBody } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

/** Tianjin's rules over HTTP (docs/product.md): stages wait on each other, returns, designation, extension caps, repeat calls. */
describe('Tianjin rules over HTTP', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let crewA: SignedIn;
  let crewB: SignedIn;
  let companies: string[];
  let phoneSequence = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    const a = await insertCompany(system.dataSource, ['HEDONG']);
    const b = await insertCompany(system.dataSource, ['HEDONG'], { active: true });
    const c = await insertCompany(system.dataSource, ['HEDONG']);
    companies = [a.id, b.id, c.id];
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    crewA = await loginAs(system, 'crew', a.id);
    crewB = await loginAs(system, 'crew', b.id);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  const body = (overrides: Record<string, unknown> = {}) =>
    ticketBody({ district: 'HEDONG', companyId: companies[0], citizenPhone: `136${String(30_000_000 + ++phoneSequence).slice(-8)}`, ...overrides });
  const create = async (overrides: Record<string, unknown> = {}): Promise<TicketDto> => (await as(operator).post('/tickets').send(body(overrides)).expect(201)).body;
  const events = (ticketId: string, type: string) => system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId, type }, order: { id: 'ASC' } });
  const armed = async (ticketId: string, stage: string, level: string) =>
    (await system.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).query(ticketLifecycleQuery)).rungs.find((rung) => rung.stage === stage && rung.level === level)?.at;

  it('holds the reply back to the remediation deadline after a failed reading, re-armed and audited', async () => {
    const ticket = await create();
    await as(crewA).post(`/tickets/${ticket.id}/accept`).expect(200);
    await as(crewA).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    const cold = (await as(crewA).post(`/tickets/${ticket.id}/visit`).send({ note: '测温', readings: [measured('卧室', 15)] }).expect(200)).body;
    expect(cold.status).toBe('REMEDIATING');
    // Remediation is due 24 h after the failed reading, later than the reply's 24 h from dispatch: the reply waits.
    expect(Date.parse(cold.stages.remediate.dueAt)).toBeGreaterThan(Date.parse(ticket.stages.reply!.dueAt));
    expect(cold.stages.reply.dueAt).toBe(cold.stages.remediate.dueAt);
    const [visit] = await events(ticket.id, 'VISIT');
    expect(visit.payload.held).toEqual([{ stage: 'reply', from: ticket.stages.reply!.dueAt, to: cold.stages.remediate.dueAt }]);
    expect(await armed(ticket.id, 'reply', 'OVERDUE')).toBe(cold.stages.reply.dueAt);
  });

  it('moves the later stages with an approved extension, states the new deadline, and caps the request', async () => {
    const ticket = await create();
    const refused = await as(crewA).post(`/tickets/${ticket.id}/extension`).send({ reason: '配件未到', extendBy: 'PT25H' }).expect(400);
    expect(refused.body.errors).toEqual([{ field: 'extendBy', message: expect.stringContaining('at most PT24H for a P1 ticket') }]);
    await as(crewA).post(`/tickets/${ticket.id}/extension`).send({ reason: '配件未到', extendBy: 'PT24H' }).expect(200);
    const approved = (await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).send({}).expect(200)).body;
    const acceptDue = approved.stages.accept.dueAt;
    expect(Date.parse(acceptDue) - Date.parse(ticket.stages.accept!.dueAt)).toBe(24 * 3_600_000);
    for (const stage of ['contact', 'visit', 'reply']) expect(approved.stages[stage].dueAt).toBe(acceptDue);
    const [approval] = await events(ticket.id, 'EXTENSION_APPROVE');
    expect(approval.payload).toMatchObject({ stage: 'accept', dueAt: acceptDue });
    expect((approval.payload.held as Array<{ stage: string }>).map((move) => move.stage)).toEqual(['contact', 'visit', 'reply']);
    expect(await armed(ticket.id, 'reply', 'OVERDUE')).toBe(acceptDue);
    // P2: at most five working days.
    const billing = await create({ category: 'BILLING' });
    await as(crewA).post(`/tickets/${billing.id}/extension`).send({ reason: '需核查账目', extendBy: 'P6D' }).expect(400);
    await as(crewA).post(`/tickets/${billing.id}/extension`).send({ reason: '需核查账目', extendBy: 'P5D' }).expect(200);
  });

  it('refuses a return after the return window, saying until when it was allowed', async () => {
    // A one-second return window for P1, restored right after the ticket took it.
    await insertPolicyVersion(system.dataSource, 'P1', { ...DEFAULT_SLA_POLICIES.P1, returnWindow: 'PT1S' });
    const ticket = await create();
    await insertPolicyVersion(system.dataSource, 'P1', DEFAULT_SLA_POLICIES.P1);
    expect(Date.parse(ticket.returnAllowedUntil!) - Date.parse(ticket.dispatchedAt)).toBe(1000);
    await eventually(async () => (Date.now() > Date.parse(ticket.returnAllowedUntil!) ? true : undefined), 10_000, 'the return window to pass');
    const refused = await as(crewA).post(`/tickets/${ticket.id}/return`).send({ reason: '不属本公司' }).expect(409);
    expect(refused.body.detail).toContain(`a return was allowed until ${ticket.returnAllowedUntil}`);
    // Within the window (2 h by default for P1) it is allowed.
    const fresh = await create();
    expect(Date.parse(fresh.returnAllowedUntil!) - Date.parse(fresh.dispatchedAt)).toBe(2 * 3_600_000);
    await as(crewA).post(`/tickets/${fresh.id}/return`).send({ reason: '不属本公司' }).expect(200);
  });

  it('designates the ticket on its third dispatch: that company can no longer return it, and the trail says so', async () => {
    const ticket = await create();
    expect(ticket.designated).toBe(false);
    await as(operator).post(`/tickets/${ticket.id}/reassign`).send({ companyId: companies[1] }).expect(200);
    const second = (await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body;
    expect(second).toMatchObject({ dispatchCount: 2, designated: false });
    await as(crewB).post(`/tickets/${ticket.id}/return`).send({ reason: '不属本公司' }).expect(200);
    const third = (await as(operator).post(`/tickets/${ticket.id}/reassign`).send({ companyId: companies[2] }).expect(200)).body;
    expect(third).toMatchObject({ dispatchCount: 3, designated: true });
    const crewC = await loginAs(system, 'crew', companies[2]);
    const refused = await as(crewC).post(`/tickets/${ticket.id}/return`).send({ reason: '不属本公司' }).expect(409);
    expect(refused.body.detail).toMatch(/designated \(指定承办\)/);
    const reassigns = await events(ticket.id, 'REASSIGN');
    expect(reassigns.map((event) => event.payload.designated)).toEqual([false, true]);
  });

  it('raises an open ticket’s priority one step on its second repeat call, through its workflow, and says why', async () => {
    const caller = body({ category: 'BILLING', address: '河东区十一经路1号' });
    const ticket = (await as(operator).post('/tickets').send(caller).expect(201)).body as TicketDto;
    expect(ticket.priority).toBe('P2');
    expect((await as(operator).post('/tickets').send(caller).expect(200)).body).toMatchObject({ id: ticket.id, priority: 'P2', repeatCount: 1 });
    const second = (await as(operator).post('/tickets').send(caller).expect(200)).body;
    expect(second).toMatchObject({ id: ticket.id, priority: 'P1', repeatCount: 2 });
    const [raise] = await events(ticket.id, 'RAISE_PRIORITY');
    expect(raise.payload).toMatchObject({ priority: 'P1', fromPriority: 'P2', reason: '第二次重复来电（催办）' });
    // The open stages now run on P1's limits, counted from the call and never later than before.
    expect(Date.parse(second.stages.accept.dueAt)).toBe(raise.at.getTime() + 30 * 60_000);
    // A third call raises nothing more.
    expect((await as(operator).post('/tickets').send(caller).expect(200)).body).toMatchObject({ priority: 'P1', repeatCount: 3 });
  });
});
