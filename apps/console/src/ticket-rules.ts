import { planTransition, STAGES, TICKET_ACTION_NAMES_ZH, ESCALATION_LEVEL_NAMES_ZH } from '@app/domain';
import type { ActionInput, LifecycleState, RungLevel, Stage, TicketAction } from '@app/domain';
import type { components } from './api/schema';

export type Ticket = components['schemas']['TicketDto'];
export type TicketDetail = components['schemas']['TicketDetailDto'];

/** The rules' view of a ticket as the API shows it: the console asks the same `planTransition` the server does. */
export function lifecycleStateOf(ticket: Ticket): LifecycleState {
  const stages = Object.fromEntries(Object.entries(ticket.stages).map(([stage, state]) => [stage, { dueAt: state.dueAt, doneAt: state.doneAt }]));
  return {
    status: ticket.status,
    category: ticket.category,
    statusBeforeReturn: null,
    stages,
    extension: ticket.extension as LifecycleState['extension'],
    approvedExtensions: ticket.extension?.status === 'APPROVED' ? 1 : 0,
    closedAt: ticket.closedAt,
    priority: ticket.priority,
    returnAllowedUntil: ticket.returnAllowedUntil,
    designated: ticket.designated,
    callbackAttempts: ticket.callbackAttempts,
    review: (ticket.review?.status ?? null) as LifecycleState['review'],
    pause: ticket.pause as LifecycleState['pause'],
    pausedStages: STAGES.filter((stage) => ticket.stages[stage]?.pausedMs !== undefined),
    refundExcluded: ticket.refundExclusion !== null,
  };
}

/** Whether the rules would take `input` now: a button is offered only then (the server decides again). */
export function offered(ticket: Ticket, input: ActionInput): boolean {
  try {
    planTransition(lifecycleStateOf(ticket), input, Date.now(), ticket.indoorStandard);
    return true;
  } catch {
    return false;
  }
}

/** A sample body per action, enough for the rules to judge whether the action is possible at all. */
export const SAMPLE: Record<string, ActionInput> = {
  accept: { action: 'accept' },
  contact: { action: 'contact', note: '-' },
  visit: {
    action: 'visit',
    note: '-',
    readings: [{ room: '-', roomType: 'BEDROOM', celsius: 20, method: { doorsAndWindowsClosed: true, roomCentre: true, oneMetreHigh: true, stableValue: true } }],
  },
  reply: { action: 'reply', resolution: '-' },
  return: { action: 'return', reason: '-' },
  extension: { action: 'extension', reason: '-', extendBy: 'PT1M' },
  pause: { action: 'pause', reason: 'RESIDENT_AWAY', note: '-', callAttempts: 1 },
  resume: { action: 'resume' },
  'extension-approve': { action: 'extension-approve' },
  'extension-reject': { action: 'extension-reject' },
  'pause-approve': { action: 'pause-approve' },
  'pause-reject': { action: 'pause-reject' },
  callback: { action: 'callback', reached: false, note: '-' },
  'reject-return': { action: 'reject-return', reason: '-' },
  cancel: { action: 'cancel', reason: '-' },
  'review-confirm': { action: 'review-confirm' },
  'review-reopen': { action: 'review-reopen', reason: '-' },
};

export const actionName = (action: TicketAction): string => TICKET_ACTION_NAMES_ZH[action];

/** The timeline's name of an audit event: its action's, or the rung's, or the creation's. */
export function eventName(type: string): string {
  if (type === 'CREATED') return '新建工单';
  if (type === 'REOPEN') return '重办';
  if (type.startsWith('ESCALATION_')) return `督办：${ESCALATION_LEVEL_NAMES_ZH[type.slice('ESCALATION_'.length) as RungLevel] ?? type}`;
  const action = type.toLowerCase().replaceAll('_', '-') as TicketAction;
  return TICKET_ACTION_NAMES_ZH[action] ?? type;
}

/** The stage the crew works against now and its deadline, if any. */
export function nearestDeadline(ticket: Ticket): { stage: Stage; dueAt: string } | null {
  const open = STAGES.flatMap((stage) => {
    const state = ticket.stages[stage];
    return state && !state.doneAt ? [{ stage, dueAt: state.dueAt }] : [];
  });
  open.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return open[0] ?? null;
}
