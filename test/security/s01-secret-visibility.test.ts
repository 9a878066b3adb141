// Issue 9, S1 (security catalogue T-OUT-01): no route that renders an application or an API shows
// `client_secret` to a token without read:client_keys (except the answers to POST /clients and
// rotate-secret, as in Auth0) or `signing_secret` to a token without read:resource_servers, and
// every answer that carries a secret is logged as `mgmt_api_read`. The routes are found by walking
// the route table and reading each one's response schema, so a route added later is probed too;
// `PATCH {}` with update scopes only is the probe that read every client's secret before the fix.
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalClientCredentials } from '../../src/domain/global-client.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { jsonErrors } from '../../src/http/errors.ts';
import { compileValidator } from '../../src/http/validation.ts';
import { BearerAuthenticator } from '../../src/management/auth.ts';
import { registerManagementRoutes } from '../../src/management/register.ts';
import { route, type ManagementRoute } from '../../src/management/route.ts';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { Client } from '../../src/schemas/client.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

type Kind = 'Client' | 'ResourceServer';
/** The rule under test, written out here rather than read from the code that enforces it. */
const SECRET: Record<Kind, { field: string; readScope: string }> = {
  Client: { field: 'client_secret', readScope: 'read:client_keys' },
  ResourceServer: { field: 'signing_secret', readScope: 'read:resource_servers' },
};
/** Auth0's exceptions: the caller learns the secret it has just made. */
const REVEALS: Record<string, string> = { 'POST /clients': 'client_secret', 'POST /clients/:id/rotate-secret': 'client_secret' };

/** The kinds of object a response schema can hold, found by `$id` (or `$ref`) anywhere in it. */
function kindsIn(schema: unknown, out = new Set<Kind>()): Set<Kind> {
  if (schema === null || typeof schema !== 'object') return out;
  for (const [key, value] of Object.entries(schema)) {
    if ((key === '$id' || key === '$ref') && typeof value === 'string') {
      for (const kind of Object.keys(SECRET) as Kind[]) if (value === kind || value.endsWith(`/${kind}`)) out.add(kind);
    }
    kindsIn(value, out);
  }
  return out;
}

/** Every key named `field` anywhere in `value`, with where it was. */
function keysNamed(value: unknown, field: string, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysNamed(v, field, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === field ? [`${at}.${k}`] : []), ...keysNamed(v, field, `${at}.${k}`)]);
}

const RENDERING = MANAGEMENT_ROUTES.map((r) => ({ route: r, kinds: kindsIn(r.schema.response ?? {}) })).filter((r) => r.kinds.size > 0);
const label = (r: ManagementRoute) => `${r.method} ${r.url}`;

let s: TestServer;
let admin: MgmtCaller;
/** Every secret the test knows of: none may appear where the rule forbids it. */
const secrets = new Set<string>();
const tokens = new Map<string, string>();
let ids: { global: string; init: string; plain: string; api: string; apiIdentifier: string };
let probes = 0;

/** The applications the probes call with (each token is a fresh application's). */
const probeClients = new Set<string>();

async function tokenWith(scopes: readonly string[]): Promise<string> {
  const key = [...scopes].sort().join(' ');
  let token = tokens.get(key);
  if (!token) {
    const app = await seedM2M(s, [...scopes], { name: `probe ${tokens.size}` });
    secrets.add(app.clientSecret);
    probeClients.add(app.clientId);
    token = await tokenFor(s, app);
    tokens.set(key, token);
  }
  return token;
}

/** `mgmt_api_read` entries of the probes' applications so far. */
async function probeSecretReads(): Promise<number> {
  await s.audit.flush();
  const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'mgmt_api_read' }, { offset: 0, limit: 10_000, withTotal: false });
  return items.filter((l) => probeClients.has(String(l.event.client_id))).length;
}

/** APIs made by probes have generated signing secrets: learn them, so later probes look for them too. */
async function learnApiSecrets(): Promise<void> {
  for (const api of (await admin.get('/resource-servers?per_page=100')).json<{ signing_secret?: string }[]>()) if (api.signing_secret) secrets.add(api.signing_secret);
}

