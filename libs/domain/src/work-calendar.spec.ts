import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addDuration,
  addWorkingTime,
  CALENDAR_ZONE,
  calendarWarning,
  EMPTY_CALENDAR,
  isWorkingDay,
  localDate,
  reliesOnUncoveredDays,
  uncoveredYearsBetween,
  uncoveredYearsOf,
  WorkCalendar,
  workingTimeBetween,
} from './work-calendar';

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

/** Instants over four years and calendars of random holidays and make-up days, for the property tests. */
function arbitraries() {
  const instants = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true });
  const dates = fc
    .integer({ min: 0, max: 4 * 366 })
    .map((offset) => DateTime.fromISO('2025-01-01', { zone: CALENDAR_ZONE }).plus({ days: offset }).toISODate() as string);
  const calendars = fc
    .tuple(fc.uniqueArray(dates, { maxLength: 40 }), fc.uniqueArray(dates, { maxLength: 10 }))
    .map(([holidays, workdays]) => calendar(holidays, workdays.filter((day) => !holidays.includes(day))));
  return { instants, calendars };
}

describe('addWorkingTime properties', () => {
  const { instants, calendars } = arbitraries();
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

describe('workingTimeBetween', () => {
  it('counts only the working days between two instants', () => {
    // Friday 15:00 → Monday 15:00: nine hours of Friday and fifteen of Monday.
    expect(workingTimeBetween(shanghai('2026-11-27T15:00'), shanghai('2026-11-30T15:00'), EMPTY_CALENDAR)).toBe(DAY);
    // Saturday 10:00 → Monday 06:00: the weekend counts nothing.
    expect(workingTimeBetween(shanghai('2026-11-28T10:00'), shanghai('2026-11-30T06:00'), EMPTY_CALENDAR)).toBe(6 * 3_600_000);
  });

  it('skips a holiday run and counts the make-up Saturday', () => {
    expect(workingTimeBetween(shanghai('2026-09-30T09:00'), shanghai('2026-10-10T09:00'), NATIONAL_DAY_2026)).toBe(2 * DAY);
  });

  it('is 0 for an empty or reversed span', () => {
    const at = shanghai('2026-11-30T08:00');
    expect(workingTimeBetween(at, at, EMPTY_CALENDAR)).toBe(0);
    expect(workingTimeBetween(at, shanghai('2026-11-29T08:00'), EMPTY_CALENDAR)).toBe(0);
  });
});

describe('workingTimeBetween properties', () => {
  const { instants, calendars } = arbitraries();
  const durations = fc.integer({ min: 0, max: 10 * DAY });
  const spans = fc.integer({ min: 0, max: 20 * DAY });

  it('undoes addWorkingTime: the working time up to a computed deadline is its duration', () => {
    fc.assert(
      fc.property(instants, durations, calendars, (from, ms, cal) => {
        expect(workingTimeBetween(from, addWorkingTime(from, ms, cal), cal)).toBe(ms);
      }),
    );
  });

  it('adds up over consecutive spans', () => {
    fc.assert(
      fc.property(instants, spans, spans, calendars, (from, a, b, cal) => {
        const middle = new Date(from.getTime() + a);
        const end = new Date(middle.getTime() + b);
        expect(workingTimeBetween(from, end, cal)).toBe(workingTimeBetween(from, middle, cal) + workingTimeBetween(middle, end, cal));
      }),
    );
  });

  it('never exceeds the elapsed time, and equals it when every day works', () => {
    const allWork: WorkCalendar = { holidays: new Set(), workdays: { has: () => true } as unknown as ReadonlySet<string> };
    fc.assert(
      fc.property(instants, spans, calendars, (from, ms, cal) => {
        const to = new Date(from.getTime() + ms);
        expect(workingTimeBetween(from, to, cal)).toBeLessThanOrEqual(ms);
        expect(workingTimeBetween(from, to, allWork)).toBe(ms);
      }),
    );
  });

  it('adding back the working time of a span lands at or before its end, with nothing left to count', () => {
    fc.assert(
      fc.property(instants, spans, calendars, (from, ms, cal) => {
        const to = new Date(from.getTime() + ms);
        const worked = workingTimeBetween(from, to, cal);
        // Nothing worked: addWorkingTime(from, 0) waits for the next working day, which may be after `to`.
        fc.pre(worked > 0);
        const reached = addWorkingTime(from, worked, cal);
        expect(reached.getTime()).toBeLessThanOrEqual(to.getTime());
        expect(workingTimeBetween(reached, to, cal)).toBe(0);
      }),
    );
  });
});

describe('calendar coverage', () => {
  const covering2026 = { ...EMPTY_CALENDAR, coveredYears: new Set([2025, 2026]) };

  it('names the years a span counts that the calendar does not cover', () => {
    expect(uncoveredYearsBetween(shanghai('2026-12-28T10:00'), shanghai('2027-01-05T10:00'), covering2026)).toEqual([2027]);
    expect(uncoveredYearsBetween(shanghai('2026-12-28T10:00'), shanghai('2029-01-05T10:00'), covering2026)).toEqual([2027, 2028, 2029]);
    expect(uncoveredYearsBetween(shanghai('2026-02-10T10:00'), shanghai('2026-12-31T23:59'), covering2026)).toEqual([]);
  });

  it('does not count the day a deadline due at midnight only opens', () => {
    // Due at 2027-01-01 00:00 Shanghai (16:00 UTC the day before): only days of 2026 were counted.
    expect(reliesOnUncoveredDays(shanghai('2026-12-30T00:00'), shanghai('2027-01-01T00:00'), covering2026)).toBe(false);
    expect(reliesOnUncoveredDays(shanghai('2026-12-30T00:00'), shanghai('2027-01-01T00:00:01'), covering2026)).toBe(true);
  });

  it('claims nothing for a calendar without coverage, and nothing for 24x7 instants', () => {
    expect(uncoveredYearsBetween(shanghai('2026-12-28T10:00'), shanghai('2030-01-05T10:00'), EMPTY_CALENDAR)).toEqual([]);
    const span = { from: shanghai('2026-12-28T10:00'), to: shanghai('2027-01-05T10:00') };
    expect(uncoveredYearsOf([span], '24x7', covering2026)).toEqual([]);
    expect(uncoveredYearsOf([span, span], 'workdays', covering2026)).toEqual([2027]);
  });

  it('warns in Chinese and English, and not at all when every year is covered', () => {
    expect(calendarWarning([])).toBeNull();
    const warning = calendarWarning([2027, 2028]);
    expect(warning).toContain('2027年、2028年');
    expect(warning).toContain('2027, 2028');
  });

  it('tells a working-day deadline that crosses into an uncovered year, whatever the instants (property)', () => {
    const instants = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 30 * DAY }), (from, ms) => {
        const due = addWorkingTime(from, ms, covering2026);
        const crosses = localDate(new Date(due.getTime() - 1)) >= '2027-01-01';
        expect(reliesOnUncoveredDays(from, due, covering2026)).toBe(crosses);
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
