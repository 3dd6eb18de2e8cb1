import { randomUUID } from 'node:crypto';
import type { TestSystem } from './system';

/**
 * The running API's route table as its OpenAPI document (GET /docs-json) describes it, for tests that must
 * check every operation (so a new route cannot skip the check), and the smallest body its schema accepts.
 *
 *   const { operations, document } = await readOperations(system);
 *   const body = minimalBody(document, operation.requestBody, { companyId });
 */

/** The parts of an OpenAPI 3 schema these tests read. */
export interface OpenApiSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly example?: unknown;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: OpenApiSchema;
  readonly properties?: Record<string, OpenApiSchema>;
  readonly required?: readonly string[];
  readonly allOf?: readonly OpenApiSchema[];
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: OpenApiSchema;
}

interface RawOperation {
  readonly operationId?: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: OpenApiSchema }> };
  readonly responses?: Record<string, { readonly content?: Record<string, unknown> }>;
  readonly security?: readonly unknown[];
}

export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, RawOperation>>;
  readonly security?: readonly unknown[];
  readonly components?: { readonly schemas?: Record<string, OpenApiSchema> };
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  /** `GET /tickets/{id}`, as the access test names operations. */
  readonly key: string;
  /** Nest's `<Controller>_<method>`: which handler serves it. */
  readonly operationId?: string;
  readonly method: HttpMethod;
  /** The path template, `{name}` for each path parameter. */
  readonly path: string;
  readonly parameters: readonly OpenApiParameter[];
  /** The JSON request body's schema, $refs resolved; undefined when the operation takes none. */
  readonly requestBody?: OpenApiSchema;
  /** The media types of its 2xx answers (`application/json`, `text/csv`…). */
  readonly produces: readonly string[];
  /** No security requirement: callable without a token. */
  readonly isPublic: boolean;
}

export async function readOperations(system: TestSystem): Promise<{ document: OpenApiDocument; operations: Operation[] }> {
  const document = (await system.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, raw]): Operation => {
      const bodySchema = raw.requestBody?.content?.['application/json']?.schema;
      const produces = Object.entries(raw.responses ?? {})
        .filter(([status]) => /^2\d\d$/.test(status))
        .flatMap(([, response]) => Object.keys(response.content ?? {}));
      return {
        key: `${method.toUpperCase()} ${path}`,
        operationId: raw.operationId,
        method: method as HttpMethod,
        path,
        parameters: raw.parameters ?? [],
        requestBody: bodySchema ? resolveSchema(document, bodySchema) : undefined,
        produces: [...new Set(produces)],
        isPublic: (raw.security ?? document.security ?? []).length === 0,
      };
    }),
  );
  return { document, operations };
}

/** The schema with its $ref followed and an allOf merged into one object schema. */
export function resolveSchema(document: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`The OpenAPI document has no schema ${schema.$ref}`);
    return resolveSchema(document, target);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolveSchema(document, part));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, OpenApiSchema>,
      required: parts.flatMap((part) => part.required ?? []),
    };
  }
  return schema;
}

/**
 * A value the schema accepts, as small as it gets: an object's required properties only (plus the
 * `overrides` it has a property for, e.g. `{ companyId }`), the enum's first value, the documented
 * example, true, the minimum, one item. Enough for the validation pipe to let a request through to the
 * handler, where the access rules are applied.
 */
export function minimalBody(document: OpenApiDocument, schema: OpenApiSchema, overrides: Record<string, unknown> = {}): unknown {
  const resolved = resolveSchema(document, schema);
  if (resolved.type !== 'object' && !resolved.properties) return minimalValue(document, resolved);
  const properties = resolved.properties ?? {};
  const body: Record<string, unknown> = {};
  for (const name of resolved.required ?? []) body[name] = minimalValue(document, properties[name] ?? {});
  for (const [name, value] of Object.entries(overrides)) if (name in properties) body[name] = value;
  return body;
}

/** A value the schema accepts (see minimalBody), e.g. for a required query parameter. */
export function minimalValue(document: OpenApiDocument, schema: OpenApiSchema): unknown {
  const resolved = resolveSchema(document, schema);
  if (resolved.enum?.length) return resolved.enum[0];
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.properties || resolved.type === 'object') return minimalBody(document, resolved);
  switch (resolved.type) {
    case 'boolean':
      return true; // e.g. each check of the measurement method confirmed, so a reading judges
    case 'number':
    case 'integer':
      return resolved.minimum ?? 0;
    case 'array':
      return resolved.items ? [minimalValue(document, resolved.items)] : [];
    default:
      if (resolved.format === 'uuid') return randomUUID();
      if (resolved.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(1, resolved.minLength ?? 1));
  }
}
