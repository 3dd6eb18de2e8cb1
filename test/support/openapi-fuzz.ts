import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { ANY_SIGNED_IN_USER, IS_PUBLIC_KEY, PERMISSION_KEY, PERMISSIONS } from '@app/auth';
import type { Permission } from '@app/auth';
import { DISTRICTS, PRIORITIES, ROLES } from '@app/domain';
import type { Role } from '@app/domain';
import { bearer, createUser, loginAs, SignedIn } from './auth';
import { insertCompany, insertPolicyVersion, ticketBody } from './fixtures';
import { HttpMethod, minimalValue, OpenApiDocument, OpenApiParameter, OpenApiSchema, Operation, readOperations, resolveSchema } from './openapi-operations';
import { eventually, startTestSystem, TestSystem } from './system';

/**
 * Malformed requests for any operation of the OpenAPI document, as fast-check arbitraries (issue 11, "bad
 * input, everywhere"), and the suite that sends them (`describeFuzzing`, used by test/e2e/fuzz-*.e2e-spec.ts).
 * Each case starts from a request the operation accepts (`FuzzBase`: a caller the access policy lets
 * through, real records in the path, a body built from the schema that passed a control) and breaks it
 * for sure, in one place (most cases), two or three distinct places, or in one way that stands alone:
 *
 * - body, from its schema (nested objects and array items too): a required property left out or null, a
 *   value of another JSON type, a value outside the enum, a string past maxLength / short of minLength /
 *   off the pattern / not a UUID / not a date-time, a number outside minimum..maximum, an unknown property
 *   (`__proto__`, `constructor`, `hasOwnProperty` among them), control characters, nesting deeper than 32;
 * - query: the same for each parameter, a required one left out, one given twice, an unknown one, a cursor
 *   the API never handed out, a date that does not exist;
 * - path: an id that is not a UUID, a value outside the enum, a number that is not one, broken
 *   percent-encoding;
 * - headers: a declared header (Idempotency-Key) past its maxLength; the bearer token missing, garbled,
 *   tampered with, signed with alg none;
 * - the body as a whole: truncated JSON, invalid UTF-8 inside a string, JSON that is not one object, over
 *   100 KB, nested too deep, sent as another media type (a form among them).
 *
 * Rules of the API beyond the document ("no text field takes 10,000 characters, nor a query or path value
 * 2,000; no array 200 items; no text carries control characters") give very long strings in every text
 * field, huge arrays and control characters everywhere. Never generated, because not malformed for sure:
 * null for an optional property (read as absent), blank query values (read as absent), a date-time the
 * format allows, a long run of digits for a number. Node's parser refuses control characters in a header
 * and headers past 16 KB before the app: test/e2e/bad-input.e2e-spec.ts has those.
 */

/** What the API answers a malformed request with: a client error, as problem details. */
export const VALIDATION = [400] as const;
const TOO_BIG = [400, 413] as const;
const TOO_LARGE = [413] as const;
const UNAUTHENTICATED = [401] as const;
const NOT_JSON = [400, 415] as const;

/** The API's limits beyond the document: no text field takes this many characters, no array this many items. */
export const LONG_TEXT = { body: { min: 10_000, max: 80_000 }, url: { min: 2_000, max: 4_000 } } as const;
export const HUGE_ARRAY = { min: 200, max: 3_000 } as const;
/** Express's JSON body limit (100 KB). */
export const BODY_LIMIT_BYTES = 100 * 1024;
/** The deepest body BodyShapePipe lets through. */
export const MAX_DEPTH = 32;

export interface FuzzRequest {
  readonly method: HttpMethod;
  /** Filled in and percent-encoded. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface FuzzCase {
  readonly operation: string;
  /** What is wrong with the request, each a definite violation. */
  readonly violations: readonly string[];
  /** The statuses it may answer. */
  readonly expected: readonly number[];
  readonly request: FuzzRequest;
}

