import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import shippedSchedule from 'chinese-days/dist/chinese-days.json';
import { WorkCalendar } from '@app/domain';
import type { CalendarCoverage } from '@app/domain';
import { ProblemException } from '@app/http';
import { CalendarDayEntity } from '@app/persistence';
import { CalendarDto, CalendarYearDto } from './dto/sla.dto';

interface YearDays {
  readonly holidays: readonly string[];
  readonly workdays: readonly string[];
}

/**
 * The State Council's holidays and make-up working days (调休) of every year the `chinese-days` package
 * carries (docs/product.md, Working-day calendar), by year. Its JSON lists each day off of a holiday run
 * (weekend days included) under `holidays` and each make-up working day under `workdays`.
 */
export const SHIPPED_CALENDAR: ReadonlyMap<number, YearDays> = (() => {
  const years = new Map<number, { holidays: string[]; workdays: string[] }>();
  const add = (day: string, list: 'holidays' | 'workdays'): void => {
    const year = Number(day.slice(0, 4));
    const days = years.get(year) ?? { holidays: [], workdays: [] };
    days[list].push(day);
    years.set(year, days);
  };
  for (const day of Object.keys(shippedSchedule.holidays)) add(day, 'holidays');
  for (const day of Object.keys(shippedSchedule.workdays)) add(day, 'workdays');
  const sorted = [...years.entries()].sort(([a], [b]) => a - b);
  return new Map(sorted.map(([year, days]) => [year, { holidays: [...days.holidays].sort(), workdays: [...days.workdays].sort() }]));
})();

/**
 * The working-day calendar: the shipped schedule, with whole years replaced by admins (`PUT /calendar/{year}`,
 * rows of `calendar_days`, the years named in `calendar_overrides`). `load()` is the one calendar every
 * deadline and rung is computed with.
 */
@Injectable()
export class WorkCalendarService {
  /** The calendar `load` built last, and the state of `calendar_overrides` it was built for. */
  private built?: { readonly stamp: string; readonly calendar: WorkCalendar };

  constructor(@InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>) {}

  async year(year: number): Promise<CalendarDto> {
    const [overriddenAt] = (await this.overrides()).filter((override) => override.year === year).map((override) => override.overriddenAt);
    const shipped = SHIPPED_CALENDAR.get(year);
    if (overriddenAt) {
      const rows = await this.days.createQueryBuilder('d').where('extract(year from d.day) = :year', { year }).orderBy('d.day').getMany();
      return {
        year,
        source: 'OVERRIDDEN',
        shipped: shipped !== undefined,
        overriddenAt: overriddenAt.toISOString(),
        holidays: rows.filter((row) => row.kind === 'HOLIDAY').map((row) => row.day),
        workdays: rows.filter((row) => row.kind === 'WORKDAY').map((row) => row.day),
      };
    }
    return {
      year,
      source: shipped ? 'SHIPPED' : 'NONE',
      shipped: shipped !== undefined,
      overriddenAt: null,
      holidays: [...(shipped?.holidays ?? [])],
      workdays: [...(shipped?.workdays ?? [])],
    };
  }

