import { maskPhone } from '@app/domain';
import type { AuthenticatedUser, Role } from '@app/domain';
import { ANY_SIGNED_IN_USER } from './auth.decorators';

/**
 * Who may do what, in one place. Every route is @Public, @AnySignedInUser, or names one permission of
 * this table with @RequirePermission; the global guard answers 403 to every role the entry does not list,
 * and refuses a route that says none of the three (deny by default). A user whose password an admin reset
 * may call only the routes marked @AllowedBeforePasswordChange until it sets its own (`decideAccess`).
 */
export const PERMISSIONS = {
  'tickets.create': ['operator'],
  'tickets.read': ['operator', 'supervisor', 'crew', 'admin'],
  /** The crew's own steps on its company's tickets: 签收, 联系, 上门, 回复, 退单, 延期申请, 暂停/恢复计时, 退费除外情形. */
  'tickets.work': ['crew'],
  /** The operator's dispatch decisions: 改派, 驳回退单, 回访, 撤销. */
  'tickets.dispatch': ['operator'],
  'extensions.decide': ['supervisor'],
  /** A crew's pause request (resident away, entry refused): approved or rejected by a supervisor. */
  'pauses.decide': ['supervisor'],
  /** The review queue: a 不满意 for objective reasons closed as it is, or reopened (重办) (domain.md §2.5). */
  'reviews.decide': ['supervisor'],
  'reports.overdue': ['supervisor', 'operator', 'crew', 'admin'],
  'reports.performance': ['supervisor', 'admin'],
  /** The caller's building in the last hour (片区停热), for the operator's form and the supervisors. */
  'tickets.nearby': ['operator', 'supervisor'],
  'escalations.read': ['supervisor', 'crew', 'admin'],
  'companies.manage': ['admin'],
  'users.manage': ['admin'],
  'sla.manage': ['admin'],
  /** The heating season's dates (供暖季), moved by the city each year. */
  'seasons.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isPermitted(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** What a signed-in route asks of its caller, as its decorators say. */
export interface RouteAccess {
  readonly permission: Permission | typeof ANY_SIGNED_IN_USER;
  /** @AllowedBeforePasswordChange: GET /auth/me and POST /auth/password. */
  readonly allowedBeforePasswordChange: boolean;
}

/** The caller as the guards know it: the token's role, and its row's must-change-password flag. */
export interface Caller {
  readonly role: Role;
  readonly mustChangePassword: boolean;
}

export type AccessDecision = 'allowed' | 'role-not-permitted' | 'password-change-required';

/**
 * Whether a signed-in caller may call a route. After an admin's reset the one-time password only lets
 * the user see itself and choose a new password: everything else waits, whatever its role permits.
 */
export function decideAccess(caller: Caller, route: RouteAccess): AccessDecision {
  if (caller.mustChangePassword && !route.allowedBeforePasswordChange) return 'password-change-required';
  if (route.permission === ANY_SIGNED_IN_USER || isPermitted(caller.role, route.permission)) return 'allowed';
  return 'role-not-permitted';
}

/**
 * Which companies' records (tickets, overdue rows, escalations, the company list) a user may read. A crew
 * sees only its own company's; a crew without a company sees nothing; every other role sees all.
 * Returns the company filter to apply (`requested` when the user may pick one), or null for "nothing".
 */
export function companyFilterFor(user: AuthenticatedUser, requested?: string): { readonly companyId?: string } | null {
  if (user.role !== 'crew') return requested ? { companyId: requested } : {};
  if (!user.companyId) return null;
  return { companyId: user.companyId };
}

/** Whether a record of `companyId` exists for the user at all (others answer 404, not 403). */
export function mayReadCompanyRecord(user: AuthenticatedUser, companyId: string): boolean {
  const filter = companyFilterFor(user);
  return filter !== null && (filter.companyId === undefined || filter.companyId === companyId);
}

/**
 * How a citizen's phone is shown: in full on screen to the operator who talks to the caller and the crew
 * who must call them; masked (138****5678) for everyone else, and in every export (a file leaves the system).
 */
export type PhoneVisibility = 'full' | 'masked';

export function phoneVisibilityFor(user: AuthenticatedUser, medium: 'screen' | 'export' = 'screen'): PhoneVisibility {
  if (medium === 'export') return 'masked';
  return user.role === 'operator' || user.role === 'crew' ? 'full' : 'masked';
}

export function presentPhone(phone: string, visibility: PhoneVisibility): string {
  return visibility === 'full' ? phone : maskPhone(phone);
}
