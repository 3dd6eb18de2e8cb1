import { HttpStatus } from '@nestjs/common';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { ZxcvbnResult } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { MAX_PASSWORD_BYTES } from '@app/config';
import { ProblemException } from '@app/http';

/**
 * What a user's password must be, in one place: used by user creation, a password change and an admin's
 * reset. (The bootstrap admin's ADMIN_PASSWORD has its own rule at boot, in libs/config: at least 12
 * characters, at most 72 bytes.)
 */
export const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's scale: 0 too guessable … 4 very unguessable. 3 is "safely unguessable" for an online attack. */
export const MIN_PASSWORD_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;
/** Built on first use: ranking the dictionaries takes a moment and some memory. */
function strength(password: string, userInputs: readonly string[]): ZxcvbnResult {
  // Without the Levenshtein pass: it costs ~50 ms a check and refused nothing more in our tables (l33t and
  // word-plus-digits variants of common passwords are matched anyway).
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator.check(password, userInputs.filter((input) => input.length > 0));
}

const COMMON_WARNINGS = new Set(['topTen', 'topHundred', 'common', 'similarToCommon', 'pwned']);
const REPEAT_WARNINGS = new Set(['simpleRepeat', 'extendedRepeat']);
const PATTERN_WARNINGS = new Set(['straightRow', 'keyPattern', 'sequences']);
const DATE_WARNINGS = new Set(['dates', 'recentYears']);

/**
 * Why `password` is not acceptable, as a message starting with the field's name
 * ("newPassword is too common"), or null when it is. `userInputs` (the username, the display name) may
 * not make up the password either.
 */
export function passwordProblem(password: string, field: string, userInputs: readonly string[] = []): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `${field} must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`;
  const result = strength(password, userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const warning = result.feedback.warning ?? '';
  if (COMMON_WARNINGS.has(warning)) return `${field} is too common`;
  if (warning === 'userInputs') return `${field} must not be built from the username or display name`;
  if (REPEAT_WARNINGS.has(warning)) return `${field} is too repetitive (like "aaaa" or "abcabc")`;
  if (PATTERN_WARNINGS.has(warning)) return `${field} is a keyboard pattern or a sequence (like "qwerty" or "12345")`;
  if (DATE_WARNINGS.has(warning)) return `${field} is too easy to guess: dates and years are among the first guesses`;
  return `${field} is too easy to guess: use a few unrelated words, or more characters`;
}

/** Throws the 400 problem the validation pipe would, naming the field and the rule broken. */
export function assertAcceptablePassword(password: string, field: string, userInputs: readonly string[] = []): void {
  const problem = passwordProblem(password, field, userInputs);
  if (problem) throw new ProblemException(HttpStatus.BAD_REQUEST, `Invalid request: ${field}`, { title: 'Validation failed', errors: [{ field, message: problem }] });
}

/**
 * class-validator form of the rule. `userInputFields` names the DTO's other properties (e.g. username)
 * the password may not be built from.
 */
export function IsAcceptablePassword(userInputFields: readonly string[] = []): PropertyDecorator {
  const inputsOf = (args: ValidationArguments): string[] =>
    userInputFields.map((name) => (args.object as Record<string, unknown>)[name]).filter((value): value is string => typeof value === 'string');
  // The estimate takes a few milliseconds: the message of a refusal is the one validate() found.
  const problems = new WeakMap<object, string>();
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const problem = typeof value === 'string' ? passwordProblem(value, args.property, inputsOf(args)) : `${args.property} must be a string`;
          if (problem) problems.set(args.object, problem);
          return problem === null;
        },
        defaultMessage: (args: ValidationArguments) => problems.get(args.object) ?? `${args.property} is not an acceptable password`,
      },
    });
}
