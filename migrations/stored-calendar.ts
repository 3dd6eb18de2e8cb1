import type { QueryRunner } from 'typeorm';
// By path, not by alias: the test setup runs migrations under Node's own require.
import type { WorkCalendar } from '../libs/domain/src';

/**
 * The working-day calendar as the `calendar_days` table holds it when a back-fill runs: what deadlines were
 * computed with until the shipped schedule (migration Calendar) arrived. Not a migration itself.
 */
export async function storedCalendar(queryRunner: QueryRunner): Promise<WorkCalendar> {
  const days: Array<{ day: string; kind: string }> = await queryRunner.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days`);
  return {
    holidays: new Set(days.filter((row) => row.kind === 'HOLIDAY').map((row) => row.day)),
    workdays: new Set(days.filter((row) => row.kind === 'WORKDAY').map((row) => row.day)),
  };
}
