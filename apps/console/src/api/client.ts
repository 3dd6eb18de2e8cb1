import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { session } from '../session';

/** A problem details answer (RFC 9457), as the API sends every error. */
export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

/** Thrown by `must` for any answer that is not 2xx; `problem` is the API's body. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const authorize: Middleware = {
  onRequest({ request }) {
    if (session.token) request.headers.set('Authorization', `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    // A revoked or expired token: back to the sign-in page, whatever screen asked.
    if (response.status === 401 && session.token) session.signOut('登录已过期，请重新登录');
    return response;
  },
};

/** The typed client: every path, body and answer is checked against the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '' });
api.use(authorize);

/** The answer's data and status, or an ApiError carrying the problem details. */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ data: T; status: number }> {
  const { data, error, response } = await call;
  if (response.ok) return { data: data as T, status: response.status };
  const problem = (error && typeof error === 'object' ? error : {}) as Partial<Problem>;
  throw new ApiError({ status: response.status, ...problem } as Problem);
}

/** The answer's data, or an ApiError carrying the problem details. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  return (await answer(call)).data;
}

/** A fresh key for one intended action: a retry after a dropped connection sends the same key again. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