beforeAll(async () => {
  s = await startTestServer();
  const adminApp = await seedM2M(s, [...MANAGEMENT_SCOPES], { name: 'admin' });
  secrets.add(adminApp.clientSecret);
  admin = mgmt(s, await tokenFor(s, adminApp));
  const global = await globalClientCredentials(s.storage, s.envelope, s.tenant.id);
  secrets.add(global!.secret);
  // Like `scopeward init`'s application: every Management API scope.
  const init = await seedM2M(s, [...MANAGEMENT_SCOPES], { name: 'init' });
  const plain = await seedM2M(s, ['read:users'], { name: 'plain' });
  secrets.add(init.clientSecret).add(plain.clientSecret);
  // A field named like a secret inside client_metadata is data, not a secret: it must survive.
  expect((await admin.patch(`/clients/${plain.clientId}`, { client_metadata: { client_secret: 'metadata, not a secret' } })).statusCode).toBe(200);
  const api = await admin.post('/resource-servers', { identifier: 'https://hs256.s01.example/', signing_alg: 'HS256', signing_secret: 'hs256-signing-secret-of-s01-0123456789' });
  expect(api.statusCode, api.body).toBe(201);
  secrets.add('hs256-signing-secret-of-s01-0123456789');
  ids = { global: global!.clientId, init: init.clientId, plain: plain.clientId, api: api.json<{ id: string }>().id, apiIdentifier: 'https://hs256.s01.example/' };
});
afterAll(() => s.close());

describe('the route table (T-OUT-01)', () => {
  it('finds every route that renders an application or an API from its response schema', () => {
    expect(RENDERING.map((r) => label(r.route))).toEqual(
      expect.arrayContaining([
        'GET /clients',
        'GET /clients/:id',
        'POST /clients',
        'PATCH /clients/:id',
        'POST /clients/:id/rotate-secret',
        'GET /resource-servers',
        'GET /resource-servers/:id',
        'POST /resource-servers',
        'PATCH /resource-servers/:id',
      ]),
    );
  });
});

/** A member of a schema object (TSchema does not type them). */
const prop = (schema: unknown, key: string): unknown => (schema !== null && typeof schema === 'object' ? (schema as Record<string, unknown>)[key] : undefined);

/** The requests that exercise a route: each target object, each list form, each secret-naming projection. */
function requestsFor(r: ManagementRoute, kind: Kind): { url: string; payload?: unknown }[] {
  const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const unknown = params.filter((p) => p !== 'id');
  if (unknown.length > 0) throw new Error(`${label(r)}: the probe does not know how to fill :${unknown.join(', :')}; teach it`);
  const targets = params.length === 0 ? [undefined] : kind === 'Client' ? [ids.global, ids.init, ids.plain] : [ids.api, ...(r.method === 'GET' ? [encodeURIComponent(ids.apiIdentifier)] : [])];
  const query = new Set(Object.keys(Object(prop(r.schema.querystring, 'properties'))));
  const field = SECRET[kind].field;
  const queries = [
    '',
    ...(query.has('include_totals') ? ['?include_totals=true'] : []),
    ...(query.has('take') ? ['?take=50'] : []),
    ...(query.has('fields') ? [`?fields=client_id,id,${field}`, `?fields=${field}&include_fields=true`] : []),
  ];
  const path = (id: string | undefined) => `/api/v2${r.url.replace(':id', id ?? '')}`;
  if (r.method === 'GET') return targets.flatMap((id) => queries.map((q) => ({ url: `${path(id)}${q}` })));
  if (r.method === 'PATCH') return targets.map((id) => ({ url: path(id), payload: {} }));
  if (r.method === 'POST' && params.length > 0) return targets.map((id) => ({ url: path(id) }));
  const bodyId = prop(r.schema.body, '$id');
  const n = ++probes;
  if (bodyId === 'ClientCreate') return [{ url: path(undefined), payload: { name: `probe app ${n}`, app_type: 'non_interactive' } }];
  if (bodyId === 'ResourceServerCreate') return [{ url: path(undefined), payload: { identifier: `https://probe-${n}.s01.example/`, signing_alg: 'HS256' } }];
  throw new Error(`${label(r)}: the probe has no sample body for ${String(bodyId)}; teach it`);
}

