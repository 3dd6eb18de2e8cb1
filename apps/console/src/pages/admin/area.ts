import type { ConsoleArea } from '../../nav';

const admin = { roles: ['admin'] };

/** The admins' screens (users, companies, SLA policies, the calendar); lazily loaded. */
export const adminArea: ConsoleArea = {
  routes: [
    { path: 'admin/users', component: () => import('./UsersPage.vue'), meta: admin },
    { path: 'admin/companies', component: () => import('./CompaniesPage.vue'), meta: admin },
    { path: 'admin/sla', component: () => import('./SlaPage.vue'), meta: admin },
    { path: 'admin/calendar', component: () => import('./CalendarPage.vue'), meta: admin },
  ],
  links: [
    { to: '/admin/users', label: '用户管理', roles: ['admin'] },
    { to: '/admin/companies', label: '单位管理', roles: ['admin'] },
    { to: '/admin/sla', label: '时限政策', roles: ['admin'] },
    { to: '/admin/calendar', label: '工作日历', roles: ['admin'] },
  ],
  homes: { admin: '/admin/users' },
};
