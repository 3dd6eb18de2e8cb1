import { registerDecorator } from 'class-validator';
import { isValidDuration } from '@app/domain';

/** An SLA duration at the edge: ISO 8601 of weeks, days, hours, minutes or seconds (see parseDurationMs). */
export function IsSlaDuration(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSlaDuration',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => isValidDuration(value),
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 duration of weeks, days, hours, minutes or seconds (e.g. PT2H, P1D)`,
      },
    });
}
