/** Pure helpers that keep label values bounded: no ids, no raw URLs, no free text. */

/** Label of a request that matched no route (404s of unknown paths, static files): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the HTTP metrics need of an Express request once it has been answered. */
export interface RoutedRequest {
  readonly method?: string;
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown } | null;
}

/** A catch-all at the root (`/{*path}`): how Nest answers 404 to paths no controller has. */
const ROOT_WILDCARD = /^\/(?:\{\*\w*\}|\*\w*|\(\.\*\))$/;

/**
 * The route template of the request (`/tickets/:id/accept`), as the router matched it, or `unmatched`
 * (no route, or only the root catch-all that answers 404). A template never holds an id, so the label's
 * values stay as few as the routes.
 */
export function routeLabel(request: RoutedRequest): string {
  const path = request.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  const joined = `${request.baseUrl ?? ''}${path}`.replace(/\/{2,}/g, '/');
  const trimmed = joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
  const template = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return ROOT_WILDCARD.test(template) ? UNMATCHED_ROUTE : template;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Upper-case method; anything unusual folds into OTHER so a client cannot mint label values. */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? '').toUpperCase();
  return METHODS.has(upper) ? upper : 'OTHER';
}

/** How late a rung fired after its instant, in seconds; a timer a hair early (clock skew) counts as 0. */
export function rungLatenessSeconds(firedAt: Date, dueAt: Date | string): number {
  const due = typeof dueAt === 'string' ? Date.parse(dueAt) : dueAt.getTime();
  const late = (firedAt.getTime() - due) / 1000;
  return Number.isFinite(late) && late > 0 ? late : 0;
}

/** The outcome of an action, from the HTTP status its failure carries: 409 refused, anything else unavailable. */
export type ActionOutcome = 'applied' | 'refused' | 'unavailable';

export function actionOutcomeOf(status: number | undefined): Exclude<ActionOutcome, 'applied'> | undefined {
  if (status === 409) return 'refused';
  if (status === 503) return 'unavailable';
  return undefined;
}
