export const TICKET_STATUSES = [
  'RECEIVED',
  'ACCEPTED',
  'CONTACTED',
  'VISITED',
  'REMEDIATING',
  'REPLIED',
  'RETURN_REQUESTED',
  'CLOSED',
  'CANCELLED',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const CLOSED_STATUSES: readonly TicketStatus[] = ['CLOSED', 'CANCELLED'];

export function isOpenStatus(status: TicketStatus): boolean {
  return !CLOSED_STATUSES.includes(status);
}

export const STAGES = ['accept', 'contact', 'visit', 'reply', 'remediate'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_NAMES_ZH: Record<Stage, string> = {
  accept: '工单接收',
  contact: '联系群众',
  visit: '上门服务',
  reply: '办理回复',
  remediate: '整改复测',
};

export const ESCALATION_LEVELS = ['NONE', 'DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];
export type RungLevel = Exclude<EscalationLevel, 'NONE'>;
export const RUNG_LEVELS: readonly RungLevel[] = ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'];

const LEVEL_RANK: Record<EscalationLevel, number> = { NONE: 0, DUE_SOON: 1, OVERDUE: 2, WARNING: 3, PUBLIC_NOTICE: 4 };

export function higherLevel(a: EscalationLevel, b: EscalationLevel): EscalationLevel {
  return LEVEL_RANK[b] > LEVEL_RANK[a] ? b : a;
}
