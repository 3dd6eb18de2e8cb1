import { DateTime } from 'luxon';
import { CATEGORIES, readingsRequired } from './categories';
import { DEFAULT_INDOOR_STANDARD, REFUND_EXCLUSIONS } from './indoor-temperature';
import {
  ActionInput,
  ExtensionState,
  LifecycleState,
  PAUSABLE_STAGES,
  pauseActive,
  PauseState,
  planTransition,
  stagesHeldByPause,
  tellsOfExtension,
  TransitionRefusedError,
  UNCHANGED,
} from './lifecycle';
import { deadlineAfterPause, DEFAULT_SLA_POLICIES, laterStagesToHold, pauseEndsBy, STAGE_ORDER } from './sla-policy';
import { isOpenStatus, TICKET_STATUSES } from './ticket-status';
import { CALENDAR_ZONE, EMPTY_CALENDAR, WorkCalendar } from './work-calendar';

/** Pauses with evidence and a cap, a step that tells the citizen of an extension, refund exclusions: the pure rules. */
// Monday 2026-12-07 in Tianjin: dispatched at 10:00 local (02:00Z), contact due 11:00, asked at 10:40.
const NOW = Date.parse('2026-12-07T02:40:00.000Z');
const DUE = '2026-12-07T03:00:00.000Z';
const LATER = '2026-12-07T08:00:00.000Z';
const STARTED = '2026-12-07T02:30:00.000Z';
const ENDS_BY = '2026-12-09T02:30:00.000Z';
const HOUR = 3_600_000;

function state(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    status: 'ACCEPTED',
    category: 'NOT_WARM',
    statusBeforeReturn: null,
    stages: {
      accept: { dueAt: '2026-12-07T02:30:00.000Z', doneAt: '2026-12-07T02:10:00.000Z' },
      contact: { dueAt: DUE, doneAt: null },
      visit: { dueAt: LATER, doneAt: null },
      reply: { dueAt: '2026-12-08T02:00:00.000Z', doneAt: null },
    },
    extension: null,
    approvedExtensions: 0,
    closedAt: null,
    priority: 'P1',
    pause: null,
    pausedStages: [],
    refundExcluded: false,
    ...overrides,
  };
}

function pause(status: PauseState['status'], overrides: Partial<PauseState> = {}): PauseState {
  return {
    status,
    stage: 'contact',
    reason: 'RESIDENT_AWAY',
    note: '三次敲门无人',
    callAttempts: 3,
    requestedAt: '2026-12-07T02:20:00.000Z',
    requestedBy: 'crew-1',
    ...(status === 'PENDING' ? {} : { decidedAt: STARTED, decidedBy: 'supervisor-1' }),
    ...(status === 'ACTIVE' || status === 'ENDED' ? { startedAt: STARTED, endsBy: ENDS_BY } : {}),
    ...overrides,
  };
}

const ASK: ActionInput = { action: 'pause', reason: 'RESIDENT_AWAY', note: '住户外出，电话三次未接', callAttempts: 3 };
const APPROVE: ActionInput = { action: 'pause-approve' };
const REJECT: ActionInput = { action: 'pause-reject', reason: '证据不足' };
const RESUME: ActionInput = { action: 'resume', note: '住户已回家' };
const AT_CAP: ActionInput = { action: 'resume', atCap: true };
const CONTACT: ActionInput = { action: 'contact', note: 'called' };
const PASSING_VISIT: ActionInput = { action: 'visit', note: 'measured', readings: [{ room: '卧室', celsius: 19 }] };
const FAILING_VISIT: ActionInput = { action: 'visit', note: 'cold', readings: [{ room: '卧室', celsius: 15 }] };
const REPLY: ActionInput = { action: 'reply', resolution: 'fixed' };

const plan = (lifecycle: LifecycleState, input: ActionInput, now = NOW) => planTransition(lifecycle, input, now, DEFAULT_INDOOR_STANDARD);
const refusal = (lifecycle: LifecycleState, input: ActionInput, now = NOW): string => {
  try {
    plan(lifecycle, input, now);
  } catch (error) {
    expect(error).toBeInstanceOf(TransitionRefusedError);
    return (error as Error).message;
  }
  throw new Error(`${input.action} was not refused`);
};

