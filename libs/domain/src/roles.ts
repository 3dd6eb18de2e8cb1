/** The four roles (docs/product.md, Roles). A crew user always belongs to exactly one company. */
export const ROLES = ['admin', 'operator', 'crew', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** How each role reads on screen (docs/product.md, Roles). */
export const ROLE_NAMES_ZH: Record<Role, string> = {
  admin: '管理员',
  operator: '话务员',
  crew: '维修人员',
  supervisor: '督办',
};

/**
 * The one shape of a signed-in user: what the access token states, what every access decision reads,
 * and what the audit trail records (username and role) through the ticket's workflow.
 */
export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  /** The crew's company; null for every other role. */
  readonly companyId: string | null;
}
