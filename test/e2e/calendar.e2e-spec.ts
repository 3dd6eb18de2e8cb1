import { DateTime } from 'luxon';
import { CALENDAR_ZONE } from '@app/domain';
import { SHIPPED_CALENDAR, WorkCalendarService } from '@app/sla';
import { authed, loginAs, SignedIn } from '../support/auth';
import { insertCompany, insertDispatchedTicket } from '../support/fixtures';
import { startTestSystem, TestSystem } from '../support/system';

const shanghai = (iso: string): Date => DateTime.fromISO(iso, { zone: CALENDAR_ZONE }).toJSDate();

/**
 * The working-day calendar over HTTP: the State Council's schedule ships with the service, admins override a
 * year, and a ticket whose deadlines count days of a year without data says so (docs/product.md, Working-day calendar).
 */
describe('working-day calendar (HTTP, real PostgreSQL)', () => {
  let system: TestSystem;
  let admin: SignedIn;
  let operator: SignedIn;
  let companyId: string;
  const lastShipped = Math.max(...SHIPPED_CALENDAR.keys());

  beforeAll(async () => {
    system = await startTestSystem({ worker: false });
    companyId = (await insertCompany(system.dataSource, ['HEPING'])).id;
    admin = await loginAs(system, 'admin');
    operator = await loginAs(system, 'operator');
  });

  afterAll(async () => {
    await system?.close();
  });

  /** A ticket dispatched at `dispatchedAt` with the calendar the API computes deadlines with. */
  const insertTicket = async (dispatchedAt: Date, category: 'BILLING' | 'NOT_WARM' = 'BILLING'): Promise<string> => {
    const calendar = await system.app.get(WorkCalendarService).load();
    return (await insertDispatchedTicket(system.dataSource, { companyId, dispatchedAt, category, district: 'HEPING', calendar })).id;
  };

  it('ships 2026 as the State Council set it, and says so', async () => {
    const year = (await authed(system, operator.token).get('/calendar/2026').expect(200)).body;
    expect(year).toMatchObject({ year: 2026, source: 'SHIPPED', shipped: true, overriddenAt: null });
    expect(year.holidays).toEqual(expect.arrayContaining(['2026-02-15', '2026-02-17', '2026-02-23', '2026-10-01']));
    expect(year.workdays).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-28']));
    const none = (await authed(system, operator.token).get(`/calendar/${lastShipped + 1}`).expect(200)).body;
    expect(none).toEqual({ year: lastShipped + 1, source: 'NONE', shipped: false, overriddenAt: null, holidays: [], workdays: [] });
  });

  it('counts a P2 ticket dispatched before the Spring Festival past the holiday and over the make-up Saturdays', async () => {
    const id = await insertTicket(shanghai('2026-02-13T16:00'));
    const ticket = (await authed(system, operator.token).get(`/tickets/${id}`).expect(200)).body;
    expect(ticket.stages.accept.dueAt).toBe(shanghai('2026-02-14T16:00').toISOString()); // the make-up Saturday
    expect(ticket.stages.reply.dueAt).toBe(shanghai('2026-02-27T16:00').toISOString()); // Feb 15–23 skipped
    expect(ticket.calendarWarning).toBeNull();
  });

  it('warns on a ticket whose working-day deadlines reach a year without data, until an admin covers it', async () => {
    const late = await insertTicket(shanghai(`${lastShipped}-12-28T10:00`));
    const urgent = await insertTicket(shanghai(`${lastShipped}-12-31T20:00`), 'NOT_WARM'); // P1, 24x7: no calendar involved
    const early = await insertTicket(shanghai(`${lastShipped}-06-01T10:00`));

    const read = async (id: string): Promise<string | null> => (await authed(system, operator.token).get(`/tickets/${id}`).expect(200)).body.calendarWarning;
    const warning = await read(late);
    expect(warning).toContain(`${lastShipped + 1}年`);
    expect(warning).toContain(`Deadlines count days of ${lastShipped + 1}`);
    expect(await read(urgent)).toBeNull();
    expect(await read(early)).toBeNull();
    const listed = (await authed(system, operator.token).get('/tickets').query({ limit: 200 }).expect(200)).body.items;
    expect(listed.find((item: { id: string }) => item.id === late).calendarWarning).toBe(warning);

    const stored = (await authed(system, admin.token).put(`/calendar/${lastShipped + 1}`).send({ holidays: [`${lastShipped + 1}-01-01`], workdays: [] }).expect(200)).body;
    expect(stored).toMatchObject({ year: lastShipped + 1, source: 'OVERRIDDEN', shipped: false, holidays: [`${lastShipped + 1}-01-01`], workdays: [] });
    expect(await read(late)).toBeNull();
  });

  it('lets an admin override a shipped year entirely, which new deadlines then follow', async () => {
    await authed(system, operator.token).put('/calendar/2026').send({ holidays: [], workdays: [] }).expect(403);
    for (const year of ['99999999999', '-5', '1999', '2101', '2026.5']) {
      const refused = (await authed(system, admin.token).put(`/calendar/${year}`).send({ holidays: [], workdays: [] }).expect(400)).body;
      expect(refused.errors).toEqual([{ field: 'year', message: 'year must be an integer from 2000 to 2100, such as 2027' }]);
      await authed(system, operator.token).get(`/calendar/${year}`).expect(400);
    }
    const stored = (await authed(system, admin.token).put('/calendar/2026').send({ holidays: ['2026-02-16'], workdays: [] }).expect(200)).body;
    expect(stored).toMatchObject({ year: 2026, source: 'OVERRIDDEN', shipped: true, holidays: ['2026-02-16'], workdays: [] });
    expect((await authed(system, operator.token).get('/calendar/2026').expect(200)).body).toEqual(stored);
    // Friday Feb 13 16:00 + 1 working day: Saturday Feb 14 is a plain weekend day now, Monday Feb 16 is off.
    const id = await insertTicket(shanghai('2026-02-13T16:00'));
    const ticket = (await authed(system, operator.token).get(`/tickets/${id}`).expect(200)).body;
    expect(ticket.stages.accept.dueAt).toBe(shanghai('2026-02-17T16:00').toISOString());
  });

  it('documents the source and the warning in OpenAPI', async () => {
    const document = (await system.http().get('/docs-json').expect(200)).body;
    expect(document.components.schemas.CalendarDto.properties.source.enum).toEqual(['SHIPPED', 'OVERRIDDEN', 'NONE']);
    expect(document.components.schemas.TicketDto.properties).toHaveProperty('calendarWarning');
  });
});
