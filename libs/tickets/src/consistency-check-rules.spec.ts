import { DEFAULT_INDOOR_STANDARD, DEFAULT_SLA_POLICIES, EMPTY_CALENDAR } from '@app/domain';
import type { RungLevel, SlaPolicySnapshot, Stage } from '@app/domain';
import type { TicketEntity } from '@app/persistence';
import type { WorkflowTicketState } from '@app/workflows';
import {
  CheckClock,
  compareTicket,
  Finding,
  persistingFindings,
  RecordedRung,
  rungKey,
  TicketRecords,
  WorkflowObservation,
  workflowExpectation,
} from './consistency-check-rules';
import { workflowStateOf } from './ticket-lifecycle-state';
import { freshStages } from './ticket-transitions';

const MINUTE = 60_000;
// P1's limits, its warning and notice soon after a deadline: the accept ladder ends (40 min) before contact's first rung (48 min).
const policy: SlaPolicySnapshot = { priority: 'P1', version: 1, ...DEFAULT_SLA_POLICIES.P1, warningAfter: 'PT5M', noticeAfter: 'PT10M' };
const dispatchedAt = new Date('2025-12-01T02:00:00.000Z');
const COMPANY = '6f1d2c3b-0a9e-4d8c-b7a6-5e4f3d2c1b0a';

/** A P1 ticket dispatched at `dispatchedAt`, as the API stores it, its workflow started. */
function ticketRow(overrides: Partial<TicketEntity> = {}): TicketEntity {
  return {
    id: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b',
    number: '8890-20251201-000001',
    status: 'RECEIVED',
    category: 'NOT_WARM',
    priority: 'P1',
    companyId: COMPANY,
    district: 'NANKAI',
    dispatchedAt,
    dispatchCount: 1,
    policyVersion: 1,
    policy,
    stages: freshStages({ policy, category: 'NOT_WARM' }, dispatchedAt, EMPTY_CALENDAR),
    escalationLevel: 'NONE',
    returnAllowedUntil: new Date(dispatchedAt.getTime() + 120 * MINUTE),
    designated: false,
    extension: null,
    approvedExtensions: 0,
    statusBeforeReturn: null,
    indoorStandard: { version: 1, ...DEFAULT_INDOOR_STANDARD },
    pause: null,
    refundExclusion: null,
    callback: null,
    callbackAttempts: 0,
    review: null,
    transitionSeq: 0,
    workflowStartedAt: dispatchedAt,
    createdAt: dispatchedAt,
    updatedAt: dispatchedAt,
    closedAt: null,
    ...overrides,
  } as TicketEntity;
}

let rungSequence = 0;
/** The rows one fired rung writes (recordRung): its escalation, its audit event and, at PUBLIC_NOTICE, its notice. */
function fired(ticket: TicketEntity, stage: Stage, level: RungLevel, at = ticket.stages[stage]!.rungs[level]!) {
  rungSequence += 1;
  const escalation: RecordedRung = {
    id: `00000000-0000-4000-8000-${String(rungSequence).padStart(12, '0')}`,
    companyId: ticket.companyId,
    dispatchedAt: ticket.dispatchedAt,
    stage,
    level,
    dueAt: new Date(at),
    firedAt: new Date(Date.parse(at) + 150),
  };
  const event = { id: String(rungSequence), type: `ESCALATION_${level}`, payload: { stage, level, dueAt: at, dispatchedAt: ticket.dispatchedAt.toISOString() } };
  const notices =
    level === 'PUBLIC_NOTICE' ? [{ id: `notice-${rungSequence}`, escalationId: escalation.id, ticketNumber: ticket.number, stage, companyId: ticket.companyId }] : [];
  return { escalation, event, notices };
}

/** A ticket's records with the given rungs fired and recorded, its dispatch record mirroring it. */
function recordsOf(ticket: TicketEntity, rungs: ReturnType<typeof fired>[] = [], overrides: Partial<TicketRecords> = {}): TicketRecords {
  return {
    ticket,
    escalations: rungs.map((rung) => rung.escalation),
    rungEvents: rungs.map((rung) => rung.event),
    notices: rungs.flatMap((rung) => rung.notices),
    dispatches: [{ seq: 1, dispatchedAt: ticket.dispatchedAt, stages: ticket.stages, escalationLevel: ticket.escalationLevel, extension: ticket.extension }],
    undeliveredRepeatCalls: [],
    ...overrides,
  };
}