/** A state whose current stage is `stage`, with that stage under way. */
const REMEDIATING = state({
  status: 'REMEDIATING',
  stages: { ...state().stages, contact: { dueAt: DUE, doneAt: '2026-12-07T02:35:00.000Z' }, visit: { dueAt: LATER, doneAt: '2026-12-07T02:38:00.000Z' }, remediate: { dueAt: LATER, doneAt: null } },
});
const AT_STAGE = {
  contact: state(),
  visit: state({ status: 'CONTACTED', stages: { ...state().stages, contact: { dueAt: DUE, doneAt: '2026-12-07T02:35:00.000Z' } } }),
  remediate: REMEDIATING,
  reply: state({
    status: 'VISITED',
    stages: { ...state().stages, contact: { dueAt: DUE, doneAt: '2026-12-07T02:35:00.000Z' }, visit: { dueAt: LATER, doneAt: '2026-12-07T02:38:00.000Z' }, reply: { dueAt: LATER, doneAt: null } },
  }),
} as const;

describe('which stages a pause may stop', () => {
  it('are the four that need the resident', () => {
    expect(PAUSABLE_STAGES).toEqual(['contact', 'visit', 'remediate', 'reply']);
  });

  it.each(Object.keys(AT_STAGE) as (keyof typeof AT_STAGE)[])('lets the crew ask to pause %s, changing nothing yet', (stage) => {
    expect(plan(AT_STAGE[stage], ASK)).toEqual({ status: AT_STAGE[stage].status, ...UNCHANGED });
  });

  it('lets a category without a visit pause its reply right after contact', () => {
    const billing = state({ status: 'CONTACTED', category: 'BILLING', priority: 'P2', stages: { contact: { dueAt: DUE, doneAt: '2026-12-07T02:35:00.000Z' }, reply: { dueAt: LATER, doneAt: null } } });
    expect(plan(billing, ASK).status).toBe('CONTACTED');
  });

  it('refuses to pause the acceptance (签收) and a return request', () => {
    expect(refusal(state({ status: 'RECEIVED', stages: { ...state().stages, accept: { dueAt: DUE, doneAt: null } } }), ASK)).toMatch(/accept stage cannot be paused/);
    expect(refusal(state({ status: 'RETURN_REQUESTED', stages: { ...state().stages, accept: { dueAt: DUE, doneAt: null } } }), ASK)).toMatch(/accept stage cannot be paused/);
  });

  it('refuses when no stage is under way: replied, closed, cancelled', () => {
    expect(refusal(state({ status: 'REPLIED', stages: { callback: { dueAt: LATER, doneAt: null } } }), ASK)).toMatch(/no stage with a deadline/);
    expect(refusal(state({ status: 'CLOSED', closedAt: STARTED }), ASK)).toMatch(/no pause for a CLOSED ticket/);
    expect(refusal(state({ status: 'CANCELLED', closedAt: STARTED }), ASK)).toMatch(/no pause for a CANCELLED ticket/);
  });

  it('refuses a stage that has no deadline in this state', () => {
    const { visit: _visit, ...withoutVisit } = AT_STAGE.visit.stages;
    expect(refusal({ ...AT_STAGE.visit, stages: withoutVisit }, ASK)).toMatch(/no stage with a deadline/);
  });
});

describe('a pause is asked before the deadline', () => {
  it('is allowed up to the last millisecond and refused at the deadline and after', () => {
    expect(() => plan(state(), ASK, Date.parse(DUE) - 1)).not.toThrow();
    expect(refusal(state(), ASK, Date.parse(DUE))).toMatch(/contact deadline has already passed/);
    expect(refusal(state(), ASK, Date.parse(DUE) + HOUR)).toMatch(/pause must be asked before it/);
  });
});

describe('one pause at a time, one approved pause per stage per dispatch', () => {
  it('refuses a second request while one is pending or active', () => {
    expect(refusal(state({ pause: pause('PENDING') }), ASK)).toMatch(/a pause request is already pending/);
    expect(refusal(state({ pause: pause('ACTIVE') }), ASK)).toMatch(/the contact stage is already paused/);
  });

  it('refuses a stage that had its approved pause in this dispatch', () => {
    expect(refusal(state({ pause: pause('ENDED', { pausedMs: 3 * HOUR }), pausedStages: ['contact'] }), ASK)).toMatch(/already had its one pause in this dispatch/);
  });

  it('lets the next stage have its own pause after an earlier stage had one', () => {
    expect(() => plan({ ...AT_STAGE.visit, pause: pause('ENDED', { pausedMs: HOUR }), pausedStages: ['contact'] }, ASK)).not.toThrow();
  });

  it('lets the crew ask again after a rejection or a withdrawal (neither was an approved pause)', () => {
    expect(() => plan(state({ pause: pause('REJECTED') }), ASK)).not.toThrow();
    expect(() => plan(state({ pause: pause('WITHDRAWN') }), ASK)).not.toThrow();
  });
});

