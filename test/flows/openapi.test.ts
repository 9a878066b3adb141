// The Management API's OpenAPI document (issue 5): generated from MANAGEMENT_ROUTES, so every
// route appears with exactly the scopes its guard enforces; structurally valid OpenAPI 3.1;
// served publicly per tenant at /api/v2/openapi.json with that tenant's server URL.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseDocument, EXTENSION_TAG, openApiPath } from '../../src/management/openapi.ts';
import { route, type ManagementRoute } from '../../src/management/route.ts';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { JSON_UTF8 } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId: string;
  tags: string[];
  description: string;
  parameters?: { name: string; in: string; required: boolean; schema: Json }[];
  responses: Record<string, Json>;
  security: Json[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const SERVED = '/api/v2/openapi.json';

let s: TestServer;
let doc: Json & { paths: Record<string, Record<string, Operation>>; components: Json };

beforeAll(async () => {
  s = await startTestServer();
  doc = (await s.inject({ method: 'GET', url: SERVED })).json();
});
afterAll(() => s.close());

function operations(document: typeof doc): [string, string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => [path, m, op] as [string, string, Operation]));
}

/** Follows a local JSON pointer (`#/a/b~1c`); undefined when it leads nowhere. */
function resolve(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !(key in at)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('GET /api/v2/openapi.json is public, like Auth0 publishes its spec', () => {
  it('answers 200 without a token, as JSON, readable from any origin, cacheable, rate-limited per address', async () => {
    const res = await s.inject({ method: 'GET', url: SERVED, headers: { origin: 'https://somewhere.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': JSON_UTF8,
      'access-control-allow-origin': '*',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
      'x-ratelimit-limit': '200',
    });
    expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.json<Json>().openapi).toBe('3.1.0');
  });

  it('an Authorization header changes nothing: the same document, byte for byte (built once, then cached)', async () => {
    const anonymous = await s.inject({ method: 'GET', url: SERVED });
    const withBadToken = await s.inject({ method: 'GET', url: SERVED, headers: { authorization: 'Bearer not.a.token' } });
    expect(withBadToken.statusCode).toBe(200);
    expect(withBadToken.body).toBe(anonymous.body);
  });

  it("each tenant's document names its own server and audience (the issuer's /api/v2)", async () => {
    const second = await s.addTenant('openapi-b', 'tenant-b.test');
    const a = (await s.inject({ method: 'GET', url: SERVED })).json<Json>();
    const b = (await s.inject({ method: 'GET', url: SERVED, host: second.domain })).json<Json>();
    expect(a.servers).toStrictEqual([{ url: 'https://tenant-a.test/api/v2', description: 'tenant-a.test' }]);
    expect(b.servers).toStrictEqual([{ url: 'https://tenant-b.test/api/v2', description: 'tenant-b.test' }]);
    expect((b.components as Json).securitySchemes).toStrictEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token whose audience is https://tenant-b.test/api/v2/' },
    });
    expect(b.paths).toStrictEqual(a.paths);
  });

  it('POST to it is not a route: the Management API catch-all answers 404 Not Found', async () => {
    const res = await s.inject({ method: 'POST', url: SERVED, payload: {} });
    expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Not Found' } });
  });
});

