import { DEFAULT_INDOOR_STANDARD } from './indoor-temperature';
import { ActionInput, currentStage, LifecycleState, planTransition, priorityAfterRepeatCall, REOPEN_WINDOW_MS, TransitionRefusedError } from './lifecycle';
import { TICKET_STATUSES, TicketStatus } from './ticket-status';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const LATER = '2026-11-28T12:00:00.000Z';
const EARLIER = '2026-11-28T09:00:00.000Z';

function state(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    status: 'RECEIVED',
    category: 'NOT_WARM',
    statusBeforeReturn: null,
    stages: {
      accept: { dueAt: LATER, doneAt: null },
      contact: { dueAt: LATER, doneAt: null },
      visit: { dueAt: LATER, doneAt: null },
      reply: { dueAt: LATER, doneAt: null },
    },
    extension: null,
    approvedExtensions: 0,
    closedAt: null,
    ...overrides,
  };
}

const ACTIONS: Record<string, ActionInput> = {
  accept: { action: 'accept' },
  contact: { action: 'contact', note: 'called' },
  visit: { action: 'visit', note: 'measured', readings: [{ room: '卧室', celsius: 19 }] },
  reply: { action: 'reply', resolution: 'fixed' },
  return: { action: 'return', reason: 'not ours' },
  reassign: { action: 'reassign', companyId: 'c2' },
  'reject-return': { action: 'reject-return', reason: 'it is yours' },
  callback: { action: 'callback', reached: true, solved: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '' },
  cancel: { action: 'cancel', reason: 'duplicate' },
};

/** docs/product.md, Lifecycle: the statuses each action may start from (for a category that needs a visit). */
const ALLOWED_FROM: Record<string, TicketStatus[]> = {
  accept: ['RECEIVED'],
  contact: ['ACCEPTED'],
  visit: ['CONTACTED', 'REMEDIATING'],
  reply: ['VISITED'],
  return: ['RECEIVED', 'ACCEPTED'],
  reassign: ['RETURN_REQUESTED', 'RECEIVED', 'ACCEPTED'],
  'reject-return': ['RETURN_REQUESTED'],
  callback: ['REPLIED'],
  cancel: ['RECEIVED', 'ACCEPTED', 'CONTACTED', 'VISITED', 'REMEDIATING', 'REPLIED', 'RETURN_REQUESTED'],
};

describe('planTransition: which status allows which action', () => {
  const cases = Object.keys(ACTIONS).flatMap((action) => TICKET_STATUSES.map((status) => [action, status] as const));
  it.each(cases)('%s from %s', (action, status) => {
    const attempt = (): unknown => planTransition(state({ status, statusBeforeReturn: 'ACCEPTED' }), ACTIONS[action], NOW, DEFAULT_INDOOR_STANDARD);
    if (ALLOWED_FROM[action].includes(status)) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(TransitionRefusedError);
  });
});

