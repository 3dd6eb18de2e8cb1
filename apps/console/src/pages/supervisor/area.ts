import type { ConsoleArea } from '../../nav';

/** The supervisors' screens (queues, reports, the dashboard); lazily loaded, so the crew's screens stay small. */
export const supervisorArea: ConsoleArea = { routes: [], links: [] };