describe('a supervisor decides a pending pause', () => {
  it.each([APPROVE, REJECT])('%o keeps the status and sets no flag', (input) => {
    expect(plan(state({ pause: pause('PENDING') }), input)).toMatchObject({ status: 'ACCEPTED', completes: [], endsPause: false, withdrawsPause: false });
  });

  it.each([APPROVE, REJECT])('%o is refused without a pending request', (input) => {
    for (const current of [null, undefined, pause('ACTIVE'), pause('ENDED'), pause('REJECTED'), pause('WITHDRAWN')]) {
      expect(refusal(state({ pause: current }), input)).toBe('no pause request is pending');
    }
  });

  it('refuses a decision on a closed ticket', () => {
    expect(refusal(state({ status: 'CANCELLED', closedAt: STARTED, pause: pause('PENDING') }), APPROVE)).toBe('the ticket is CANCELLED');
  });
});

describe('resume', () => {
  it('ends an active pause, by the crew at any time before the cap', () => {
    expect(plan(state({ pause: pause('ACTIVE') }), RESUME, Date.parse(STARTED) + 1)).toMatchObject({ status: 'ACCEPTED', completes: [], endsPause: true, withdrawsPause: false });
  });

  it('is refused when no stage is paused', () => {
    for (const current of [null, pause('PENDING'), pause('ENDED'), pause('REJECTED'), pause('WITHDRAWN')]) {
      expect(refusal(state({ pause: current }), RESUME)).toBe('no stage is paused');
      expect(refusal(state({ pause: current }), AT_CAP, Date.parse(ENDS_BY) + HOUR)).toBe('no stage is paused');
    }
  });

  it('at the cap: refused before endsBy, allowed at it and after', () => {
    const paused = state({ pause: pause('ACTIVE') });
    expect(refusal(paused, AT_CAP, Date.parse(ENDS_BY) - 1)).toBe(`the pause runs until ${ENDS_BY} unless the crew resumes it`);
    expect(plan(paused, AT_CAP, Date.parse(ENDS_BY))).toMatchObject({ endsPause: true, status: 'ACCEPTED' });
    expect(plan(paused, AT_CAP, Date.parse(ENDS_BY) + HOUR)).toMatchObject({ endsPause: true });
    // The crew's own resume knows no such guard.
    expect(plan(paused, RESUME, Date.parse(ENDS_BY) - 1).endsPause).toBe(true);
  });
});

