import fc from 'fast-check';
import { DateTime } from 'luxon';
import { parseDurationMs } from './duration';
import { DEFAULT_SLA_POLICIES, dispatchDeadlines, DUE_SOON_FRACTION, escalationRungs } from './sla-policy';
import { addWorkingTime, CALENDAR_ZONE, EMPTY_CALENDAR, isWorkingDay, WorkCalendar, workingTimeBetween } from './work-calendar';

const shanghai = (iso: string): Date => DateTime.fromISO(iso, { zone: CALENDAR_ZONE }).toJSDate();
const dueSoon = (startsAt: Date, dueAt: Date, calendar: WorkCalendar, policy = DEFAULT_SLA_POLICIES.P2): Date =>
  escalationRungs({ stage: 'accept', startsAt, dueAt }, policy, calendar).find((rung) => rung.level === 'DUE_SOON')!.at;

// 春节 2026 as the State Council set it: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked (调休).
const SPRING_FESTIVAL_2026: WorkCalendar = {
  holidays: new Set(['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23']),
  workdays: new Set(['2026-02-14', '2026-02-28']),
};

/** DUE_SOON (黄灯) of a working-day policy: 80 % of the working time, never on a day off (docs/product.md, Escalation). */
describe('DUE_SOON of a working-day stage', () => {
  it('fires at 80 % of the working time, not in the weekend night 80 % of the elapsed time would give', () => {
    // P2 accept from Friday 10:00 is due Monday 10:00: 24 working hours, so 黄灯 after 19.2 of them, Monday 05:12
    // (80 % of the 72 elapsed hours would be Sunday 19:36).
    const [accept] = dispatchDeadlines(shanghai('2026-11-27T10:00'), DEFAULT_SLA_POLICIES.P2, false, EMPTY_CALENDAR);
    expect(accept.dueAt).toEqual(shanghai('2026-11-30T10:00'));
    expect(dueSoon(accept.startsAt, accept.dueAt, EMPTY_CALENDAR)).toEqual(shanghai('2026-11-30T05:12'));
  });

  it('skips the Spring Festival: from the make-up Saturday it fires the Tuesday after, not on Feb 22', () => {
    const [accept] = dispatchDeadlines(shanghai('2026-02-14T10:00'), DEFAULT_SLA_POLICIES.P2, false, SPRING_FESTIVAL_2026);
    expect(accept.dueAt).toEqual(shanghai('2026-02-24T10:00'));
    expect(dueSoon(accept.startsAt, accept.dueAt, SPRING_FESTIVAL_2026)).toEqual(shanghai('2026-02-24T05:12'));
  });

  it('leaves 24x7 policies at 80 % of the elapsed window', () => {
    const startsAt = shanghai('2026-11-28T02:00');
    const dueAt = new Date(startsAt.getTime() + 30 * 60_000);
    expect(dueSoon(startsAt, dueAt, SPRING_FESTIVAL_2026, DEFAULT_SLA_POLICIES.P1)).toEqual(new Date(startsAt.getTime() + 24 * 60_000));
  });

  const instants = fc.date({ min: new Date('2025-12-01T00:00:00Z'), max: new Date('2027-01-31T00:00:00Z'), noInvalidDate: true });
  const windows = fc.integer({ min: 60_000, max: 10 * 86_400_000 });
  const calendars = fc.constantFrom(EMPTY_CALENDAR, SPRING_FESTIVAL_2026);

  it('lands inside a working day (or at the midnight ending one), inside the window, at 80 % of its working time', () => {
    fc.assert(
      fc.property(instants, windows, calendars, (startsAt, ms, calendar) => {
        const dueAt = addWorkingTime(startsAt, ms, calendar);
        const at = dueSoon(startsAt, dueAt, calendar);
        const local = DateTime.fromJSDate(at, { zone: CALENDAR_ZONE });
        const atMidnight = local.equals(local.startOf('day'));
        expect(isWorkingDay(atMidnight ? local.minus({ days: 1 }) : local, calendar)).toBe(true);
        expect(at.getTime()).toBeGreaterThan(startsAt.getTime());
        expect(at.getTime()).toBeLessThan(dueAt.getTime());
        expect(workingTimeBetween(startsAt, at, calendar)).toBe(Math.floor(ms * DUE_SOON_FRACTION));
      }),
    );
  });

  it('keeps the ladder in order: DUE_SOON, OVERDUE, WARNING, PUBLIC_NOTICE', () => {
    fc.assert(
      fc.property(instants, calendars, (dispatchedAt, calendar) => {
        for (const deadline of dispatchDeadlines(dispatchedAt, DEFAULT_SLA_POLICIES.P2, false, calendar)) {
          const times = escalationRungs(deadline, DEFAULT_SLA_POLICIES.P2, calendar).map((rung) => rung.at.getTime());
          expect([...times].sort((a, b) => a - b)).toEqual(times);
          expect(times[1] - times[0]).toBeGreaterThan(0);
          expect(workingTimeBetween(deadline.startsAt, deadline.dueAt, calendar)).toBe(parseDurationMs(deadline.stage === 'reply' ? 'P5D' : 'P1D'));
        }
      }),
    );
  });
});
