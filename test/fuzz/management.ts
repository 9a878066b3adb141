// Management API requests, generated from the server's own GET /api/v2/openapi.json: every
// operation, its path parameters, query parameters and body, valid enough to reach the handler and
// hostile anywhere. Tokens are placeholders that target.ts mints: one holding the operation's
// x-scopes (so inputs get past the scope check), an all-scopes one, a user's own token for
// x-current-user-scopes, one with an unrelated scope, none, or garbage.
import fc from 'fast-check';
import type { SchemaValues, Schema } from './schema.ts';
import { encodeBody, encodings, queryString, type Spec } from './spec.ts';
import { encodeText, hostileJson, hostileUrlText, pool, toJson, type J } from './values.ts';

export interface Operation {
  /** `PATCH /users/{id}` */
  key: string;
  method: string;
  path: string;
  pathParams: { name: string; schema: Schema }[];
  query: { name: string; schema: Schema }[];
  body: { schema: Schema; required: boolean } | undefined;
  scopes: string[];
  currentUserScopes: string[];
}

type Json = Record<string, unknown>;

export function operationsOf(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const body = op.requestBody as { required?: boolean; content: Record<string, { schema: Schema }> } | undefined;
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        query: params.filter((p) => p.in === 'query'),
        body: body && { schema: body.content['application/json']!.schema, required: body.required === true },
        scopes: op['x-scopes'] as string[],
        currentUserScopes: (op['x-current-user-scopes'] ?? []) as string[],
      });
    }
  }
  return out;
}

