import { DateTime } from 'luxon';
import { effectivePriority } from './categories';
import { DEFAULT_SLA_POLICIES, dispatchDeadlines, escalationRungs, exceedsExtensionCap, isDesignatedDispatch, laterStagesToHold, returnAllowedUntil, STAGE_ORDER } from './sla-policy';
import { STAGES } from './ticket-status';
import { CALENDAR_ZONE, EMPTY_CALENDAR } from './work-calendar';

const at = (iso: string): Date => new Date(iso);

describe('dispatchDeadlines', () => {
  it('counts every P1 stage from the dispatch instant (docs/product.md, SLA)', () => {
    const dispatched = at('2026-11-28T02:00:00Z');
    const deadlines = dispatchDeadlines(dispatched, DEFAULT_SLA_POLICIES.P1, true, EMPTY_CALENDAR);
    expect(deadlines.map((d) => [d.stage, d.dueAt.toISOString()])).toEqual([
      ['accept', '2026-11-28T02:30:00.000Z'],
      ['contact', '2026-11-28T03:00:00.000Z'],
      ['visit', '2026-11-28T08:00:00.000Z'],
      ['reply', '2026-11-29T02:00:00.000Z'],
    ]);
    expect(deadlines.every((d) => d.startsAt === dispatched)).toBe(true);
  });

  it('has no visit stage when the category needs none, or the policy sets none', () => {
    const dispatched = at('2026-11-30T02:00:00Z');
    expect(dispatchDeadlines(dispatched, DEFAULT_SLA_POLICIES.P1, false, EMPTY_CALENDAR).map((d) => d.stage)).toEqual([
      'accept',
      'contact',
      'reply',
    ]);
    expect(dispatchDeadlines(dispatched, DEFAULT_SLA_POLICIES.P2, true, EMPTY_CALENDAR).map((d) => d.stage)).toEqual([
      'accept',
      'contact',
      'reply',
    ]);
  });

  it('counts P2 in working days: a Friday dispatch is due to accept on Monday', () => {
    const friday = DateTime.fromISO('2026-11-27T10:00', { zone: CALENDAR_ZONE }).toJSDate();
    const [accept] = dispatchDeadlines(friday, DEFAULT_SLA_POLICIES.P2, false, EMPTY_CALENDAR);
    expect(accept.dueAt).toEqual(DateTime.fromISO('2026-11-30T10:00', { zone: CALENDAR_ZONE }).toJSDate());
  });
});

describe('escalationRungs', () => {
  it('puts DUE_SOON at 80 %, OVERDUE at the deadline, WARNING and PUBLIC_NOTICE after it', () => {
    const startsAt = at('2026-11-28T02:00:00Z');
    const rungs = escalationRungs({ stage: 'accept', startsAt, dueAt: at('2026-11-28T02:30:00Z') }, DEFAULT_SLA_POLICIES.P1, EMPTY_CALENDAR);
    expect(rungs.map((r) => [r.level, r.at.toISOString()])).toEqual([
      ['DUE_SOON', '2026-11-28T02:24:00.000Z'],
      ['OVERDUE', '2026-11-28T02:30:00.000Z'],
      ['WARNING', '2026-11-28T04:30:00.000Z'],
      ['PUBLIC_NOTICE', '2026-11-29T02:30:00.000Z'],
    ]);
  });

  it('counts WARNING after a P2 deadline in working days', () => {
    const friday = DateTime.fromISO('2026-11-27T10:00', { zone: CALENDAR_ZONE });
    const rungs = escalationRungs(
      { stage: 'accept', startsAt: friday.minus({ days: 1 }).toJSDate(), dueAt: friday.toJSDate() },
      DEFAULT_SLA_POLICIES.P2,
      EMPTY_CALENDAR,
    );
    expect(rungs.find((r) => r.level === 'WARNING')?.at).toEqual(friday.plus({ days: 3 }).toJSDate());
  });
});

describe('effectivePriority', () => {
  it('takes the category default without a request', () => {
    expect(effectivePriority('LEAK')).toBe('P0');
    expect(effectivePriority('BILLING')).toBe('P2');
  });

  it('takes a raised priority, and refuses a lower one (the edge answers 400 before it gets here)', () => {
    expect(effectivePriority('NOT_WARM', 'P0')).toBe('P0');
    expect(effectivePriority('BILLING', 'P1')).toBe('P1');
    expect(effectivePriority('NOT_WARM', 'P1')).toBe('P1');
    expect(() => effectivePriority('LEAK', 'P2')).toThrow(/below the LEAK default P0/);
  });
});

describe('Tianjin dispatch terms (domain.md §2.2, §2.4)', () => {
  const p1 = DEFAULT_SLA_POLICIES.P1;
  const p2 = DEFAULT_SLA_POLICIES.P2;
  it('allows a return within 2 h for P1 and one working day for P2', () => {
    const monday10 = new Date('2026-12-07T02:00:00Z');
    expect(returnAllowedUntil(monday10, p1, EMPTY_CALENDAR).toISOString()).toBe('2026-12-07T04:00:00.000Z');
    const friday10 = new Date('2026-12-11T02:00:00Z');
    expect(returnAllowedUntil(friday10, p2, EMPTY_CALENDAR).toISOString()).toBe('2026-12-14T02:00:00.000Z');
  });
  it('designates from the third dispatch', () => {
    expect([1, 2, 3, 4].map((count) => isDesignatedDispatch(count, p1))).toEqual([false, false, true, true]);
  });
  it('caps one extension at 24 h for P1 and five working days for P2', () => {
    expect(exceedsExtensionCap('PT24H', p1)).toBe(false);
    expect(exceedsExtensionCap('PT24H1S', p1)).toBe(true);
    expect(exceedsExtensionCap('P5D', p2)).toBe(false);
    expect(exceedsExtensionCap('P1W', p2)).toBe(true);
  });
});

describe('stages wait on each other', () => {
  const stage = (dueAt: string, doneAt: string | null = null) => ({ dueAt, doneAt });
  it('moves every later open stage due earlier than the moved one, and nothing else', () => {
    const stages = {
      accept: stage('2026-12-07T03:00:00.000Z'),
      contact: stage('2026-12-07T04:00:00.000Z', '2026-12-07T03:30:00.000Z'),
      visit: stage('2026-12-07T08:00:00.000Z'),
      reply: stage('2026-12-09T02:00:00.000Z'),
    };
    expect(laterStagesToHold(stages, 'accept', new Date('2026-12-08T03:00:00.000Z'))).toEqual([
      { stage: 'visit', from: '2026-12-07T08:00:00.000Z', to: '2026-12-08T03:00:00.000Z' },
    ]);
    expect(laterStagesToHold({ ...stages, remediate: stage('2026-12-10T00:00:00.000Z') }, 'remediate', new Date('2026-12-10T00:00:00.000Z'))).toEqual([
      { stage: 'reply', from: '2026-12-09T02:00:00.000Z', to: '2026-12-10T00:00:00.000Z' },
    ]);
    expect(laterStagesToHold(stages, 'reply', new Date('2027-01-01T00:00:00.000Z'))).toEqual([]);
  });
  it('orders the reply after the visit and a remediation', () => {
    expect(STAGE_ORDER.indexOf('reply')).toBeGreaterThan(STAGE_ORDER.indexOf('remediate'));
    expect(STAGE_ORDER.indexOf('remediate')).toBeGreaterThan(STAGE_ORDER.indexOf('visit'));
    expect([...STAGE_ORDER].sort()).toEqual([...STAGES].sort());
  });
});
