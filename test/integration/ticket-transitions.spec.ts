import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { DEFAULT_SLA_POLICIES, EMPTY_CALENDAR } from '@app/domain';
import { CalendarDayEntity, dataSourceOptions, TicketEntity, TicketEventEntity } from '@app/persistence';
import { WorkCalendarService } from '@app/sla';
import { freshStages, TicketActivitiesService, workflowStateOf } from '@app/tickets';
import { TICKET_NOT_FOUND } from '@app/workflows';
import type { ApplyTransitionInput } from '@app/workflows';
import { insertCompany, insertDispatchedTicket } from '../support/fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-env';

/** applyTransition against real PostgreSQL: one clock, rungs fixed at dispatch, idempotent by sequence. */
describe('TicketActivitiesService.applyTransition', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let calendars: WorkCalendarService;
  let activities: TicketActivitiesService;
  let companyId: string;
  // Monday 2026-12-07 10:00 in Asia/Shanghai: a P2 ticket's contact stage is due Tuesday 10:00, its
  // WARNING one working day later (Wednesday 10:00), its PUBLIC_NOTICE five working days later.
  const dispatchedAt = new Date('2026-12-07T02:00:00.000Z');
  const policy = { priority: 'P2' as const, version: 1, ...DEFAULT_SLA_POLICIES.P2 };
  const actor = { username: 'crew-1', role: 'crew' as const };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    calendars = new WorkCalendarService(dataSource.getRepository(CalendarDayEntity));
    activities = new TicketActivitiesService(dataSource, calendars);
    companyId = (await insertCompany(dataSource, ['HEPING'])).id;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const insertP2Ticket = async (): Promise<TicketEntity> =>
    insertDispatchedTicket(dataSource, { companyId, dispatchedAt, category: 'BILLING', district: 'HEPING', calendar: await calendars.load() });

  const accept = (ticketId: string, seq: number, at: string): ApplyTransitionInput => ({ ticketId, seq, at, request: { input: { action: 'accept' }, actor } });

  it('keeps the rung instants fixed at dispatch when the calendar changes for a ticket in flight', async () => {
    const ticket = await insertP2Ticket();
    const armed = workflowStateOf(ticket).rungs;
    const contactWarning = armed.find((rung) => rung.stage === 'contact' && rung.level === 'WARNING');
    expect(contactWarning?.at).toBe('2026-12-09T02:00:00.000Z');

    // The admin declares Wednesday a holiday after the ticket was dispatched.
    await calendars.replaceYear(2026, { holidays: ['2026-12-09'], workdays: [] });
    try {
      const state = await activities.applyTransition(accept(ticket.id, 1, '2026-12-07T03:00:00.000Z'));
      expect(state.status).toBe('ACCEPTED');
      // Every rung of the stages still under way is where it was armed; only accept's are gone (done).
      const expected = armed.filter((rung) => rung.stage !== 'accept');
      expect(expected.length).toBe(8);
      expect(state.rungs).toEqual(expected);
    } finally {
      await calendars.replaceYear(2026, { holidays: [], workdays: [] });
    }
  });

  it('decides and stamps with the workflow’s instant, not the activity’s clock', async () => {
    const ticket = await insertP2Ticket();
    const at = '2026-12-07T02:30:00.000Z';
    await activities.applyTransition(accept(ticket.id, 1, at));
    const stored = await dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id });
    expect(stored.stages.accept?.doneAt).toBe(at);
    const [event] = await dataSource.getRepository(TicketEventEntity).findBy({ ticketId: ticket.id, type: 'ACCEPT' });
    expect(event.at.toISOString()).toBe(at);
  });

  it('answers a retried attempt of the same sequence with the state it left, changing nothing', async () => {
    const ticket = await insertP2Ticket();
    const first = await activities.applyTransition(accept(ticket.id, 1, '2026-12-07T02:30:00.000Z'));
    const eventsAfterFirst = await dataSource.getRepository(TicketEventEntity).countBy({ ticketId: ticket.id });
    // The same attempt again (its completion was lost), even one arriving later: a no-op answering that state.
    const again = await activities.applyTransition(accept(ticket.id, 1, '2026-12-07T04:00:00.000Z'));
    expect(again).toEqual(first);
    expect(again.transitionSeq).toBe(1);
    expect(await dataSource.getRepository(TicketEventEntity).countBy({ ticketId: ticket.id })).toBe(eventsAfterFirst);
    const stored = await dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id });
    expect(stored.stages.accept?.doneAt).toBe('2026-12-07T02:30:00.000Z');
  });

  it('fails a missing ticket with its own non-retryable failure type (answered 404)', async () => {
    const missing = activities.applyTransition(accept('00000000-0000-4000-8000-00000000dead', 1, '2026-12-07T02:30:00.000Z'));
    await expect(missing).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(missing).rejects.toMatchObject({ type: TICKET_NOT_FOUND, nonRetryable: true });
  });

  it('arms four rungs per open stage from its own stored instants', () => {
    const stages = freshStages({ policy, category: 'BILLING' }, dispatchedAt, EMPTY_CALENDAR);
    expect(Object.keys(stages).sort()).toEqual(['accept', 'contact', 'reply']);
    expect(Object.values(stages).every((stage) => Object.keys(stage.rungs).length === 4)).toBe(true);
  });
});
