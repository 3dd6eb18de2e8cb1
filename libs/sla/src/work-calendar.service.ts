import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WorkCalendar } from '@app/domain';
import { ProblemException } from '@app/http';
import { CalendarDayEntity } from '@app/persistence';
import { CalendarDto, CalendarYearDto } from './dto/sla.dto';

@Injectable()
export class WorkCalendarService {
  constructor(@InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>) {}

  async year(year: number): Promise<CalendarDto> {
    const rows = await this.days.createQueryBuilder('d').where('extract(year from d.day) = :year', { year }).orderBy('d.day').getMany();
    return {
      year,
      holidays: rows.filter((row) => row.kind === 'HOLIDAY').map((row) => row.day),
      workdays: rows.filter((row) => row.kind === 'WORKDAY').map((row) => row.day),
    };
  }

  /** Replaces a year's exceptions in one transaction. */
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
      await manager.query(`DELETE FROM calendar_days WHERE extract(year from day) = $1`, [year]);
      const rows = [
        ...[...new Set(body.holidays)].map((day) => ({ day, kind: 'HOLIDAY' as const })),
        ...[...new Set(body.workdays)].map((day) => ({ day, kind: 'WORKDAY' as const })),
      ];
      if (rows.length > 0) await manager.insert(CalendarDayEntity, rows);
    });
    return this.year(year);
  }

  /** The holidays and make-up working days on record (a few dozen rows a year). */
  async load(): Promise<WorkCalendar> {
    const rows = await this.days.find();
    return {
      holidays: new Set(rows.filter((row) => row.kind === 'HOLIDAY').map((row) => row.day)),
      workdays: new Set(rows.filter((row) => row.kind === 'WORKDAY').map((row) => row.day)),
    };
  }
}
