import { CALENDAR_ZONE, CLOSED_STATUSES, COMPANY_STAGES, ESCALATION_LEVELS, escalationRank, isOpenStatus, RATED_STAGES, STAGES, TICKET_STATUSES } from '@app/domain';
import type { StageState } from './entities';
import {
  COMPANY_STAGE_SQL,
  ESCALATED_TICKET_SQL,
  LOCAL_DAY_SQL,
  OPEN_TICKET_SQL,
  RATED_STAGE_SQL,
  STAGE_OVERDUE_NOW_SQL,
  STAGE_WENT_OVERDUE_SQL,
  TICKET_OVERDUE_NOW_SQL,
  TICKET_WENT_OVERDUE_SQL,
} from './ticket-predicates';

/** The quoted values of the one `IN (…)` / `NOT IN (…)` list in a fragment. */
function listed(sql: string, operator: 'IN' | 'NOT IN'): string[] {
  const match = new RegExp(`\\b${operator} \\(([^)]*)\\)`).exec(sql);
  if (!match) throw new Error(`no ${operator} list in ${sql}`);
  return match[1].split(',').map((value) => {
    const quoted = /^\s*'([A-Za-z_]+)'\s*$/.exec(value);
    if (!quoted) throw new Error(`not a plain quoted value: ${value}`);
    return quoted[1];
  });
}

/** A StageState key, checked by the compiler: renaming the field in the entity breaks this spec. */
const stageKey = <K extends keyof StageState>(key: K): K => key;

/**
 * The SQL fragments are built from the domain's constants; these tests tie each one to them, so a new
 * closed status, a newly rated stage or another calendar zone cannot leave one query behind.
 */
describe('ticket predicates', () => {
  it('OPEN_TICKET_SQL excludes exactly CLOSED_STATUSES, so it agrees with isOpenStatus', () => {
    const sql = OPEN_TICKET_SQL('t');
    expect(sql).toMatch(/^t\.status NOT IN \(/);
    const closed = listed(sql, 'NOT IN');
    expect([...closed].sort()).toEqual([...CLOSED_STATUSES].sort());
    for (const status of TICKET_STATUSES) expect(!closed.includes(status)).toBe(isOpenStatus(status));
  });

  it('RATED_STAGE_SQL lists exactly RATED_STAGES, every one a real stage', () => {
    const sql = RATED_STAGE_SQL('s');
    expect(sql).toMatch(/^s\.key IN \(/);
    const rated = listed(sql, 'IN');
    expect(rated).toEqual([...RATED_STAGES]);
    for (const stage of rated) expect(STAGES).toContain(stage);
    expect(rated).not.toContain('remediate');
  });

  it('LOCAL_DAY_SQL takes the calendar day in CALENDAR_ZONE', () => {
    expect(CALENDAR_ZONE).toBe('Asia/Shanghai');
    expect(LOCAL_DAY_SQL('t.created_at')).toBe(`(t.created_at AT TIME ZONE '${CALENDAR_ZONE}')::date`);
    expect(LOCAL_DAY_SQL('$1::timestamptz')).toBe(`($1::timestamptz AT TIME ZONE '${CALENDAR_ZONE}')::date`);
  });

  it('a stage went overdue when its StageState.overdue flag is set, and is overdue now while also not done', () => {
    expect(STAGE_WENT_OVERDUE_SQL('s')).toBe(`(s.value->>'${stageKey('overdue')}')::boolean`);
    expect(STAGE_OVERDUE_NOW_SQL('s')).toBe(`${STAGE_WENT_OVERDUE_SQL('s')} AND s.value->>'${stageKey('doneAt')}' IS NULL`);
  });

  it('a ticket is overdue now when open with a stage of its current dispatch overdue now, and went overdue when a stage of any dispatch did', () => {
    expect(TICKET_OVERDUE_NOW_SQL('t')).toBe(`(${OPEN_TICKET_SQL('t')} AND EXISTS (SELECT 1 FROM jsonb_each(t.stages) s WHERE ${COMPANY_STAGE_SQL('s')} AND ${STAGE_OVERDUE_NOW_SQL('s')}))`);
    expect(TICKET_WENT_OVERDUE_SQL('t')).toBe(
      `EXISTS (SELECT 1 FROM ticket_dispatches d CROSS JOIN LATERAL jsonb_each(d.stages) s WHERE d.ticket_id = t.id AND ${COMPANY_STAGE_SQL('s')} AND ${STAGE_WENT_OVERDUE_SQL('s')})`,
    );
  });

  it('uses the alias it is given (default t for tickets, s for stages)', () => {
    expect(OPEN_TICKET_SQL('x')).toMatch(/^x\.status /);
    expect(OPEN_TICKET_SQL()).toBe(OPEN_TICKET_SQL('t'));
    expect(RATED_STAGE_SQL('stage')).toMatch(/^stage\.key IN/);
    expect(RATED_STAGE_SQL()).toBe(RATED_STAGE_SQL('s'));
    expect(STAGE_OVERDUE_NOW_SQL('y')).toBe(`(y.value->>'overdue')::boolean AND y.value->>'doneAt' IS NULL`);
    expect(TICKET_OVERDUE_NOW_SQL('x')).toContain('x.status NOT IN');
    expect(TICKET_OVERDUE_NOW_SQL('x')).toContain('jsonb_each(x.stages)');
    expect(TICKET_WENT_OVERDUE_SQL('x')).toContain('d.ticket_id = x.id');
  });

  it('an escalated ticket is one at OVERDUE or above, the partial index’s levels', () => {
    expect(ESCALATED_TICKET_SQL('t')).toBe(`t.escalation_level IN ('OVERDUE', 'WARNING', 'PUBLIC_NOTICE')`);
    expect(ESCALATION_LEVELS.filter((level) => ESCALATED_TICKET_SQL('t').includes(`'${level}'`))).toEqual(ESCALATION_LEVELS.slice(escalationRank('OVERDUE')));
  });

  it('a company stage is every stage but the hotline’s callback', () => {
    expect(COMPANY_STAGE_SQL('s')).toBe(`s.key IN (${COMPANY_STAGES.map((stage) => `'${stage}'`).join(', ')})`);
    expect(COMPANY_STAGES).not.toContain('callback');
    expect([...COMPANY_STAGES, 'callback'].sort()).toEqual([...STAGES].sort());
  });
});
