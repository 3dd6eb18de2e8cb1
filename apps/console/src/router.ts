import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from '@app/domain';
import { api, must } from './api/client';
import { session, type SignedInUser } from './session';

/** Where each role starts: the screen it works in all day. */
export const HOME_OF: Record<Role, string> = {
  operator: '/tickets/new',
  crew: '/my',
  supervisor: '/tickets',
  admin: '/tickets',
};

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppLayout.vue'),
    children: [
      { path: '', redirect: () => (session.user ? HOME_OF[session.user.role] : '/login') },
      { path: 'tickets', component: () => import('./pages/TicketListPage.vue'), meta: { roles: ['operator', 'supervisor', 'admin', 'crew'] } },
      { path: 'tickets/new', component: () => import('./pages/operator/NewTicketPage.vue'), meta: { roles: ['operator'] } },
      { path: 'tickets/:id', component: () => import('./pages/TicketPage.vue'), props: true, meta: { roles: ['operator', 'supervisor', 'admin', 'crew'] } },
      { path: 'my', component: () => import('./pages/crew/MyTicketsPage.vue'), meta: { roles: ['crew'] } },
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
    session.signOut();
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