describe.each(RENDERING.map((r) => [label(r.route), r] as const))('%s', (_name, { route: r, kinds }) => {
  it('a token without the read scope never sees a secret (every admitting scope alone, and every Management API scope but the read one)', async () => {
    const readScopes = [...kinds].map((k) => SECRET[k].readScope);
    const tokenScopes = [...r.scopes.filter((sc) => !readScopes.includes(sc)).map((sc) => [sc]), MANAGEMENT_SCOPES.filter((sc) => !readScopes.includes(sc))];
    const revealed = REVEALS[label(r)];
    const readsBefore = await probeSecretReads();
    let answered = 0;
    let shown = 0;
    for (const scopes of tokenScopes) {
      const authorization = `Bearer ${await tokenWith(scopes)}`;
      for (const kind of kinds) {
        for (const { url, payload } of requestsFor(r, kind)) {
          const res = await s.inject({ method: r.method, url, headers: { authorization }, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
          const where = `${r.method} ${url} with ${scopes.length > 3 ? 'every scope but the read one' : scopes.join(' ')}`;
          expect(res.statusCode === 403 || (res.statusCode >= 200 && res.statusCode < 300), `${where}: ${res.statusCode} ${res.body}`).toBe(true);
          if (res.statusCode === 403) continue;
          answered++;
          const body = res.json<unknown>();
          // Where the route reveals a secret: only the one the call made, at the top, never one known before.
          let own: string | undefined;
          if (revealed !== undefined) {
            own = (body as Record<string, unknown>)[revealed] as string | undefined;
            expect(own, `${where}: the new secret is answered`).toMatch(/^[A-Za-z0-9_-]{64}$/);
            expect(secrets.has(own!), `${where}: a fresh secret`).toBe(false);
            shown++;
          }
          for (const k of kinds) {
            const leaks = keysNamed(body, SECRET[k].field).filter((at) => at !== `$.${revealed}` && !at.includes('.client_metadata.'));
            expect(leaks, `${where}: ${SECRET[k].field} without ${SECRET[k].readScope}`).toStrictEqual([]);
          }
          expect([...secrets].filter((secret) => res.body.includes(secret)), `${where}: a known secret in the answer`).toStrictEqual([]);
          if (own !== undefined) secrets.add(own);
        }
      }
    }
    await learnApiSecrets();
    // GET /resource-servers admits read:resource_servers alone: without it, every probe is a 403.
    expect(answered > 0, 'some probes were answered').toBe(r.scopes.some((sc) => !readScopes.includes(sc)));
    // Exactly the answers that carried a secret were logged as secret reads.
    expect((await probeSecretReads()) - readsBefore).toBe(shown);
  });
});

describe('with the read scope the same calls show the secret, and say so in the log', () => {
  it('PATCH {} with update:clients + read:client_keys answers the secret: sapi and mgmt_api_read', async () => {
    const app = await seedM2M(s, ['read:users'], { name: 'patched with keys' });
    const caller = mgmt(s, await tokenWith(['update:clients', 'read:client_keys']));
    const res = await caller.patch(`/clients/${app.clientId}`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json<{ client_secret?: string }>().client_secret).toBe(app.clientSecret);
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 10_000, withTotal: false });
    const mine = items.filter((l) => (l.event.details as { request?: { path?: string } } | null)?.request?.path === `/api/v2/clients/${app.clientId}`);
    expect(mine.map((l) => [l.event.type, l.event.description]).sort()).toStrictEqual([
      ['mgmt_api_read', 'Update a client'],
      ['sapi', 'Update a client'],
    ]);
  });

  it('PATCH {} with update:resource_servers + read:resource_servers answers the HS256 signing_secret', async () => {
    const caller = mgmt(s, await tokenWith(['update:resource_servers', 'read:resource_servers']));
    const res = await caller.patch(`/resource-servers/${ids.api}`, {});
    expect([res.statusCode, res.json<{ signing_secret?: string }>().signing_secret]).toStrictEqual([200, 'hs256-signing-secret-of-s01-0123456789']);
  });

  it('GET /clients: the cached answer for read:clients never holds a secret, before or after a read:client_keys list', async () => {
    const summary = mgmt(s, await tokenWith(['read:clients']));
    const keys = mgmt(s, await tokenWith(['read:client_keys']));
    const names = (res: { json: <T>() => T }) => res.json<{ client_id: string; client_secret?: string; client_metadata?: Record<string, string> }[]>();
    const before = (await summary.get('/clients?per_page=100')).body;
    const withSecrets = names(await keys.get('/clients?per_page=100'));
    const init = withSecrets.find((c) => c.client_id === ids.init);
    expect(init?.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const after = await summary.get('/clients?per_page=100');
    expect(after.body).toBe(before);
    expect(names(after).filter((c) => 'client_secret' in c)).toStrictEqual([]);
    expect([...secrets].filter((secret) => after.body.includes(secret))).toStrictEqual([]);
    // Only the application's own secret field goes: client_metadata keeps a key of the same name.
    expect(names(after).find((c) => c.client_id === ids.plain)?.client_metadata).toStrictEqual({ client_secret: 'metadata, not a secret' });
  });
});

describe('a route added later is held to the rule where answers are sent, whatever its handler renders', () => {
  const leak = { client_id: 'leaky', name: 'leaky', client_secret: 'a-secret-a-careless-handler-rendered-0123456789' };
  const shapes: ManagementRoute[] = [
    route({
      method: 'GET',
      url: '/scopeward/leaky',
      summary: 'Leaky wrapper',
      tag: 'test',
      scopes: ['read:clients'],
      schema: { response: { 200: Type.Object({ page: Type.Object({ apps: Type.Array(Client) }) }) } },
      handler: async () => ({ status: 200, body: { page: { apps: [leak, { ...leak, client_id: 'second' }] } } }),
    }),
    route({
      method: 'PATCH',
      url: '/scopeward/leaky-json',
      summary: 'Leaky serialized answer',
      tag: 'test',
      scopes: ['update:clients'],
      schema: { response: { 200: Client } },
      handler: async () => ({ status: 200, json: JSON.stringify(leak) }),
    }),
  ];

  it('strips client_secret without read:client_keys from body and pre-serialized answers, and shows and logs it with', async () => {
    const app = Fastify();
    app.setValidatorCompiler(({ schema, httpPart }) => compileValidator(schema, httpPart));
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    app.setErrorHandler(jsonErrors);
    app.addHook('onRequest', (request, _reply, done) => {
      request.tenant = s.tenant;
      done();
    });
    registerManagementRoutes(app, shapes, { storage: s.storage, registry: s.registry, envelope: s.envelope, clock: s.clock, limiter: s.limiter, audit: s.audit }, new BearerAuthenticator({ registry: s.registry, storage: s.storage, clock: s.clock }));
    await app.ready();
    try {
      const call = async (method: 'GET' | 'PATCH', url: string, scopes: string[]) =>
        app.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${await tokenWith(scopes)}` }, ...(method === 'PATCH' && { payload: {} }) });
      const { client_secret: _hidden, ...seen } = leak;
      const readsBefore = await probeSecretReads();
      const wrapped = await call('GET', '/scopeward/leaky', ['read:clients']);
      expect([wrapped.statusCode, wrapped.json()]).toStrictEqual([200, { page: { apps: [seen, { ...seen, client_id: 'second' }] } }]);
      const serialized = await call('PATCH', '/scopeward/leaky-json', ['update:clients']);
      expect([serialized.statusCode, serialized.json()]).toStrictEqual([200, seen]);
      expect(await probeSecretReads()).toBe(readsBefore);

      const allowed = await call('PATCH', '/scopeward/leaky-json', ['update:clients', 'read:client_keys']);
      expect([allowed.statusCode, allowed.json()]).toStrictEqual([200, leak]);
      expect(await probeSecretReads()).toBe(readsBefore + 1);
    } finally {
      await app.close();
    }
  });
});
