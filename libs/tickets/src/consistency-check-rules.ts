import { COMPANY_STAGES, compareText, escalationRank, ESCALATION_LEVELS, reopenWindowEnd, RUNG_LEVELS, STAGES } from '@app/domain';
import type { EscalationLevel, RungLevel, Stage } from '@app/domain';
import type { EscalationEntity, NoticeEntity, RepeatCallEntity, TicketDispatchEntity, TicketEntity, TicketEventEntity } from '@app/persistence';
import type { ArmedRung, WorkflowTicketState } from '@app/workflows';
import { pendingRungs, workflowStateOf } from './ticket-lifecycle-state';

/**
 * The consistency check's rules (`npm run check`): what one ticket's rows in PostgreSQL and its workflow's
 * state must agree on, as pure functions of both. The I/O that reads them is `checkConsistency`
 * (consistency-check.ts). Each difference has a kind, named here with what it means.
 */
export const DIFFERENCE_KINDS = {
  'workflow-not-started': 'the ticket was committed more than the grace period ago and its workflow was never started (the worker’s sweeper starts it)',
  'workflow-missing': 'the row records its workflow’s start, but Temporal has no workflow ticket-<id>',
  'workflow-start-unmarked': 'the workflow runs, but the row has not recorded its start (workflow_started_at) after the grace period',
  'workflow-ended': 'the workflow no longer runs while the ticket needs it (open, or closed within the 7-day reopen window)',
  'workflow-type': 'ticket-<id> runs a workflow type this service does not run',
  'workflow-unreadable': 'the workflow could not be queried (is a worker polling its task queue?)',
  'first-release-workflow': 'the ticket still runs the first release’s rungs-only ticketWorkflow: it holds no status or deadlines to compare and takes no actions',
  status: 'the row’s status is not the workflow’s',
  'transition-seq': 'the row and the workflow have applied a different number of transitions',
  dispatch: 'the row’s current dispatch is not the one the workflow holds',
  'stage-deadline': 'a stage’s deadline (or the stage itself) differs between the row and the workflow',
  'stage-done': 'a stage is done in one of the row and the workflow and not (or at another instant) in the other',
  'armed-rungs': 'the rungs the workflow waits to fire are not the row’s rungs still due',
  'pause-end': 'the instant an active pause runs out differs between the row and the workflow',
  'state-field': 'another field of the rules’ state (priority, extension, pause, review, …) differs between the row and the workflow',
  'rung-missed': 'a rung still due by the row passed its instant more than the grace period ago and is not recorded',
  'rung-record-missing': 'a rung has its audit event (or was fired by the workflow) but no escalations row',
  'rung-recorded-twice': 'two escalations rows for one rung (ticket, dispatch, stage, level)',
  'rung-event-missing': 'a recorded rung has no ESCALATION_<level> audit event',
  'rung-event-duplicate': 'a recorded rung has more than one audit event',
  'rung-event-mismatch': 'a rung’s audit event does not say what its escalations row says (instant), or cannot be read',
  'notice-missing': 'a PUBLIC_NOTICE rung has no published notice',
  'notice-mismatch': 'a notice does not match its rung (level, stage, company, ticket number)',
  'overdue-mark': 'a stage’s overdue mark disagrees with the OVERDUE rung recorded in the current dispatch',
  'escalation-level': 'the ticket’s escalation level is not the highest rung of a company stage recorded in the current dispatch',
  'dispatch-record': 'the current dispatch’s record (ticket_dispatches) is missing or does not mirror the ticket',
  'repeat-call-undelivered': 'a repeat call that must reach the workflow has waited longer than the grace period',
} as const;
export type DifferenceKind = keyof typeof DIFFERENCE_KINDS;

/** A difference of one ticket; `subject` names what differs (a stage, a rung…), so a re-read can be matched to it. */
export interface Finding {
  readonly kind: DifferenceKind;
  readonly subject: string;
  readonly detail: string;
}

/** What the first release's `ticketWorkflow` answers to its `ticketState` query (a frozen copy of contract.v1.ts). */
export interface FirstReleaseWorkflowState {
  readonly ticketId: string;
  readonly dispatchedAt: string;
  readonly pendingRungs: readonly ArmedRung[];
  readonly firedRungs: readonly ArmedRung[];
}