describe('a pause ends with its stage, its dispatch and its ticket', () => {
  it('ends an active pause, and withdraws a pending one, when the paused stage is done', () => {
    expect(plan(state({ pause: pause('ACTIVE') }), CONTACT)).toMatchObject({ status: 'CONTACTED', completes: ['contact'], endsPause: true, withdrawsPause: false });
    expect(plan(state({ pause: pause('PENDING') }), CONTACT)).toMatchObject({ status: 'CONTACTED', endsPause: false, withdrawsPause: true });
    const visit = { ...AT_STAGE.visit, pause: pause('ACTIVE', { stage: 'visit' }) };
    expect(plan(visit, PASSING_VISIT)).toMatchObject({ completes: ['visit'], endsPause: true });
    // A failed reading completes the visit too (and starts remediation): the visit's pause ends.
    expect(plan(visit, FAILING_VISIT)).toMatchObject({ status: 'REMEDIATING', completes: ['visit'], startsRemediation: true, endsPause: true });
    const reply = { ...AT_STAGE.reply, pause: pause('PENDING', { stage: 'reply' }) };
    expect(plan(reply, REPLY)).toMatchObject({ completes: ['reply'], withdrawsPause: true, endsPause: false });
  });

  it('keeps a remediation paused through a failing re-test, and ends it with the passing one', () => {
    const remediating = { ...REMEDIATING, pause: pause('ACTIVE', { stage: 'remediate' }) };
    expect(plan(remediating, FAILING_VISIT)).toMatchObject({ status: 'REMEDIATING', completes: [], endsPause: false, withdrawsPause: false });
    expect(plan(remediating, PASSING_VISIT)).toMatchObject({ status: 'VISITED', completes: ['remediate'], endsPause: true });
  });

  it('ends or withdraws it with a fresh dispatch (reassign)', () => {
    const reassign: ActionInput = { action: 'reassign', companyId: 'c2' };
    expect(plan(state({ pause: pause('ACTIVE') }), reassign)).toMatchObject({ freshDispatch: 'reassign', endsPause: true, withdrawsPause: false });
    expect(plan(state({ pause: pause('PENDING') }), reassign)).toMatchObject({ freshDispatch: 'reassign', endsPause: false, withdrawsPause: true });
  });

  it('ends or withdraws it when the ticket is cancelled', () => {
    const cancel: ActionInput = { action: 'cancel', reason: 'duplicate' };
    expect(plan(state({ pause: pause('ACTIVE') }), cancel)).toMatchObject({ status: 'CANCELLED', closes: true, endsPause: true, withdrawsPause: false });
    expect(plan(state({ pause: pause('PENDING') }), cancel)).toMatchObject({ status: 'CANCELLED', closes: true, endsPause: false, withdrawsPause: true });
  });

  it('leaves it alone through steps that neither complete its stage, end the dispatch nor raise the priority', () => {
    const active = state({ pause: pause('ACTIVE') });
    const steps: ActionInput[] = [
      { action: 'return', reason: 'not ours' },
      { action: 'extension', reason: '住户外出', extendBy: 'PT12H' },
      { action: 'repeat-call' },
    ];
    for (const step of steps) expect(plan(active, step)).toMatchObject({ endsPause: false, withdrawsPause: false });
  });

  it('sets no flag for a pause that already ended, was rejected or withdrawn', () => {
    for (const status of ['ENDED', 'REJECTED', 'WITHDRAWN'] as const) {
      expect(plan(state({ pause: pause(status) }), CONTACT)).toMatchObject({ endsPause: false, withdrawsPause: false });
      expect(plan(state({ pause: pause(status) }), { action: 'cancel', reason: 'x' })).toMatchObject({ endsPause: false, withdrawsPause: false });
    }
    const replied = state({ status: 'REPLIED', stages: { callback: { dueAt: LATER, doneAt: null } }, pause: pause('ENDED', { stage: 'reply' }) });
    const satisfied: ActionInput = { action: 'callback', reached: true, solved: true, satisfaction: 'SATISFIED', unitAtFault: false, note: '' };
    expect(plan(replied, satisfied)).toMatchObject({ closes: true, endsPause: false, withdrawsPause: false });
  });
});

describe('pauseActive and stagesHeldByPause', () => {
  it('holds a clock only while ACTIVE', () => {
    expect(pauseActive(pause('ACTIVE'))).toBe(true);
    for (const status of ['PENDING', 'ENDED', 'REJECTED', 'WITHDRAWN'] as const) expect(pauseActive(pause(status))).toBe(false);
    expect(pauseActive(null)).toBe(false);
    expect(pauseActive(undefined)).toBe(false);
  });

  it('stands still the paused stage and every later stage waiting on it', () => {
    expect(stagesHeldByPause('contact')).toEqual(['contact', 'visit', 'remediate', 'reply', 'callback']);
    expect(stagesHeldByPause('visit')).toEqual(['visit', 'remediate', 'reply', 'callback']);
    expect(stagesHeldByPause('remediate')).toEqual(['remediate', 'reply', 'callback']);
    expect(stagesHeldByPause('reply')).toEqual(['reply', 'callback']);
    for (const stage of PAUSABLE_STAGES) expect(stagesHeldByPause(stage)).toEqual(STAGE_ORDER.slice(STAGE_ORDER.indexOf(stage)));
  });
});

