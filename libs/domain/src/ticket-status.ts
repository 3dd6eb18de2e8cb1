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

/** How each status reads on screen (docs/product.md, Ticket statuses). */
export const TICKET_STATUS_NAMES_ZH: Record<TicketStatus, string> = {
  RECEIVED: '待签收',
  ACCEPTED: '已签收',
  CONTACTED: '已联系',
  VISITED: '已上门',
  REMEDIATING: '整改中',
  REPLIED: '已回复',
  RETURN_REQUESTED: '申请退单',
  CLOSED: '已办结',
  CANCELLED: '已撤销',
};

export const CLOSED_STATUSES: readonly TicketStatus[] = ['CLOSED', 'CANCELLED'];

export function isOpenStatus(status: TicketStatus): boolean {
  return !CLOSED_STATUSES.includes(status);
}

/** `callback` (回访) is the hotline's own step after the reply, not the company's (domain.md §2.5). */
export const STAGES = ['accept', 'contact', 'visit', 'reply', 'remediate', 'callback'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_NAMES_ZH: Record<Stage, string> = {
  accept: '工单接收',
  contact: '联系群众',
  visit: '上门服务',
  reply: '办理回复',
  remediate: '整改复测',
  callback: '回访',
};

/** The stages a company's timeliness is rated on (remediate only follows a failed test, so it is not rated). */
export const RATED_STAGES = ['accept', 'contact', 'visit', 'reply'] as const satisfies readonly Stage[];

/** The stages the company answers for: all but the hotline's own callback (overdue lists and trends). */
export const COMPANY_STAGES: readonly Stage[] = STAGES.filter((stage) => stage !== 'callback');
export type RatedStage = (typeof RATED_STAGES)[number];

export const ESCALATION_LEVELS = ['NONE', 'DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];
export type RungLevel = Exclude<EscalationLevel, 'NONE'>;

/** How each escalation level reads on screen (docs/product.md, Escalation). */
export const ESCALATION_LEVEL_NAMES_ZH: Record<EscalationLevel, string> = {
  NONE: '未督办',
  DUE_SOON: '黄灯',
  OVERDUE: '逾期',
  WARNING: '约谈',
  PUBLIC_NOTICE: '通报批评',
};
export const RUNG_LEVELS: readonly RungLevel[] = ['DUE_SOON', 'OVERDUE', 'WARNING', 'PUBLIC_NOTICE'];

/** The rungs of the hotline's own stages: a reminder and the overdue mark, never a warning or notice to a company. */
export const HOTLINE_RUNG_LEVELS: readonly RungLevel[] = ['DUE_SOON', 'OVERDUE'];

/** The rungs a stage's ladder has: the callback (回访, domain.md §2.5) does not count against the company. */
export function rungLevelsOf(stage: Stage): readonly RungLevel[] {
  return stage === 'callback' ? HOTLINE_RUNG_LEVELS : RUNG_LEVELS;
}

/** How far up the ladder a level is (NONE 0 … PUBLIC_NOTICE 4): a ticket's level only ever rises. */
export function escalationRank(level: EscalationLevel): number {
  return ESCALATION_LEVELS.indexOf(level);
}
