import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
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
