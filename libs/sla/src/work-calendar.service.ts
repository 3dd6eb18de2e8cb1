import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WorkCalendar } from '@app/domain';
import { CalendarDayEntity } from '@app/persistence';

@Injectable()
export class WorkCalendarService {
  constructor(@InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>) {}

  /** The holidays and make-up working days on record (a few dozen rows a year). */
  async load(): Promise<WorkCalendar> {
    const rows = await this.days.find();
    return {
      holidays: new Set(rows.filter((row) => row.kind === 'HOLIDAY').map((row) => row.day)),
      workdays: new Set(rows.filter((row) => row.kind === 'WORKDAY').map((row) => row.day)),
    };
  }
}