describe('a step that tells the citizen of an extension (domain.md §2.4)', () => {
  const approved: ExtensionState = {
    status: 'APPROVED',
    stage: 'contact',
    reason: '住户外出',
    extendBy: 'PT12H',
    requestedAt: '2026-12-07T02:15:00.000Z',
    requestedBy: 'crew-1',
    decidedAt: '2026-12-07T02:20:00.000Z',
    decidedBy: 'supervisor-1',
  };
  const telling = {
    contact: { ...CONTACT, extensionNotified: true } as ActionInput,
    visit: { ...PASSING_VISIT, extensionNotified: true } as ActionInput,
    reply: { ...REPLY, extensionNotified: true } as ActionInput,
  };

  it('is a contact, visit or reply that says so', () => {
    for (const input of Object.values(telling)) expect(tellsOfExtension(input)).toBe(true);
    expect(tellsOfExtension(CONTACT)).toBe(false);
    expect(tellsOfExtension({ ...CONTACT, extensionNotified: false } as ActionInput)).toBe(false);
    expect(tellsOfExtension({ action: 'extension-notified', note: '电话告知' })).toBe(false);
    expect(tellsOfExtension({ action: 'return', reason: 'x', extensionNotified: true } as unknown as ActionInput)).toBe(false);
  });

  it.each(Object.keys(telling) as (keyof typeof telling)[])('%s: allowed with an approved extension nobody told the citizen of yet', (stage) => {
    expect(() => plan({ ...AT_STAGE[stage], extension: { ...approved, stage }, approvedExtensions: 1 }, telling[stage])).not.toThrow();
  });

  it.each(Object.keys(telling) as (keyof typeof telling)[])('%s: refused without an approved, untold extension', (stage) => {
    const base = AT_STAGE[stage];
    expect(refusal({ ...base, extension: null }, telling[stage])).toBe('no approved extension to tell the citizen about');
    expect(refusal({ ...base, extension: { ...approved, status: 'PENDING' } }, telling[stage])).toBe('no approved extension to tell the citizen about');
    expect(refusal({ ...base, extension: { ...approved, status: 'REJECTED' } }, telling[stage])).toBe('no approved extension to tell the citizen about');
    const told = { ...approved, citizenNotifiedAt: '2026-12-07T02:25:00.000Z' };
    expect(refusal({ ...base, extension: told, approvedExtensions: 1 }, telling[stage])).toBe('the citizen was already told of this extension at 2026-12-07T02:25:00.000Z');
  });

  it('does not stop the step itself when it does not say so', () => {
    expect(plan(state(), CONTACT).status).toBe('CONTACTED');
    expect(plan(state({ extension: { ...approved, citizenNotifiedAt: '2026-12-07T02:25:00.000Z' } }), CONTACT).status).toBe('CONTACTED');
  });
});

describe('refund exclusion (domain.md §3)', () => {
  const exclusion: ActionInput = { action: 'refund-exclusion', exclusion: 'COVERED_RADIATORS', note: '散热器被家具遮挡，已拍照' };

  it('is recorded for the temperature categories only', () => {
    for (const category of CATEGORIES) {
      const lifecycle = state({ category });
      if (readingsRequired(category)) expect(plan(lifecycle, exclusion)).toMatchObject({ status: 'ACCEPTED', completes: [], closes: false });
      else expect(refusal(lifecycle, exclusion)).toBe(`a ${category} ticket has no indoor temperature to refund`);
    }
    expect(CATEGORIES.filter(readingsRequired)).toEqual(['NO_HEAT', 'NOT_WARM', 'TEMPERATURE_TEST']);
  });

  it('takes every exclusion', () => {
    for (const kind of REFUND_EXCLUSIONS) expect(() => plan(state(), { ...exclusion, exclusion: kind } as ActionInput)).not.toThrow();
  });

  it('is recorded once', () => {
    expect(refusal(state({ refundExcluded: true }), exclusion)).toBe('a refund exclusion is already recorded for this ticket');
  });

  it('is recorded while the ticket is open, in any open status', () => {
    for (const status of TICKET_STATUSES) {
      const lifecycle = state({ status, statusBeforeReturn: 'ACCEPTED' });
      if (isOpenStatus(status)) expect(plan(lifecycle, exclusion).status).toBe(status);
      else expect(refusal(lifecycle, exclusion)).toMatch(new RegExp(`^the ticket is ${status}`));
    }
  });
});