/** The workflow type of the first release (libs/workflows/src/first-release), and the name of its query. */
export const FIRST_RELEASE_WORKFLOW_TYPE = 'ticketWorkflow';
export const FIRST_RELEASE_STATE_QUERY = 'ticketState';

/** What Temporal showed of a ticket's workflow `ticket-<id>`. */
export type WorkflowObservation =
  /** Not asked: the ticket's workflow need not run (cancelled, or closed and past the reopen window). */
  | { readonly kind: 'not-queried' }
  | { readonly kind: 'absent' }
  /** `state` only while it runs; `pendingActivities`: the types of the activities it waits on (`applyTransition`, `recordRung`). */
  | { readonly kind: 'lifecycle'; readonly status: string; readonly state?: WorkflowTicketState; readonly pendingActivities?: readonly string[] }
  | { readonly kind: 'first-release'; readonly status: string; readonly state?: FirstReleaseWorkflowState }
  | { readonly kind: 'other'; readonly type: string; readonly status: string }
  | { readonly kind: 'unreadable'; readonly type: string; readonly status: string; readonly error: string };

export type RecordedRung = Pick<EscalationEntity, 'id' | 'companyId' | 'dispatchedAt' | 'stage' | 'level' | 'dueAt' | 'firedAt'>;
export type RungEvent = Pick<TicketEventEntity, 'id' | 'type' | 'payload'>;
export type PublishedNotice = Pick<NoticeEntity, 'id' | 'escalationId' | 'ticketNumber' | 'stage' | 'companyId'>;
export type DispatchRecord = Pick<TicketDispatchEntity, 'seq' | 'dispatchedAt' | 'stages' | 'escalationLevel' | 'extension'>;
export type WaitingRepeatCall = Pick<RepeatCallEntity, 'id' | 'receivedAt'>;

/** One ticket's rows: the ticket, its fired rungs, their audit events (ESCALATION_*), notices, dispatches and undelivered repeat calls. */
export interface TicketRecords {
  readonly ticket: TicketEntity;
  readonly escalations: readonly RecordedRung[];
  readonly rungEvents: readonly RungEvent[];
  readonly notices: readonly PublishedNotice[];
  readonly dispatches: readonly DispatchRecord[];
  readonly undeliveredRepeatCalls: readonly WaitingRepeatCall[];
}

export interface CheckClock {
  /** The instant of the check (epoch ms). */
  readonly now: number;
  /** How long a rung may be late, a start or a delivery may wait, before it counts as a difference. */
  readonly graceMs: number;
}

/** Whether a ticket's workflow must be running: open tickets, and closed ones within the reopen window (with the grace either side). */
export function workflowExpectation(ticket: Pick<TicketEntity, 'status' | 'closedAt'>, { now, graceMs }: CheckClock): 'running' | 'ended' | 'either' {
  if (ticket.status === 'CANCELLED') return 'ended';
  if (ticket.status !== 'CLOSED' || !ticket.closedAt) return 'running';
  const windowEnd = reopenWindowEnd(ticket.closedAt.toISOString());
  if (now < windowEnd - graceMs) return 'running';
  return now > windowEnd + graceMs ? 'ended' : 'either';
}

/** Every difference of one ticket: its workflow against its row, and its rungs against their records. */
export function compareTicket(records: TicketRecords, workflow: WorkflowObservation, clock: CheckClock): Finding[] {
  const findings = [...compareWorkflow(records, workflow, clock), ...compareRungRecords(records, clock)];
  // A rung known to have fired (by its event, or the first release's list) but not recorded is that, not a missed rung.
  const firedUnrecorded = new Set(findings.filter((found) => found.kind === 'rung-record-missing').map((found) => found.subject));
  const seen = new Set<string>();
  return findings.filter((found) => {
    const key = findingKey(found);
    const redundant = seen.has(key) || (found.kind === 'rung-missed' && firedUnrecorded.has(found.subject));
    seen.add(key);
    return !redundant;
  });
}

/**
 * The differences of a re-read that were there at the first read too (same kind and subject): what persists.
 * When the first read could not query the workflow (a worker restarting), the re-read is the first real
 * comparison and stands alone: its differences would otherwise be dropped as "new".
 */