describe('planTransition: what each action does', () => {
  it('walks the happy path', () => {
    expect(planTransition(state(), ACTIONS.accept, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'ACCEPTED', completes: ['accept'] });
    expect(planTransition(state({ status: 'ACCEPTED' }), ACTIONS.contact, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'CONTACTED', completes: ['contact'] });
    expect(planTransition(state({ status: 'CONTACTED' }), ACTIONS.visit, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'VISITED', completes: ['visit'] });
    expect(planTransition(state({ status: 'VISITED' }), ACTIONS.reply, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'REPLIED', completes: ['reply'] });
    expect(planTransition(state({ status: 'REPLIED' }), ACTIONS.callback, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'CLOSED', closes: true });
  });

  it('sends a visit with a reading below the standard to REMEDIATING, and starts remediation once', () => {
    const cold: ActionInput = { action: 'visit', note: 'cold', readings: [{ room: '卧室', celsius: 19 }, { room: '客厅', celsius: 17.9 }] };
    expect(planTransition(state({ status: 'CONTACTED' }), cold, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'REMEDIATING', completes: ['visit'], startsRemediation: true });
    const remediating = state({ status: 'REMEDIATING', stages: { ...state().stages, remediate: { dueAt: LATER, doneAt: null } } });
    expect(planTransition(remediating, cold, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'REMEDIATING', completes: [], startsRemediation: false });
    expect(planTransition(remediating, ACTIONS.visit, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'VISITED', completes: ['remediate'] });
    // The standard is configurable: 19 °C fails a 20 °C standard.
    expect(planTransition(state({ status: 'CONTACTED' }), ACTIONS.visit, NOW, { ...DEFAULT_INDOOR_STANDARD, celsius: 20 }).status).toBe('REMEDIATING');
  });

  it('lets a category without visit reply straight after contact, and refuses its visit', () => {
    const billing = state({ status: 'CONTACTED', category: 'BILLING' });
    expect(planTransition(billing, ACTIONS.reply, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('REPLIED');
    expect(() => planTransition(billing, ACTIONS.visit, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/needs no visit/);
    expect(() => planTransition(state({ status: 'CONTACTED' }), ACTIONS.reply, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/visit first/);
  });

  it('asks temperature complaints for readings', () => {
    expect(() => planTransition(state({ status: 'CONTACTED' }), { action: 'visit', note: 'x', readings: [] }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/reading/);
    expect(planTransition(state({ status: 'CONTACTED', category: 'LEAK' }), { action: 'visit', note: 'x', readings: [] }, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('VISITED');
  });

  it('returns to the status before a refused return', () => {
    expect(planTransition(state({ status: 'RETURN_REQUESTED', statusBeforeReturn: 'ACCEPTED' }), ACTIONS['reject-return'], NOW, DEFAULT_INDOOR_STANDARD).status).toBe('ACCEPTED');
  });

  it('reassigns and reopens as a fresh dispatch', () => {
    expect(planTransition(state({ status: 'RETURN_REQUESTED' }), ACTIONS.reassign, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'RECEIVED', freshDispatch: 'reassign' });
    const unhappy: ActionInput = { ...(ACTIONS.callback as object), satisfaction: 'UNSATISFIED', unitAtFault: true } as ActionInput;
    expect(planTransition(state({ status: 'REPLIED' }), unhappy, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'RECEIVED', freshDispatch: 'reopen', closes: false });
    const notTheirFault: ActionInput = { ...(ACTIONS.callback as object), satisfaction: 'UNSATISFIED', unitAtFault: false } as ActionInput;
    // Not the unit's fault: the supervisor's review queue, not a close (domain.md §2.5).
    expect(planTransition(state({ status: 'REPLIED' }), notTheirFault, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'REPLIED', review: 'PENDING', closes: false });
  });

  it('takes an extension request only before the current stage deadline, once approved per ticket', () => {
    const request: ActionInput = { action: 'extension', reason: 'parts', extendBy: 'PT2H' };
    expect(planTransition(state(), request, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('RECEIVED');
    const late = state({ stages: { ...state().stages, accept: { dueAt: EARLIER, doneAt: null } } });
    expect(() => planTransition(late, request, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/already passed/);
    const pending = state({ extension: { status: 'PENDING', stage: 'accept', reason: 'r', extendBy: 'PT2H', requestedAt: EARLIER, requestedBy: 'c' } });
    expect(() => planTransition(pending, request, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/already pending/);
    expect(() => planTransition(state({ approvedExtensions: 1 }), request, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/one approved extension/);
    expect(() => planTransition(state({ status: 'REPLIED' }), request, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no stage/);
    expect(() => planTransition(state(), { action: 'extension', reason: 'r', extendBy: 'P1M' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow();
  });

  it('decides only a pending extension', () => {
    const pending = state({ extension: { status: 'PENDING', stage: 'accept', reason: 'r', extendBy: 'PT2H', requestedAt: EARLIER, requestedBy: 'c' } });
    expect(planTransition(pending, { action: 'extension-approve' }, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('RECEIVED');
    expect(planTransition(pending, { action: 'extension-reject' }, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('RECEIVED');
    expect(() => planTransition(state(), { action: 'extension-approve' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no extension request/);
  });

  it('records once, after an approval, that the citizen was told of the extension (domain.md §2.4)', () => {
    const request = { stage: 'accept' as const, reason: 'r', extendBy: 'PT2H', requestedAt: EARLIER, requestedBy: 'c' };
    const told: ActionInput = { action: 'extension-notified', note: '已告知' };
    const approved = state({ extension: { ...request, status: 'APPROVED', decidedAt: EARLIER, decidedBy: 's' }, approvedExtensions: 1 });
    expect(planTransition(approved, told, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'RECEIVED', completes: [], freshDispatch: null, endsDispatch: null });
    expect(planTransition(approved, { action: 'extension-notified' }, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('RECEIVED');
    expect(() => planTransition(state(), told, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no approved extension/);
    expect(() => planTransition(state({ extension: { ...request, status: 'PENDING' } }), told, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no approved extension/);
    expect(() => planTransition(state({ extension: { ...request, status: 'REJECTED' } }), told, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/no approved extension/);
    const already = state({ extension: { ...request, status: 'APPROVED', citizenNotifiedAt: EARLIER } });
    expect(() => planTransition(already, told, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/already told/);
    expect(() => planTransition({ ...approved, status: 'CLOSED' }, told, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(TransitionRefusedError);
  });

  it('reopens a closed ticket on a repeat call within 7 days, not after', () => {
    const closed = (ago: number): LifecycleState => state({ status: 'CLOSED', closedAt: new Date(NOW - ago).toISOString() });
    expect(planTransition(closed(REOPEN_WINDOW_MS - 1000), { action: 'repeat-call' }, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'RECEIVED', freshDispatch: 'reopen' });
    expect(() => planTransition(closed(REOPEN_WINDOW_MS), { action: 'repeat-call' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/new ticket/);
    expect(planTransition(state({ status: 'CONTACTED' }), { action: 'repeat-call' }, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'CONTACTED', freshDispatch: null });
    expect(() => planTransition(state({ status: 'CANCELLED' }), { action: 'repeat-call' }, NOW, DEFAULT_INDOOR_STANDARD)).toThrow();
  });
});

describe('currentStage', () => {
  it.each([
    ['RECEIVED', 'NOT_WARM', 'accept'],
    ['RETURN_REQUESTED', 'NOT_WARM', 'accept'],
    ['ACCEPTED', 'NOT_WARM', 'contact'],
    ['CONTACTED', 'NOT_WARM', 'visit'],
    ['CONTACTED', 'BILLING', 'reply'],
    ['VISITED', 'NOT_WARM', 'reply'],
    ['REMEDIATING', 'NOT_WARM', 'remediate'],
    ['REPLIED', 'NOT_WARM', null],
    ['CLOSED', 'NOT_WARM', null],
  ] as const)('%s (%s) → %s', (status, category, stage) => {
    expect(currentStage({ status, category })).toBe(stage);
  });
});

describe('how a transition ends the current dispatch', () => {
  const unhappy: ActionInput = { ...ACTIONS.callback, satisfaction: 'UNSATISFIED', unitAtFault: true } as ActionInput;
  it.each([
    ['a reassignment after a return request', state({ status: 'RETURN_REQUESTED', statusBeforeReturn: 'RECEIVED' }), ACTIONS.reassign, 'RETURNED'],
    ['a reassignment without one', state({ status: 'ACCEPTED' }), ACTIONS.reassign, 'REASSIGNED'],
    ['a satisfied callback', state({ status: 'REPLIED' }), ACTIONS.callback, 'CLOSED'],
    ['an unsatisfied callback through the unit’s fault', state({ status: 'REPLIED' }), unhappy, 'REOPENED'],
    ['a cancellation', state({ status: 'ACCEPTED' }), ACTIONS.cancel, 'CANCELLED'],
    ['a repeat call on a recently closed ticket', state({ status: 'CLOSED', closedAt: EARLIER }), { action: 'repeat-call' } as ActionInput, 'REOPENED'],
    ['an accept', state(), ACTIONS.accept, null],
    ['a return request (the company still holds it)', state(), ACTIONS.return, null],
    ['a repeat call on an open ticket', state({ status: 'CONTACTED' }), { action: 'repeat-call' } as ActionInput, null],
  ] as const)('%s: %s', (_what, from, input, outcome) => {
    expect(planTransition(from, input, NOW, DEFAULT_INDOOR_STANDARD).endsDispatch).toBe(outcome);
  });
});

describe('raising a priority', () => {
  const raise = (priority: 'P0' | 'P1' | 'P2'): ActionInput => ({ action: 'raise-priority', priority, reason: '独居老人' });
  it.each(['RECEIVED', 'ACCEPTED', 'CONTACTED', 'VISITED', 'REMEDIATING', 'REPLIED', 'RETURN_REQUESTED'] as const)('is allowed upwards while %s', (status) => {
    expect(planTransition(state({ status, priority: 'P1' }), raise('P0'), NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status, raisesPriority: 'P0', freshDispatch: null });
  });
  it('refuses the same or a lower priority, and a finished ticket', () => {
    expect(() => planTransition(state({ priority: 'P1' }), raise('P1'), NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/only be raised/);
    expect(() => planTransition(state({ priority: 'P0' }), raise('P2'), NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/only be raised/);
    expect(() => planTransition(state({ status: 'CLOSED', priority: 'P2' }), raise('P1'), NOW, DEFAULT_INDOOR_STANDARD)).toThrow(TransitionRefusedError);
  });
});

describe('returns, designation and repeat calls', () => {
  it('refuses a return after the window or on a designated ticket, saying why', () => {
    expect(() => planTransition(state({ returnAllowedUntil: EARLIER }), ACTIONS.return, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(`a return was allowed until ${EARLIER}`);
    expect(planTransition(state({ returnAllowedUntil: LATER }), ACTIONS.return, NOW, DEFAULT_INDOOR_STANDARD).status).toBe('RETURN_REQUESTED');
    expect(() => planTransition(state({ designated: true, returnAllowedUntil: LATER }), ACTIONS.return, NOW, DEFAULT_INDOOR_STANDARD)).toThrow(/指定承办/);
  });
  it('raises the priority one step on the second repeat call only', () => {
    expect([1, 2, 3].map((count) => priorityAfterRepeatCall('P2', count))).toEqual([null, 'P1', null]);
    expect(priorityAfterRepeatCall('P1', 2)).toBe('P0');
    expect(priorityAfterRepeatCall('P0', 2)).toBeNull();
    const open = state({ status: 'ACCEPTED', priority: 'P2' });
    expect(planTransition(open, { action: 'repeat-call', raisesPriorityTo: 'P1' }, NOW, DEFAULT_INDOOR_STANDARD)).toMatchObject({ status: 'ACCEPTED', raisesPriority: 'P1' });
    expect(planTransition(state({ status: 'ACCEPTED', priority: 'P1' }), { action: 'repeat-call', raisesPriorityTo: 'P1' }, NOW, DEFAULT_INDOOR_STANDARD).raisesPriority).toBeNull();
  });
});