/** Which of the server's objects a path parameter names (pool names of target.ts). */
const PATH_POOLS: [RegExp, string, string][] = [
  [/^\/clients\//, 'id', 'client'],
  [/^\/client-grants\//, 'id', 'grant'],
  [/^\/resource-servers\//, 'id', 'api'],
  [/^\/keys\/signing\//, 'kid', 'kid'],
  [/^\/logs\//, 'id', 'log'],
  [/^\/users\//, 'id', 'user'],
  [/^\/users\//, 'provider', 'provider'],
  [/^\/users\//, 'user_id', 'identityUser'],
  [/^\/user-blocks\//, 'id', 'userOrEmail'],
  [/^\/device-credentials\//, 'id', 'deviceCredential'],
  [/^\/connections\//, 'id', 'connection'],
  [/^\/scopeward\/test-tokens\//, 'id', 'testToken'],
];

export type TokenClass = 'route' | 'mixed';

const GARBAGE_AUTH = ['Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(9000)}`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'bearer  x', 'Bearer \u00e9'];

type TokenKind = 'route' | 'admin' | 'user' | 'other' | 'none' | 'garbage';

function authorization(op: Operation, kind: TokenKind, garbage: number): string | undefined {
  switch (kind) {
    case 'route':
      return `Bearer @@t:scopes=${op.scopes.join(' ')}@@`;
    case 'admin':
      return 'Bearer @@t:admin@@';
    case 'user':
      return `Bearer @@t:user=${(op.currentUserScopes.length ? op.currentUserScopes : ['read:current_user']).join(' ')}@@`;
    case 'other':
      return `Bearer @@t:scopes=${op.scopes.includes('read:stats') ? 'read:logs' : 'read:stats'}@@`;
    case 'none':
      return undefined;
    case 'garbage':
      return GARBAGE_AUTH[garbage % GARBAGE_AUTH.length];
  }
}

/** A query value as text: scalars as they are, anything else as JSON, all URL-encoded. */
const asQueryText = (v: J): string => encodeText(typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : toJson(v));

/**
 * Requests for one operation. `values` may put a hostile value in any field; `clean` only what the
 * schema accepts, so that some requests pass validation whole and exercise the handler itself.
 */
export function managementSpecs(values: SchemaValues, clean: SchemaValues, op: Operation, tokens: TokenClass): fc.Arbitrary<Spec> {
  const kinds: TokenKind[] = ['admin', 'other', 'none', 'garbage', ...(op.currentUserScopes.length ? (['user', 'user'] as const) : [])];
  const kind: fc.Arbitrary<TokenKind> = tokens === 'route' ? fc.constant('route') : fc.constantFrom(...kinds);
  const method = fc.oneof({ weight: 20, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'PUT', 'POST', 'DELETE', 'PATCH') });

  const pathValue = (name: string, schema: Schema) => {
    const poolName = PATH_POOLS.find(([re, param]) => re.test(op.path) && param === name)?.[2];
    const some = [{ weight: 1, arbitrary: values.valid(schema, name).map(asQueryText) }, { weight: 2, arbitrary: hostileUrlText }];
    return poolName ? fc.oneof({ weight: 7, arbitrary: fc.nat(7).map((i) => pool(poolName, i)) }, ...some) : fc.oneof(...some);
  };
  const pathArb = fc.tuple(...op.pathParams.map((p) => pathValue(p.name, p.schema)));

  const declared = op.query.map(({ name, schema }) => {
    const resolved = values.resolve(schema);
    const one = fc.oneof({ weight: 4, arbitrary: values.valid(resolved.type === 'array' ? ((resolved.items as Schema | undefined) ?? {}) : resolved, name).map(asQueryText) }, { weight: 1, arbitrary: hostileUrlText });
    const many = fc.array(one, { minLength: 1, maxLength: resolved.type === 'array' ? 3 : 1 });
    return fc.oneof({ weight: 2, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: many.map((vs) => vs.map((v): [string, string] => [name, v])) });
  });
  const extraName = fc.constantFrom(...op.query.map((q) => q.name), 'foo', '__proto__', 'constructor[prototype]', 'access_token', 'a[b]', '', '%FF');
  const extras = fc.oneof({ weight: 5, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(extraName, hostileUrlText), { maxLength: 3 }) });
  const anything = fc.tuple(fc.tuple(...declared), extras).map(([parts, extra]) => [...parts.flat(), ...extra]);
  // One parameter with a value the schema accepts: most requests of `anything` stop at validation.
  const single = op.query.length === 0 ? fc.constant<[string, string][]>([]) : fc.oneof(...op.query.map(({ name, schema }) => clean.valid(values.resolve(schema).type === 'array' ? { type: 'string' } : schema, name).map((v): [string, string][] => [[name, asQueryText(v)]])));
  const queryArb = fc.oneof({ weight: 2, arbitrary: anything }, { weight: 1, arbitrary: single });

  const bodyValue = op.body ? fc.oneof({ weight: 4, arbitrary: values.valid(op.body.schema) }, { weight: 2, arbitrary: clean.valid(op.body.schema) }, { weight: 1, arbitrary: hostileJson }) : hostileJson;
  const bodyArb = fc.oneof(
    { weight: op.body ? 10 : 1, arbitrary: fc.tuple(bodyValue, encodings, fc.nat(10)).map(([v, e, n]) => encodeBody(v, e, n)) },
    { weight: op.body ? 1 : 6, arbitrary: fc.constant(undefined) },
  );

  return fc
    .record({ kind, method, path: pathArb, query: queryArb, body: bodyArb, garbage: fc.nat(20), self: fc.nat(3), rawBytes: fc.nat(9), origin: fc.nat(9) })
    .map((r): Spec => {
      let i = 0;
      const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        const value = r.path[i++]!;
        // A user's own token mostly names its own user, so the confinement rules are exercised too.
        return r.kind === 'user' && name === 'id' && op.path.startsWith('/users/') && r.self > 0 ? pool('self', 0) : value;
      });
      const auth = authorization(op, r.kind, r.garbage);
      const headers: Record<string, string> = { ...(auth !== undefined && { authorization: auth }), ...(r.origin === 0 && { origin: 'https://app.example.com' }) };
      const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
      return { op: op.key, method: r.method, url: `/api/v2${path}${queryString(r.query)}`, headers, ...(body && { body }), ...(r.rawBytes === 0 && { rawBytes: true }) };
    });
}
