import { DataSource } from 'typeorm';
import { CalendarDayEntity, dataSourceOptions, EscalationEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import { WorkCalendarService } from '@app/sla';
import { TicketActivitiesService } from '@app/tickets';
import { createTestDatabase, TestDatabase } from '../support/test-env';
import { insertCompany } from '../support/fixtures';

/** The workflow's activities against real PostgreSQL: each rung is recorded exactly once, however often called. */
describe('TicketActivitiesService.recordRung', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let activities: TicketActivitiesService;
  let ticketId: string;
  const dispatchedAt = '2026-11-28T02:00:00.000Z';

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    activities = new TicketActivitiesService(dataSource, new WorkCalendarService(dataSource.getRepository(CalendarDayEntity)));
    const company = await insertCompany(dataSource, ['HEPING']);
    ticketId = '9b1c7f3e-0d2a-4c55-9a71-5f2e8d4c3b10';
    await dataSource.getRepository(TicketEntity).insert({
      id: ticketId,
      number: '8890-20261128-000001',
      status: 'RECEIVED',
      category: 'LEAK',
      priority: 'P0',
      channel: 'PHONE',
      district: 'HEPING',
      address: '和平区南京路1号',
      addressKey: '和平区南京路1号',
      citizenName: '李先生',
      citizenPhone: '13912345678',
      description: '楼道暖气管漏水',
      companyId: company.id,
      dispatchedAt: new Date(dispatchedAt),
      policyVersion: 1,
      policy: { priority: 'P0', version: 1 } as never,
      stages: {
        accept: { startsAt: dispatchedAt, dueAt: '2026-11-28T02:15:00.000Z', doneAt: null, overdue: false },
        contact: { startsAt: dispatchedAt, dueAt: '2026-11-28T02:20:00.000Z', doneAt: null, overdue: false },
      },
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const rung = (stage: 'accept' | 'contact', level: 'DUE_SOON' | 'OVERDUE' | 'WARNING' | 'PUBLIC_NOTICE', dueAt: string) => ({
    ticketId,
    dispatchedAt,
    stage,
    level,
    dueAt,
  });

  it('records a rung once even when called again and concurrently', async () => {
    const overdue = rung('accept', 'OVERDUE', '2026-11-28T02:15:00.000Z');
    await Promise.all([activities.recordRung(overdue), activities.recordRung(overdue), activities.recordRung(overdue)]);
    await activities.recordRung(overdue);

    const escalations = await dataSource.getRepository(EscalationEntity).findBy({ ticketId, stage: 'accept', level: 'OVERDUE' });
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ ticketNumber: '8890-20261128-000001', dueAt: new Date('2026-11-28T02:15:00.000Z') });
    const events = await dataSource.getRepository(TicketEventEntity).findBy({ ticketId, type: 'ESCALATION_OVERDUE' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'system', role: 'system', payload: { stage: 'accept', level: 'OVERDUE' } });

    const ticket = await dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticketId });
    expect(ticket.escalationLevel).toBe('OVERDUE');
    expect(ticket.stages.accept?.overdue).toBe(true);
    expect(ticket.stages.contact?.overdue).toBe(false);
  });

  it('never lowers the ticket escalation level', async () => {
    await activities.recordRung(rung('contact', 'DUE_SOON', '2026-11-28T02:16:00.000Z'));
    const ticket = await dataSource.getRepository(TicketEntity).findOneByOrFail({ id: ticketId });
    expect(ticket.escalationLevel).toBe('OVERDUE');
    expect(ticket.stages.contact?.overdue).toBe(false);
  });

  it('keeps the same rung of a later dispatch apart', async () => {
    await activities.recordRung({ ...rung('accept', 'OVERDUE', '2026-11-28T05:15:00.000Z'), dispatchedAt: '2026-11-28T05:00:00.000Z' });
    expect(await dataSource.getRepository(EscalationEntity).countBy({ ticketId, stage: 'accept', level: 'OVERDUE' })).toBe(2);
  });
});
