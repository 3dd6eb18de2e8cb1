import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { CALENDAR_ZONE, DEFAULT_SLA_POLICIES, dispatchDeadlines, uncoveredYearsOf } from '@app/domain';
import { CalendarDayEntity, dataSourceOptions } from '@app/persistence';
import { SHIPPED_CALENDAR, WorkCalendarService } from '@app/sla';
import { MIGRATIONS } from '../../migrations';
import { insertCompany, insertDispatchedTicket } from '../support/fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-env';

const shanghai = (iso: string): string => DateTime.fromISO(iso, { zone: CALENDAR_ZONE }).toUTC().toISO() as string;

/**
 * The calendar shipped with the service (the State Council's schedule from `chinese-days`) on a fresh
 * install, admins' overrides over it, and the upgrade of a database whose admins typed years in before.
 */
describe('WorkCalendarService (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let calendars: WorkCalendarService;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    calendars = new WorkCalendarService(dataSource.getRepository(CalendarDayEntity));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('computes P2 deadlines over the 2026 Spring Festival on a fresh install, with nobody typing a date', async () => {
    expect(await dataSource.getRepository(CalendarDayEntity).count()).toBe(0);
    const calendar = await calendars.load();
    // 春节 2026 in the package: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked (调休).
    for (const day of ['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23']) expect(calendar.holidays.has(day)).toBe(true);
    expect(calendar.workdays.has('2026-02-14')).toBe(true);
    expect(calendar.workdays.has('2026-02-28')).toBe(true);

    // A billing ticket dispatched on Friday Feb 13 2026, 16:00, the last weekday before the holiday, through the
    // same freshStages the API uses.
    const { id: companyId } = await insertCompany(dataSource, ['HEPING']);
    const dispatchedAt = new Date(shanghai('2026-02-13T16:00'));
    const ticket = await insertDispatchedTicket(dataSource, { companyId, dispatchedAt, category: 'BILLING', district: 'HEPING', calendar });
    expect(ticket.policy.calendar).toBe('workdays');
    const { accept, contact, reply } = ticket.stages;
    // One working day: 8 h of Friday, then 16 h of the make-up Saturday Feb 14.
    expect(accept?.dueAt).toBe(shanghai('2026-02-14T16:00'));
    // 黄灯 at 80 % of those 24 working hours: 19.2 h, Saturday 11:12 (not in the holiday, as 80 % elapsed would be).
    expect(accept?.rungs.DUE_SOON).toBe(shanghai('2026-02-14T11:12'));
    // 约谈 one working day after Saturday 16:00: Sat 8 h, Feb 15–23 off, Tuesday Feb 24 16:00.
    expect(contact?.rungs.WARNING).toBe(shanghai('2026-02-24T16:00'));
    // Five working days: Fri 8 h + Sat 24 h + Tue, Wed, Thu + 16 h of Friday Feb 27.
    expect(reply?.dueAt).toBe(shanghai('2026-02-27T16:00'));
    // 通报 five working days after that, counting the make-up Saturday Feb 28: Thursday Mar 5 16:00.
    expect(reply?.rungs.PUBLIC_NOTICE).toBe(shanghai('2026-03-05T16:00'));
    // And no deadline relied on a year without data.
    expect(uncoveredYearsOf([{ from: dispatchedAt, to: new Date(reply!.rungs.PUBLIC_NOTICE!) }], 'workdays', calendar)).toEqual([]);
  });

  it('says which years are shipped, and which are not covered', async () => {
    const shippedYears = [...SHIPPED_CALENDAR.keys()];
    expect(shippedYears).toContain(2026);
    const last = Math.max(...shippedYears);
    const calendar = await calendars.load();
    expect([...(calendar.coveredYears ?? [])].sort()).toEqual(shippedYears.sort());
    expect((await calendars.coverage()).coveredYears.has(last + 1)).toBe(false);

    expect(await calendars.year(2026)).toMatchObject({ year: 2026, source: 'SHIPPED', shipped: true, overriddenAt: null });
    expect((await calendars.year(2026)).workdays).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(await calendars.year(last + 1)).toEqual({ year: last + 1, source: 'NONE', shipped: false, overriddenAt: null, holidays: [], workdays: [] });

    // A P2 deadline from late December of the last shipped year counts days of the next one: it says so.
    const dispatchedAt = new Date(shanghai(`${last}-12-28T10:00`));
    const [, , reply] = dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P2, false, calendar);
    expect(uncoveredYearsOf([{ from: dispatchedAt, to: reply.dueAt }], 'workdays', calendar)).toEqual([last + 1]);
  });

  it('replaces a shipped year entirely with an override, an empty one too, and covers an unshipped year', async () => {
    const before = await calendars.load();
    const last = Math.max(...SHIPPED_CALENDAR.keys());
    try {
      const stored = await calendars.replaceYear(2026, { holidays: ['2026-02-17'], workdays: [] });
      expect(stored).toMatchObject({ year: 2026, source: 'OVERRIDDEN', shipped: true, holidays: ['2026-02-17'], workdays: [] });
      expect(Date.parse(stored.overriddenAt as string)).not.toBeNaN();
      const overridden = await calendars.load();
      expect(overridden.holidays.has('2026-02-17')).toBe(true);
      expect(overridden.holidays.has('2026-02-16')).toBe(false); // the shipped Spring Festival is gone with the override
      expect(overridden.workdays.has('2026-02-14')).toBe(false);
      expect(overridden.holidays.has('2025-01-01')).toBe(true); // other shipped years stay

      await calendars.replaceYear(2026, { holidays: [], workdays: [] });
      const empty = await calendars.load();
      expect([...empty.holidays].filter((day) => day.startsWith('2026-'))).toEqual([]);
      expect(empty.coveredYears?.has(2026)).toBe(true);
      expect(await calendars.year(2026)).toMatchObject({ source: 'OVERRIDDEN', holidays: [], workdays: [] });

      await calendars.replaceYear(last + 1, { holidays: [`${last + 1}-01-01`], workdays: [] });
      expect((await calendars.coverage()).coveredYears.has(last + 1)).toBe(true);
      expect((await calendars.load()).holidays.has(`${last + 1}-01-01`)).toBe(true);
    } finally {
      await dataSource.query(`DELETE FROM calendar_days`);
      await dataSource.query(`DELETE FROM calendar_overrides`);
    }
    const after = await calendars.load();
    expect(after.holidays).toEqual(before.holidays);
    expect(after.workdays).toEqual(before.workdays);
  });

  it('queues two replacements of one year instead of colliding on its days', async () => {
    try {
      const bodies = [
        { holidays: ['2030-02-04', '2030-02-05'], workdays: ['2030-02-09'] },
        { holidays: ['2030-02-05', '2030-02-06'], workdays: ['2030-02-09'] },
      ];
      await Promise.all(bodies.map((body) => calendars.replaceYear(2030, body)));
      const stored = await calendars.year(2030);
      expect(bodies.map((body) => body.holidays)).toContainEqual(stored.holidays);
      expect(stored.workdays).toEqual(['2030-02-09']);
    } finally {
      await dataSource.query(`DELETE FROM calendar_days`);
      await dataSource.query(`DELETE FROM calendar_overrides`);
    }
  });
});

