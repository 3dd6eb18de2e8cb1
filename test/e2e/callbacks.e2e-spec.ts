import { DEFAULT_SLA_POLICIES, localDate } from '@app/domain';
import type { SlaPolicyTerms } from '@app/domain';
import { TicketEventEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, ticketBody } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

/** Callbacks and evaluation over HTTP (docs/product.md; domain.md §2.5), with short policies and separate companies. */
describe('callbacks and evaluation over HTTP', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let phoneSequence = 0;
  const startedAt = Date.now();

  beforeAll(async () => {
    system = await startTestSystem();
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  const events = (ticketId: string, type: string) => system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId, type }, order: { id: 'ASC' } });
  const range = () => ({ from: new Date(startedAt - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

  /** A company of its own and its crew, so each rule's report figures are its own. */
  async function company(): Promise<{ id: string; crew: SignedIn }> {
    const row = await insertCompany(system.dataSource, ['HEXI']);
    return { id: row.id, crew: await loginAs(system, 'crew', row.id) };
  }

  /** A BILLING ticket (P2, no visit) of `companyId` replied by its crew, dispatched under `terms` when given. */
  async function replied(of: { id: string; crew: SignedIn }, terms?: Partial<SlaPolicyTerms>): Promise<TicketDto> {
    if (terms) await insertPolicyVersion(system.dataSource, 'P2', { ...DEFAULT_SLA_POLICIES.P2, ...terms });
    const body = ticketBody({ district: 'HEXI', category: 'BILLING', companyId: of.id, citizenPhone: `135${String(40_000_000 + ++phoneSequence).slice(-8)}` });
    const ticket = (await as(operator).post('/tickets').send(body).expect(201)).body as TicketDto;
    if (terms) await insertPolicyVersion(system.dataSource, 'P2', DEFAULT_SLA_POLICIES.P2);
    await as(of.crew).post(`/tickets/${ticket.id}/accept`).send({}).expect(200);
    await as(of.crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    return (await as(of.crew).post(`/tickets/${ticket.id}/reply`).send({ resolution: '已核实退费' }).expect(200)).body;
  }

  const callback = (ticket: TicketDto, body: Record<string, unknown>, status = 200) =>
    as(operator).post(`/tickets/${ticket.id}/callback`).send({ note: '', ...body }).expect(status);
  const companyRow = async (companyId: string) =>
    (await as(supervisor).get('/reports/companies').query(range()).expect(200)).body.items.find((row: { companyId: string }) => row.companyId === companyId);

  it('keeps the callback terms as versioned policy data: defaults, changed by an admin, unchanged when left out', async () => {
    const admin = await loginAs(system, 'admin');
    const policies = (await as(admin).get('/sla-policies').expect(200)).body;
    for (const policy of policies) expect(policy).toMatchObject({ callbackWithin: 'P1D', callbackAttempts: 3 });
    const { callbackWithin: _within, callbackAttempts: _attempts, ...older } = DEFAULT_SLA_POLICIES.P0;
    const changed = (await as(admin).put('/sla-policies/P0').send({ ...older, callbackWithin: 'P2D', callbackAttempts: 5 }).expect(200)).body;
    expect(changed).toMatchObject({ callbackWithin: 'P2D', callbackAttempts: 5 });
    const kept = (await as(admin).put('/sla-policies/P0').send(older).expect(200)).body;
    expect(kept).toMatchObject({ version: changed.version + 1, callbackWithin: 'P2D', callbackAttempts: 5 });
    const bad = await as(admin).put('/sla-policies/P0').send({ ...older, callbackWithin: 'soon', callbackAttempts: 0 }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['callbackAttempts', 'callbackWithin']);
    await as(admin).put('/sla-policies/P0').send(DEFAULT_SLA_POLICIES.P0).expect(200);
  });

  it('opens the callback stage at the reply, with only DUE_SOON and OVERDUE, for the hotline and not against the company', async () => {
    // The stage counts working time: make today and tomorrow (Asia/Shanghai) working days, so the 3 s pass
    // on any day this runs, a weekend or a holiday included.
    const admin = await loginAs(system, 'admin');
    const days = [0, 1].map((offset) => localDate(new Date(Date.now() + offset * 86_400_000)));
    for (const year of new Set(days.map((day) => day.slice(0, 4)))) {
      await as(admin).put(`/calendar/${year}`).send({ holidays: [], workdays: days.filter((day) => day.startsWith(year)) }).expect(200);
    }
    const c = await company();
    const ticket = await replied(c, { callbackWithin: 'PT3S' });
    const stage = ticket.stages.callback!;
    expect(stage).toBeDefined();
    const rungs = (await system.temporal.workflow.getHandle(ticketWorkflowId(ticket.id)).query(ticketLifecycleQuery)).rungs.filter((rung) => rung.stage === 'callback');
    expect(rungs.map((rung) => rung.level)).toEqual(['DUE_SOON', 'OVERDUE']);
    expect(rungs[1].at).toBe(stage.dueAt);
    // Due 3 s of working time after the reply (on a working day: 3 s).
    const overdue = await eventually(async () => (await events(ticket.id, 'ESCALATION_OVERDUE')).find((event) => event.payload.stage === 'callback'), 60_000, 'the callback OVERDUE rung');
    expect(overdue.payload).toMatchObject({ stage: 'callback', level: 'OVERDUE' });
    const after = (await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'REPLIED', escalationLevel: 'NONE', stages: { callback: { overdue: true, doneAt: null } } });
    // The hotline's rungs are not the company's: the crew does not see them, supervisors do.
    const crewEscalations = (await as(c.crew).get('/escalations').expect(200)).body.items;
    expect(crewEscalations.filter((rung: { ticketId: string }) => rung.ticketId === ticket.id)).toEqual([]);
    const allEscalations = (await as(supervisor).get('/escalations').expect(200)).body.items;
    expect(allEscalations.filter((rung: { ticketId: string; stage: string }) => rung.ticketId === ticket.id).map((rung: { stage: string }) => rung.stage)).toEqual(['callback', 'callback']);
    // Nothing of it in the company's figures: no WARNING, no notice, and the company's rated stages all on time.
    expect(await companyRow(c.id)).toMatchObject({ acceptOnTimeRate: 1, contactOnTimeRate: 1, replyOnTimeRate: 1, warnings: 0, notices: 0 });
    const done = (await callback(ticket, { reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false })).body;
    expect(done.status).toBe('CLOSED');
    expect(done.stages.callback.doneAt).not.toBeNull();
  });

  it('keeps an unreached callback REPLIED and closes it as 未联系上 after the policy’s attempts, in no satisfaction rate', async () => {
    const c = await company();
    const ticket = await replied(c, { callbackAttempts: 2 });
    // An unreached callback may leave the answers out, but what it sends is checked: nothing is recorded.
    const stray = (await callback(ticket, { reached: false, solved: 'abc', satisfaction: 'GREAT' }, 400)).body;
    expect(stray.errors.map((error: { field: string }) => error.field).sort()).toEqual(['satisfaction', 'solved']);
    const first = (await callback(ticket, { reached: false, note: '无人接听' })).body;
    expect(first).toMatchObject({ status: 'REPLIED', callbackAttempts: 1, callback: null });
    const second = (await callback(ticket, { reached: false, note: '关机' })).body;
    expect(second).toMatchObject({ status: 'CLOSED', callbackAttempts: 2, callback: { reached: false, outcome: 'UNREACHED', attempts: 2 } });
    expect((await events(ticket.id, 'CALLBACK')).map((event) => [event.payload.attempt, event.payload.outcome])).toEqual([
      [1, 'ATTEMPT'],
      [2, 'UNREACHED'],
    ]);
    const detail = (await as(operator).get(`/tickets/${ticket.id}`).expect(200)).body;
    expect(detail.dispatches[0]).toMatchObject({ outcome: 'CLOSED', callback: { outcome: 'UNREACHED' } });
    expect(await companyRow(c.id)).toMatchObject({ callbacks: 1, evaluations: 0, satisfactionRate: null, responseRate: 0 });
    // A reached callback must carry its answers.
    const other = await replied(c);
    const refused = (await callback(other, { reached: true }, 400)).body;
    expect(refused.errors.map((error: { field: string }) => error.field).sort()).toEqual(['contacted', 'satisfaction', 'solved', 'unitAtFault']);
  });

  it('takes the national five-level scale, reads it on three levels, and rates 响应率 from 是否联系', async () => {
    const c = await company();
    const happy = await replied(c);
    const closed = (await callback(happy, { reached: true, solved: true, contacted: true, satisfaction: 'VERY_SATISFIED', unitAtFault: false })).body;
    expect(closed).toMatchObject({ status: 'CLOSED', callback: { satisfaction: 'SATISFIED', evaluation: 'VERY_SATISFIED', contacted: true, outcome: 'EVALUATED' } });
    const unhappy = await replied(c);
    const reopened = (await callback(unhappy, { reached: true, solved: false, contacted: false, satisfaction: 'VERY_UNSATISFIED', unitAtFault: true })).body;
    expect(reopened).toMatchObject({ status: 'RECEIVED', reopenCount: 1 });
    await callback(happy, { reached: true, solved: true, contacted: true, satisfaction: 'EXTREMELY_SATISFIED', unitAtFault: false }, 400);
    expect(await companyRow(c.id)).toMatchObject({ callbacks: 2, evaluations: 2, satisfactionRate: 0.5, responseRate: 0.5, solvedRate: 0.5 });
    const csv = await as(supervisor).get('/reports/companies').query(range()).set('Accept', 'text/csv').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const lines = (csv.body as Buffer).subarray(3).toString('utf8').split('\r\n');
    const header = lines[0].split(',');
    const row = lines.find((line) => line.endsWith(c.id))!.split(',');
    expect(row[header.indexOf('响应率')]).toBe('0.5');
  });

  it('sends a 不满意 for objective reasons to the supervisors’ review queue, closed or reopened through the workflow', async () => {
    const c = await company();
    const objective = { reached: true, solved: false, contacted: true, satisfaction: 'UNSATISFIED', unitAtFault: false, note: '政策原因' };
    const first = await replied(c);
    const queued = (await callback(first, objective)).body;
    expect(queued).toMatchObject({ status: 'REPLIED', review: { status: 'PENDING' }, callback: { outcome: 'EVALUATED' } });
    expect(queued.closedAt).toBeNull();
    const second = await replied(c);
    await callback(second, objective);
    const queue = (await as(supervisor).get('/tickets').query({ review: 'PENDING', companyId: c.id }).expect(200)).body.items.map((t: TicketDto) => t.id);
    expect(queue).toEqual([first.id, second.id]);
    await as(supervisor).get('/tickets').query({ review: 'PENDING', extension: 'PENDING' }).expect(400);
    await callback(first, { reached: true, solved: true, contacted: true, satisfaction: 'SATISFIED', unitAtFault: false }, 409);
    await as(c.crew).post(`/tickets/${first.id}/review/confirm`).send({}).expect(403);

    const confirmed = (await as(supervisor).post(`/tickets/${first.id}/review/confirm`).send({ reason: '非供热单位原因' }).expect(200)).body;
    expect(confirmed).toMatchObject({ status: 'CLOSED', review: { status: 'CONFIRMED', decidedBy: supervisor.user.username, reason: '非供热单位原因' } });
    await as(supervisor).post(`/tickets/${first.id}/review/confirm`).send({}).expect(409);
    const redo = (await as(supervisor).post(`/tickets/${second.id}/review/reopen`).send({ reason: '可协调解决' }).expect(200)).body;
    expect(redo).toMatchObject({ status: 'RECEIVED', reopenCount: 1, review: { status: 'REOPENED' } });
    expect((await events(first.id, 'REVIEW_CONFIRM'))[0].payload).toMatchObject({ from: 'REPLIED', to: 'CLOSED', review: 'CONFIRMED' });
    expect((await events(second.id, 'REVIEW_REOPEN'))[0].payload).toMatchObject({ from: 'REPLIED', to: 'RECEIVED', review: 'REOPENED', reason: '可协调解决' });
    expect((await as(supervisor).get('/tickets').query({ review: 'PENDING', companyId: c.id }).expect(200)).body.items).toEqual([]);
    const detail = (await as(operator).get(`/tickets/${second.id}`).expect(200)).body;
    expect(detail.dispatches.map((d: { outcome: string | null }) => d.outcome)).toEqual(['REOPENED', null]);
    // Both were valid evaluations, 不满意: the company's 满意率 is 0 over 2; one of its 3 dispatches (the reopening's included) was reopened.
    expect(await companyRow(c.id)).toMatchObject({ callbacks: 2, evaluations: 2, satisfactionRate: 0, reopenRate: 0.3333 });
  });
});