/** A request the operation accepts, to break. */
export interface FuzzBase {
  /** Each path parameter's value, not encoded: real records' ids. */
  readonly pathValues: Readonly<Record<string, string>>;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** The JSON body; undefined for an operation without one. */
  readonly body?: unknown;
  /** The caller's bearer token; undefined for a public operation. */
  readonly token?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Building a request

/** A nested value `depth` levels deep, written into the JSON text as it is (JSON.stringify would recurse). */
class Deep {
  constructor(
    readonly depth: number,
    readonly shape: 'array' | 'object',
  ) {}
  text(): string {
    return this.shape === 'array' ? `${'['.repeat(this.depth)}1${']'.repeat(this.depth)}` : `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
  }
}

const PLACEHOLDER = `deep-${Math.random().toString(36).slice(2)}-`;

/** JSON text of a body that may hold Deep values and own `__proto__` properties. */
export function serialize(value: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => (item instanceof Deep ? `${PLACEHOLDER}${deep.push(item) - 1}` : item));
  return deep.reduce((written, item, index) => written.replace(`"${PLACEHOLDER}${index}"`, () => item.text()), text);
}

type DraftBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; value: unknown; contentType?: string }
  | { readonly kind: 'raw'; readonly data: string | Uint8Array; readonly contentType?: string };

interface Draft {
  /** Not encoded yet. */
  readonly pathValues: Record<string, string>;
  /** Already encoded, as sent (broken percent-encoding). */
  readonly rawPathValues: Record<string, string>;
  query: Array<[string, string]>;
  readonly headers: Record<string, string>;
  body: DraftBody;
}

interface Mutation {
  /** What it changes (a top-level body property, a parameter): a case changes each at most once, so every violation it lists holds. */
  readonly target: string;
  readonly what: string;
  readonly expected: readonly number[];
  apply(draft: Draft): void;
}

function draftOf(base: FuzzBase): Draft {
  return {
    pathValues: { ...base.pathValues },
    rawPathValues: {},
    query: base.query.map(([name, value]) => [name, value]),
    headers: base.token ? { authorization: `Bearer ${base.token}` } : {},
    body: base.body === undefined ? { kind: 'none' } : { kind: 'json', value: structuredClone(base.body) },
  };
}

function requestOf(operation: Operation, draft: Draft): FuzzRequest {
  let path = operation.path;
  for (const [name, value] of Object.entries(draft.pathValues)) path = path.replace(`{${name}}`, () => draft.rawPathValues[name] ?? encodeURIComponent(value));
  const headers = { ...draft.headers };
  let body: string | Uint8Array | undefined;
  if (draft.body.kind === 'json') {
    body = serialize(draft.body.value);
    headers['content-type'] = draft.body.contentType ?? 'application/json';
  } else if (draft.body.kind === 'raw') {
    body = draft.body.data;
    if (draft.body.contentType !== undefined) headers['content-type'] = draft.body.contentType;
  }
  return { method: operation.method, path, query: draft.query, headers, body };
}

const brief = (text: string, length = 160): string => (text.length > length ? `${text.slice(0, length)}… (${text.length} characters)` : text);

/** The case as a failure report shows it: short, whatever the size of the body. */
function describeCase(fuzzCase: FuzzCase): string {
  const { request } = fuzzCase;
  const query = request.query.length ? `?${new URLSearchParams(request.query as Array<[string, string]>).toString()}` : '';
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization' || !fuzzCase.violations.some((what) => what.startsWith('Authorization')))
    .map(([name, value]) => `${name}: ${brief(name === 'authorization' ? value.slice(0, 20) : value, 80)}`);
  const authorization = fuzzCase.violations.some((what) => what.startsWith('Authorization')) ? [`authorization: ${brief(request.headers.authorization ?? '(none)', 80)}`] : [];
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? brief(request.body, 300) : `${request.body.length} bytes: ${brief(Buffer.from(request.body).toString('latin1'), 200)}`;
  return [
    `${request.method.toUpperCase()} ${brief(request.path, 200)}${brief(query, 300)}`,
    `  breaks: ${fuzzCase.violations.join('; ')}`,
    `  expects: ${fuzzCase.expected.join(' or ')}`,
    ...[...headers, ...authorization].map((header) => `  ${header}`),
    ...(body ? [`  body: ${body}`] : []),
  ].join('\n');
}

function caseOf(operation: Operation, base: FuzzBase, mutations: readonly Mutation[]): FuzzCase {
  const draft = draftOf(base);
  for (const mutation of mutations) mutation.apply(draft);
  const request = requestOf(operation, draft);
  // The size is checked before anything else: a body over the limit is 413 whatever it holds, one under it never.
  const size = request.body === undefined ? 0 : typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.length;
  const expected = [...new Set(mutations.flatMap((mutation) => mutation.expected))].filter((status) => status !== 413);
  const fuzzCase: FuzzCase = {
    operation: operation.key,
    violations: mutations.map((mutation) => mutation.what),
    expected: size > BODY_LIMIT_BYTES ? [413] : expected.length > 0 ? expected.sort() : [...VALIDATION],
    request,
  };
  return Object.assign(fuzzCase, { [fc.toStringMethod]: () => describeCase(fuzzCase) });
}

// ---------------------------------------------------------------------------------------------------------
// Values

/** Text without whitespace or control characters (nothing a trim or BodyShapePipe would take away), BMP only. */
const TEXT_UNITS = [...'abcxyzABCXYZ0123456789_-王女士热供暖卧室号门'];
const text = (minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...TEXT_UNITS), minLength, maxLength });
/** ASCII only, for header values. */
const TOKEN_UNITS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.'];
const asciiText = (minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...TOKEN_UNITS), minLength, maxLength });
/** Exactly `length` characters of text, built from a repeated chunk (fast for 80,000). */
const textOfLength = (length: fc.Arbitrary<number>, units: fc.Arbitrary<string> = text(1, 8)): fc.Arbitrary<string> =>
  fc.tuple(units, length).map(([chunk, count]) => chunk.repeat(Math.ceil(count / chunk.length)).slice(0, count));

/** What BodyShapePipe refuses: C0 controls but tab, line feed and carriage return; DEL. */
export const CONTROL_CHARACTERS = [...Array.from({ length: 32 }, (_, code) => code).filter((code) => ![9, 10, 13].includes(code)), 127].map((code) => String.fromCharCode(code));

const withControlCharacter = (valid: string): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...CONTROL_CHARACTERS), fc.integer({ min: 0, max: valid.length })).map(([control, at]) => `${valid.slice(0, at)}${control}${valid.slice(at)}`);

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Never a UUID of any version, even trimmed. */
const notUuid: fc.Arbitrary<string> = fc
  .oneof(
    fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
    fc.uuid().map((uuid) => uuid.slice(0, -1)),
    fc.uuid().map((uuid) => `${uuid}0`),
    fc.uuid().map((uuid) => `{${uuid}}`),
    fc.uuid().map((uuid) => uuid.replace(/[0-9a-f]/gi, '-')),
    fc.tuple(fc.uuid(), fc.integer({ min: 0, max: 35 }), fc.constantFrom('g', 'z', '_', ' ', '王', '%')).map(([uuid, at, unit]) => `${uuid.slice(0, at)}${unit}${uuid.slice(at + 1)}`),
    fc.constantFrom('not-a-uuid', '0', '-1', 'null', 'undefined', 'true', '[]', '{}', "1' OR '1'='1", '../users', 'me', 'events'),
    text(1, 40),
  )
  .filter((value) => value.trim() !== '' && !UUID_SHAPE.test(value.trim()));

/** RFC 3339 date-times, checked on the calendar: what `format: date-time` allows. */
function isRfc3339DateTime(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60;
}

/** Well-shaped instants no calendar has, and text no date parser reads. */
const IMPOSSIBLE_INSTANTS = ['2025-02-30T10:00:00Z', '2025-04-31T00:00:00Z', '2025-13-01T00:00:00Z', '2025-00-10T00:00:00Z', '2025-01-01T24:30:00Z', '2025-01-01T10:61:00Z', '2026-02-29T08:00:00+08:00'];
const notDateTime: fc.Arbitrary<string> = fc
  .oneof(fc.constantFrom(...IMPOSSIBLE_INSTANTS), fc.constantFrom('yesterday', 'now', 'not a date', 'NaN', 'Infinity', '1e999', '--'), text(1, 30))
  .filter((value) => value.trim() !== '' && !isRfc3339DateTime(value.trim()) && (IMPOSSIBLE_INSTANTS.includes(value) || Number.isNaN(Date.parse(value))));

/** For a string whose example is an ISO 8601 date (the reports' from/to): days no calendar has, and text no parser reads. */
const IMPOSSIBLE_DAYS = ['2025-02-30', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-32', '2025-02-29T08:00:00', '2025-01-06T25:00', '2025-01-06T10:61'];
const notDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...IMPOSSIBLE_DAYS),
  fc.constantFrom('yesterday', 'today', '2025/01/06', '06-01-2025', 'Jan 6 2025', 'NaN', 'null'),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrsuvxy王'), minLength: 1, maxLength: 20 }),
);

/** Text Number() does not read as a number. */
const notNumber: fc.Arbitrary<string> = fc
  .oneof(fc.constantFrom('abc', 'one', 'NaN', '1,5', '1.2.3', '--1', '0x', '12px', 'null', 'true', '[]'), text(1, 12))
  .filter((value) => value.trim() !== '' && Number.isNaN(Number(value)));

/** A cursor the API never handed out (a page cursor is base64url JSON {at, id}: an exact instant and a UUID). */
const EXACT_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
const base64url = (value: string): string => Buffer.from(value).toString('base64url');
const badCursor: fc.Arbitrary<string> = fc.oneof(
  asciiText(1, 60),
  fc.constantFrom('null', 'e30', 'bnVsbA', 'W10', 'MQ', base64url('{"at":null,"id":null}')),
  fc
    .record({
      at: fc.oneof(
        fc.constantFrom('2025-02-30T10:00:00Z', '2025-13-01T00:00:00.000000Z', '0000-01-01T00:00:00Z', '2025-01-01T24:00:00Z', 'yesterday', ''),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
      ),
      id: fc.oneof(fc.uuid(), fc.constant('-'.repeat(36)), fc.constant('f'.repeat(36)), fc.constant('0'.repeat(36)), notUuid),
    })
    .filter(({ at, id }) => !(EXACT_INSTANT.test(at) && isRfc3339DateTime(at) && UUID_SHAPE.test(id)))
    .map((position) => base64url(JSON.stringify(position))),
);

const SCHEMA_TYPES = ['string', 'number', 'boolean', 'array', 'object'] as const;
type SchemaType = (typeof SCHEMA_TYPES)[number];

function typeOf(schema: OpenApiSchema): SchemaType | undefined {
  if (schema.type === 'integer') return 'number';
  if (schema.type && (SCHEMA_TYPES as readonly string[]).includes(schema.type)) return schema.type as SchemaType;
  if (schema.properties) return 'object';
  return undefined;
}

/** A JSON value of another type than `type` (never null: null is generated for required properties only). */
function otherTypeThan(type: SchemaType): fc.Arbitrary<unknown> {
  const values: Record<SchemaType, fc.Arbitrary<unknown>> = {
    string: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    number: fc.oneof(fc.integer().map(String), text(0, 10), fc.constantFrom('1', '0', '-1', '1e3')),
    boolean: fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'yes', 'on', ''), fc.integer({ min: 0, max: 1 })),
    array: fc.oneof(text(0, 10), fc.integer()),
    object: fc.oneof(text(0, 10), fc.integer()),
  };
  const shared: Record<SchemaType, fc.Arbitrary<unknown>> = {
    string: fc.oneof(fc.boolean(), fc.constant({}), fc.array(text(0, 5), { minLength: 1, maxLength: 3 }), fc.dictionary(text(1, 5), text(0, 5), { minKeys: 1, maxKeys: 2 })),
    number: fc.oneof(fc.boolean(), fc.constant({}), fc.array(fc.integer(), { minLength: 1, maxLength: 3 })),
    boolean: fc.oneof(fc.constant({}), fc.constant([true]), fc.constant([])),
    array: fc.oneof(fc.boolean(), fc.dictionary(text(1, 5), text(0, 5), { maxKeys: 2 })),
    object: fc.oneof(fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })),
  };
  return fc.oneof(values[type], shared[type]);
}

/** Strings outside the enum, even trimmed; never blank. */
function outsideEnum(values: readonly unknown[]): fc.Arbitrary<string> {
  const near = values.flatMap((value) => (typeof value === 'string' ? [value.toLowerCase(), value.toUpperCase(), `${value}X`, `X${value}`, value.slice(0, -1), `${value} ${value}`] : []));
  return fc
    .oneof(fc.constantFrom(...near, 'unknown', 'null', '*'), text(1, 20))
    .filter((value) => value.trim() !== '' && !values.includes(value) && !values.includes(value.trim()));
}

/** Off the pattern, also after the trims and case changes a DTO may apply first. */
function offPattern(pattern: string): fc.Arbitrary<string> {
  const regex = new RegExp(pattern);
  return fc
    .oneof(text(0, 80), fc.string({ maxLength: 80 }), fc.constantFrom('', 'a', 'ab cd', '..', 'é', '王', '!'.repeat(10)), text(60, 90))
    .filter((value) => [value, value.trim()].flatMap((candidate) => [candidate, candidate.toLowerCase(), candidate.toUpperCase()]).every((candidate) => !regex.test(candidate)));
}

// ---------------------------------------------------------------------------------------------------------
// The body's slots

type PathStep = string | number;

interface Slot {
  readonly path: readonly PathStep[];
  readonly schema: OpenApiSchema;
  /** A required property, or an array's item: leaving it out or null breaks the schema. */
  readonly required: boolean;
  /** Its value in the base body, if any. */
  readonly value: unknown;
}

export function fieldName(path: readonly PathStep[]): string {
  return path.reduce<string>((name, step) => (typeof step === 'number' ? `${name}[${step}]` : name ? `${name}.${step}` : step), '') || 'the body';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every property (and first array item) of the schema under the base value, nested ones included. */
function slotsOf(document: OpenApiDocument, schema: OpenApiSchema, value: unknown, path: readonly PathStep[] = []): Slot[] {
  const resolved = resolveSchema(document, schema);
  const slots: Slot[] = [];
  if (resolved.properties) {
    const required = new Set(resolved.required ?? []);
    for (const [name, property] of Object.entries(resolved.properties)) {
      const child = isRecord(value) ? value[name] : undefined;
      const propertySchema = resolveSchema(document, property);
      slots.push({ path: [...path, name], schema: { ...propertySchema, nullable: property.nullable ?? propertySchema.nullable }, required: required.has(name), value: child });
      if (child !== undefined && child !== null) slots.push(...slotsOf(document, propertySchema, child, [...path, name]));
    }
  }
  if (typeOf(resolved) === 'array' && resolved.items && Array.isArray(value) && value.length > 0) {
    const itemSchema = resolveSchema(document, resolved.items);
    slots.push({ path: [...path, 0], schema: itemSchema, required: true, value: value[0] });
    slots.push(...slotsOf(document, itemSchema, value[0], [...path, 0]));
  }
  return slots;
}

/** Sets (or, with `remove`, deletes) the value at `path`, creating the objects on the way. An own property even for `__proto__`. */
function setAt(draft: Draft, path: readonly PathStep[], value: unknown, remove = false): void {
  if (draft.body.kind !== 'json') return;
  if (path.length === 0) {
    draft.body.value = value;
    return;
  }
  let current = draft.body.value as Record<PathStep, unknown>;
  for (const step of path.slice(0, -1)) {
    const next = current[step];
    if (next === null || typeof next !== 'object') current[step] = {};
    current = current[step] as Record<PathStep, unknown>;
  }
  const last = path[path.length - 1];
  if (remove) delete current[last];
  else Object.defineProperty(current, last, { value, enumerable: true, writable: true, configurable: true });
}

const bodyMutation = (what: string, expected: readonly number[], path: readonly PathStep[], value: unknown): Mutation => ({
  target: `body:${String(path[0] ?? '')}`,
  what,
  expected,
  apply: (draft) => setAt(draft, path, value),
});

function slotMutations(document: OpenApiDocument, slot: Slot): Array<fc.Arbitrary<Mutation>> {
  const { path, schema } = slot;
  const field = fieldName(path);
  const type = typeOf(schema);
  const arbitraries: Array<fc.Arbitrary<Mutation>> = [];
  const set = (what: string, values: fc.Arbitrary<unknown>, expected: readonly number[] = VALIDATION): void => {
    arbitraries.push(values.map((value) => bodyMutation(`${field}: ${what} (${brief(serialize(value), 60)})`, expected, path, value)));
  };
  if (slot.required && typeof path[path.length - 1] === 'string') {
    arbitraries.push(fc.constant<Mutation>({ target: `body:${String(path[0])}`, what: `${field}: required, left out`, expected: VALIDATION, apply: (draft) => setAt(draft, path, undefined, true) }));
  }
  if (slot.required && !schema.nullable) set('required and not nullable, null', fc.constant(null));
  if (type) set(`a ${type} in the schema, another type`, otherTypeThan(type));
  if (schema.enum?.length) set(`outside the enum ${schema.enum.join('|')}`, outsideEnum(schema.enum));
  if (type === 'string') {
    const valid = typeof slot.value === 'string' ? slot.value : String(minimalValue(document, schema));
    if (schema.maxLength !== undefined) set(`longer than maxLength ${schema.maxLength}`, textOfLength(fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 64 })));
    if (schema.minLength !== undefined && schema.minLength > 0) set(`shorter than minLength ${schema.minLength}`, text(0, schema.minLength - 1));
    if (schema.pattern) set(`off the pattern ${schema.pattern}`, offPattern(schema.pattern));
    if (schema.format === 'uuid') set('not a UUID', notUuid);
    if (schema.format === 'date-time') set('not a date-time', notDateTime);
    set(`a very long text (${LONG_TEXT.body.min}+ characters)`, textOfLength(fc.integer(LONG_TEXT.body)), TOO_BIG);
    set('control characters', withControlCharacter(valid));
  }
  if (type === 'number') {
    if (schema.minimum !== undefined) set(`below minimum ${schema.minimum}`, fc.oneof(fc.integer({ min: 1, max: 1_000_000 }).map((below) => schema.minimum! - below), fc.constant(schema.minimum - 0.5), fc.constant(-1e308)));
    if (schema.maximum !== undefined) set(`above maximum ${schema.maximum}`, fc.oneof(fc.integer({ min: 1, max: 1_000_000 }).map((above) => schema.maximum! + above), fc.constant(schema.maximum + 0.5), fc.constant(1e308)));
  }
  if (type === 'array') {
    const item = Array.isArray(slot.value) && slot.value.length > 0 ? slot.value[0] : schema.items ? validValue(document, schema.items, 'required') : 'x';
    set(`a huge array (${HUGE_ARRAY.min}+ items)`, fc.integer(HUGE_ARRAY).map((count) => Array.from({ length: count }, () => structuredClone(item))), TOO_BIG);
  }
  if (type === 'object' && isRecord(slot.value)) arbitraries.push(unknownProperty(schema, path));
  arbitraries.push(tooDeep(path));
  return arbitraries;
}

/** The value at `path` (the body itself for []) nested deeper than BodyShapePipe allows. */
function tooDeep(path: readonly PathStep[]): fc.Arbitrary<Mutation> {
  return fc
    .tuple(fc.integer({ min: MAX_DEPTH + 1, max: 12_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([depth, shape]) => bodyMutation(`${fieldName(path)}: nested ${depth} levels deep (${shape}s), deeper than ${MAX_DEPTH}`, VALIDATION, path, new Deep(depth, shape)));
}

/** A property the schema does not have, at `path` (the root for []): the validation refuses unknown fields. */
function unknownProperty(schema: OpenApiSchema, path: readonly PathStep[]): fc.Arbitrary<Mutation> {
  const known = schema.properties ?? {};
  const names = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'status', 'createdAt', 'role', 'isAdmin', ''), text(1, 20)).filter((name) => !Object.hasOwn(known, name));
  const values = fc.oneof(text(0, 10), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({ isAdmin: true }), fc.constant([]));
  return fc.tuple(names, values).map(([name, value]) => bodyMutation(`${fieldName([...path, name])}: a property the schema does not have`, VALIDATION, [...path, name], value));
}

// ---------------------------------------------------------------------------------------------------------
// The body as a whole

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe6, 0x9a]];

function rawBodyMutations(operation: Operation, base: FuzzBase): Array<fc.Arbitrary<Mutation>> {
  const valid = serialize(base.body ?? {});
  const raw = (what: string, expected: readonly number[], data: string | Uint8Array, contentType: string | null = 'application/json'): Mutation => ({
    target: 'body',
    what,
    expected,
    apply: (draft) => {
      draft.body = { kind: 'raw', data, contentType: contentType ?? undefined };
    },
  });
  // Where a string value starts (`:"` or `["`): invalid bytes go inside it.
  const stringStarts = [...valid.matchAll(/[:[]"/g)].map((match) => Buffer.byteLength(valid.slice(0, match.index + 2)));
  const arbitraries: Array<fc.Arbitrary<Mutation>> = [
    fc.integer({ min: 1, max: Math.max(1, valid.length - 1) }).map((length) => raw(`JSON cut off after ${length} of ${valid.length} characters`, VALIDATION, valid.slice(0, length))),
    fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([bytes, at]) => {
      const text = stringStarts.length > 0 ? Buffer.from(valid) : Buffer.from('{"x":""}');
      const offset = stringStarts.length > 0 ? stringStarts[at % stringStarts.length] : 6;
      const data = Buffer.concat([text.subarray(0, offset), Buffer.from(bytes), text.subarray(offset)]);
      return raw(`invalid UTF-8 (${bytes.map((byte) => byte.toString(16)).join(' ')}) inside a string`, VALIDATION, new Uint8Array(data));
    }),
    fc.constantFrom('[]', '[{}]', '[1,2,3]', '"text"', '42', '-1', 'null', 'true', 'false', '{"a":1}{"b":2}', "{'a':1}", '{"a":1,}', '{a:1}', 'NaN', 'undefined', '{"a":01}', '{"a":"\\x41"}', '\u0000').map((json) => raw(`not one JSON object (${json})`, VALIDATION, json)),
    fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 3 * BODY_LIMIT_BYTES }).map((size) => raw(`${size} bytes, over the ${BODY_LIMIT_BYTES}-byte limit`, TOO_LARGE, `${valid}${' '.repeat(Math.max(0, size - Buffer.byteLength(valid)))}`)),
  ];
  const schema = operation.requestBody;
  if (schema?.required?.length) {
    // Not parsed as JSON, so the required properties are missing: 400, or 415 for a media type refused as such.
    const form = new URLSearchParams(Object.entries(isRecord(base.body) ? base.body : {}).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])).toString();
    arbitraries.push(
      fc
        .constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data; boundary=x', 'text/html', 'application/jsonx', 'application/json; charset=latin1')
        .map((contentType) => raw(`the JSON sent as ${contentType}`, NOT_JSON, valid, contentType)),
      fc.constant(raw('the JSON sent without a Content-Type', NOT_JSON, new Uint8Array(Buffer.from(valid)), null)),
      fc.constant(raw('the fields sent as a form (application/x-www-form-urlencoded), not JSON', NOT_JSON, form, 'application/x-www-form-urlencoded')),
    );
  }
  return arbitraries;
}

// ---------------------------------------------------------------------------------------------------------
// Query, path and headers

const ISO_DATE_EXAMPLE = /^\d{4}-\d{2}-\d{2}/;

function queryValue(document: OpenApiDocument, parameter: OpenApiParameter): string {
  return String(minimalValue(document, parameter.schema ?? {}));
}

/** Replaces (or adds) the parameter's value. */
const setQuery = (name: string, value: string) => (draft: Draft) => {
  draft.query = [...draft.query.filter(([candidate]) => candidate !== name), [name, value]];
};

function queryMutations(document: OpenApiDocument, operation: Operation): Array<fc.Arbitrary<Mutation>> {
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const arbitraries: Array<fc.Arbitrary<Mutation>> = [];
  for (const parameter of parameters) {
    const { name } = parameter;
    const schema = resolveSchema(document, parameter.schema ?? {});
    const set = (what: string, values: fc.Arbitrary<string>, expected: readonly number[] = VALIDATION): void => {
      arbitraries.push(values.map((value) => ({ target: `query:${name}`, what: `?${name}: ${what} (${brief(JSON.stringify(value), 60)})`, expected, apply: setQuery(name, value) })));
    };
    const valid = queryValue(document, parameter);
    if (parameter.required) arbitraries.push(fc.constant<Mutation>({ target: `query:${name}`, what: `?${name}: required, left out`, expected: VALIDATION, apply: (draft) => void (draft.query = draft.query.filter(([candidate]) => candidate !== name)) }));
    const twice = [valid, schema.format === 'date-time' ? new Date(Date.now() - 60_000).toISOString() : valid] as const;
    arbitraries.push(fc.constant<Mutation>({ target: `query:${name}`, what: `?${name} given twice`, expected: VALIDATION, apply: (draft) => void (draft.query = [...draft.query.filter(([candidate]) => candidate !== name), [name, twice[0]], [name, twice[1]]]) }));
    if (schema.enum?.length) set(`outside the enum ${schema.enum.join('|')}`, outsideEnum(schema.enum));
    const type = typeOf(schema);
    if (type === 'number') {
      set('not a number', notNumber);
      if (schema.minimum !== undefined) set(`below minimum ${schema.minimum}`, fc.integer({ min: 1, max: 1_000_000 }).map((below) => String(schema.minimum! - below)));
      if (schema.maximum !== undefined) set(`above maximum ${schema.maximum}`, fc.integer({ min: 1, max: 1_000_000 }).map((above) => String(schema.maximum! + above)));
    }
    if (type === 'boolean') set('neither true nor false', fc.oneof(fc.constantFrom('TRUE', 'True', '1', '0', 'yes', 'no', 'on', 't', 'null'), text(1, 10)).filter((value) => value.trim() !== '' && value !== 'true' && value !== 'false'));
    if (schema.format === 'uuid') set('not a UUID', notUuid);
    if (schema.format === 'date-time') set('not a date-time', notDateTime);
    if (type === 'string' && !schema.format && typeof schema.example === 'string' && ISO_DATE_EXAMPLE.test(schema.example)) set('not a date', notDate);
    if (name === 'cursor') set('a cursor the API never handed out', badCursor);
    if (schema.maxLength !== undefined) set(`longer than maxLength ${schema.maxLength}`, textOfLength(fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 64 })));
    if (type === 'string') {
      set(`a very long text (${LONG_TEXT.url.min}+ characters)`, textOfLength(fc.integer(LONG_TEXT.url), asciiText(1, 8)));
      set('control characters', withControlCharacter(valid));
    }
  }
  if (parameters.length > 0) {
    const declared = new Set(parameters.map((parameter) => parameter.name));
    const names = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'page', 'offset', 'sort', 'id'), asciiText(1, 12)).filter((name) => !declared.has(name));
    arbitraries.push(fc.tuple(names, asciiText(0, 10)).map(([name, value]) => ({ target: `query:${name}`, what: `?${name}: a parameter the operation does not have`, expected: VALIDATION, apply: (draft) => void draft.query.push([name, value]) })));
  }
  return arbitraries;
}

/** An id in a path: `id`, `…Id`, or a UUID by format. */
function isIdParameter(parameter: OpenApiParameter): boolean {
  return parameter.schema?.format === 'uuid' || parameter.name === 'id' || /Id$/.test(parameter.name);
}

/** Not usable as a path segment: empty, or a dot segment the URL would resolve. */
const segmentable = (value: string): boolean => value !== '' && value !== '.' && value !== '..';

function pathMutations(document: OpenApiDocument, operation: Operation, base: FuzzBase): Array<fc.Arbitrary<Mutation>> {
  const arbitraries: Array<fc.Arbitrary<Mutation>> = [];
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
    const { name } = parameter;
    const schema = resolveSchema(document, parameter.schema ?? {});
    const set = (what: string, values: fc.Arbitrary<string>): void => {
      arbitraries.push(
        values.filter(segmentable).map((value) => ({
          target: `path:${name}`,
          what: `{${name}}: ${what} (${brief(JSON.stringify(value), 60)})`,
          expected: VALIDATION,
          apply: (draft) => {
            draft.pathValues[name] = value;
          },
        })),
      );
    };
    const valid = base.pathValues[name] ?? 'x';
    if (isIdParameter(parameter)) set('not a UUID', notUuid);
    if (schema.enum?.length) set(`outside the enum ${schema.enum.join('|')}`, outsideEnum(schema.enum));
    if (typeOf(schema) === 'number') set('not a number', notNumber);
    // A number's digits may run long and still be one number (00…02027): long text only for strings.
    if (typeOf(schema) === 'string' || !schema.type) set(`a very long text (${LONG_TEXT.url.min}+ characters)`, textOfLength(fc.integer(LONG_TEXT.url), asciiText(1, 8)).filter((value) => !UUID_SHAPE.test(value)));
    set('control characters', withControlCharacter(valid));
    arbitraries.push(
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%C3%28', '%ED%A0%80', `${encodeURIComponent(valid)}%`).map((raw) => ({
        target: `path:${name}`,
        what: `{${name}}: broken percent-encoding (${raw})`,
        expected: VALIDATION,
        apply: (draft) => {
          draft.rawPathValues[name] = raw;
        },
      })),
    );
  }
  return arbitraries;
}

function headerMutations(document: OpenApiDocument, operation: Operation): Array<fc.Arbitrary<Mutation>> {
  const arbitraries: Array<fc.Arbitrary<Mutation>> = [];
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'header')) {
    const schema = resolveSchema(document, parameter.schema ?? {});
    // Node's parser refuses a header past 16 KB (431) and control characters (400) before the app: not generated here.
    if (schema.maxLength !== undefined) {
      const { maxLength } = schema;
      arbitraries.push(
        textOfLength(fc.integer({ min: maxLength + 1, max: Math.min(8_000, maxLength * 20 + 64) }), asciiText(1, 8)).map((value) => ({
          target: `header:${parameter.name}`,
          what: `${parameter.name}: longer than maxLength ${maxLength} (${value.length} characters)`,
          expected: VALIDATION,
          apply: (draft) => {
            draft.headers[parameter.name.toLowerCase()] = value;
          },
        })),
      );
    }
  }
  return arbitraries;
}

/** The bearer token missing or broken: 401, whatever else the request carries. */
function authorizationMutations(token: string): fc.Arbitrary<Mutation> {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const authorization = (what: string, value: string | undefined): Mutation => ({
    target: 'authorization',
    what: `Authorization: ${what}`,
    expected: UNAUTHENTICATED,
    apply: (draft) => {
      if (value === undefined) delete draft.headers.authorization;
      else draft.headers.authorization = value;
    },
  });
  const otherUnit = (unit: string): fc.Arbitrary<string> => fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_').filter((candidate) => candidate !== unit);
  return fc.oneof(
    fc.constant(authorization('none', undefined)),
    fc.constantFrom('', 'Bearer', 'Basic YWRtaW46YWRtaW4=', 'Token abc', 'Bearer null', 'Bearer undefined', `Basic ${token}`, `${token}`, `Bearer ${token}.x`).map((value) => authorization(`not a bearer token (${brief(value, 30)})`, value)),
    asciiText(1, 300).map((garbage) => authorization('garbage for a token', `Bearer ${garbage}`)),
    // A changed character of the signature (not the last one, whose low bits base64url may drop).
    fc
      .integer({ min: 0, max: signature.length - 2 })
      .chain((at) => otherUnit(signature[at]).map((unit) => `${signature.slice(0, at)}${unit}${signature.slice(at + 1)}`))
      .map((forged) => authorization('the signature tampered with', `Bearer ${header}.${payload}.${forged}`)),
    fc
      .constantFrom<[string, unknown]>(['role', 'admin'], ['role', 'supervisor'], ['sub', '00000000-0000-4000-8000-000000000000'], ['exp', 4_102_444_800], ['companyId', null], ['ver', 999])
      .filter(([claim, value]) => claims[claim] !== value)
      .map(([claim, value]) => authorization(`the claims changed (${claim}), the signature kept`, `Bearer ${header}.${base64url(JSON.stringify({ ...claims, [claim]: value }))}.${signature}`)),
    fc.constant(authorization('signed with alg none', `Bearer ${base64url('{"alg":"none","typ":"JWT"}')}.${payload}.`)),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Putting it together

/** How many distinct things the combinable mutations change (unknown properties and parameters count as many). */
function targetsOf(document: OpenApiDocument, operation: Operation, base: FuzzBase): number {
  const targets = new Set<string>();
  if (operation.requestBody) {
    targets.add('unknown properties').add('more unknown properties');
    for (const slot of slotsOf(document, operation.requestBody, base.body)) targets.add(`body:${String(slot.path[0])}`);
  }
  const parameters = operation.parameters.filter((parameter) => parameter.in !== 'header' || resolveSchema(document, parameter.schema ?? {}).maxLength !== undefined);
  for (const parameter of parameters) targets.add(`${parameter.in}:${parameter.name}`);
  if (parameters.some((parameter) => parameter.in === 'query')) targets.add('unknown parameters').add('more unknown parameters');
  return targets.size;
}

/** The malformed requests of one operation, or undefined when it takes no input to break (GET /health). */
export function malformedRequests(document: OpenApiDocument, operation: Operation, base: FuzzBase): fc.Arbitrary<FuzzCase> | undefined {
  const combinable: Array<fc.Arbitrary<Mutation>> = [];
  const alone: Array<fc.Arbitrary<Mutation>> = [];
  if (operation.requestBody) {
    combinable.push(unknownProperty(resolveSchema(document, operation.requestBody), []));
    for (const slot of slotsOf(document, operation.requestBody, base.body)) combinable.push(...slotMutations(document, slot));
    alone.push(tooDeep([]), ...rawBodyMutations(operation, base));
  }
  combinable.push(...queryMutations(document, operation), ...pathMutations(document, operation, base), ...headerMutations(document, operation));
  if (base.token && !operation.isPublic) alone.push(authorizationMutations(base.token));
  const cases: Array<{ arbitrary: fc.Arbitrary<Mutation[]>; weight: number }> = [];
  // Mostly one violation alone (a lenient check shows only then), else two or three at once, each on its own target.
  if (combinable.length > 0) cases.push({ arbitrary: fc.oneof(...combinable).map((mutation) => [mutation]), weight: 3 });
  if (targetsOf(document, operation, base) >= 2) {
    cases.push({ arbitrary: fc.uniqueArray(fc.oneof(...combinable), { minLength: 2, maxLength: 3, selector: (mutation) => mutation.target }), weight: 1 });
  }
  if (alone.length > 0) cases.push({ arbitrary: fc.oneof(...alone).map((mutation) => [mutation]), weight: 1 });
  if (cases.length === 0) return undefined;
  return fc.oneof(...cases).map((mutations) => caseOf(operation, base, mutations));
}

// ---------------------------------------------------------------------------------------------------------
// Valid bodies to start from

/** A password the policy accepts (long, random-looking, not built from any username). */
export const STRONG_PASSWORD = 'Kq7#vLm2!xR9@tPw';

/** Which properties a body built from the schema has: the required ones, all, or all with the nullable ones null. */
export type BodyMode = 'required' | 'all' | 'nulls';

/**
 * A value the schema accepts, like minimalValue (the enum's first value, the example…), with a strong
 * password for `format: password` and, for objects, the required properties only or all of them.
 */
export function validValue(document: OpenApiDocument, schema: OpenApiSchema, mode: BodyMode, overrides: Record<string, unknown> = {}): unknown {
  const resolved = resolveSchema(document, schema);
  if (resolved.format === 'password') return STRONG_PASSWORD;
  if (resolved.properties || (resolved.type === 'object' && resolved.enum === undefined)) {
    const properties = resolved.properties ?? {};
    const names = mode === 'required' ? (resolved.required ?? []) : Object.keys(properties);
    const value: Record<string, unknown> = {};
    for (const name of names) value[name] = mode === 'nulls' && properties[name]?.nullable ? null : validValue(document, properties[name] ?? {}, mode);
    for (const [name, override] of Object.entries(overrides)) if (name in properties) value[name] = override;
    return value;
  }
  if (resolved.type === 'array' && resolved.example === undefined && resolved.items) return [validValue(document, resolved.items, mode)];
  return minimalValue(document, resolved);
}

// ---------------------------------------------------------------------------------------------------------
// Who may call an operation

/** The roles the access policy lets call the operation's handler, or 'public' (found from the handler's metadata). */
export function rolesFor(app: INestApplication, operation: Operation): readonly Role[] | 'public' {
  const [controllerName, methodName] = (operation.operationId ?? '').split('_');
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller || controller.name !== controllerName) continue;
      const handler = (controller.prototype as Record<string, unknown>)[methodName];
      if (typeof handler !== 'function') continue;
      const read = <T>(key: string): T | undefined => (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
      if (read<boolean>(IS_PUBLIC_KEY)) return 'public';
      const permission = read<Permission | typeof ANY_SIGNED_IN_USER>(PERMISSION_KEY);
      if (permission === ANY_SIGNED_IN_USER) return ROLES;
      if (permission) return PERMISSIONS[permission];
      throw new Error(`${operation.key} (${operation.operationId}) declares no permission`);
    }
  }
  throw new Error(`${operation.key}: no handler ${operation.operationId} found among the app's controllers`);
}

// ---------------------------------------------------------------------------------------------------------
// Sending, judging, and what the database holds

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** Sends the case over a kept-alive connection (retried once if the server closed it after a refused body). */
export async function send(baseUrl: string, request: FuzzRequest): Promise<Answer> {
  const query = request.query.length ? `?${new URLSearchParams(request.query as Array<[string, string]>).toString()}` : '';
  const attempt = async (): Promise<Answer> => {
    const response = await fetch(`${baseUrl}${request.path}${query}`, { method: request.method.toUpperCase(), headers: request.headers, body: request.body as string | undefined, redirect: 'manual' });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  };
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return attempt();
  }
}

/** What is wrong with the answer to a malformed request, if anything. */
export function answerProblems(fuzzCase: FuzzCase, answer: Answer): string[] {
  const problems: string[] = [];
  if (!fuzzCase.expected.includes(answer.status)) problems.push(`answered ${answer.status}, not ${fuzzCase.expected.join(' or ')}`);
  if (answer.status < 400 || answer.status >= 500) return [...problems, `${answer.status} is no client error: ${brief(answer.text, 300)}`];
  if (!answer.contentType.startsWith('application/problem+json')) problems.push(`answered ${answer.contentType || 'no content type'}, not application/problem+json: ${brief(answer.text, 200)}`);
  else {
    try {
      const problem = JSON.parse(answer.text) as { status?: unknown; title?: unknown; detail?: unknown };
      if (problem.status !== answer.status || typeof problem.title !== 'string' || typeof problem.detail !== 'string') problems.push(`not a problem document of status ${answer.status}: ${brief(answer.text, 200)}`);
    } catch {
      problems.push(`problem+json that is not JSON: ${brief(answer.text, 200)}`);
    }
  }
  return problems;
}

/** Per table of the public schema: its exact row count and a hash of all its rows. */
export type Fingerprint = ReadonlyMap<string, { readonly rows: number; readonly hash: string }>;

const fingerprintSql = new WeakMap<DataSource, Promise<string>>();

export async function fingerprint(dataSource: DataSource): Promise<Fingerprint> {
  let sql = fingerprintSql.get(dataSource);
  if (!sql) {
    sql = (dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`) as Promise<Array<{ table_name: string }>>).then((tables) =>
      tables
        .map(({ table_name: table }) => `SELECT '${table}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS hash FROM "${table}" t`)
        .join(' UNION ALL '),
    );
    fingerprintSql.set(dataSource, sql);
  }
  const rows = (await dataSource.query(await sql)) as Array<{ name: string; rows: number; hash: string }>;
  return new Map(rows.map((row) => [row.name, { rows: row.rows, hash: row.hash }]));
}

/** The tables that differ, with their row counts. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .filter((name) => before.get(name)?.hash !== after.get(name)?.hash)
    .map((name) => {
      const [was, is] = [before.get(name)?.rows ?? 0, after.get(name)?.rows ?? 0];
      return was === is ? `${name} (rows changed, still ${is})` : `${name} (${was} → ${is} rows)`;
    });
}

/** A 32-bit seed for one operation, from the run's seed and the operation's key: stable when others are added. */
export function operationSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5;
  for (const unit of key) hash = Math.imul(hash ^ unit.charCodeAt(0), 0x01000193);
  return (seed ^ hash) | 0;
}

