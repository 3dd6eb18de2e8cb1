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
  /** A temperature complaint: each visit must record at least one indoor reading (a leak or a facility fault need not). */
  readonly readingsRequired: boolean;
  readonly nameZh: string;
}

/** docs/product.md, Categories: each category's default priority and whether a home visit is part of the work. */
export const CATEGORY_DEFAULTS: Record<Category, CategoryDefaults> = {
  LEAK: { priority: 'P0', visitNeeded: true, readingsRequired: false, nameZh: '跑冒滴漏' },
  NO_HEAT: { priority: 'P1', visitNeeded: true, readingsRequired: true, nameZh: '停热' },
  NOT_WARM: { priority: 'P1', visitNeeded: true, readingsRequired: true, nameZh: '室温不达标' },
  FACILITY: { priority: 'P1', visitNeeded: true, readingsRequired: false, nameZh: '设施故障' },
  TEMPERATURE_TEST: { priority: 'P1', visitNeeded: true, readingsRequired: true, nameZh: '测温申请' },
  BILLING: { priority: 'P2', visitNeeded: false, readingsRequired: false, nameZh: '收费/退费' },
  SERVICE_ATTITUDE: { priority: 'P2', visitNeeded: false, readingsRequired: false, nameZh: '服务态度' },
  CONSULTATION: { priority: 'P2', visitNeeded: false, readingsRequired: false, nameZh: '政策咨询' },
};

const PRIORITY_RANK: Record<Priority, number> = { P0: 0, P1: 1, P2: 2 };

/** Whether priority `a` is more urgent than `b` (P0 before P1 before P2). */
export function outranks(a: Priority, b: Priority): boolean {
  return PRIORITY_RANK[a] < PRIORITY_RANK[b];
}

/**
 * Whether a new `category` ticket may be given the `requested` priority: its category default or more
 * urgent (e.g. NOT_WARM for an elderly person alone → P0), never less, so a leak is always P0. A request
 * below the default is refused (400 naming `priority`, CreateTicketDto), not silently raised.
 */
export function priorityAllowed(category: Category, requested: Priority): boolean {
  return !outranks(CATEGORY_DEFAULTS[category].priority, requested);
}

/** A new ticket's priority: the requested one (which priorityAllowed must accept), else the category default. */
export function effectivePriority(category: Category, requested?: Priority): Priority {
  const base = CATEGORY_DEFAULTS[category].priority;
  if (!requested) return base;
  if (!priorityAllowed(category, requested)) throw new RangeError(`priority ${requested} is below the ${category} default ${base}`);
  return requested;
}

/** Whether a visit on a `category` ticket must record at least one reading (planTransition, and the 400 before it). */
export function readingsRequired(category: Category): boolean {
  return CATEGORY_DEFAULTS[category].readingsRequired;
}

export const CHANNELS = ['PHONE', 'WEB', 'WECHAT', 'APP', 'TRANSFER'] as const;
export type Channel = (typeof CHANNELS)[number];
