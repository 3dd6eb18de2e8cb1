import { ROLES } from '@app/domain';
import type { AuthenticatedUser, Role } from '@app/domain';
import {
  companyFilterFor,
  decideAccess,
  isPermitted,
  mayReadCompanyRecord,
  Permission,
  PERMISSIONS,
  phoneVisibilityFor,
  presentPhone,
} from './access-policy';
import { ANY_SIGNED_IN_USER } from './auth.decorators';

const user = (role: Role, companyId: string | null = null): AuthenticatedUser => ({ id: 'u', username: role, role, companyId });
const A = 'company-a';
const B = 'company-b';

/** The access policy as a table: every permission × role, the company scope and the phone visibility. */
describe('access policy', () => {
  // Who may do what: the one table the guard reads. A change to PERMISSIONS must change this table too.
  const TABLE: Record<Permission, Record<Role, boolean>> = {
    'tickets.create': { admin: false, operator: true, crew: false, supervisor: false },
    'tickets.read': { admin: true, operator: true, crew: true, supervisor: true },
    'tickets.work': { admin: false, operator: false, crew: true, supervisor: false },
    'tickets.dispatch': { admin: false, operator: true, crew: false, supervisor: false },
    'extensions.decide': { admin: false, operator: false, crew: false, supervisor: true },
    'pauses.decide': { admin: false, operator: false, crew: false, supervisor: true },
    'reviews.decide': { admin: false, operator: false, crew: false, supervisor: true },
    'reports.overdue': { admin: true, operator: true, crew: true, supervisor: true },
    'reports.performance': { admin: true, operator: false, crew: false, supervisor: true },
    'tickets.nearby': { admin: false, operator: true, crew: false, supervisor: true },
    'escalations.read': { admin: true, operator: false, crew: true, supervisor: true },
    'companies.manage': { admin: true, operator: false, crew: false, supervisor: false },
    'users.manage': { admin: true, operator: false, crew: false, supervisor: false },
    'sla.manage': { admin: true, operator: false, crew: false, supervisor: false },
    'seasons.manage': { admin: true, operator: false, crew: false, supervisor: false },
  };

  it('lists every permission in the table', () => {
    expect(Object.keys(TABLE).sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it.each(Object.keys(TABLE) as Permission[])('%s: exactly the roles of the table', (permission) => {
    expect(ROLES.length).toBe(4);
    for (const role of ROLES) expect({ role, permitted: isPermitted(role, permission) }).toEqual({ role, permitted: TABLE[permission][role] });
  });

  // A user whose password an admin reset: only the routes marked @AllowedBeforePasswordChange, whatever its role.
  const ROUTES = [...(Object.keys(TABLE) as Permission[]), ANY_SIGNED_IN_USER] as const;
  const expectedAccess = (role: Role, route: (typeof ROUTES)[number], mustChangePassword: boolean, allowedBeforePasswordChange: boolean): string => {
    if (mustChangePassword && !allowedBeforePasswordChange) return 'password-change-required';
    return route === ANY_SIGNED_IN_USER || TABLE[route][role] ? 'allowed' : 'role-not-permitted';
  };
  it.each(ROUTES.flatMap((route) => [false, true].flatMap((mustChangePassword) => [false, true].map((allowedBeforePasswordChange) => [route, mustChangePassword, allowedBeforePasswordChange] as const))))(
    '%s with mustChangePassword %s on a route allowed before a password change: %s',
    (route, mustChangePassword, allowedBeforePasswordChange) => {
      for (const role of ROLES) {
        const decision = decideAccess({ role, mustChangePassword }, { permission: route, allowedBeforePasswordChange });
        expect({ role, decision }).toEqual({ role, decision: expectedAccess(role, route, mustChangePassword, allowedBeforePasswordChange) });
      }
    },
  );

  it.each([
    ['admin', null, B, { companyId: B }, true],
    ['operator', null, undefined, {}, true],
    ['supervisor', null, B, { companyId: B }, true],
    ['crew', A, undefined, { companyId: A }, true],
    ['crew', A, B, { companyId: A }, true],
    ['crew', B, undefined, { companyId: B }, false],
    ['crew', null, A, null, false],
  ] as const)('%s of company %s asking for %s: filter %j, may read company A records: %s', (role, own, requested, filter, readsA) => {
    const who = user(role, own);
    expect(companyFilterFor(who, requested)).toEqual(filter);
    expect(mayReadCompanyRecord(who, A)).toBe(readsA);
  });

  it.each([
    ['operator', 'full', 'masked'],
    ['crew', 'full', 'masked'],
    ['supervisor', 'masked', 'masked'],
    ['admin', 'masked', 'masked'],
  ] as const)('%s sees phones %s on screen and %s in exports', (role, screen, exported) => {
    expect(phoneVisibilityFor(user(role, role === 'crew' ? A : null))).toBe(screen);
    expect(phoneVisibilityFor(user(role, role === 'crew' ? A : null), 'export')).toBe(exported);
  });

  it('masks the middle of a phone, keeping a landline’s area code', () => {
    expect(presentPhone('13812345678', 'masked')).toBe('138****5678');
    expect(presentPhone('02223456789', 'masked')).toBe('022****6789');
    expect(presentPhone('13812345678', 'full')).toBe('13812345678');
  });
});
