import fc from 'fast-check';
import { DateTime } from 'luxon';
import { addDuration, addWorkingTime, CALENDAR_ZONE, EMPTY_CALENDAR, isWorkingDay, localDate, WorkCalendar } from './work-calendar';

const DAY = 86_400_000;
const shanghai = (iso: string): Date => DateTime.fromISO(iso, { zone: CALENDAR_ZONE }).toJSDate();
const calendar = (holidays: string[], workdays: string[] = []): WorkCalendar => ({
  holidays: new Set(holidays),
  workdays: new Set(workdays),
});

// 2026 National Day run: Oct 1–8 off, Sunday Sep 27 and Saturday Oct 10 made up (调休).
const NATIONAL_DAY_2026 = calendar(
  ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'],
  ['2026-09-27', '2026-10-10'],
);

describe('addWorkingTime', () => {
  it('counts a day from Friday afternoon to Monday afternoon', () => {
    expect(addWorkingTime(shanghai('2026-11-27T15:00'), DAY, EMPTY_CALENDAR)).toEqual(shanghai('2026-11-30T15:00'));
  });

  it('starts a weekend dispatch at Monday 00:00', () => {
    expect(addWorkingTime(shanghai('2026-11-28T10:00'), DAY, EMPTY_CALENDAR)).toEqual(shanghai('2026-12-01T00:00'));
  });

  it('skips a holiday run and counts the make-up Saturday', () => {
    // Wed Sep 30 09:00 + 1 working day: Oct 1–8 are off, Fri Oct 9 is a normal working day.
    expect(addWorkingTime(shanghai('2026-09-30T09:00'), DAY, NATIONAL_DAY_2026)).toEqual(shanghai('2026-10-09T09:00'));
    // Fri Oct 9 09:00 + 1 working day lands on the make-up Saturday Oct 10.
    expect(addWorkingTime(shanghai('2026-10-09T09:00'), DAY, NATIONAL_DAY_2026)).toEqual(shanghai('2026-10-10T09:00'));
  });

  it('crosses a year end through New Year holidays', () => {
    const newYear = calendar(['2027-01-01']);
    // Thu Dec 31 12:00 + 1 WD: Jan 1 (Fri) holiday, weekend, so Monday Jan 4 12:00.
    expect(addWorkingTime(shanghai('2026-12-31T12:00'), DAY, newYear)).toEqual(shanghai('2027-01-04T12:00'));
  });

  it('adds P5D over a week as five working days', () => {
    expect(addWorkingTime(shanghai('2026-11-30T08:30'), 5 * DAY, EMPTY_CALENDAR)).toEqual(shanghai('2026-12-07T08:30'));
  });

  it('refuses a calendar with no working day ahead instead of looping forever', () => {
    const everyDayOff: WorkCalendar = { holidays: { has: () => true } as unknown as ReadonlySet<string>, workdays: new Set() };
    expect(() => addWorkingTime(shanghai('2026-11-30T08:30'), DAY, everyDayOff)).toThrow(/no working day/);
  });
});

describe('addWorkingTime properties', () => {
  const instants = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true });
  const dates = fc
    .integer({ min: 0, max: 4 * 366 })
    .map((offset) => DateTime.fromISO('2025-01-01', { zone: CALENDAR_ZONE }).plus({ days: offset }).toISODate() as string);
  const calendars = fc
    .tuple(fc.uniqueArray(dates, { maxLength: 40 }), fc.uniqueArray(dates, { maxLength: 10 }))
    .map(([holidays, workdays]) => calendar(holidays, workdays.filter((day) => !holidays.includes(day))));
  const durations = fc.integer({ min: 1, max: 10 * DAY });

  it('never returns earlier than the plain 24x7 sum', () => {
    fc.assert(
      fc.property(instants, durations, calendars, (from, ms, cal) => {
        expect(addWorkingTime(from, ms, cal).getTime()).toBeGreaterThanOrEqual(from.getTime() + ms);
      }),
    );
  });

  it('is monotonic in the duration', () => {
    fc.assert(
      fc.property(instants, durations, durations, calendars, (from, a, b, cal) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(addWorkingTime(from, short, cal).getTime()).toBeLessThanOrEqual(addWorkingTime(from, long, cal).getTime());
      }),
    );
  });

  it('composes: adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(instants, durations, durations, calendars, (from, a, b, cal) => {
        expect(addWorkingTime(addWorkingTime(from, a, cal), b, cal)).toEqual(addWorkingTime(from, a + b, cal));
      }),
    );
  });

  it('lands inside a working day, or at the midnight that ends one', () => {
    fc.assert(
      fc.property(instants, durations, calendars, (from, ms, cal) => {
        const due = DateTime.fromJSDate(addWorkingTime(from, ms, cal), { zone: CALENDAR_ZONE });
        const atMidnight = due.equals(due.startOf('day'));
        expect(isWorkingDay(atMidnight ? due.minus({ days: 1 }) : due, cal)).toBe(true);
      }),
    );
  });

  it('equals the 24x7 sum when every day works', () => {
    const allWork: WorkCalendar = { holidays: new Set(), workdays: { has: () => true } as unknown as ReadonlySet<string> };
    fc.assert(
      fc.property(instants, durations, (from, ms) => {
        expect(addWorkingTime(from, ms, allWork)).toEqual(addDuration(from, ms, '24x7', EMPTY_CALENDAR));
      }),
    );
  });
});

describe('localDate', () => {
  it('uses Shanghai time: 16:30 UTC is already the next day', () => {
    expect(localDate(new Date('2026-11-28T16:30:00Z'))).toBe('2026-11-29');
    expect(localDate(new Date('2026-11-28T15:59:59Z'))).toBe('2026-11-28');
  });
});