  /** Replaces a year's exceptions in one transaction: the override replaces the shipped year entirely. */
  async replaceYear(year: number, body: CalendarYearDto): Promise<CalendarDto> {
    const errors = [
      ...body.holidays.filter((day) => !day.startsWith(`${year}-`) || day.length !== 10).map((day) => ({ field: 'holidays', message: `${day} is not a date (YYYY-MM-DD) of ${year}` })),
      ...body.workdays.filter((day) => !day.startsWith(`${year}-`) || day.length !== 10).map((day) => ({ field: 'workdays', message: `${day} is not a date (YYYY-MM-DD) of ${year}` })),
      ...body.workdays.filter((day) => body.holidays.includes(day)).map((day) => ({ field: 'workdays', message: `${day} is listed as both a holiday and a working day` })),
    ];
    if (year < 2000 || year > 2100) errors.push({ field: 'year', message: 'year must be between 2000 and 2100' });
    if (errors.length > 0) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, errors.map((error) => error.message).join('; '), { title: 'Validation failed', errors });
    }
    await this.days.manager.transaction(async (manager) => {
      // First, so two replacements of one year queue behind this row's lock instead of colliding on the days.
      await manager.query(
        `INSERT INTO calendar_overrides (year, overridden_at) VALUES ($1, now()) ON CONFLICT (year) DO UPDATE SET overridden_at = excluded.overridden_at`,
        [year],
      );
      await manager.query(`DELETE FROM calendar_days WHERE extract(year from day) = $1`, [year]);
      const rows = [
        ...[...new Set(body.holidays)].map((day) => ({ day, kind: 'HOLIDAY' as const })),
        ...[...new Set(body.workdays)].map((day) => ({ day, kind: 'WORKDAY' as const })),
      ];
      if (rows.length > 0) await manager.insert(CalendarDayEntity, rows);
    });
    return this.year(year);
  }

  /**
   * The calendar deadlines are computed with: every shipped year not overridden, and every overridden year
   * as the admin left it (a few dozen days a year), with the years it covers. Built once per state of
   * `calendar_overrides`: each call reads that table (a few rows), and the days again only when it changed.
   * Every replacement of a year stamps its override row in the transaction that replaces the days, so an
   * unchanged stamp means unchanged days, on every replica; a calendar built from days read after a newer
   * stamp is kept under the older one, which no later read returns. `manager`: read in the caller's transaction.
   */
  async load(manager?: EntityManager): Promise<WorkCalendar> {
    const overrides = await this.overrides(manager);
    const stamp = overrides.map((override) => `${override.year}@${override.stamp}`).join(',');
    if (this.built?.stamp === stamp) return this.built.calendar;
    const rows = await (manager ? manager.getRepository(CalendarDayEntity) : this.days).find();
    const overridden = new Set(overrides.map((override) => override.year));
    const holidays = new Set<string>();
    const workdays = new Set<string>();
    for (const [year, days] of SHIPPED_CALENDAR) {
      if (overridden.has(year)) continue;
      for (const day of days.holidays) holidays.add(day);
      for (const day of days.workdays) workdays.add(day);
    }
    for (const row of rows) {
      if (!overridden.has(Number(row.day.slice(0, 4)))) continue; // not reachable through the API: each stored year is named
      (row.kind === 'HOLIDAY' ? holidays : workdays).add(row.day);
    }
    const calendar: WorkCalendar = { holidays, workdays, coveredYears: new Set([...SHIPPED_CALENDAR.keys(), ...overridden]) };
    this.built = { stamp, calendar };
    return calendar;
  }

  /** The years the calendar covers, without loading the days: for telling whether a deadline relied on a guess. */
  async coverage(): Promise<Required<CalendarCoverage>> {
    const overrides = await this.overrides();
    return { coveredYears: new Set([...SHIPPED_CALENDAR.keys(), ...overrides.map((override) => override.year)]) };
  }

  /**
   * `builder`, also selecting the overridden years (as `overridden_years`): `coverage` read by a query that runs
   * anyway, in its snapshot, instead of by a statement of its own. `coverageOf` one of its raw rows gives it.
   */
  withOverriddenYears<T extends ObjectLiteral>(builder: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return builder.addSelect('ARRAY(SELECT o.year FROM calendar_overrides o)', 'overridden_years');
  }

  /** The coverage from a raw row of a query made by `withOverriddenYears`. */
  coverageOf(row: { readonly overridden_years: readonly (number | string)[] }): Required<CalendarCoverage> {
    return { coveredYears: new Set([...SHIPPED_CALENDAR.keys(), ...row.overridden_years.map(Number)]) };
  }

  /** The overridden years; `stamp` is the override's instant to the microsecond, as text (a Date keeps milliseconds). */
  private async overrides(manager?: EntityManager): Promise<Array<{ year: number; overriddenAt: Date; stamp: string }>> {
    const rows: Array<{ year: number; overridden_at: Date; stamp: string }> = await (manager ?? this.days.manager).query(
      `SELECT year, overridden_at, overridden_at::text AS stamp FROM calendar_overrides ORDER BY year`,
    );
    return rows.map((row) => ({ year: Number(row.year), overriddenAt: new Date(row.overridden_at), stamp: row.stamp }));
  }
}
