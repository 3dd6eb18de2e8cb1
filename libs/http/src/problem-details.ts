import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** RFC 9457 problem details, the body of every error answer. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: FieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An HttpException whose body is already a problem document. */
export class ProblemException extends HttpException {
  constructor(status: HttpStatus, detail: string, extra: { title?: string; type?: string; errors?: FieldError[] } = {}) {
    const problem: ProblemDetails = {
      type: extra.type ?? 'about:blank',
      title: extra.title ?? defaultTitle(status),
      status,
      detail,
      ...(extra.errors ? { errors: extra.errors } : {}),
    };
    super(problem, status);
  }
}

export function defaultTitle(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
