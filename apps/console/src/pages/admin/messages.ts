import { ApiError } from '../../api/client';
import { fieldMessageZh } from '../../format';
import { problemZh, type useFieldErrors } from '../../forms';

type FieldErrors = ReturnType<typeof useFieldErrors>;

/** What a status means for one form: its message, and the field it belongs to (none: the form's own). */
export type StatusMessages = Partial<Record<number, { readonly field?: string; readonly message: string }>>;

/**
 * Shows a refusal on the form: each field's error at its field, in Chinese; a status the form knows (409 a
 * taken username, 404 a user gone) as its own message; anything else as problemZh says it.
 */
export function showProblem(errors: FieldErrors, failure: unknown, fallback: string, statuses: StatusMessages = {}): void {
  errors.show(failure, fallback);
  if (!(failure instanceof ApiError)) return;
  const known = statuses[failure.problem.status];
  if (known) {
    if (known.field) {
      errors.state.byField[known.field] = known.message;
      errors.state.form = null;
    } else {
      errors.state.form = known.message;
    }
  }
  const seen = new Set<string>();
  for (const { field, message } of failure.problem.errors ?? []) {
    const top = field.split(/[.[]/)[0];
    if (seen.has(top)) continue;
    seen.add(top);
    errors.state.byField[top] = fieldMessageZh(field, message);
  }
}

/** A refusal as one line, for a screen without a form (a list's load, a toggle). */
export function problemLine(failure: unknown, fallback: string, statuses: StatusMessages = {}): string {
  if (failure instanceof ApiError) {
    const known = statuses[failure.problem.status];
    if (known) return known.message;
    const first = failure.problem.errors?.[0];
    if (first) return fieldMessageZh(first.field, first.message);
  }
  return problemZh(failure, fallback);
}
