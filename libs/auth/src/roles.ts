/** Who may do what (spec §1). A crew user always belongs to exactly one company. */
export const ROLES = ['admin', 'operator', 'crew', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** The user behind a request, as its access token states it. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  /** The crew's company; null for every other role. */
  readonly companyId: string | null;
}
