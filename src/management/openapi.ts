// The Management API's OpenAPI 3.1 document, generated from MANAGEMENT_ROUTES (docs/style.md §5: schemas
// once). Each operation carries the scopes that admit it (`x-scopes`, any one of them unless
// `x-scope-mode` is `all`), which the explorer colours against a token's scopes. Served publicly,
// like Auth0's published spec; only `servers` and the bearer scheme differ from tenant to tenant.
import type { Tenant } from '../domain/tenant.ts';
import { ManagementErrorBody } from '../schemas/common.ts';
import { ERROR_CODE, reasonPhrase, TEXT } from './errors.ts';
import { API_PREFIX_PATH } from './paths.ts';
import type { ManagementRoute } from './route.ts';

type Json = Record<string, unknown>;

/** Routes of Scopeward's own endpoints (beyond Auth0) are grouped under one tag. */
export const EXTENSION_PREFIX = '/scopeward/';
export const EXTENSION_TAG = 'Scopeward extensions';

/** Every operation may answer these, with Auth0's error body (spec §3.1, §3.2). */
const ERROR_RESPONSES: [status: number, name: string, description: string, example: Json][] = [
  [400, 'BadRequest', 'The request is malformed: its body, query string or Authorization header.', { message: TEXT.badHeaderFormat }],
  [401, 'Unauthorized', 'No token, or one this tenant does not accept: expired, for another audience, badly signed or revoked.', { message: TEXT.expiredToken, attributes: { error: TEXT.expiredToken } }],
  [403, 'Forbidden', 'The token holds none of the scopes in x-scopes, or acts for another user.', { message: TEXT.insufficientScope(['read:clients']), errorCode: ERROR_CODE.insufficientScope }],
  [404, 'NotFound', 'The object named by the path does not exist.', { message: TEXT.notFoundRoute }],
  [429, 'TooManyRequests', "The tenant's Management API rate limit was reached; see the x-ratelimit-* headers.", { message: TEXT.rateLimited, errorCode: ERROR_CODE.tooManyRequests }],
];

/** `/clients/:id` → `/clients/{id}`. */
export const openApiPath = (url: string): string => url.replace(/:(\w+)/g, '{$1}');

/** `GET /clients/:id/rotate-secret` → `get_clients_by_id_rotate_secret`. */
export function operationId(route: Pick<ManagementRoute, 'method' | 'url'>): string {
  const words = route.url
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by_${segment.slice(1)}` : segment.replace(/[^A-Za-z0-9]+/g, '_')));
  return [route.method.toLowerCase(), ...words].join('_');
}

export const tagOf = (route: Pick<ManagementRoute, 'url' | 'tag'>): string => (route.url.startsWith(EXTENSION_PREFIX) ? EXTENSION_TAG : route.tag);

/** "Scopes: read:clients or read:client_keys" (and the current-user scopes when there are some). */
export function scopeSentence(route: Pick<ManagementRoute, 'scopes' | 'scopeMode' | 'currentUser'>): string {
  const joined = route.scopes.join(route.scopeMode === 'all' ? ' and ' : ' or ');
  const own = route.currentUser ? ` For the token's own user only: ${route.currentUser.scopes.join(' or ')}.` : '';
  return `Scopes: ${joined}.${own}`;
}

/**
 * Turns TypeBox output into OpenAPI schema objects: a schema with an `$id` moves to
 * components.schemas and is referenced; a union of constants becomes an `enum` (which OpenAPI
 * tools show as a choice). Two different schemas may not share an `$id`.
 */
class SchemaCollector {
  readonly components: Record<string, Json> = {};

  convert(schema: unknown): Json {
    return this.#walk(JSON.parse(JSON.stringify(schema)) as unknown) as Json;
  }

  #walk(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.#walk(v));
    if (value === null || typeof value !== 'object') return value;
    const out: Json = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, this.#walk(v)]));
    const enumerated = constantUnion(out);
    const { $id, ...rest } = enumerated;
    if (typeof $id !== 'string') return enumerated;
    const name = $id.replace(/[^A-Za-z0-9._-]/g, '_');
    const seen = this.components[name];
    if (seen && JSON.stringify(seen) !== JSON.stringify(rest)) throw new Error(`OpenAPI: two different schemas have the $id ${$id}`);
    this.components[name] = rest;
    return { $ref: `#/components/schemas/${name}` };
  }
}

function constantUnion(schema: Json): Json {
  const members = schema.anyOf;
  if (!Array.isArray(members) || members.length === 0) return schema;
  if (!members.every((m: Json) => m !== null && typeof m === 'object' && 'const' in m && Object.keys(m).every((k) => k === 'const' || k === 'type'))) return schema;
  const types = new Set(members.map((m: Json) => m.type));
  const { anyOf: _anyOf, ...rest } = schema;
  return { ...(types.size === 1 && [...types][0] !== undefined && { type: [...types][0] }), ...rest, enum: members.map((m: Json) => m.const) };
}

