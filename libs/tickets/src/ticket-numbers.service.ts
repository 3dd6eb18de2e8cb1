import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { formatTicketNumber, localDate } from '@app/domain';

/** Ticket numbers (8890-YYYYMMDD-NNNNNN): unique and gap-free per Asia/Shanghai day. */
@Injectable()
export class TicketNumbers {
  /**
   * The next number of the day, from a counter row the upsert locks until the caller's transaction ends.
   * Raw SQL: an increment-on-conflict is one statement here, which TypeORM's upsert cannot express.
   */
  async next(manager: EntityManager, at: Date): Promise<string> {
    const day = localDate(at);
    const [row]: Array<{ last_value: number }> = await manager.query(
      `INSERT INTO ticket_number_counters (day, last_value) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET last_value = ticket_number_counters.last_value + 1
       RETURNING last_value`,
      [day],
    );
    return formatTicketNumber(day, row.last_value);
  }
}
