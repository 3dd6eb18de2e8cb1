export const PRIORITIES = ['P0', 'P1', 'P2'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CATEGORIES = [
  'LEAK',
  'NO_HEAT',
  'NOT_WARM',
  'FACILITY',
  'TEMPERATURE_TEST',
  'BILLING',
  'SERVICE_ATTITUDE',
  'CONSULTATION',
] as const;
export type Category = (typeof CATEGORIES)[number];

interface CategoryDefaults {
  readonly priority: Priority;
  readonly visitNeeded: boolean;
  readonly nameZh: string;
}

/** docs/product.md, Categories: each category's default priority and whether a home visit is part of the work. */
export const CATEGORY_DEFAULTS: Record<Category, CategoryDefaults> = {
  LEAK: { priority: 'P0', visitNeeded: true, nameZh: '跑冒滴漏' },
  NO_HEAT: { priority: 'P1', visitNeeded: true, nameZh: '停热' },
  NOT_WARM: { priority: 'P1', visitNeeded: true, nameZh: '室温不达标' },
  FACILITY: { priority: 'P1', visitNeeded: true, nameZh: '设施故障' },
  TEMPERATURE_TEST: { priority: 'P1', visitNeeded: true, nameZh: '测温申请' },
  BILLING: { priority: 'P2', visitNeeded: false, nameZh: '收费/退费' },
  SERVICE_ATTITUDE: { priority: 'P2', visitNeeded: false, nameZh: '服务态度' },
  CONSULTATION: { priority: 'P2', visitNeeded: false, nameZh: '政策咨询' },
};

const PRIORITY_RANK: Record<Priority, number> = { P0: 0, P1: 1, P2: 2 };

/** Whether priority `a` is more urgent than `b` (P0 before P1 before P2). */
export function outranks(a: Priority, b: Priority): boolean {
  return PRIORITY_RANK[a] < PRIORITY_RANK[b];
}

/**
 * The operator may raise a ticket's priority above its category default, never lower it:
 * a leak stays P0 whatever is typed.
 */
export function effectivePriority(category: Category, requested?: Priority): Priority {
  const base = CATEGORY_DEFAULTS[category].priority;
  if (!requested) return base;
  return PRIORITY_RANK[requested] < PRIORITY_RANK[base] ? requested : base;
}

export const CHANNELS = ['PHONE', 'WEB', 'WECHAT', 'APP', 'TRANSFER'] as const;
export type Channel = (typeof CHANNELS)[number];