describe('pauseEndsBy', () => {
  it('is the policy cap after the approval, in wall time', () => {
    expect(DEFAULT_SLA_POLICIES.P0.pauseCap).toBe('PT48H');
    expect(DEFAULT_SLA_POLICIES.P1.pauseCap).toBe('PT48H');
    expect(DEFAULT_SLA_POLICIES.P2.pauseCap).toBe('PT48H');
    expect(pauseEndsBy(new Date(STARTED), DEFAULT_SLA_POLICIES.P1).toISOString()).toBe(ENDS_BY);
    // Friday 20:00 in Tianjin: a working-day policy's cap still runs through the weekend.
    expect(pauseEndsBy(new Date('2026-12-11T12:00:00.000Z'), DEFAULT_SLA_POLICIES.P2).toISOString()).toBe('2026-12-13T12:00:00.000Z');
    expect(pauseEndsBy(new Date(STARTED), { pauseCap: 'PT2H' }).toISOString()).toBe('2026-12-07T04:30:00.000Z');
    expect(pauseEndsBy(new Date(STARTED), { pauseCap: 'P1D' }).toISOString()).toBe('2026-12-08T02:30:00.000Z');
  });
});

describe('deadlineAfterPause', () => {
  const shanghai = (iso: string): Date => DateTime.fromISO(iso, { zone: CALENDAR_ZONE }).toJSDate();
  // Tuesday 2026-12-08 declared a holiday.
  const withHoliday: WorkCalendar = { holidays: new Set(['2026-12-08']), workdays: new Set() };

  it('24x7: moves the deadline by the elapsed paused time, holidays or not', () => {
    const dueAt = new Date(DUE);
    expect(deadlineAfterPause(dueAt, new Date(STARTED), new Date('2026-12-07T05:30:00.000Z'), '24x7', EMPTY_CALENDAR).toISOString()).toBe('2026-12-07T06:00:00.000Z');
    expect(deadlineAfterPause(dueAt, shanghai('2026-12-07T20:00'), shanghai('2026-12-09T02:00'), '24x7', withHoliday)).toEqual(new Date(Date.parse(DUE) + 30 * HOUR));
    expect(deadlineAfterPause(dueAt, new Date(STARTED), new Date(STARTED), '24x7', EMPTY_CALENDAR)).toEqual(dueAt);
    // An end before the start gives no time back, and takes none.
    expect(deadlineAfterPause(dueAt, new Date(STARTED), new Date(Date.parse(STARTED) - HOUR), '24x7', EMPTY_CALENDAR)).toEqual(dueAt);
  });

  it('workdays: moves it by the working time of the pause only; a holiday inside the pause gives nothing', () => {
    // Monday 20:00 → Wednesday 02:00 over the Tuesday holiday: 4 h of Monday + 2 h of Wednesday.
    const from = shanghai('2026-12-07T20:00');
    const to = shanghai('2026-12-09T02:00');
    expect(deadlineAfterPause(shanghai('2026-12-09T10:00'), from, to, 'workdays', withHoliday)).toEqual(shanghai('2026-12-09T16:00'));
    // Without the holiday the Tuesday counts: 30 h of working time.
    expect(deadlineAfterPause(shanghai('2026-12-09T10:00'), from, to, 'workdays', EMPTY_CALENDAR)).toEqual(shanghai('2026-12-10T16:00'));
  });

  it('workdays: moves it past a holiday after the deadline', () => {
    // Due Monday 22:00, paused 4 working hours on Monday: 2 h left Monday, Tuesday off, due Wednesday 02:00.
    expect(deadlineAfterPause(shanghai('2026-12-07T22:00'), shanghai('2026-12-07T10:00'), shanghai('2026-12-07T14:00'), 'workdays', withHoliday)).toEqual(
      shanghai('2026-12-09T02:00'),
    );
  });

  // KNOWN BUG (reported, not fixed here): deadlineAfterPause adds 0 ms of working time with addWorkingTime, which
  // moves a deadline lying at a non-working day's 00:00 to the next working day's start. Remove `.failing` once fixed.
  it('workdays: a pause without working time leaves a deadline at the end of a working day where it is', () => {
    // Reply due at the end of Friday (Saturday 00:00: P5D from a weekend dispatch); the pause (approved late) lay on the weekend.
    const dueAt = shanghai('2026-12-12T00:00');
    expect(deadlineAfterPause(dueAt, shanghai('2026-12-12T10:00'), shanghai('2026-12-13T10:00'), 'workdays', EMPTY_CALENDAR)).toEqual(dueAt);
  });

  it('workdays: a pause over a weekend and a holiday alone moves nothing', () => {
    expect(deadlineAfterPause(shanghai('2026-12-09T10:00'), shanghai('2026-12-08T01:00'), shanghai('2026-12-08T23:00'), 'workdays', withHoliday)).toEqual(
      shanghai('2026-12-09T10:00'),
    );
    // Friday 20:00 → Monday 08:00: 4 h of Friday and 8 h of Monday count, the weekend does not.
    expect(deadlineAfterPause(shanghai('2026-12-14T10:00'), shanghai('2026-12-11T20:00'), shanghai('2026-12-14T08:00'), 'workdays', EMPTY_CALENDAR)).toEqual(
      shanghai('2026-12-14T22:00'),
    );
  });
});