describe('every route of MANAGEMENT_ROUTES, with exactly the scopes its guard enforces', () => {
  it('one operation per route and no other', () => {
    expect(operations(doc).length).toBe(MANAGEMENT_ROUTES.length);
  });

  it.each(MANAGEMENT_ROUTES.map((r) => [`${r.method} ${r.url}`, r] as const))('%s', (_name, r) => {
    const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
    expect(op, `${r.method} ${r.url}`).toBeDefined();
    expect(op!['x-scopes']).toStrictEqual([...r.scopes]);
    expect(op!['x-scope-mode']).toBe(r.scopeMode ?? 'any');
    expect(op!['x-current-user-scopes']).toStrictEqual(r.currentUser ? [...r.currentUser.scopes] : undefined);
    const joined = r.scopes.join(r.scopeMode === 'all' ? ' and ' : ' or ');
    expect(op!.description.startsWith(`Scopes: ${joined}.`)).toBe(true);
    expect(op!.summary).toBe(r.summary);
    expect(op!.tags).toStrictEqual([r.tag]);
    expect(op!.security).toStrictEqual([{ bearerAuth: [] }]);
    for (const status of ['400', '401', '403', '404', '429']) expect(op!.responses[status]).toBeDefined();
  });

  it('the description states the scopes in words (any of / all of / own user)', () => {
    expect(doc.paths['/clients/{id}']!.get!.description).toBe('Scopes: read:clients or read:client_keys or read:client_credentials or read:client_summary.');
    expect(doc.paths['/keys/signing/rotate']!.post!.description).toBe('Scopes: create:signing_keys and update:signing_keys.');
    expect(doc.paths['/users/{id}']!.get!.description).toBe("Scopes: read:users or read:user_idp_tokens. For the token's own user only: read:current_user.");
  });

  it('parameters, request bodies and responses come from the route schemas', () => {
    const get = doc.paths['/clients']!.get!;
    expect(get.parameters).toContainEqual({ name: 'per_page', in: 'query', required: false, description: 'Results per page (default 50, at most 100).', schema: { type: 'integer', minimum: 1, maximum: 100 } });
    const create = doc.paths['/clients']!.post!;
    expect(create.requestBody).toStrictEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ClientCreate' } } } });
    expect(create.responses['201']).toStrictEqual({ description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Client' } } } });
    // A PATCH without a body changes nothing (spec §1.2), so its body is optional.
    expect((doc.paths['/clients/{id}']!.patch!.requestBody as Json).required).toBe(false);
    expect(doc.paths['/clients/{id}']!.delete!.responses['204']).toStrictEqual({ description: 'No Content' });
    expect(doc.paths['/clients/{id}']!.delete!.responses['403']).toStrictEqual({ $ref: '#/components/responses/Forbidden' });
  });

  it("error responses show Auth0's body (spec §3.1, §3.2)", () => {
    const responses = doc.components.responses as Record<string, { content: { 'application/json': { schema: Json; example: Json } } }>;
    expect(responses.Forbidden!.content['application/json'].example).toStrictEqual({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:clients', errorCode: 'insufficient_scope' });
    expect(responses.Unauthorized!.content['application/json'].schema).toStrictEqual({ $ref: '#/components/schemas/ManagementError' });
    expect((doc.components.schemas as Json).ManagementError).toMatchObject({ required: ['statusCode', 'error', 'message'] });
  });

  it('routes under /scopeward/ (extensions beyond Auth0) are tagged "Scopeward extensions" without further work', () => {
    const extension: ManagementRoute = route({ method: 'GET', url: '/scopeward/tenants/:id', summary: 'Get a tenant', tag: 'Tenants', scopes: ['read:tenant_settings'], schema: {}, handler: async () => ({ status: 204 }) });
    const built = baseDocument([...MANAGEMENT_ROUTES, extension]) as typeof doc;
    const op = built.paths['/scopeward/tenants/{id}']!.get!;
    expect(op.tags).toStrictEqual([EXTENSION_TAG]);
    expect(op.parameters).toStrictEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect((built.tags as Json[]).at(-1)).toStrictEqual({ name: EXTENSION_TAG });
  });
});

describe('structurally valid OpenAPI 3.1', () => {
  it('has the required top-level fields', () => {
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'Scopeward Management API', version: '2.0' } });
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/'))).toBe(true);
  });

  it('every $ref resolves', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(MANAGEMENT_ROUTES.length);
    for (const ref of new Set(refs)) expect(resolve(doc, ref), ref).toBeDefined();
  });

  it('operationIds are unique; every path template parameter is declared once, as a required path parameter, and no other', () => {
    const ids = operations(doc).map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, method, op] of operations(doc)) {
      const template = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name), `${method} ${path}`).toStrictEqual(template);
      expect(declared.every((p) => p.required)).toBe(true);
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, `${method} ${path}`).toBe(keys.length);
    }
  });

  it('every operation has a success response, a declared security scheme and a declared tag', () => {
    const tags = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    const schemes = (doc.components.securitySchemes ?? {}) as Json;
    for (const [path, method, op] of operations(doc)) {
      expect(Object.keys(op.responses).some((status) => /^2\d\d$/.test(status)), `${method} ${path}`).toBe(true);
      for (const requirement of op.security) for (const name of Object.keys(requirement)) expect(schemes[name]).toBeDefined();
      for (const tag of op.tags) expect(tags.has(tag)).toBe(true);
    }
  });

  it('every schema is valid JSON Schema 2020-12 (the dialect of OpenAPI 3.1), strictly compiled', () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: false });
    // The document's own top-level fields are not schema keywords; the schemas inside it are compiled strictly.
    ajv.addVocabulary(Object.keys(doc));
    ajv.addSchema(doc, 'openapi.json');
    const schemaPointers = [
      ...Object.keys(doc.components.schemas as Json).map((name) => `#/components/schemas/${name}`),
      ...operations(doc).flatMap(([path, method, op]) => {
        const at = `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;
        return [
          ...(op.parameters ?? []).map((_p, i) => `${at}/parameters/${i}/schema`),
          ...(op.requestBody ? [`${at}/requestBody/content/application~1json/schema`] : []),
          ...Object.entries(op.responses).filter(([, r]) => r.content).map(([status]) => `${at}/responses/${status}/content/application~1json/schema`),
        ];
      }),
    ];
    for (const pointer of schemaPointers) expect(() => ajv.compile({ $ref: `openapi.json${pointer}` }), pointer).not.toThrow();
  });
});
