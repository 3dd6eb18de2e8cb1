import { ArgumentMetadata, HttpStatus, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ProblemException } from './problem-details';

/** Flattens nested class-validator errors into `{field: "readings[0].celsius", message}` pairs. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** Strict edge validation: unknown fields are refused, types converted, every bad field named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flattenValidationErrors(errors);
      return new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${[...new Set(fieldErrors.map((e) => e.field))].join(", ")}`, {
        title: 'Validation failed',
        errors: fieldErrors,
      });
    },
  });
}

/** No request of the API nests deeper than this; a body that does is refused before anything walks it. */
export const MAX_BODY_DEPTH = 32;

/** Control characters no text of ours carries (tab, newline and carriage return are text); PostgreSQL refuses NUL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Names no field of ours has: Object.prototype's (`__proto__`, `constructor`, `toString`, `hasOwnProperty`…)
 * and `prototype`. Nest's ValidationPipe deletes some and class-transformer skips the others, so the
 * validation's check for unknown fields never sees a property of such a name: it was dropped in silence.
 */
const OBJECT_MEMBERS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * What is wrong with a parsed body's (or query's, or path parameter's) shape, if anything: too deep, a
 * string with control characters, or a property named like a member of every object (OBJECT_MEMBERS).
 * `root` names a value that is not an object of fields (a path parameter).
 */
export function bodyShapeProblem(value: unknown, root = ''): { field: string; message: string } | null {
  const pending: Array<[unknown, number, string]> = [[value, 1, root]];
  // Walked without recursion: a hostile body cannot blow the stack.
  while (pending.length > 0) {
    const [current, depth, path] = pending.pop()!;
    if (typeof current === 'string') {
      if (CONTROL_CHARACTERS.test(current)) return { field: path || 'body', message: `${path || 'body'} must not contain control characters` };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) return { field: 'body', message: `the body must not nest deeper than ${MAX_BODY_DEPTH} levels` };
    for (const [key, child] of Object.entries(current)) {
      const field = Array.isArray(current) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (OBJECT_MEMBERS.has(key)) return { field, message: `property ${field} should not exist` };
      pending.push([child, depth + 1, field]);
    }
  }
  return null;
}

/**
 * Refuses a body that is no JSON object, and a body, a query or a path parameter nested too deep,
 * carrying control characters or a property named like OBJECT_MEMBERS, with 400 problem details, before
 * validation walks it.
 */
export class BodyShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param') return value;
    // Every body of the API is an object: a JSON array or scalar would pass a DTO without fields (EmptyBodyDto).
    const notAnObject = metadata.type === 'body' && metadata.data === undefined && value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value));
    const problem = notAnObject
      ? { field: 'body', message: 'the body must be a JSON object' }
      : bodyShapeProblem(value, metadata.type === 'body' || typeof value === 'object' ? '' : (metadata.data ?? metadata.type));
    if (problem) throw new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${problem.field}`, { title: 'Validation failed', errors: [problem] });
    return value;
  }
}
