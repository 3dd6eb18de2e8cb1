import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { DEFAULT_SLA_POLICIES, EMPTY_CALENDAR, rungInstants } from '@app/domain';
import type { ActionInput, Stage } from '@app/domain';
import { CalendarDayEntity, dataSourceOptions, TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { WorkCalendarService } from '@app/sla';
import { TicketActivitiesService, workflowStateOf } from '@app/tickets';
import { SYSTEM_ACTOR, TRANSITION_REFUSED } from '@app/workflows';
import type { TicketActionRequest, WorkflowTicketState } from '@app/workflows';
import { insertCompany, insertDispatchedTicket } from '../support/fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/**
 * Pauses against real PostgreSQL: asked by the crew, approved by a supervisor (the clock stops), resumed by
 * the crew or at the cap; the stage's deadline and rungs move by the paused time, later stages are held to
 * it, and the dispatch counts the pause. Every instant is passed explicitly: no real time matters.
 */
describe('pauses (TicketActivitiesService.applyTransition)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let calendars: WorkCalendarService;
  let activities: TicketActivitiesService;
  let companyId: string;
  let otherCompanyId: string;

  // Monday 2026-12-07 10:00 in Tianjin. P1 (NOT_WARM, 24x7): accept due 10:30, contact 11:00, visit 16:00, reply the next day 10:00.
  const DISPATCHED = '2026-12-07T02:00:00.000Z';
  const ACCEPTED = '2026-12-07T02:10:00.000Z';
  const ASKED = '2026-12-07T02:20:00.000Z';
  const APPROVED = '2026-12-07T02:30:00.000Z'; // T
  const ENDS_BY = '2026-12-09T02:30:00.000Z'; // T + 48 h
  const CONTACT_DUE = '2026-12-07T03:00:00.000Z';
  const VISIT_DUE = '2026-12-07T08:00:00.000Z';
  const REPLY_DUE = '2026-12-08T02:00:00.000Z';
  const HOUR = 3_600_000;
  const policy = { priority: 'P1' as const, version: 1, ...DEFAULT_SLA_POLICIES.P1 };

  const crew = { username: 'crew-1', role: 'crew' as const };
  const supervisor = { username: 'supervisor-1', role: 'supervisor' as const };
  const operator = { username: 'operator-1', role: 'operator' as const };

  const ASK: ActionInput = { action: 'pause', reason: 'RESIDENT_AWAY', note: '住户外出，电话三次未接', callAttempts: 3 };
  const PAUSED_STAGES: readonly Stage[] = ['contact', 'visit', 'remediate', 'reply', 'callback'];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    calendars = new WorkCalendarService(dataSource.getRepository(CalendarDayEntity));
    activities = new TicketActivitiesService(dataSource, calendars);
    companyId = (await insertCompany(dataSource, ['NANKAI'])).id;
    otherCompanyId = (await insertCompany(dataSource, ['NANKAI'])).id;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** A dispatched P1 ticket and its first dispatch's row, as the API creates them. */
  const insertTicket = async (): Promise<TicketEntity> => {
    const ticket = await insertDispatchedTicket(dataSource, { companyId, dispatchedAt: new Date(DISPATCHED), category: 'NOT_WARM', calendar: await calendars.load() });
    await dataSource.getRepository(TicketDispatchEntity).insert({
      ticketId: ticket.id,
      seq: 1,
      companyId,
      dispatchedAt: ticket.dispatchedAt,
      cause: 'CREATED',
      stages: ticket.stages,
      extension: null,
      escalationLevel: 'NONE',
    });
    return ticket;
  };

  const apply = (ticketId: string, seq: number, at: string, input: ActionInput, actor: TicketActionRequest['actor'] = crew): Promise<WorkflowTicketState> =>
    activities.applyTransition({ ticketId, seq, at, request: { input, actor } });

  /** Accepted, pause asked on contact, approved at T: seq 1–3 applied. */
  const pausedTicket = async (): Promise<TicketEntity> => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });
    await apply(ticket.id, 2, ASKED, ASK);
    await apply(ticket.id, 3, APPROVED, { action: 'pause-approve' }, supervisor);
    return ticket;
  };

  const stored = (id: string): Promise<TicketEntity> => dataSource.getRepository(TicketEntity).findOneByOrFail({ id });
  const dispatches = (ticketId: string): Promise<TicketDispatchEntity[]> => dataSource.getRepository(TicketDispatchEntity).find({ where: { ticketId }, order: { seq: 'ASC' } });
  const event = async (ticketId: string, type: string): Promise<TicketEventEntity> => {
    const events = await dataSource.getRepository(TicketEventEntity).findBy({ ticketId, type });
    expect(events).toHaveLength(1);
    return events[0];
  };
  const rungStages = (state: WorkflowTicketState): Stage[] => [...new Set(state.rungs.map((rung) => rung.stage))].sort();
  const expectRefused = async (attempt: Promise<unknown>, message: RegExp): Promise<void> => {
    await expect(attempt).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(attempt).rejects.toMatchObject({ type: TRANSITION_REFUSED, nonRetryable: true, message: expect.stringMatching(message) });
  };

  it('stops the clock at the approval, and moves the contact deadline and its rungs by exactly the 3 h paused', async () => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });

    // Asked: nothing stands still yet.
    const asked = await apply(ticket.id, 2, ASKED, ASK);
    expect(asked.pause).toMatchObject({ status: 'PENDING', stage: 'contact', reason: 'RESIDENT_AWAY', callAttempts: 3, requestedAt: ASKED, requestedBy: 'crew-1' });
    expect(rungStages(asked)).toEqual(['contact', 'reply', 'visit']);
    expect(asked.pauseEndsAt).toBeNull();

    // Approved at T: the clock stops; no rung of contact or of any stage waiting on it is armed; the cap is T + 48 h.
    const approved = await apply(ticket.id, 3, APPROVED, { action: 'pause-approve' }, supervisor);
    expect(approved.pause).toMatchObject({ status: 'ACTIVE', stage: 'contact', startedAt: APPROVED, endsBy: ENDS_BY, decidedBy: 'supervisor-1' });
    expect(approved.rungs.filter((rung) => PAUSED_STAGES.includes(rung.stage))).toEqual([]);
    expect(approved.pauseEndsAt).toBe(ENDS_BY);
    const whileActive = workflowStateOf(await stored(ticket.id));
    expect(whileActive.rungs.filter((rung) => PAUSED_STAGES.includes(rung.stage))).toEqual([]);
    expect(whileActive.pauseEndsAt).toBe(ENDS_BY);
    expect((await event(ticket.id, 'PAUSE_APPROVE')).payload).toMatchObject({ stage: 'contact', endsBy: ENDS_BY });
    // The deadline itself moves only when the pause ends.
    expect((await stored(ticket.id)).stages.contact?.dueAt).toBe(CONTACT_DUE);

    // Resumed at T + 3 h: contact is due 3 h later, its rungs fixed anew; visit and reply are due after it already.
    const resumedAt = '2026-12-07T05:30:00.000Z';
    const resumed = await apply(ticket.id, 4, resumedAt, { action: 'resume', note: '住户已回家' });
    const after = await stored(ticket.id);
    const movedDue = '2026-12-07T06:00:00.000Z';
    expect(Date.parse(after.stages.contact!.dueAt) - Date.parse(CONTACT_DUE)).toBe(3 * HOUR);
    expect(after.stages.contact).toMatchObject({ dueAt: movedDue, doneAt: null, pausedMs: 3 * HOUR, startsAt: DISPATCHED });
    expect(after.stages.contact!.rungs).toEqual({
      DUE_SOON: '2026-12-07T05:48:00.000Z', // moved by the 3 h like the deadline: still 12 min before it
      OVERDUE: movedDue,
      WARNING: '2026-12-07T08:00:00.000Z',
      PUBLIC_NOTICE: '2026-12-08T06:00:00.000Z',
    });
    // Every rung moved by exactly the paused time (the 黄灯 keeps its 12 min before the deadline).
    expect(Object.values(after.stages.contact!.rungs).map((at) => Date.parse(at!))).toEqual(Object.values(ticket.stages.contact!.rungs).map((at) => Date.parse(at!) + 3 * HOUR));
    expect(after.stages.visit?.dueAt).toBe(VISIT_DUE);
    expect(after.stages.reply?.dueAt).toBe(REPLY_DUE);
    expect(after.pause).toMatchObject({ status: 'ENDED', endedAt: resumedAt, endedBy: 'crew-1', endedAtCap: false, pausedMs: 3 * HOUR });

    // The clock runs again: every open stage's rungs are armed, at their (moved) instants.
    expect(rungStages(resumed)).toEqual(['contact', 'reply', 'visit']);
    expect(Object.fromEntries(resumed.rungs.filter((rung) => rung.stage === 'contact').map((rung) => [rung.level, rung.at]))).toEqual(after.stages.contact!.rungs);
    expect(resumed.pauseEndsAt).toBeNull();

    const resume = await event(ticket.id, 'RESUME');
    expect(resume.at.toISOString()).toBe(resumedAt);
    expect(resume.payload).toMatchObject({ pause: { stage: 'contact', pausedMs: 3 * HOUR, endedAtCap: false, dueAt: movedDue } });
    expect(resume.payload).not.toHaveProperty('held');

    const [dispatch] = await dispatches(ticket.id);
    expect(dispatch).toMatchObject({ pauses: 1, pausedSeconds: 10_800 });
    expect(dispatch.stages.contact?.dueAt).toBe(movedDue);

    // One approved pause per stage and dispatch.
    await expectRefused(apply(ticket.id, 5, '2026-12-07T05:40:00.000Z', ASK), /contact stage already had its one pause in this dispatch/);
    expect((await stored(ticket.id)).transitionSeq).toBe(4);
  });

  it('refuses a second request while one is pending or active, and a decision without one', async () => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });
    await expectRefused(apply(ticket.id, 2, ASKED, { action: 'pause-approve' }, supervisor), /no pause request is pending/);
    await expectRefused(apply(ticket.id, 2, ASKED, { action: 'resume' }), /no stage is paused/);
    await apply(ticket.id, 2, ASKED, ASK);
    await expectRefused(apply(ticket.id, 3, '2026-12-07T02:25:00.000Z', ASK), /a pause request is already pending/);
    await apply(ticket.id, 3, APPROVED, { action: 'pause-approve' }, supervisor);
    await expectRefused(apply(ticket.id, 4, '2026-12-07T02:40:00.000Z', ASK), /contact stage is already paused/);
    await expectRefused(apply(ticket.id, 4, '2026-12-07T02:40:00.000Z', { action: 'pause-reject' }, supervisor), /no pause request is pending/);
  });

  it('resumes at the cap only once endsBy is reached, crediting only the 48 h cap, and holds visit and reply to the moved deadline', async () => {
    const ticket = await pausedTicket();
    await expectRefused(apply(ticket.id, 4, '2026-12-09T02:29:59.999Z', { action: 'resume', atCap: true }, SYSTEM_ACTOR), /the pause runs until 2026-12-09T02:30:00.000Z/);
    expect((await stored(ticket.id)).pause?.status).toBe('ACTIVE');

    // The workflow's own resume, 2 h after the cap (it was late): only 48 h count.
    const late = '2026-12-09T04:30:00.000Z';
    const resumed = await apply(ticket.id, 4, late, { action: 'resume', atCap: true }, SYSTEM_ACTOR);
    const after = await stored(ticket.id);
    const movedDue = '2026-12-09T03:00:00.000Z'; // 11:00 + 48 h
    expect(after.pause).toMatchObject({ status: 'ENDED', endedAt: ENDS_BY, endedBy: 'system', endedAtCap: true, pausedMs: 48 * HOUR });
    expect(after.stages.contact).toMatchObject({ dueAt: movedDue, pausedMs: 48 * HOUR });
    // Visit (16:00) and reply (next day 10:00) would fall due before contact: held to it, their rungs fixed anew.
    expect(after.stages.visit?.dueAt).toBe(movedDue);
    expect(after.stages.reply?.dueAt).toBe(movedDue);
    for (const stage of ['visit', 'reply'] as const) {
      expect(after.stages[stage]!.rungs).toEqual(rungInstants({ stage, startsAt: new Date(DISPATCHED), dueAt: new Date(movedDue) }, policy, EMPTY_CALENDAR));
      expect(after.stages[stage]!.pausedMs).toBeUndefined();
    }
    expect(resumed.pauseEndsAt).toBeNull();
    expect(rungStages(resumed)).toEqual(['contact', 'reply', 'visit']);

    const resume = await event(ticket.id, 'RESUME');
    expect(resume).toMatchObject({ actor: 'system', role: 'system' });
    expect(resume.payload).toMatchObject({
      atCap: true,
      pause: { stage: 'contact', pausedMs: 48 * HOUR, endedAtCap: true, dueAt: movedDue },
      held: [
        { stage: 'visit', from: VISIT_DUE, to: movedDue },
        { stage: 'reply', from: REPLY_DUE, to: movedDue },
      ],
    });
    const [dispatch] = await dispatches(ticket.id);
    expect(dispatch).toMatchObject({ pauses: 1, pausedSeconds: 48 * 3600 });
    expect(dispatch.stages.visit?.dueAt).toBe(movedDue);
  });

  it('resumes at the cap exactly at endsBy, and a crew resume after the cap credits only the cap too', async () => {
    const atCap = await pausedTicket();
    await apply(atCap.id, 4, ENDS_BY, { action: 'resume', atCap: true }, SYSTEM_ACTOR);
    expect((await stored(atCap.id)).stages.contact).toMatchObject({ dueAt: '2026-12-09T03:00:00.000Z', pausedMs: 48 * HOUR });

    const lateCrew = await pausedTicket();
    await apply(lateCrew.id, 4, '2026-12-10T02:30:00.000Z', { action: 'resume' });
    const after = await stored(lateCrew.id);
    expect(after.pause).toMatchObject({ endedAt: ENDS_BY, endedAtCap: false, pausedMs: 48 * HOUR });
    expect(after.stages.contact?.dueAt).toBe('2026-12-09T03:00:00.000Z');
    expect((await dispatches(lateCrew.id))[0]).toMatchObject({ pauses: 1, pausedSeconds: 172_800 });
  });

  it('ends the pause first when the crew contacts while paused: the stage is judged by its moved deadline', async () => {
    const ticket = await pausedTicket();
    const contactedAt = '2026-12-07T03:30:00.000Z'; // after the original 11:00 deadline, within the moved one
    const state = await apply(ticket.id, 4, contactedAt, { action: 'contact', note: '住户回电' });
    expect(state.status).toBe('CONTACTED');
    const after = await stored(ticket.id);
    expect(after.stages.contact).toMatchObject({ dueAt: '2026-12-07T04:00:00.000Z', doneAt: contactedAt, pausedMs: HOUR });
    expect(Date.parse(after.stages.contact!.doneAt!)).toBeLessThan(Date.parse(after.stages.contact!.dueAt));
    expect(after.pause).toMatchObject({ status: 'ENDED', endedAt: contactedAt, endedAtCap: false, pausedMs: HOUR });
    expect(state.pauseEndsAt).toBeNull();
    expect(rungStages(state)).toEqual(['reply', 'visit']);
    expect((await event(ticket.id, 'CONTACT')).payload).toMatchObject({ pause: { stage: 'contact', pausedMs: HOUR, endedAtCap: false, dueAt: '2026-12-07T04:00:00.000Z' } });
    expect((await dispatches(ticket.id))[0]).toMatchObject({ pauses: 1, pausedSeconds: 3600 });

    // The next stage may have its own pause.
    const visitAsk = await apply(ticket.id, 5, '2026-12-07T04:00:00.000Z', ASK);
    expect(visitAsk.pause).toMatchObject({ status: 'PENDING', stage: 'visit' });
  });

  it('withdraws a pending request when the stage is done first; nothing is counted', async () => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });
    await apply(ticket.id, 2, ASKED, ASK);
    await apply(ticket.id, 3, '2026-12-07T02:40:00.000Z', { action: 'contact', note: '联系上了' });
    const after = await stored(ticket.id);
    expect(after.pause).toMatchObject({ status: 'WITHDRAWN', stage: 'contact' });
    expect(after.stages.contact?.pausedMs).toBeUndefined();
    expect(after.stages.contact?.dueAt).toBe(CONTACT_DUE);
    expect((await event(ticket.id, 'CONTACT')).payload).toMatchObject({ pauseWithdrawn: true });
    expect((await dispatches(ticket.id))[0]).toMatchObject({ pauses: 0, pausedSeconds: 0 });
  });

  it('keeps the clock running after a rejection, and lets the crew ask again', async () => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });
    const before = await apply(ticket.id, 2, ASKED, ASK);
    const rejected = await apply(ticket.id, 3, APPROVED, { action: 'pause-reject', reason: '证据不足' }, supervisor);
    expect(rejected.pause).toMatchObject({ status: 'REJECTED', decidedBy: 'supervisor-1', decisionReason: '证据不足' });
    expect(rejected.rungs).toEqual(before.rungs);
    expect(rejected.pauseEndsAt).toBeNull();
    const again = await apply(ticket.id, 4, '2026-12-07T02:45:00.000Z', { ...ASK, reason: 'ENTRY_REFUSED' } as ActionInput);
    expect(again.pause).toMatchObject({ status: 'PENDING', reason: 'ENTRY_REFUSED' });
  });

  it('ends an active pause with the dispatch it belongs to: the reassigned dispatch counts it, the fresh one starts unpaused', async () => {
    const ticket = await pausedTicket();
    const reassignedAt = '2026-12-07T04:30:00.000Z';
    const state = await apply(ticket.id, 4, reassignedAt, { action: 'reassign', companyId: otherCompanyId }, operator);
    expect(state.status).toBe('RECEIVED');
    expect(state.pause).toBeNull();
    expect(state.pausedStages).toEqual([]);
    expect(state.pauseEndsAt).toBeNull();
    expect(state.dispatchedAt).toBe(reassignedAt);
    const after = await stored(ticket.id);
    expect(after.stages.contact).toMatchObject({ startsAt: reassignedAt, dueAt: '2026-12-07T05:30:00.000Z', doneAt: null });
    expect(after.stages.contact?.pausedMs).toBeUndefined();

    const [first, second] = await dispatches(ticket.id);
    expect(first).toMatchObject({ outcome: 'REASSIGNED', pauses: 1, pausedSeconds: 7200 });
    expect(first.stages.contact).toMatchObject({ dueAt: '2026-12-07T05:00:00.000Z', pausedMs: 2 * HOUR });
    expect(second).toMatchObject({ seq: 2, companyId: otherCompanyId, cause: 'REASSIGNED', pauses: 0, pausedSeconds: 0 });
  });

  // KNOWN BUG (reported, not fixed here): applyTransition clears ticket.pause in startFreshDispatch before it
  // writes the event, so `plan.endsPause && ticket.pause` is false and the REASSIGN event never says the pause
  // ended or how long it stood still. Remove `.failing` once fixed.
  it('audits the pause a reassignment ended on its REASSIGN event', async () => {
    const ticket = await pausedTicket();
    await apply(ticket.id, 4, '2026-12-07T04:30:00.000Z', { action: 'reassign', companyId: otherCompanyId }, operator);
    expect((await event(ticket.id, 'REASSIGN')).payload).toMatchObject({ pause: { stage: 'contact', pausedMs: 2 * HOUR } });
  });
  it('ends an active pause when the priority is raised, crediting the time so far, and keeps the stage’s one pause after the raise', async () => {
    const ticket = await pausedTicket();
    const raisedAt = '2026-12-07T03:30:00.000Z'; // 1 h after the approval
    await apply(ticket.id, 4, raisedAt, { action: 'raise-priority', priority: 'P0', reason: '独居老人' }, operator);
    const raised = await stored(ticket.id);
    expect(raised.priority).toBe('P0');
    expect(raised.pause).toMatchObject({ status: 'ENDED', pausedMs: HOUR, endedAtCap: false });
    // Moved by the hour to 04:00, then the P0 limit from the raise (20 min: 03:50) is earlier: the raise wins.
    expect(raised.stages.contact).toMatchObject({ dueAt: '2026-12-07T03:50:00.000Z', pausedMs: HOUR });
    await expectRefused(apply(ticket.id, 5, '2026-12-07T03:35:00.000Z', ASK), /already had its one pause/);
  });

  it('refuses to approve a pause once its stage’s deadline passed while the request waited', async () => {
    const ticket = await insertTicket();
    await apply(ticket.id, 1, ACCEPTED, { action: 'accept' });
    await apply(ticket.id, 2, ASKED, ASK);
    await expectRefused(apply(ticket.id, 3, '2026-12-07T03:05:00.000Z', { action: 'pause-approve' }, supervisor), /passed while the request waited/);
    expect((await stored(ticket.id)).pause?.status).toBe('PENDING');
  });

  it('takes an extension request on a paused stage after its nominal deadline: its clock stands still', async () => {
    const ticket = await pausedTicket();
    await apply(ticket.id, 4, '2026-12-07T05:00:00.000Z', { action: 'extension', reason: '配件未到', extendBy: 'PT2H' });
    expect((await stored(ticket.id)).extension).toMatchObject({ status: 'PENDING', stage: 'contact' });
  });
});