export function persistingFindings(first: readonly Finding[], second: readonly Finding[]): Finding[] {
  if (first.some((finding) => finding.kind === 'workflow-unreadable')) return [...second];
  const before = new Set(first.map(findingKey));
  return second.filter((finding) => before.has(findingKey(finding)));
}

const findingKey = (finding: Pick<Finding, 'kind' | 'subject'>): string => `${finding.kind}|${finding.subject}`;

/** The ticket's workflow: started, running, of a known type, and holding the row's state. */
export function compareWorkflow(records: TicketRecords, workflow: WorkflowObservation, clock: CheckClock): Finding[] {
  const { ticket } = records;
  const old = clock.now - ticket.createdAt.getTime() > clock.graceMs;
  switch (workflow.kind) {
    case 'not-queried':
      return [];
    case 'absent':
      if (ticket.workflowStartedAt) {
        return [finding('workflow-missing', 'workflow', `no workflow ticket-${ticket.id}, though the row records its start at ${iso(ticket.workflowStartedAt)}`)];
      }
      return old ? [finding('workflow-not-started', 'workflow', `committed at ${iso(ticket.createdAt)} (${ago(ticket.createdAt, clock)} ago); its workflow has not started`)] : [];
    case 'other':
      return [finding('workflow-type', 'workflow', `ticket-${ticket.id} runs ${workflow.type} (${workflow.status}), not a ticket workflow`)];
    case 'unreadable':
      return [finding('workflow-unreadable', 'workflow', `${workflow.type} (${workflow.status}) did not answer its query: ${workflow.error}`)];
    case 'first-release':
      return [...startMark(ticket, old), ...compareFirstRelease(records, workflow)];
    case 'lifecycle':
      if (workflow.status !== 'RUNNING') {
        return [finding('workflow-ended', 'workflow', `the workflow is ${workflow.status} while the ticket is ${ticket.status}${ticket.closedAt ? ` (closed at ${iso(ticket.closedAt)})` : ''}`)];
      }
      if (!workflow.state || transitionInFlight(ticket, workflow.state, workflow.pendingActivities ?? [])) return startMark(ticket, old);
      return [...startMark(ticket, old), ...compareWorkflowState(ticket, workflow.state)];
  }
}

/**
 * The row committed the next transition and the workflow still waits on the activity that did it (its completion
 * lost with a worker, say, and the activity retried later): the row is one ahead of the workflow, not different.
 */
function transitionInFlight(ticket: TicketEntity, state: WorkflowTicketState, pendingActivities: readonly string[]): boolean {
  return ticket.transitionSeq === state.transitionSeq + 1 && pendingActivities.includes('applyTransition');
}

function startMark(ticket: TicketEntity, old: boolean): Finding[] {
  return !ticket.workflowStartedAt && old ? [finding('workflow-start-unmarked', 'workflowStartedAt', 'the workflow runs, but workflow_started_at is still null')] : [];
}

/** The first release holds only its dispatch and rungs: those are compared, and the ticket is named as still on it. */
function compareFirstRelease(records: TicketRecords, workflow: Extract<WorkflowObservation, { kind: 'first-release' }>): Finding[] {
  const findings = [
    finding('first-release-workflow', 'workflow', `runs the first release’s rungs-only ticketWorkflow (${workflow.status}): no status or deadlines to compare, and it takes no actions`),
  ];
  const state = workflow.state;
  if (!state) return findings;
  if (!sameInstant(state.dispatchedAt, records.ticket.dispatchedAt)) {
    findings.push(finding('dispatch', 'dispatchedAt', `the workflow arms the rungs of the dispatch at ${state.dispatchedAt}, the row’s is at ${iso(records.ticket.dispatchedAt)}`));
  }
  const recorded = new Set(records.escalations.map((rung) => rungKey(rung.dispatchedAt, rung.stage, rung.level)));
  for (const rung of state.firedRungs) {
    const key = rungKey(state.dispatchedAt, rung.stage, rung.level);
    if (!recorded.has(key)) findings.push(finding('rung-record-missing', key, `the workflow fired the ${rung.level} rung of ${rung.stage} (due ${rung.at}); no escalations row records it`));
  }
  return findings;
}