describe('migration Calendar on a database whose admins typed years in', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'Calendar1764800000001');
    expect(before).toBeGreaterThan(0);
    const previous = await new DataSource({ ...dataSourceOptions({ url: database.url }), migrations: MIGRATIONS.slice(0, before) }).initialize();
    await previous.runMigrations({ transaction: 'each' });
    // The previous release: 2026 as an admin typed it (National Day only), nothing else.
    await previous.query(`INSERT INTO calendar_days (day, kind) VALUES ('2026-10-01', 'HOLIDAY'), ('2026-10-02', 'HOLIDAY'), ('2026-09-27', 'WORKDAY')`);
    await previous.destroy();
    dataSource = await new DataSource(dataSourceOptions({ url: database.url })).initialize();
    expect((await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toContain('Calendar1764800000001');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('keeps the typed-in year as an override, so no deadline moves with the upgrade, and ships the others', async () => {
    const calendars = new WorkCalendarService(dataSource.getRepository(CalendarDayEntity));
    expect(await calendars.year(2026)).toMatchObject({ source: 'OVERRIDDEN', shipped: true, holidays: ['2026-10-01', '2026-10-02'], workdays: ['2026-09-27'] });
    const calendar = await calendars.load();
    expect(calendar.holidays.has('2026-02-16')).toBe(false);
    expect(calendar.holidays.has('2025-01-29')).toBe(true); // 春节 2025, shipped
    expect((await calendars.year(2025)).source).toBe('SHIPPED');
  });

  it('runs down and up again', async () => {
    // Undo this migration and every one after it.
    const after = MIGRATIONS.length - MIGRATIONS.findIndex((migration) => migration.name === 'Calendar1764800000001');
    for (let i = 0; i < after; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.query(`SELECT to_regclass('calendar_overrides') AS t`)).toEqual([{ t: null }]);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await dataSource.query(`SELECT year FROM calendar_overrides`)).toEqual([{ year: 2026 }]);
  });
});