/** A parameter object per property of a params or querystring schema. */
function parameters(collector: SchemaCollector, route: ManagementRoute): Json[] {
  const out: Json[] = [];
  const pathNames = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = route.schema.params ? collector.convert(route.schema.params) : {};
  const pathProps = (params.properties ?? {}) as Record<string, Json>;
  for (const name of pathNames) {
    const { description, ...schema } = pathProps[name] ?? { type: 'string' };
    out.push({ name, in: 'path', required: true, ...(typeof description === 'string' && { description }), schema });
  }
  if (route.schema.querystring) {
    const query = collector.convert(route.schema.querystring);
    const required = new Set((query.required ?? []) as string[]);
    for (const [name, property] of Object.entries((query.properties ?? {}) as Record<string, Json>)) {
      const { description, ...schema } = property;
      out.push({ name, in: 'query', required: required.has(name), ...(typeof description === 'string' && { description }), schema });
    }
  }
  return out;
}

function responses(collector: SchemaCollector, route: ManagementRoute): Json {
  const documented = Object.entries(route.schema.response ?? {});
  const success: Json = documented.length
    ? Object.fromEntries(documented.map(([status, schema]) => [status, { description: reasonFor(Number(status)), content: { 'application/json': { schema: collector.convert(schema) } } }]))
    : // Every Management route without a documented body answers 204 (DELETEs, blacklist, unblock).
      { 204: { description: 'No Content' } };
  return { ...success, ...Object.fromEntries(ERROR_RESPONSES.map(([status, name]) => [String(status), { $ref: `#/components/responses/${name}` }])) };
}

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };
const reasonFor = (status: number): string => SUCCESS[status] ?? reasonPhrase(status);

function operation(collector: SchemaCollector, route: ManagementRoute): Json {
  const params = parameters(collector, route);
  return {
    operationId: operationId(route),
    tags: [tagOf(route)],
    summary: route.summary,
    description: scopeSentence(route),
    ...(params.length > 0 && { parameters: params }),
    ...(route.schema.body && {
      requestBody: {
        required: route.method !== 'PATCH' && route.bodyOptional !== true,
        content: { 'application/json': { schema: collector.convert(route.schema.body) } },
      },
    }),
    responses: responses(collector, route),
    security: [{ bearerAuth: [] }],
    'x-scopes': [...route.scopes],
    'x-scope-mode': route.scopeMode ?? 'any',
    ...(route.currentUser && { 'x-current-user-scopes': [...route.currentUser.scopes] }),
  };
}

/** The document without the tenant's parts (servers, bearer scheme). */
export function baseDocument(routes: readonly ManagementRoute[]): Json {
  const collector = new SchemaCollector();
  const paths: Record<string, Json> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(collector, route) };
    if (!tags.includes(tagOf(route))) tags.push(tagOf(route));
  }
  const errorBody = collector.convert(ManagementErrorBody);
  const errorResponses = Object.fromEntries(
    ERROR_RESPONSES.map(([status, name, description, example]) => [
      name,
      { description, content: { 'application/json': { schema: errorBody, example: { statusCode: status, error: reasonPhrase(status), ...example } } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Scopeward Management API',
      version: '2.0',
      description:
        "Auth0-compatible Management API v2. Every operation names the scopes that admit it in `x-scopes`: any one of them is enough, unless `x-scope-mode` is `all`. `x-current-user-scopes` admit a user's token for that user's own data only. Send an access token for this tenant's Management API audience as `Authorization: Bearer`.",
    },
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: collector.components,
      responses: errorResponses,
    },
  };
}

/**
 * The served documents: the route-derived part is built once (on first use), and each tenant's
 * JSON text once, then reused (the routes are fixed for the life of the process).
 */
export class OpenApiDocuments {
  readonly #routes: readonly ManagementRoute[];
  #base: Json | undefined;
  readonly #texts = new Map<string, string>();

  constructor(routes: readonly ManagementRoute[]) {
    this.#routes = routes;
  }

  document(tenant: Pick<Tenant, 'domain' | 'issuer' | 'managementAudience'>): Json {
    this.#base ??= baseDocument(this.#routes);
    const components = this.#base.components as Json;
    return {
      ...this.#base,
      servers: [{ url: `${tenant.issuer}${API_PREFIX_PATH.slice(1)}`, description: tenant.domain }],
      components: {
        ...components,
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `An access token whose audience is ${tenant.managementAudience}` },
        },
      },
    };
  }

  /** The document as JSON text, cached per tenant issuer. */
  json(tenant: Pick<Tenant, 'domain' | 'issuer' | 'managementAudience'>): string {
    let text = this.#texts.get(tenant.issuer);
    if (text === undefined) {
      text = JSON.stringify(this.document(tenant));
      this.#texts.set(tenant.issuer, text);
    }
    return text;
  }
}