/** The lifecycle fields the workflow holds besides status, counter, dispatch, stages, rungs and pause end; absent in older states: not compared. */
const STATE_FIELDS = [
  'category',
  'priority',
  'statusBeforeReturn',
  'extension',
  'approvedExtensions',
  'closedAt',
  'returnAllowedUntil',
  'designated',
  'callbackAttempts',
  'callbackAttemptLimit',
  'review',
  'pause',
  'pausedStages',
  'refundExcluded',
  'temperatureStandard',
  'indoorStandard',
] as const satisfies readonly (keyof WorkflowTicketState)[];
const INSTANT_FIELDS: readonly (typeof STATE_FIELDS)[number][] = ['closedAt', 'returnAllowedUntil'];

/** A running lifecycle workflow's state against the state the row maps to (`workflowStateOf`, as every transition returns it). */
export function compareWorkflowState(ticket: TicketEntity, state: WorkflowTicketState): Finding[] {
  const row = workflowStateOf(ticket);
  const findings: Finding[] = [];
  if (state.status !== row.status) findings.push(finding('status', 'status', `row ${row.status}, workflow ${state.status}`));
  if (state.transitionSeq !== row.transitionSeq) {
    findings.push(finding('transition-seq', 'transitionSeq', `row has applied ${row.transitionSeq} transitions, the workflow ${state.transitionSeq}`));
  }
  if (!sameInstant(state.dispatchedAt, row.dispatchedAt)) findings.push(finding('dispatch', 'dispatchedAt', `row dispatched at ${row.dispatchedAt}, workflow at ${state.dispatchedAt}`));

  for (const stage of STAGES) {
    const mine = row.stages[stage];
    const theirs = state.stages[stage];
    if (!mine && !theirs) continue;
    if (!mine || !theirs) {
      findings.push(finding('stage-deadline', `stage:${stage}`, `the ${stage} stage is ${mine ? 'in the row only' : 'in the workflow only'} (due ${(mine ?? theirs)!.dueAt})`));
      continue;
    }
    if (!sameInstant(mine.dueAt, theirs.dueAt)) findings.push(finding('stage-deadline', `stage:${stage}`, `${stage} due: row ${mine.dueAt}, workflow ${theirs.dueAt}`));
    if (!sameInstant(mine.doneAt, theirs.doneAt)) findings.push(finding('stage-done', `stage:${stage}`, `${stage} done: row ${mine.doneAt ?? 'not done'}, workflow ${theirs.doneAt ?? 'not done'}`));
  }

  const armed = new Map(state.rungs.map((rung) => [`${rung.stage}|${rung.level}`, rung]));
  const due = new Map(row.rungs.map((rung) => [`${rung.stage}|${rung.level}`, rung]));
  for (const [key, rung] of due) {
    const other = armed.get(key);
    if (!other) findings.push(finding('armed-rungs', `rung:${key}`, `the ${rung.level} rung of ${rung.stage} (at ${rung.at}) is due by the row; the workflow does not arm it`));
    else if (!sameInstant(other.at, rung.at)) findings.push(finding('armed-rungs', `rung:${key}`, `the ${rung.level} rung of ${rung.stage}: row at ${rung.at}, workflow at ${other.at}`));
  }
  for (const [key, rung] of armed) {
    if (!due.has(key)) findings.push(finding('armed-rungs', `rung:${key}`, `the workflow arms the ${rung.level} rung of ${rung.stage} (at ${rung.at}), which the row no longer has due`));
  }

  if (state.pauseEndsAt !== undefined && !sameInstant(state.pauseEndsAt, row.pauseEndsAt)) {
    findings.push(finding('pause-end', 'pauseEndsAt', `an active pause runs out: row ${row.pauseEndsAt ?? 'no pause'}, workflow ${state.pauseEndsAt ?? 'no pause'}`));
  }
  for (const field of STATE_FIELDS) {
    if (state[field] === undefined) continue;
    const [mine, theirs] = [canonicalJson(row[field]), canonicalJson(state[field])];
    const same = INSTANT_FIELDS.includes(field) ? sameInstant(row[field] as string | null, state[field] as string | null) : mine === theirs;
    if (!same) findings.push(finding('state-field', `field:${field}`, `${field}: row ${mine}, workflow ${theirs}`));
  }
  return findings;
}