describe('laterStagesToHold after a paused stage moved', () => {
  it('holds each later open stage due before the moved deadline to it, and no other', () => {
    const stages = {
      contact: { dueAt: '2026-12-09T03:00:00.000Z', doneAt: null },
      visit: { dueAt: LATER, doneAt: null },
      remediate: { dueAt: '2026-12-07T09:00:00.000Z', doneAt: '2026-12-07T08:30:00.000Z' },
      reply: { dueAt: '2026-12-09T03:00:00.000Z', doneAt: null },
    };
    expect(laterStagesToHold(stages, 'contact', new Date('2026-12-09T03:00:00.000Z'))).toEqual([{ stage: 'visit', from: LATER, to: '2026-12-09T03:00:00.000Z' }]);
    expect(laterStagesToHold(stages, 'reply', new Date('2026-12-10T03:00:00.000Z'))).toEqual([]);
  });
});

describe('pauses against the other rules', () => {
  const paused = (overrides: Partial<LifecycleState> = {}): LifecycleState => ({
    status: 'ACCEPTED',
    category: 'NOT_WARM',
    statusBeforeReturn: null,
    stages: { contact: { dueAt: '2026-12-07T03:00:00.000Z', doneAt: null } },
    extension: null,
    approvedExtensions: 0,
    closedAt: null,
    priority: 'P1',
    pause: { status: 'ACTIVE', stage: 'contact', reason: 'RESIDENT_AWAY', note: '', callAttempts: 3, requestedAt: '2026-12-07T02:20:00.000Z', requestedBy: 'c', startedAt: '2026-12-07T02:30:00.000Z', endsBy: '2026-12-09T02:30:00.000Z' },
    ...overrides,
  });
  const at = (iso: string): number => Date.parse(iso);

  it('ends an active pause when the priority is raised (the raise re-arms from now)', () => {
    expect(planTransition(paused(), { action: 'raise-priority', priority: 'P0', reason: '独居老人' }, at('2026-12-07T03:30:00.000Z'), DEFAULT_INDOOR_STANDARD)).toMatchObject({ raisesPriority: 'P0', endsPause: true });
    expect(planTransition(paused({ pause: null }), { action: 'raise-priority', priority: 'P0', reason: '独居老人' }, at('2026-12-07T03:30:00.000Z'), DEFAULT_INDOOR_STANDARD).endsPause).toBe(false);
  });

  it('takes an extension request on the paused stage after its nominal deadline, but not on a running one', () => {
    const ask: ActionInput = { action: 'extension', reason: '配件未到', extendBy: 'PT2H' };
    expect(() => planTransition(paused(), ask, at('2026-12-07T05:00:00.000Z'), DEFAULT_INDOOR_STANDARD)).not.toThrow();
    expect(() => planTransition(paused({ pause: null }), ask, at('2026-12-07T05:00:00.000Z'), DEFAULT_INDOOR_STANDARD)).toThrow(/already passed/);
  });

  it('refuses to approve a pause whose stage ran out while the request waited', () => {
    const pending = paused({ pause: { ...paused().pause!, status: 'PENDING', startedAt: undefined, endsBy: undefined } });
    expect(() => planTransition(pending, { action: 'pause-approve' }, at('2026-12-07T03:00:00.000Z'), DEFAULT_INDOOR_STANDARD)).toThrow(/passed while the request waited/);
    expect(() => planTransition(pending, { action: 'pause-approve' }, at('2026-12-07T02:59:59.000Z'), DEFAULT_INDOOR_STANDARD)).not.toThrow();
    expect(() => planTransition(pending, { action: 'pause-reject' }, at('2026-12-07T04:00:00.000Z'), DEFAULT_INDOOR_STANDARD)).not.toThrow();
  });
});
