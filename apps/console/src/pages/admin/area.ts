import type { ConsoleArea } from '../../nav';

/** The admins' screens (users, companies, SLA policies, the calendar); lazily loaded. */
export const adminArea: ConsoleArea = { routes: [], links: [] };