/** The rungs of the ticket against their records: escalations rows, audit events, notices, overdue marks, the level, the dispatch record. */
export function compareRungRecords(records: TicketRecords, clock: CheckClock): Finding[] {
  const { ticket } = records;
  const findings: Finding[] = [];
  const rungs = groupBy(records.escalations, (rung) => rungKey(rung.dispatchedAt, rung.stage, rung.level));
  const events = new Map<string, RungEvent[]>();
  for (const event of records.rungEvents) {
    const key = eventRungKey(event);
    if (!key) {
      findings.push(finding('rung-event-mismatch', `event:${event.id}`, `audit event #${event.id} (${event.type}) names no valid stage and dispatch instant`));
      continue;
    }
    events.set(key, [...(events.get(key) ?? []), event]);
  }
  const notices = groupBy(records.notices, (notice) => notice.escalationId);

  for (const [key, [rung, ...more]] of rungs) {
    const what = `the ${rung.level} rung of ${rung.stage} (dispatch ${iso(rung.dispatchedAt)})`;
    if (more.length > 0) findings.push(finding('rung-recorded-twice', key, `${what} has ${more.length + 1} escalations rows`));
    const audited = events.get(key) ?? [];
    if (audited.length === 0) findings.push(finding('rung-event-missing', key, `${what}, fired at ${iso(rung.firedAt)}, has no ESCALATION_${rung.level} event`));
    if (audited.length > 1) findings.push(finding('rung-event-duplicate', key, `${what} has ${audited.length} ESCALATION_${rung.level} events`));
    const eventDue = audited[0]?.payload.dueAt;
    if (audited.length > 0 && !sameInstant(typeof eventDue === 'string' ? eventDue : null, rung.dueAt)) {
      findings.push(finding('rung-event-mismatch', key, `${what}: due ${iso(rung.dueAt)} by its row, ${String(eventDue)} by its event`));
    }
    for (const same of [rung, ...more]) findings.push(...compareNotices(ticket, same, notices.get(same.id) ?? [], what));
  }
  for (const [key, [event]] of events) {
    if (!rungs.has(key)) {
      findings.push(finding('rung-record-missing', key, `audit event #${event.id} (${event.type}, ${String(event.payload.stage)}, dispatch ${String(event.payload.dispatchedAt)}) has no escalations row`));
    }
  }

  // The current dispatch: overdue marks, the level, the rungs still due, and its record.
  const current = iso(ticket.dispatchedAt);
  const fired = (stage: Stage, level: RungLevel): RecordedRung | undefined => rungs.get(rungKey(ticket.dispatchedAt, stage, level))?.[0];
  const audited = (stage: Stage, level: RungLevel): boolean => events.has(rungKey(ticket.dispatchedAt, stage, level));
  for (const stage of STAGES) {
    const state = ticket.stages[stage];
    if (!state) continue;
    const overdue = fired(stage, 'OVERDUE');
    if (state.overdue && !overdue && !audited(stage, 'OVERDUE')) {
      findings.push(finding('overdue-mark', `stage:${stage}`, `${stage} is marked overdue, but no OVERDUE rung of it is recorded in the dispatch at ${current}`));
    }
    // Not marked although its OVERDUE rung, at the stage's own OVERDUE instant, was recorded (a re-opened remediation has a new instant and no mark).
    if (!state.overdue && overdue && sameInstant(overdue.dueAt, state.rungs.OVERDUE)) {
      findings.push(finding('overdue-mark', `stage:${stage}`, `the OVERDUE rung of ${stage} fired at ${iso(overdue.firedAt)}, but the stage is not marked overdue`));
    }
  }
  const level = records.escalations
    .filter((rung) => sameInstant(rung.dispatchedAt, ticket.dispatchedAt) && COMPANY_STAGES.includes(rung.stage))
    .reduce<EscalationLevel>((highest, rung) => (escalationRank(rung.level) > escalationRank(highest) ? rung.level : highest), ESCALATION_LEVELS[0]);
  if (ticket.escalationLevel !== level) {
    findings.push(finding('escalation-level', 'escalationLevel', `the ticket is at ${ticket.escalationLevel}; the highest rung of a company stage recorded in the dispatch at ${current} is ${level}`));
  }
  for (const rung of pendingRungs(ticket)) {
    const lateMs = clock.now - Date.parse(rung.at);
    const key = rungKey(ticket.dispatchedAt, rung.stage, rung.level);
    if (lateMs > clock.graceMs && !rungs.has(key) && !events.has(key)) {
      findings.push(finding('rung-missed', key, `the ${rung.level} rung of ${rung.stage} was due at ${rung.at} (${seconds(lateMs)} ago) and is not recorded`));
    }
  }
  findings.push(...compareDispatchRecord(ticket, records.dispatches));
  for (const call of records.undeliveredRepeatCalls) {
    const waitedMs = clock.now - call.receivedAt.getTime();
    if (waitedMs > clock.graceMs) {
      findings.push(finding('repeat-call-undelivered', `repeat-call:${call.id}`, `the repeat call of ${iso(call.receivedAt)} has not reached the workflow (${seconds(waitedMs)})`));
    }
  }
  return findings;
}

