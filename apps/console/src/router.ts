import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from '@app/domain';
import { api, must } from './api/client';
import type { ConsoleArea, NavLink } from './nav';
import { adminArea } from './pages/admin/area';
import { supervisorArea } from './pages/supervisor/area';
import { session, type SignedInUser } from './session';

/** The work screens every area shares: new ticket, the lists, the ticket page. */
const workArea: ConsoleArea = {
  routes: [
    { path: 'tickets', component: () => import('./pages/TicketListPage.vue'), meta: { roles: ['operator', 'supervisor', 'admin'] } },
    { path: 'tickets/new', component: () => import('./pages/operator/NewTicketPage.vue'), meta: { roles: ['operator'] } },
    { path: 'tickets/:id', component: () => import('./pages/TicketPage.vue'), props: true, meta: { roles: ['operator', 'supervisor', 'admin', 'crew'] } },
    { path: 'my', component: () => import('./pages/crew/MyTicketsPage.vue'), meta: { roles: ['crew'] } },
  ],
  links: [
    { to: '/tickets/new', label: '新建工单', roles: ['operator'] },
    { to: '/tickets', label: '工单列表', roles: ['operator', 'supervisor', 'admin'] },
    { to: '/my', label: '我的工单', roles: ['crew'] },
  ],
  homes: { operator: '/tickets/new', crew: '/my', supervisor: '/tickets', admin: '/tickets' },
};

const AREAS = [workArea, supervisorArea, adminArea];

/** The navigation links of every area, in order; the layout shows those of the signed-in role. */
export const NAV_LINKS: readonly NavLink[] = AREAS.flatMap((area) => area.links);

/** Where each role starts: the screen it works in all day (a later area's home wins). */
export const HOME_OF: Record<Role, string> = Object.assign({}, ...AREAS.map((area) => area.homes ?? {}));

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppLayout.vue'),
    children: [
      { path: '', redirect: () => (session.user ? HOME_OF[session.user.role] : '/login') },
      ...AREAS.flatMap((area) => area.routes),
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

/** After a reload the token is still there but the user is not: read it back once. */
async function restoreUser(): Promise<SignedInUser | null> {
  if (session.user || !session.token) return session.user;
  try {
    const me = await must(api.GET('/auth/me'));
    session.user = me as SignedInUser;
  } catch {
    session.signOut(session.notice); // keep why (登录已过期…), set when the API answered 401
  }
  return session.user;
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const user = await restoreUser();
  if (!user) return { path: '/login', query: { next: to.fullPath } };
  const roles = to.meta.roles as Role[] | undefined;
  if (roles && !roles.includes(user.role)) return HOME_OF[user.role];
  return true;
});