// ---------------------------------------------------------------------------------------------------------
// The suite: every selected operation of the document, fuzzed against a running system

/** At least this many cases per run, over all operations of the document (split across the fuzz files). */
export const MIN_CASES = 10_000;
/** The cases of an operation whose only input is the bearer token (GET /users): a broken token each. */
const TOKEN_ONLY_RUNS = 50;

/** The run's seed: FUZZ_SEED when set (to replay a failure), else a random one, printed with any failure. */
export function runSeed(): number {
  const given = process.env.FUZZ_SEED;
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${given}`);
  return seed;
}

/** Path parameters that are no id and whose schema gives no value to use (no enum, no example). */
const PATH_VALUES: Record<string, string> = { year: '2027' };

/** Long SLA terms, so no rung fires while the fuzzing runs (a rung would change the tables under the check). */
const QUIET_POLICY = {
  accept: 'P7D',
  contact: 'P7D',
  visit: 'P7D',
  reply: 'P7D',
  remediate: 'P7D',
  warningAfter: 'P7D',
  noticeAfter: 'P14D',
  calendar: '24x7',
  returnWindow: 'PT2H',
  extensionCap: 'PT24H',
  designatedFromDispatch: 3,
  callbackWithin: 'P1D',
  callbackAttempts: 3,
  pauseCap: 'PT48H',
} as const;

/** The records the requests name: a ticket, a user and a company to break requests on, and the company of crews and tickets. */
export interface FuzzFixtures {
  readonly ticketId: string;
  readonly userId: string;
  readonly companyId: string;
  readonly homeCompanyId: string;
}

/** A record of the resource named by an id path parameter: by its name, or for `{id}` by the collection before it. */
function recordFor(operation: Operation, parameter: OpenApiParameter, fixtures: FuzzFixtures): string {
  const segments = operation.path.split('/');
  const resource = parameter.name === 'id' ? segments[segments.indexOf('{id}') - 1] : ({ ticketId: 'tickets', userId: 'users', companyId: 'companies' } as Record<string, string>)[parameter.name];
  const ids: Record<string, string> = { tickets: fixtures.ticketId, users: fixtures.userId, companies: fixtures.companyId };
  const id = resource === undefined ? undefined : ids[resource];
  if (!id) throw new Error(`${operation.key}: its path parameter {${parameter.name}} names a record of "${resource ?? parameter.name}", which the fuzzing has no record of: add one to recordFor in test/support/openapi-fuzz.ts`);
  return id;
}

/** Each path parameter's value: a fixture record (or, for a control, an id that names nothing), an enum value, an example. */
function pathValuesFor(document: OpenApiDocument, operation: Operation, fixtures: FuzzFixtures, ids: 'real' | 'missing'): Record<string, string> {
  const values: Record<string, string> = {};
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
    if (isIdParameter(parameter)) {
      values[parameter.name] = ids === 'real' ? recordFor(operation, parameter, fixtures) : randomUUID();
      continue;
    }
    const schema = resolveSchema(document, parameter.schema ?? {});
    const value = schema.enum?.[0] ?? schema.example ?? PATH_VALUES[parameter.name];
    if (value === undefined) throw new Error(`${operation.key}: its path parameter {${parameter.name}} is no id and its schema gives no value: add one to PATH_VALUES in test/support/openapi-fuzz.ts`);
    values[parameter.name] = String(value);
  }
  return values;
}

/** A running system to fuzz: the API listening on a port (kept-alive connections), its document, and the fixtures. */
export interface FuzzSystem {
  readonly system: TestSystem;
  readonly baseUrl: string;
  readonly document: OpenApiDocument;
  readonly operations: readonly Operation[];
  readonly fixtures: FuzzFixtures;
}

export async function startFuzzSystem(system?: TestSystem): Promise<FuzzSystem> {
  const running = system ?? (await startTestSystem());
  const server = (await running.app.listen(0, '127.0.0.1')) as Server;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const priority of PRIORITIES) await insertPolicyVersion(running.dataSource, priority, QUIET_POLICY);
  const home = await insertCompany(running.dataSource, [...DISTRICTS], { name: '模糊测试供热公司' });
  const other = await insertCompany(running.dataSource, ['HEXI'], { name: '模糊测试另一公司' });
  const operator = await loginAs(running, 'operator');
  const target = await createUser(running, 'crew', home.id);
  const ticket = (await running.http().post('/tickets').set(bearer(operator.token)).send(ticketBody({ companyId: home.id })).expect(201)).body as { id: string };
  const { document, operations } = await readOperations(running);
  return { system: running, baseUrl, document, operations, fixtures: { ticketId: ticket.id, userId: target.id, companyId: other.id, homeCompanyId: home.id } };
}

/** The operations there is something to break in: a body, a parameter, or a token. */
export function operationsWithInput(operations: readonly Operation[]): Operation[] {
  return operations.filter((operation) => operation.requestBody || operation.parameters.length > 0 || !operation.isPublic);
}

export interface FuzzTarget {
  readonly operation: Operation;
  readonly base: FuzzBase;
}

/**
 * For each operation, a request it accepts, to break: the caller has a role the access policy lets through
 * (a user of its own for each operation, so a password changed by mistake logs no other out), real records
 * in the path, and a body built from the schema that passed a control (sent as another user of the role,
 * with ids that name nothing where there are ids, else for real before anything is measured): answered
 * anything but 400 or 5xx. `refused` lists the operations for which no body built from the schema passed.
 */
export async function fuzzTargets(fuzz: FuzzSystem, operations: readonly Operation[]): Promise<{ targets: FuzzTarget[]; refused: string[] }> {
  const { system, document, fixtures, baseUrl } = fuzz;
  const targets: FuzzTarget[] = [];
  const refused: string[] = [];
  for (const operation of operations) {
    const roles = rolesFor(system.app, operation);
    const role = roles === 'public' ? undefined : roles[0];
    const signIn = async (): Promise<SignedIn | undefined> => (role ? loginAs(system, role, role === 'crew' ? fixtures.homeCompanyId : undefined) : undefined);
    const [caller, controlCaller] = [await signIn(), await signIn()];
    const query = operation.parameters.filter((parameter) => parameter.in === 'query' && parameter.required).map((parameter): [string, string] => [parameter.name, queryValue(document, parameter)]);
    const bodyFor = (who: SignedIn | undefined, mode: BodyMode, withOverrides: boolean): unknown =>
      operation.requestBody && validValue(document, operation.requestBody, mode, withOverrides ? { companyId: fixtures.homeCompanyId, currentPassword: who?.user.password ?? STRONG_PASSWORD } : {});
    const variants = (['required', 'all', 'nulls'] as const).flatMap((mode) => [true, false].map((withOverrides) => ({ mode, withOverrides })));
    const tried = new Set<string>();
    const answers: string[] = [];
    const takesId = operation.parameters.some((parameter) => parameter.in === 'path' && isIdParameter(parameter));
    for (const { mode, withOverrides } of variants) {
      const body = bodyFor(controlCaller, mode, withOverrides);
      if (tried.has(serialize(body ?? null))) continue;
      tried.add(serialize(body ?? null));
      const control = requestOf(operation, draftOf({ pathValues: pathValuesFor(document, operation, fixtures, takesId ? 'missing' : 'real'), query, body, token: controlCaller?.token }));
      const answer = await send(baseUrl, control);
      if (answer.status !== 400 && answer.status < 500) {
        targets.push({ operation, base: { pathValues: pathValuesFor(document, operation, fixtures, 'real'), query, body: bodyFor(caller, mode, withOverrides), token: caller?.token } });
        break;
      }
      answers.push(`${brief(serialize(body ?? null), 300)} → ${answer.status} ${brief(answer.text, 300)}`);
    }
    if (targets.at(-1)?.operation !== operation) refused.push(`${operation.key}: no request built from its schema gets past the validation, so its cases might be refused for the wrong reason: ${answers.join(' | ')}`);
  }
  // Nothing is under way any more: the controls' tickets have their workflows.
  await eventually(async () => ((await system.dataSource.query(`SELECT 1 FROM tickets WHERE workflow_started_at IS NULL`)).length === 0 ? true : undefined), 60_000, "every ticket's workflow started");
  return { targets, refused };
}

/** Runs the property over one operation: every case answered as `answerProblems` demands, and no table changed. */
async function fuzzOperation(fuzz: FuzzSystem, target: FuzzTarget, options: { seed: number; numRuns: number }): Promise<{ details: fc.RunDetails<[FuzzCase]>; statuses: Map<number, number> } | undefined> {
  const arbitrary = malformedRequests(fuzz.document, target.operation, target.base);
  if (!arbitrary) return undefined;
  const statuses = new Map<number, number>();
  let before = await fingerprint(fuzz.system.dataSource);
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (fuzzCase) => {
      const answer = await send(fuzz.baseUrl, fuzzCase.request);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const after = await fingerprint(fuzz.system.dataSource);
      const problems = answerProblems(fuzzCase, answer);
      const changed = changedTables(before, after);
      before = after;
      if (changed.length > 0) problems.push(`changed ${changed.join(', ')}`);
      if (problems.length > 0) throw new Error(problems.join('; '));
    }),
    // The first failure as it happened: shrinking would send more requests to a system the failure may have changed.
    { ...options, includeErrorInReport: true, endOnFailure: true },
  );
  return { details, statuses };
}

/**
 * Fuzzes every operation of the OpenAPI document that `select` takes (the document is split across files
 * so two jest workers share the work): MIN_CASES malformed requests over the document's operations
 * (TOKEN_ONLY_RUNS for one whose only input is the token, an equal share of the rest for the others),
 * each answered 4xx with problem details and changing no row of any table; the process answers
 * GET /health/live after each operation. Seeded by FUZZ_SEED (else at random), printed with any failure.
 */
export function describeFuzzing(title: string, file: string, select: (operation: Operation) => boolean): void {
  describe(title, () => {
    const seed = runSeed();
    let fuzz: FuzzSystem;

    beforeAll(async () => {
      fuzz = await startFuzzSystem();
    });

    afterAll(async () => {
      await fuzz?.system.close();
    });

    it(`answers ${MIN_CASES}+ malformed requests (with the other fuzz file) with 4xx problems, changes nothing and keeps serving`, async () => {
      const withInput = operationsWithInput(fuzz.operations);
      // An operation whose only input is the token gets a few cases (there is little to vary); the others share the rest.
      const tokenOnly = (operation: Operation): boolean => !operation.requestBody && operation.parameters.length === 0;
      const runsFor = (operation: Operation): number =>
        tokenOnly(operation) ? TOKEN_ONLY_RUNS : Math.ceil((MIN_CASES - TOKEN_ONLY_RUNS * withInput.filter(tokenOnly).length) / withInput.filter((other) => !tokenOnly(other)).length);
      const selected = withInput.filter(select);
      expect(selected.length).toBeGreaterThan(0);
      const { targets, refused } = await fuzzTargets(fuzz, selected);
      const failures = [...refused];
      const summary: string[] = [];
      const startedAt = Date.now();
      let cases = 0;
      for (const target of targets) {
        const { key } = target.operation;
        const operationSeedValue = operationSeed(seed, key);
        const outcome = await fuzzOperation(fuzz, target, { seed: operationSeedValue, numRuns: runsFor(target.operation) });
        if (!outcome) {
          failures.push(`${key}: nothing to break, though it takes input (teach malformedRequests in test/support/openapi-fuzz.ts)`);
          continue;
        }
        const { details, statuses } = outcome;
        if (details.failed) failures.push(`${key}: ${fc.defaultReportMessage(details) ?? 'failed'}\nReplay: FUZZ_SEED=${seed} npx jest ${file} (this operation's fast-check seed ${operationSeedValue}, path ${details.counterexamplePath})`);
        else cases += details.numRuns;
        summary.push(`${key}: ${details.numRuns} cases, ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count}× ${status}`).join(', ')}`);
        const live = await fetch(`${fuzz.baseUrl}/health/live`).catch((error: unknown) => error as Error);
        if (live instanceof Error || live.status !== 200) {
          failures.push(`after ${key}: GET /health/live answered ${live instanceof Error ? live.message : live.status}: the process stopped serving`);
          break;
        }
      }
      // FUZZ_SUMMARY=1: what each operation answered (e.g. after adding an endpoint).
      if (process.env.FUZZ_SUMMARY) process.stdout.write(`\nFUZZ_SEED=${seed}: ${cases} cases in ${Date.now() - startedAt} ms\n${summary.join('\n')}\n`);
      if (failures.length > 0) throw new Error(`Fuzzing with FUZZ_SEED=${seed} found:\n\n${failures.join('\n\n')}`);
      expect(cases).toBe(selected.reduce((sum, operation) => sum + runsFor(operation), 0));
    }, 900_000);
  });
}

/** The text fields of the target's body (nested ones too), with their schemas: for sweeps over every text field. */
export function textFields(document: OpenApiDocument, target: FuzzTarget): Array<{ readonly path: readonly PathStep[]; readonly schema: OpenApiSchema }> {
  if (!target.operation.requestBody) return [];
  return slotsOf(document, target.operation.requestBody, target.base.body).filter((slot) => typeOf(slot.schema) === 'string');
}

/** The target's request with one value replaced: a body field (by path), a query parameter or a path parameter. */
export function requestWith(target: FuzzTarget, change: { readonly in: 'body'; readonly path: readonly PathStep[]; readonly value: unknown } | { readonly in: 'query' | 'path'; readonly name: string; readonly value: string }): FuzzRequest {
  const draft = draftOf(target.base);
  if (change.in === 'body') setAt(draft, change.path, change.value);
  else if (change.in === 'query') setQuery(change.name, change.value)(draft);
  else draft.pathValues[change.name] = change.value;
  return requestOf(target.operation, draft);
}