function compareNotices(ticket: TicketEntity, rung: RecordedRung, notices: readonly PublishedNotice[], what: string): Finding[] {
  const subject = `notice:${rung.id}`;
  if (notices.length === 0) return rung.level === 'PUBLIC_NOTICE' ? [finding('notice-missing', subject, `${what} published no notice`)] : [];
  const wrong = notices.flatMap((notice) => [
    ...(rung.level !== 'PUBLIC_NOTICE' ? [`a notice for a ${rung.level} rung`] : []),
    ...(notice.stage !== rung.stage ? [`the notice names the ${notice.stage} stage`] : []),
    ...(notice.companyId !== rung.companyId ? [`the notice names company ${notice.companyId}, the rung ${rung.companyId}`] : []),
    ...(notice.ticketNumber !== ticket.number ? [`the notice names ticket ${notice.ticketNumber}`] : []),
  ]);
  return wrong.length > 0 ? [finding('notice-mismatch', subject, `${what}: ${wrong.join('; ')}`)] : [];
}

/** The current dispatch's record mirrors the ticket (syncCurrentDispatch copies stages, extension and level in every change). */
function compareDispatchRecord(ticket: TicketEntity, dispatches: readonly DispatchRecord[]): Finding[] {
  const record = dispatches.find((dispatch) => sameInstant(dispatch.dispatchedAt, ticket.dispatchedAt));
  if (!record) return [finding('dispatch-record', 'dispatch', `no ticket_dispatches row for the current dispatch at ${iso(ticket.dispatchedAt)}`)];
  const fields = (['stages', 'extension', 'escalationLevel'] as const).filter((field) => canonicalJson(record[field]) !== canonicalJson(ticket[field]));
  return fields.map((field) => finding('dispatch-record', `dispatch:${field}`, `dispatch #${record.seq} (at ${iso(record.dispatchedAt)}) does not mirror the ticket’s ${field}`));
}

/** A rung's exactly-once key, as the escalations table's unique key has it: dispatch instant, stage, level. */
export function rungKey(dispatchedAt: Date | string, stage: Stage, level: RungLevel): string {
  return `${iso(dispatchedAt)}|${stage}|${level}`;
}

/** The rung an ESCALATION_<level> event audits (its payload: stage, dispatchedAt), or null when it names none. */
function eventRungKey(event: RungEvent): string | null {
  const level = event.type.slice('ESCALATION_'.length) as RungLevel;
  const { stage, dispatchedAt } = event.payload;
  const valid = RUNG_LEVELS.includes(level) && STAGES.includes(stage as Stage) && typeof dispatchedAt === 'string' && !Number.isNaN(Date.parse(dispatchedAt));
  return valid ? rungKey(dispatchedAt, stage as Stage, level) : null;
}

function finding(kind: DifferenceKind, subject: string, detail: string): Finding {
  return { kind, subject, detail };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, [T, ...T[]]> {
  const groups = new Map<string, [T, ...T[]]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Two instants (ISO text or Date) are the same, or both absent. */
function sameInstant(a: Date | string | null | undefined, b: Date | string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return new Date(a).getTime() === new Date(b).getTime();
}

function iso(instant: Date | string): string {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? String(instant) : date.toISOString();
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
const ago = (instant: Date, clock: CheckClock): string => seconds(clock.now - instant.getTime());

/** JSON with object keys sorted: jsonb keeps keys in its own order, the workflow in the order they were written. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => compareText(a, b))) : inner,
  );
}