const running = (state: WorkflowTicketState): WorkflowObservation => ({ kind: 'lifecycle', status: 'RUNNING', state });
const at = (instant: string | Date, plusMs = 0): CheckClock => ({ now: new Date(instant).getTime() + plusMs, graceMs: MINUTE });
const kinds = (findings: readonly Finding[]): string[] => findings.map((found) => found.kind);

/** A ticket whose accept stage went through its whole ladder: every rung recorded, the stage marked, the level raised. */
function escalatedTicket(): { ticket: TicketEntity; rungs: ReturnType<typeof fired>[] } {
  const base = ticketRow();
  const ticket = ticketRow({ escalationLevel: 'PUBLIC_NOTICE', stages: { ...base.stages, accept: { ...base.stages.accept!, overdue: true } } });
  return { ticket, rungs: (['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] as const).map((level) => fired(ticket, 'accept', level)) };
}
/** Just after the accept ladder's last rung; the other stages' next rungs are hours away. */
const afterAcceptLadder = (ticket: TicketEntity): CheckClock => at(ticket.stages.accept!.rungs.PUBLIC_NOTICE!, MINUTE);

describe('consistency check rules', () => {
  it('finds nothing in a ticket whose row, rungs and workflow agree', () => {
    const ticket = ticketRow();
    expect(compareTicket(recordsOf(ticket), running(workflowStateOf(ticket)), at(dispatchedAt, MINUTE))).toEqual([]);
    const { ticket: escalated, rungs } = escalatedTicket();
    expect(compareTicket(recordsOf(escalated, rungs), running(workflowStateOf(escalated)), afterAcceptLadder(escalated))).toEqual([]);
  });

  describe('which workflows must be running', () => {
    it('open tickets and closed ones within the reopen window; not cancelled ones; either way at the window’s end', () => {
      const closedAt = new Date('2025-12-02T00:00:00.000Z');
      const week = 7 * 24 * 60 * MINUTE;
      expect(workflowExpectation(ticketRow(), at(dispatchedAt))).toBe('running');
      expect(workflowExpectation(ticketRow({ status: 'CANCELLED', closedAt }), at(closedAt))).toBe('ended');
      expect(workflowExpectation(ticketRow({ status: 'CLOSED', closedAt }), at(closedAt, 24 * 60 * MINUTE))).toBe('running');
      expect(workflowExpectation(ticketRow({ status: 'CLOSED', closedAt }), at(closedAt, week - 30_000))).toBe('either');
      expect(workflowExpectation(ticketRow({ status: 'CLOSED', closedAt }), at(closedAt, week + 30_000))).toBe('either');
      expect(workflowExpectation(ticketRow({ status: 'CLOSED', closedAt }), at(closedAt, week + 2 * MINUTE))).toBe('ended');
    });

    it('does not look at a workflow it did not query', () => {
      const ticket = ticketRow({ status: 'CANCELLED', closedAt: dispatchedAt });
      expect(compareTicket(recordsOf(ticket), { kind: 'not-queried' }, at(dispatchedAt, 10 * MINUTE))).toEqual([]);
    });
  });

  describe('the workflow’s existence and type', () => {
    it('gives a just-committed ticket the grace period to start its workflow, then reports it', () => {
      const ticket = ticketRow({ workflowStartedAt: null });
      expect(compareTicket(recordsOf(ticket), { kind: 'absent' }, at(dispatchedAt, 30_000))).toEqual([]);
      expect(kinds(compareTicket(recordsOf(ticket), { kind: 'absent' }, at(dispatchedAt, 2 * MINUTE)))).toEqual(['workflow-not-started']);
    });

    it('reports a workflow that was started but is gone, ended early, of another type, or does not answer', () => {
      const ticket = ticketRow();
      const clock = at(dispatchedAt, MINUTE);
      expect(kinds(compareTicket(recordsOf(ticket), { kind: 'absent' }, clock))).toEqual(['workflow-missing']);
      expect(kinds(compareTicket(recordsOf(ticket), { kind: 'lifecycle', status: 'TERMINATED' }, clock))).toEqual(['workflow-ended']);
      expect(kinds(compareTicket(recordsOf(ticket), { kind: 'other', type: 'somethingElse', status: 'RUNNING' }, clock))).toEqual(['workflow-type']);
      expect(kinds(compareTicket(recordsOf(ticket), { kind: 'unreadable', type: 'ticketLifecycleWorkflow', status: 'RUNNING', error: 'deadline exceeded' }, clock))).toEqual([
        'workflow-unreadable',
      ]);
    });

    it('reports a running workflow whose start the row never recorded, after the grace period', () => {
      const ticket = ticketRow({ workflowStartedAt: null });
      expect(compareTicket(recordsOf(ticket), running(workflowStateOf(ticket)), at(dispatchedAt, 10_000))).toEqual([]);
      expect(kinds(compareTicket(recordsOf(ticket), running(workflowStateOf(ticket)), at(dispatchedAt, 2 * MINUTE)))).toEqual(['workflow-start-unmarked']);
    });

    it('names a ticket still on the first release’s ticketWorkflow, and checks the dispatch and rungs it holds', () => {
      const { ticket, rungs } = escalatedTicket();
      const armed = (['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] as const).map((level) => ({ stage: 'accept' as const, level, at: ticket.stages.accept!.rungs[level]! }));
      const firstRelease = (dispatched: Date): WorkflowObservation => ({
        kind: 'first-release',
        status: 'RUNNING',
        state: { ticketId: ticket.id, dispatchedAt: dispatched.toISOString(), pendingRungs: [], firedRungs: armed },
      });
      const clock = afterAcceptLadder(ticket);
      expect(kinds(compareTicket(recordsOf(ticket, rungs), firstRelease(dispatchedAt), clock))).toEqual(['first-release-workflow']);
      expect(kinds(compareTicket(recordsOf(ticket, rungs), { kind: 'first-release', status: 'COMPLETED' }, clock))).toEqual(['first-release-workflow']);
      // Its WARNING recorded nowhere: one difference, though both its fired list and the row's due rungs say so.
      const unrecorded = compareTicket(recordsOf(ticket, rungs.filter((rung) => rung.escalation.level !== 'WARNING')), firstRelease(dispatchedAt), clock);
      expect(kinds(unrecorded).sort()).toEqual(['first-release-workflow', 'rung-record-missing'].sort());
      const moved = compareTicket(recordsOf(ticket, rungs), firstRelease(new Date(dispatchedAt.getTime() - MINUTE)), clock);
      expect(kinds(moved)).toContain('dispatch');
    });
  });

  describe('the workflow’s state against the row', () => {
    const ticket = ticketRow({ status: 'ACCEPTED', transitionSeq: 1 });
    const clock = at(dispatchedAt, MINUTE);
    const base = workflowStateOf(ticket);
    const compare = (state: Partial<WorkflowTicketState>): Finding[] => compareTicket(recordsOf(ticket), running({ ...base, ...state }), clock);

    it('reports the status and the transition counter', () => {
      expect(compare({ status: 'RECEIVED', transitionSeq: 0 }).map((found) => [found.kind, found.detail])).toEqual([
        ['status', 'row ACCEPTED, workflow RECEIVED'],
        ['transition-seq', 'row has applied 1 transitions, the workflow 0'],
      ]);
    });

    it('leaves out a transition the row committed while the workflow still waits on its activity', () => {
      const ahead = ticketRow({ status: 'CONTACTED', transitionSeq: 2 });
      const inFlight = (pendingActivities: string[]): WorkflowObservation => ({ kind: 'lifecycle', status: 'RUNNING', state: base, pendingActivities });
      expect(compareTicket(recordsOf(ahead), inFlight(['applyTransition']), clock)).toEqual([]);
      expect(kinds(compareTicket(recordsOf(ahead), inFlight([]), clock))).toEqual(['status', 'transition-seq']);
      // Two ahead, or the workflow ahead (a row restored from a backup), is no transition in flight.
      expect(kinds(compareTicket(recordsOf(ticketRow({ status: 'CONTACTED', transitionSeq: 3 })), inFlight(['applyTransition']), clock))).toContain('transition-seq');
      expect(kinds(compareTicket(recordsOf(ticketRow()), inFlight(['applyTransition']), clock))).toEqual(['status', 'transition-seq']);
    });

    it('reports a moved deadline, a stage done in one only, a stage in one only, another dispatch', () => {
      const stages = { ...base.stages, visit: { ...base.stages.visit!, dueAt: '2030-01-01T00:00:00.000Z' }, accept: { ...base.stages.accept!, doneAt: dispatchedAt.toISOString() } };
      const found = compare({ stages });
      expect(found.map((one) => [one.kind, one.subject])).toEqual([
        ['stage-done', 'stage:accept'],
        ['stage-deadline', 'stage:visit'],
      ]);
      expect(found[1].detail).toBe(`visit due: row ${ticket.stages.visit!.dueAt}, workflow 2030-01-01T00:00:00.000Z`);
      const { remediate: _none, ...withoutRemediate } = base.stages;
      expect(kinds(compare({ stages: { ...withoutRemediate, remediate: { dueAt: '2030-01-01T00:00:00.000Z', doneAt: null } } }))).toEqual(['stage-deadline']);
      expect(kinds(compare({ dispatchedAt: '2025-12-01T01:00:00.000Z' }))).toEqual(['dispatch']);
    });

    it('reports rungs the workflow arms that the row has not due, and the other way round', () => {
      const [first, second, ...rest] = base.rungs;
      const found = compare({ rungs: [{ ...first, at: '2030-01-01T00:00:00.000Z' }, ...rest] });
      expect(found.map((one) => [one.kind, one.subject])).toEqual([
        ['armed-rungs', `rung:${first.stage}|${first.level}`],
        ['armed-rungs', `rung:${second.stage}|${second.level}`],
      ]);
      expect(kinds(compare({ rungs: [...base.rungs, { stage: 'callback', level: 'DUE_SOON', at: '2030-01-01T00:00:00.000Z' }] }))).toEqual(['armed-rungs']);
    });

    it('reports the other fields of the rules’ state, in any key order, and skips those an older state lacks', () => {
      expect(compare({ priority: 'P0' }).map((found) => [found.kind, found.detail])).toEqual([['state-field', 'priority: row "P1", workflow "P0"']]);
      expect(compare({ priority: undefined, pause: undefined, refundExcluded: undefined, indoorStandard: undefined })).toEqual([]);
      const extension = { status: 'PENDING', stage: 'contact', reason: '管井', extendBy: 'PT2H', requestedAt: '2025-12-01T02:10:00.000Z', requestedBy: 'crew' } as const;
      const extended = ticketRow({ status: 'ACCEPTED', transitionSeq: 1, extension });
      const reordered = Object.fromEntries(Object.entries(extension).reverse()) as typeof extension;
      expect(compareTicket(recordsOf(extended), running({ ...workflowStateOf(extended), extension: reordered }), clock)).toEqual([]);
      expect(kinds(compareTicket(recordsOf(extended), running({ ...workflowStateOf(extended), extension: { ...extension, extendBy: 'PT4H' } }), clock))).toEqual([
        'state-field',
      ]);
    });

    it('reports the end of an active pause', () => {
      expect(kinds(compare({ pauseEndsAt: '2025-12-03T02:00:00.000Z' }))).toEqual(['pause-end']);
      expect(compare({ pauseEndsAt: undefined })).toEqual([]);
    });
  });

  describe('each rung against its records', () => {
    const { ticket, rungs } = escalatedTicket();
    const clock = afterAcceptLadder(ticket);
    const workflow = running(workflowStateOf(ticket));
    const check = (overrides: Partial<TicketRecords>, row = ticket): Finding[] => compareTicket({ ...recordsOf(row, rungs), ...overrides }, workflow, clock);
    const [dueSoon, overdue, warning, notice] = rungs;

    it('reports a rung without its event, with two events, or whose event says another instant', () => {
      const events = rungs.map((rung) => rung.event);
      expect(check({ rungEvents: events.slice(1) }).map((found) => [found.kind, found.subject])).toEqual([
        ['rung-event-missing', rungKey(dispatchedAt, 'accept', 'DUE_SOON')],
      ]);
      expect(kinds(check({ rungEvents: [...events, { ...warning.event, id: '999' }] }))).toEqual(['rung-event-duplicate']);
      const late = { ...warning.event, payload: { ...warning.event.payload, dueAt: '2025-12-01T05:00:00.000Z' } };
      expect(kinds(check({ rungEvents: [dueSoon.event, overdue.event, late, notice.event] }))).toEqual(['rung-event-mismatch']);
      expect(kinds(check({ rungEvents: [...events, { id: '1000', type: 'ESCALATION_OVERDUE', payload: { stage: 'nowhere' } }] }))).toEqual(['rung-event-mismatch']);
    });

    it('reports an event whose rung has no escalations row, and a rung recorded twice', () => {
      const found = check({ escalations: [dueSoon, overdue, notice].map((rung) => rung.escalation) });
      expect(found.map((one) => [one.kind, one.subject])).toEqual([['rung-record-missing', rungKey(dispatchedAt, 'accept', 'WARNING')]]);
      expect(found[0].detail).toMatch(/^audit event #\d+ \(ESCALATION_WARNING, accept, dispatch 2025-12-01T02:00:00.000Z\) has no escalations row$/);
      expect(kinds(check({ escalations: [...rungs.map((rung) => rung.escalation), { ...warning.escalation, id: 'another' }] }))).toEqual(['rung-recorded-twice']);
    });

    it('reports a PUBLIC_NOTICE without its notice, and a notice that does not match its rung', () => {
      expect(check({ notices: [] }).map((found) => [found.kind, found.subject])).toEqual([['notice-missing', `notice:${notice.escalation.id}`]]);
      const [published] = notice.notices;
      expect(check({ notices: [{ ...published, ticketNumber: '8890-20251201-000002', stage: 'contact' }] })[0]).toMatchObject({
        kind: 'notice-mismatch',
        detail: expect.stringContaining('the notice names the contact stage; the notice names ticket 8890-20251201-000002'),
      });
      expect(kinds(check({ notices: [published, { ...published, id: 'n2', escalationId: warning.escalation.id }] }))).toEqual(['notice-mismatch']);
    });

    it('reports an overdue mark without its OVERDUE rung, and an OVERDUE rung whose stage is not marked', () => {
      const unmarked = { ...ticket, stages: { ...ticket.stages, accept: { ...ticket.stages.accept!, overdue: false } } };
      expect(kinds(compareTicket(recordsOf(unmarked, rungs), running(workflowStateOf(unmarked)), clock))).toEqual(['overdue-mark']);
      const withoutOverdue = rungs.filter((rung) => rung !== overdue);
      // Recorded nowhere: the mark has no rung, and the rung was missed.
      expect(kinds(check({ escalations: withoutOverdue.map((rung) => rung.escalation), rungEvents: withoutOverdue.map((rung) => rung.event) }))).toEqual([
        'overdue-mark',
        'rung-missed',
      ]);
    });

    it('does not ask for a mark on a re-opened remediation, whose OVERDUE instant is new', () => {
      const remediating = ticketRow({ status: 'REMEDIATING', transitionSeq: 3 });
      const first = { startsAt: '2025-12-01T03:00:00.000Z', dueAt: '2025-12-02T03:00:00.000Z', doneAt: null, overdue: false, rungs: { OVERDUE: '2025-12-02T03:00:00.000Z' } };
      const again = { ...first, startsAt: '2025-12-02T05:00:00.000Z', dueAt: '2025-12-03T05:00:00.000Z', rungs: { OVERDUE: '2025-12-03T05:00:00.000Z' } };
      const before = { ...remediating, escalationLevel: 'OVERDUE' as const, stages: { ...remediating.stages, remediate: { ...first, overdue: true } } };
      const reopened = { ...before, stages: { ...before.stages, remediate: again } };
      const rung = fired(before, 'remediate', 'OVERDUE');
      const found = compareTicket(recordsOf(reopened, [rung]), running(workflowStateOf(reopened)), at('2025-12-02T06:00:00.000Z'));
      expect(kinds(found).filter((kind) => kind === 'overdue-mark')).toEqual([]);
    });

    it('reports a level that is not the highest company rung of the current dispatch', () => {
      expect(check({}, { ...ticket, escalationLevel: 'WARNING' }).map((found) => found.kind)).toContain('escalation-level');
      // The callback stage is the hotline’s own: its rungs raise no level; nor do a previous dispatch's.
      const later = new Date(dispatchedAt.getTime() + 10 * MINUTE);
      const redispatched = ticketRow({ dispatchedAt: later, stages: freshStages({ policy, category: 'NOT_WARM' }, later, EMPTY_CALENDAR) });
      const callback = fired(redispatched, 'accept', 'DUE_SOON');
      const hotline = { ...callback.escalation, id: 'callback-rung', stage: 'callback' as const };
      const found = compareTicket(
        recordsOf(redispatched, rungs, { escalations: [...rungs.map((rung) => rung.escalation), hotline], rungEvents: [...rungs.map((rung) => rung.event), { ...callback.event, payload: { ...callback.event.payload, stage: 'callback' } }] }),
        running(workflowStateOf(redispatched)),
        at(later, MINUTE),
      );
      expect(found).toEqual([]);
    });

    it('reports a rung due by the row more than the grace period ago and recorded nowhere', () => {
      const contactDue = ticket.stages.contact!.rungs.DUE_SOON!;
      const overdueBy = (ms: number): CheckClock => at(contactDue, ms);
      expect(kinds(check({}).concat(compareTicket(recordsOf(ticket, rungs), workflow, overdueBy(30_000))))).toEqual([]);
      expect(compareTicket(recordsOf(ticket, rungs), workflow, overdueBy(2 * MINUTE)).map((found) => [found.kind, found.subject])).toEqual([
        ['rung-missed', rungKey(dispatchedAt, 'contact', 'DUE_SOON')],
      ]);
      // Not due any more: its stage is done, or its clock stands still in a pause.
      const contacted = { ...ticket, status: 'CONTACTED' as const, stages: { ...ticket.stages, contact: { ...ticket.stages.contact!, doneAt: contactDue } } };
      expect(compareTicket(recordsOf(contacted, rungs), running(workflowStateOf(contacted)), overdueBy(2 * MINUTE))).toEqual([]);
      const pause = { status: 'ACTIVE', stage: 'contact', reason: 'RESIDENT_AWAY', note: '', callAttempts: 3, requestedAt: contactDue, requestedBy: 'crew', startedAt: contactDue, endsBy: '2025-12-05T00:00:00.000Z' } as const;
      const paused = { ...ticket, pause };
      expect(compareTicket(recordsOf(paused, rungs), running(workflowStateOf(paused)), overdueBy(2 * MINUTE))).toEqual([]);
    });

    it('reports a current dispatch record that is missing or does not mirror the ticket', () => {
      expect(check({ dispatches: [] }).map((found) => found.kind)).toEqual(['dispatch-record']);
      const [record] = recordsOf(ticket).dispatches;
      expect(check({ dispatches: [{ ...record, escalationLevel: 'WARNING' }] }).map((found) => found.subject)).toEqual(['dispatch:escalationLevel']);
      // jsonb's key order is its own.
      const stages = Object.fromEntries(Object.entries(ticket.stages).reverse());
      expect(check({ dispatches: [{ ...record, stages }] })).toEqual([]);
    });

    it('gives a repeat call that must reach the workflow the grace period', () => {
      const call = { id: 'call-1', receivedAt: new Date(clock.now - 30_000) };
      expect(check({ undeliveredRepeatCalls: [call] })).toEqual([]);
      expect(kinds(check({ undeliveredRepeatCalls: [{ ...call, receivedAt: new Date(clock.now - 5 * MINUTE) }] }))).toEqual(['repeat-call-undelivered']);
    });
  });

  describe('a re-read', () => {
    it('keeps only the differences found both times (by kind and subject), with the second read’s detail', () => {
      const first: Finding[] = [
        { kind: 'status', subject: 'status', detail: 'row ACCEPTED, workflow RECEIVED' },
        { kind: 'rung-event-missing', subject: 'k', detail: 'no event' },
      ];
      const second: Finding[] = [
        { kind: 'rung-event-missing', subject: 'k', detail: 'still no event' },
        { kind: 'transition-seq', subject: 'transitionSeq', detail: 'new' },
      ];
      expect(persistingFindings(first, second)).toEqual([{ kind: 'rung-event-missing', subject: 'k', detail: 'still no event' }]);
      expect(persistingFindings(first, [])).toEqual([]);
    });

    it('keeps everything the re-read finds when the first read could not query the workflow', () => {
      const unreadable: Finding[] = [{ kind: 'workflow-unreadable', subject: 'workflow', detail: 'query timed out' }];
      const second: Finding[] = [{ kind: 'status', subject: 'status', detail: 'row CLOSED, workflow RECEIVED' }];
      expect(persistingFindings(unreadable, second)).toEqual(second);
      expect(persistingFindings(unreadable, [])).toEqual([]);
    });
  });
});
