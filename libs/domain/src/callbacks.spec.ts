import { DEFAULT_INDOOR_STANDARD } from './indoor-temperature';
import { ActionInput, DEFAULT_CALLBACK_ATTEMPTS, EVALUATION_LEVELS, LifecycleState, planTransition, satisfactionOf, TransitionRefusedError } from './lifecycle';
import { callbackDeadline, callbackRungTerms, DEFAULT_SLA_POLICIES, escalationRungs } from './sla-policy';
import { RATED_STAGES, rungLevelsOf } from './ticket-status';
import { EMPTY_CALENDAR } from './work-calendar';

/** Callbacks and evaluation (domain.md §2.5): the pure rules. */
const NOW = Date.parse('2026-12-01T02:00:00Z');

function replied(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    status: 'REPLIED',
    category: 'NOT_WARM',
    statusBeforeReturn: null,
    stages: { callback: { dueAt: '2026-12-02T02:00:00.000Z', doneAt: null } },
    extension: null,
    approvedExtensions: 0,
    closedAt: null,
    ...overrides,
  };
}

const answered = (satisfaction: 'SATISFIED' | 'BASICALLY_SATISFIED' | 'UNSATISFIED', unitAtFault = false): ActionInput => ({
  action: 'callback',
  reached: true,
  solved: satisfaction !== 'UNSATISFIED',
  contacted: true,
  satisfaction,
  unitAtFault,
  note: '',
});
const unreached: ActionInput = { action: 'callback', reached: false, note: '无人接听' };

describe('the national five-level scale', () => {
  it('reads each answer as one of the three levels the reports use', () => {
    expect(EVALUATION_LEVELS.map(satisfactionOf)).toEqual(['SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'UNSATISFIED']);
  });
});

describe('a callback that does not reach the citizen', () => {
  it('keeps the ticket REPLIED until the last attempt, which closes it as 未联系上', () => {
    expect(DEFAULT_CALLBACK_ATTEMPTS).toBe(3);
    for (const callbackAttempts of [0, 1]) {
      expect(planTransition(replied({ callbackAttempts }), unreached, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'REPLIED', closes: false, callbackOutcome: null, completes: [] });
    }
    expect(planTransition(replied({ callbackAttempts: 2 }), unreached, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({
      status: 'CLOSED',
      closes: true,
      endsDispatch: 'CLOSED',
      callbackOutcome: 'UNREACHED',
      completes: ['callback'],
    });
  });

  it('follows the policy’s number of attempts', () => {
    expect(planTransition(replied({ callbackAttempts: 0, callbackAttemptLimit: 1 }), unreached, NOW, DEFAULT_INDOOR_STANDARD).callbackOutcome).toBe('UNREACHED');
    expect(planTransition(replied({ callbackAttempts: 3, callbackAttemptLimit: 5 }), unreached, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('REPLIED');
  });
});

describe('an evaluation', () => {
  it('closes a satisfied one, reopens a 不满意 through the unit’s fault, and queues one for objective reasons', () => {
    expect(planTransition(replied(), answered('BASICALLY_SATISFIED'), NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'CLOSED', callbackOutcome: 'EVALUATED', review: null });
    expect(planTransition(replied(), answered('UNSATISFIED', true), NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'RECEIVED', freshDispatch: 'reopen', endsDispatch: 'REOPENED' });
    expect(planTransition(replied(), answered('UNSATISFIED', false), NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({
      status: 'REPLIED',
      closes: false,
      endsDispatch: null,
      review: 'PENDING',
      callbackOutcome: 'EVALUATED',
      completes: ['callback'],
    });
  });
});

describe('the review of an objective 不满意', () => {
  it('is decided by a confirmation (closed) or a 重办 (reopened), and only while pending', () => {
    const pending = replied({ review: 'PENDING' });
    expect(planTransition(pending, { action: 'review-confirm' }, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'CLOSED', closes: true, endsDispatch: 'CLOSED', review: 'CONFIRMED' });
    expect(planTransition(pending, { action: 'review-reopen', reason: '供热单位可协调' }, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({
      status: 'RECEIVED',
      freshDispatch: 'reopen',
      endsDispatch: 'REOPENED',
      review: 'REOPENED',
    });
    expect(() => planTransition(replied(), { action: 'review-confirm' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(TransitionRefusedError);
    expect(() => planTransition(replied({ review: 'CONFIRMED' }), { action: 'review-reopen', reason: 'x' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no callback is waiting/);
    expect(() => planTransition(pending, answered('SATISFIED'), NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/a supervisor reviews it/);
  });
});

describe('the callback stage', () => {
  it('is opened by a reply', () => {
    const visited: LifecycleState = { ...replied(), status: 'VISITED' };
    expect(planTransition(visited, { action: 'reply', resolution: '已修复' }, NOW, DEFAULT_INDOOR_STANDARD).opensCallback).toBe(true);
  });

  it('is due the next working day after the reply, with only DUE_SOON and OVERDUE, and is not rated', () => {
    // Friday 2026-12-04 10:00 Shanghai → Monday 2026-12-07 10:00 (the weekend does not count).
    const repliedAt = new Date('2026-12-04T02:00:00Z');
    const deadline = callbackDeadline(repliedAt, DEFAULT_SLA_POLICIES.P1, EMPTY_CALENDAR);
    expect(deadline).toEqual({ stage: 'callback', startsAt: repliedAt, dueAt: new Date('2026-12-07T02:00:00Z') });
    const rungs = escalationRungs(deadline, callbackRungTerms(DEFAULT_SLA_POLICIES.P1), EMPTY_CALENDAR);
    expect(rungs.map((rung) => rung.level)).toEqual(['DUE_SOON', 'OVERDUE']);
    expect(rungs[1].at).toEqual(deadline.dueAt);
    expect(rungLevelsOf('callback')).toEqual(['DUE_SOON', 'OVERDUE']);
    expect(rungLevelsOf('reply')).toEqual(['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE']);
    expect(RATED_STAGES).not.toContain('callback');
  });
});
