import { DEFAULT_SLA_POLICIES } from '@app/domain';
import { TicketDispatchEntity, TicketEventEntity } from '@app/persistence';
import type { TicketDto } from '@app/tickets';
import { ticketLifecycleQuery, ticketWorkflowId } from '@app/workflows';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertPolicyVersion, measured, ticketBody } from '../support/fixtures';
import { eventually, startTestSystem, TestSystem } from '../support/system';

const HOUR_MS = 3_600_000;

/**
 * Pauses with evidence and a cap, the indoor standard as versioned data, readings by the method, and telling
 * the citizen of an extension with the next step, over HTTP (docs/product.md).
 */
describe('pauses, the indoor standard and readings over HTTP', () => {
  let system: TestSystem;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let admin: SignedIn;
  let crew: SignedIn;
  let companyId: string;
  let phoneSequence = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    companyId = (await insertCompany(system.dataSource, ['HEXI'])).id;
    operator = await loginAs(system, 'operator');
    supervisor = await loginAs(system, 'supervisor');
    admin = await loginAs(system, 'admin');
    crew = await loginAs(system, 'crew', companyId);
  });

  afterAll(async () => {
    await system?.close();
  });

  const as = (who: SignedIn) => authed(system, who.token);
  const create = async (overrides: Record<string, unknown> = {}): Promise<TicketDto> =>
    (await as(operator).post('/tickets').send(ticketBody({ district: 'HEXI', companyId, citizenPhone: `137${String(40_000_000 + ++phoneSequence).slice(-8)}`, ...overrides })).expect(201)).body;
  const accepted = async (overrides: Record<string, unknown> = {}): Promise<TicketDto> => {
    const ticket = await create(overrides);
    await as(crew).post(`/tickets/${ticket.id}/accept`).expect(200);
    return ticket;
  };
  const events = (ticketId: string, type: string) => system.dataSource.getRepository(TicketEventEntity).find({ where: { ticketId, type }, order: { id: 'ASC' } });
  const armedStages = async (ticketId: string) =>
    new Set((await system.temporal.workflow.getHandle(ticketWorkflowId(ticketId)).query(ticketLifecycleQuery)).rungs.map((rung) => rung.stage));
  const askPause = (ticketId: string) => as(crew).post(`/tickets/${ticketId}/pause`).send({ reason: 'RESIDENT_AWAY', note: '敲门无人，电话未接', callAttempts: 3 });

  it('stops the clock from the approval to the resume: the stage and its rungs move by the paused time, once per stage', async () => {
    const ticket = await accepted();
    const asked = (await askPause(ticket.id).expect(200)).body;
    expect(asked.pause).toMatchObject({ status: 'PENDING', stage: 'contact', reason: 'RESIDENT_AWAY', callAttempts: 3, requestedBy: crew.user.username });
    const queue = (await as(supervisor).get('/tickets?pause=PENDING').expect(200)).body;
    expect(queue.items.map((item: TicketDto) => item.id)).toContain(ticket.id);
    await askPause(ticket.id).expect(409);

    const approved = (await as(supervisor).post(`/tickets/${ticket.id}/pause/approve`).send({}).expect(200)).body;
    expect(approved.pause.status).toBe('ACTIVE');
    expect(Date.parse(approved.pause.endsBy) - Date.parse(approved.pause.startedAt)).toBe(48 * HOUR_MS);
    // While the clock stands still, contact's rungs and those of the stages waiting on it are not armed.
    expect(await armedStages(ticket.id)).not.toContain('contact');
    expect(await armedStages(ticket.id)).not.toContain('reply');
    expect((await as(supervisor).get('/tickets?pause=PENDING').expect(200)).body.items.map((item: TicketDto) => item.id)).not.toContain(ticket.id);

    const resumed = (await as(crew).post(`/tickets/${ticket.id}/resume`).send({ note: '住户已回家' }).expect(200)).body;
    expect(resumed.pause).toMatchObject({ status: 'ENDED', endedBy: crew.user.username, endedAtCap: false });
    const pausedMs = Date.parse(resumed.pause.endedAt) - Date.parse(resumed.pause.startedAt);
    expect(resumed.pause.pausedMs).toBe(pausedMs);
    expect(resumed.stages.contact.pausedMs).toBe(pausedMs);
    expect(Date.parse(resumed.stages.contact.dueAt)).toBe(Date.parse(ticket.stages.contact!.dueAt) + pausedMs);
    expect(await armedStages(ticket.id)).toContain('contact');
    const [resume] = await events(ticket.id, 'RESUME');
    expect(resume.payload).toMatchObject({ pause: { stage: 'contact', pausedMs, endedAtCap: false, dueAt: resumed.stages.contact.dueAt } });
    expect((await events(ticket.id, 'PAUSE_APPROVE'))[0].payload).toMatchObject({ stage: 'contact', endsBy: approved.pause.endsBy });

    const again = await askPause(ticket.id).expect(409);
    expect(again.body.detail).toContain('already had its one pause');
    const [dispatch] = await system.dataSource.getRepository(TicketDispatchEntity).find({ where: { ticketId: ticket.id } });
    expect(dispatch).toMatchObject({ pauses: 1, pausedSeconds: Math.round(pausedMs / 1000) });
    const from = new Date(Date.now() - HOUR_MS).toISOString();
    const to = new Date(Date.now() + HOUR_MS).toISOString();
    const report = (await as(supervisor).get(`/reports/companies?from=${from}&to=${to}`).expect(200)).body;
    expect(report.items.find((row: { companyId: string }) => row.companyId === companyId)).toMatchObject({ pauses: 1, pausedSeconds: Math.round(pausedMs / 1000) });
  });

  it('refuses a bad request naming the fields, a stage that needs no resident, and a rejected pause never stops the clock', async () => {
    const received = await create();
    const bad = await as(crew).post(`/tickets/${received.id}/pause`).send({ reason: 'BORED', note: '' }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['callAttempts', 'note', 'reason']);
    const refused = await askPause(received.id).expect(409);
    expect(refused.body.detail).toContain('accept stage cannot be paused');

    const ticket = await accepted();
    await askPause(ticket.id).expect(200);
    const rejected = (await as(supervisor).post(`/tickets/${ticket.id}/pause/reject`).send({ reason: '请先联系物业' }).expect(200)).body;
    expect(rejected.pause).toMatchObject({ status: 'REJECTED', decidedBy: supervisor.user.username, decisionReason: '请先联系物业' });
    expect(rejected.stages.contact.dueAt).toBe(ticket.stages.contact!.dueAt);
    await as(crew).post(`/tickets/${ticket.id}/resume`).send({}).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/pause/approve`).send({}).expect(403);
  });

  it('ends the pause when the stage is done while paused, judged by its moved deadline', async () => {
    const ticket = await accepted();
    await askPause(ticket.id).expect(200);
    await as(supervisor).post(`/tickets/${ticket.id}/pause/approve`).send({}).expect(200);
    const contacted = (await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '住户回电，已联系' }).expect(200)).body;
    expect(contacted.status).toBe('CONTACTED');
    expect(contacted.pause.status).toBe('ENDED');
    expect(contacted.stages.contact.doneAt).not.toBeNull();
    expect(contacted.stages.contact.pausedMs).toBe(contacted.pause.pausedMs);
  });

  it('records readings with room type, method and who measured; only a room the standard names, measured by the method, judges', async () => {
    const ticket = await accepted();
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    const kitchenOnly = await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '测温', readings: [measured('厨房', 12, 'KITCHEN')] }).expect(400);
    expect(kitchenOnly.body.errors).toEqual([{ field: 'readings', message: expect.stringContaining('卧室、起居室') }]);
    const windowOpen = { ...measured('次卧', 12), method: { ...measured('次卧', 12).method, doorsAndWindowsClosed: false } };
    const noMethod = await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '测温', readings: [{ room: '主卧', roomType: 'BEDROOM', celsius: 15 }] }).expect(400);
    expect(noMethod.body.errors.map((error: { field: string }) => error.field)).toEqual(['readings[0].method']);
    const visited = (await as(crew).post(`/tickets/${ticket.id}/visit`).send({ note: '测温', readings: [measured('主卧', 18.5), windowOpen, measured('厨房', 12, 'KITCHEN')] }).expect(200)).body;
    // The open-window bedroom and the kitchen do not judge: the one valid bedroom reading passes.
    expect(visited.status).toBe('VISITED');
    expect(visited.readings).toEqual([
      expect.objectContaining({ room: '主卧', roomType: 'BEDROOM', judges: true, measuredBy: crew.user.username }),
      expect.objectContaining({ room: '次卧', judges: false }),
      expect.objectContaining({ room: '厨房', roomType: 'KITCHEN', judges: false }),
    ]);
    expect(visited.indoorStandard).toMatchObject({ version: 1, celsius: 18, rooms: ['BEDROOM', 'LIVING_ROOM'] });
  });

  it('records that the citizen was told of the approved extension with the next step, once', async () => {
    const ticket = await accepted();
    await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系', extensionNotified: true }).expect(409);
    await as(crew).post(`/tickets/${ticket.id}/extension`).send({ reason: '住户下午才在家', extendBy: 'PT4H' }).expect(200);
    await as(supervisor).post(`/tickets/${ticket.id}/extension/approve`).send({}).expect(200);
    const contacted = (await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系并告知延期', extensionNotified: true }).expect(200)).body;
    expect(contacted.extension).toMatchObject({ status: 'APPROVED', citizenNotifiedNote: '随联系告知' });
    expect(contacted.extension.citizenNotifiedAt).toBeDefined();
    await as(crew).post(`/tickets/${ticket.id}/extension/notified`).send({}).expect(409);
    expect((await events(ticket.id, 'CONTACT'))[0].payload).toMatchObject({ extensionNotified: true });
  });

  it('keeps the indoor standard as versioned admin data: new tickets take the newest, tickets in flight keep theirs', async () => {
    const before = await accepted();
    const current = (await as(crew).get('/indoor-standard').expect(200)).body;
    expect(current).toMatchObject({ version: 1, celsius: 18, rooms: ['BEDROOM', 'LIVING_ROOM'], refundTiers: [{ maxShortfall: 2, percent: 10 }, { maxShortfall: 6, percent: 50 }, { maxShortfall: null, percent: 100 }] });
    const terms = { celsius: 20, rooms: ['BEDROOM', 'LIVING_ROOM'], refundTiers: current.refundTiers };
    await as(crew).put('/indoor-standard').send(terms).expect(403);
    const unordered = await as(admin).put('/indoor-standard').send({ ...terms, refundTiers: [{ maxShortfall: 6, percent: 50 }, { maxShortfall: 2, percent: 10 }, { maxShortfall: null, percent: 100 }] }).expect(400);
    expect(unordered.body.errors[0]).toMatchObject({ field: 'refundTiers' });
    await as(admin).put('/indoor-standard').send({ ...terms, rooms: ['GARAGE'] }).expect(400);
    expect((await as(crew).get('/indoor-standard').expect(200)).body.version).toBe(1);

    const stored = (await as(admin).put('/indoor-standard').send(terms).expect(200)).body;
    expect(stored).toMatchObject({ version: 2, celsius: 20, createdBy: admin.user.username });
    const after = await accepted();
    expect(after.indoorStandard).toMatchObject({ version: 2, celsius: 20 });
    for (const ticket of [before, after]) await as(crew).post(`/tickets/${ticket.id}/contact`).send({ note: '已联系' }).expect(200);
    const visit = (ticketId: string) => as(crew).post(`/tickets/${ticketId}/visit`).send({ note: '测温', readings: [measured('主卧', 19)] }).expect(200);
    expect((await visit(before.id)).body.status).toBe('VISITED');
    expect((await visit(after.id)).body.status).toBe('REMEDIATING');
    await as(admin).put('/indoor-standard').send({ ...terms, celsius: 18 }).expect(200);
  });

  it('resumes the clock by itself at the cap: the system ends the pause and the stage moves by the cap', async () => {
    await insertPolicyVersion(system.dataSource, 'P0', { ...DEFAULT_SLA_POLICIES.P0, pauseCap: 'PT2S' });
    const ticket = await accepted({ category: 'LEAK' });
    await askPause(ticket.id).expect(200);
    await as(supervisor).post(`/tickets/${ticket.id}/pause/approve`).send({}).expect(200);
    const ended = await eventually(async () => {
      const current: TicketDto = (await as(crew).get(`/tickets/${ticket.id}`).expect(200)).body;
      return current.pause?.status === 'ENDED' ? current : undefined;
    }, 30_000, 'the pause to end at its cap');
    expect(ended.pause).toMatchObject({ endedAtCap: true, endedBy: 'system', pausedMs: 2000 });
    expect(Date.parse(ended.stages.contact!.dueAt)).toBe(Date.parse(ticket.stages.contact!.dueAt) + 2000);
    const [resume] = await events(ticket.id, 'RESUME');
    expect(resume).toMatchObject({ actor: 'system', role: 'system' });
  });
});
