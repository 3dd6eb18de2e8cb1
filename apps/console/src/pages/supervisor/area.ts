import type { ConsoleArea } from '../../nav';

/** The supervisors' screens (queues, reports, the dashboard); lazily loaded, so the crew's screens stay small. */
const QueuesPage = () => import('./QueuesPage.vue');

export const supervisorArea: ConsoleArea = {
  routes: [
    // 督办看板: the page that was /dashboard (that URL redirects here). Admins read every report too.
    { path: 'dashboard', component: () => import('./DashboardPage.vue'), meta: { roles: ['supervisor', 'admin'] } },
    // The three queues only supervisors decide (extensions.decide, pauses.decide, reviews.decide), one tab each.
    { path: 'queues/extensions', component: QueuesPage, props: { queue: 'extensions' }, meta: { roles: ['supervisor'] } },
    { path: 'queues/pauses', component: QueuesPage, props: { queue: 'pauses' }, meta: { roles: ['supervisor'] } },
    { path: 'queues/reviews', component: QueuesPage, props: { queue: 'reviews' }, meta: { roles: ['supervisor'] } },
    { path: 'queues', redirect: '/queues/extensions' },
    { path: 'reports', component: () => import('./ReportsPage.vue'), meta: { roles: ['supervisor', 'admin'] } },
  ],
  links: [
    { to: '/dashboard', label: '督办看板', roles: ['supervisor', 'admin'] },
    { to: '/queues/extensions', label: '延期审批', roles: ['supervisor'] },
    { to: '/reports', label: '报表', roles: ['supervisor', 'admin'] },
  ],
  homes: { supervisor: '/dashboard' },
};
