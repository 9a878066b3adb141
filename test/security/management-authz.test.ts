// Management API authorization (security catalogue §4.6): the route-table scope property (T-MG-01),
// the 403 body and challenge (T-MG-02), deny-by-default route registration, and side doors (T-MG-03).
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { assertRouteScopes, registerManagementRoutes } from '../../src/management/register.ts';
import { route, type ManagementRoute } from '../../src/management/route.ts';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt, requestToken } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
/** Holds every scope any route names plus a few unrelated ones; tokens ask for subsets. */
let wide: M2M;
/** Has a grant with no scopes: its tokens carry none. */
let bare: M2M;

const ROUTE_SCOPES = [...new Set(MANAGEMENT_ROUTES.flatMap((r) => r.scopes))];
const UNRELATED = ['read:users', 'read:logs', 'update:tenant_settings', 'read:stats', 'create:users'];
const PLACEHOLDER = 'placeholder-id';

beforeAll(async () => {
  s = await startTestServer();
  wide = await seedM2M(s, [...ROUTE_SCOPES, ...UNRELATED], { name: 'wide' });
  bare = await seedM2M(s, [], { name: 'bare' });
});
afterAll(() => s.close());

const tokens = new Map<string, string>();
/** A Management API token carrying exactly `scopes`, minted by /oauth/token. */
async function tokenWith(scopes: readonly string[]): Promise<string> {
  const key = [...scopes].sort().join(' ');
  let t = tokens.get(key);
  if (!t) {
    t = scopes.length === 0 ? await tokenFor(s, bare) : await tokenFor(s, wide, undefined, key);
    tokens.set(key, t);
  }
  return t;
}

function callRoute(r: ManagementRoute, token: string) {
  const url = `/api/v2${r.url.replace(/:[a-z_]+/gi, PLACEHOLDER)}`;
  const withBody = r.method === 'POST' || r.method === 'PATCH' || r.method === 'PUT';
  return s.inject({ method: r.method, url, headers: { authorization: `Bearer ${token}` }, ...(withBody && { payload: {} }) });
}

/** The 403 message: "any of" for most routes, "… and …" for the routes needing all their scopes. */
function refusal(r: Pick<ManagementRoute, 'scopes' | 'scopeMode'>): string {
  return r.scopeMode === 'all' ? `Insufficient scope; expected ${r.scopes.join(' and ')}.` : `Insufficient scope, expected any of: ${r.scopes.join(',')}`;
}

function challenge(required: readonly string[], message = `Insufficient scope, expected any of: ${required.join(',')}`): string {
  return `Bearer realm="tenant-a.test", error="insufficient_scope", error_description="${message}", scope="${required.join(' ')}"`;
}

/** Auth0's rule: any one of the route's scopes admits; all of them for `scopeMode: 'all'` routes. */
const admits = (r: ManagementRoute, granted: readonly string[]): boolean =>
  r.scopeMode === 'all' ? r.scopes.every((x) => granted.includes(x)) : r.scopes.some((x) => granted.includes(x));

describe('T-MG-01: every route admits a token iff it holds one of the route scopes', () => {
  it('random scope sets over every route (fast-check)', async () => {
    let allowed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: MANAGEMENT_ROUTES.length - 1 }),
        fc.subarray(ROUTE_SCOPES),
        fc.subarray(UNRELATED),
        async (index, fromRoutes, unrelated) => {
          const r = MANAGEMENT_ROUTES[index]!;
          const granted = [...fromRoutes, ...unrelated];
          const res = await callRoute(r, await tokenWith(granted));
          if (admits(r, granted)) {
            allowed++;
            expect([401, 403]).not.toContain(res.statusCode);
          } else {
            refused++;
            const message = refusal(r);
            expect({ status: res.statusCode, body: res.json<unknown>(), challenge: res.headers['www-authenticate'] }).toStrictEqual({
              status: 403,
              body: { statusCode: 403, error: 'Forbidden', message, errorCode: 'insufficient_scope' },
              challenge: challenge(r.scopes, message),
            });
          }
        },
      ),
      { numRuns: 200 },
    );
    // Both sides of the "iff" were exercised.
    expect(allowed).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it.each(MANAGEMENT_ROUTES.filter((r) => r.scopeMode !== 'all').map((r) => [`${r.method} ${r.url}`, r] as const))('%s: each of its scopes alone admits; none refuses', async (_name, r) => {
    for (const scope of r.scopes) expect([401, 403]).not.toContain((await callRoute(r, await tokenWith([scope]))).statusCode);
    const refused = await callRoute(r, await tokenWith([]));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toBe(challenge(r.scopes));
  });

  it.each(MANAGEMENT_ROUTES.filter((r) => r.scopeMode === 'all').map((r) => [`${r.method} ${r.url}`, r] as const))(
    '%s (spec §3.1: needs ALL its scopes): each scope alone refuses; all together admit',
    async (_name, r) => {
      for (const scope of r.scopes) {
        const res = await callRoute(r, await tokenWith([scope]));
        expect([res.statusCode, res.json<{ message: string }>().message]).toEqual([403, refusal(r)]);
      }
      expect([401, 403]).not.toContain((await callRoute(r, await tokenWith(r.scopes))).statusCode);
    },
  );
});

describe('T-MG-02: the 403 is Auth0-shaped, with an RFC 6750 challenge', () => {
  it('single-scope routes name their scope; any-of routes join with "," in the body and " " in the challenge', async () => {
    const reader = mgmt(s, await tokenWith(['read:users']));
    const grants = await reader.post('/client-grants', { client_id: 'x', audience: 'y' });
    expectMgmtError(grants, 403, 'Insufficient scope, expected any of: create:client_grants', 'insufficient_scope');
    expect(grants.headers['www-authenticate']).toBe(
      'Bearer realm="tenant-a.test", error="insufficient_scope", error_description="Insufficient scope, expected any of: create:client_grants", scope="create:client_grants"',
    );
    const clients = await reader.get('/clients');
    expectMgmtError(clients, 403, 'Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary', 'insufficient_scope');
    expect(clients.headers['www-authenticate']).toBe(
      'Bearer realm="tenant-a.test", error="insufficient_scope", error_description="Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary", scope="read:clients read:client_keys read:client_credentials read:client_summary"',
    );
  });

  it('the scope check runs before body validation: an unauthorised caller learns nothing about the body', async () => {
    const reader = mgmt(s, await tokenWith(['read:clients']));
    expectMgmtError(await reader.post('/clients', { nonsense: true }), 403, 'Insufficient scope, expected any of: create:clients', 'insufficient_scope');
  });
});

/** Every (method, path) Fastify serves under /api/v2, read from its route tree. */
function servedRoutes(): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of s.fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    if (m[3] && path.startsWith('/api/v2')) for (const method of m[3].split(', ')) out.push({ method, path });
  }
  return out;
}

describe('T-MG-01 (deny by default): the scope table covers every route', () => {
  it('every route Fastify serves under /api/v2 is in MANAGEMENT_ROUTES with catalogue scopes', () => {
    // The OpenAPI document is public by design (like Auth0's published spec); it acts on nothing.
    const served = servedRoutes().filter((r) => r.method !== 'OPTIONS' && r.path !== '/api/v2/*' && r.path !== '/api/v2/openapi.json');
    expect(served.length).toBeGreaterThanOrEqual(MANAGEMENT_ROUTES.length);
    for (const { method, path } of served) {
      const declared = MANAGEMENT_ROUTES.find((r) => `/api/v2${r.url}` === path && r.method === (method === 'HEAD' ? 'GET' : method));
      expect(declared, `${method} ${path}`).toBeDefined();
      expect(declared!.scopes.length).toBeGreaterThan(0);
      for (const scope of declared!.scopes) expect(MANAGEMENT_SCOPES).toContain(scope);
    }
    // And the other way round: every declared route is served.
    for (const r of MANAGEMENT_ROUTES) expect(served.some((x) => x.method === r.method && x.path === `/api/v2${r.url}`), `${r.method} ${r.url}`).toBe(true);
  });

  it('HEAD on a GET route is guarded like the GET', async () => {
    const res = await s.inject({ method: 'HEAD', url: '/api/v2/clients', headers: { authorization: `Bearer ${await tokenWith(['read:users'])}` } });
    expect(res.statusCode).toBe(403);
  });

  const probe = (scopes: string[]): ManagementRoute =>
    route({ method: 'GET', url: '/probe', summary: 'probe', tag: 'Test', scopes, schema: {}, handler: async () => ({ status: 204 }) });

  it('assertRouteScopes refuses a route with no scopes or with a scope outside the catalogue', () => {
    expect(() => assertRouteScopes(probe([]))).toThrow('GET /api/v2/probe declares no scopes');
    expect(() => assertRouteScopes(probe(['read:clients', 'read:everything']))).toThrow('GET /api/v2/probe names read:everything, which is not in the scope catalogue');
    expect(() => assertRouteScopes(probe(['read:clients', 'read:current_user']))).not.toThrow();
  });

  it('registering such a route stops the server before it serves anything', () => {
    const app = Fastify();
    const deps = {} as Parameters<typeof registerManagementRoutes>[2];
    const authenticator = {} as Parameters<typeof registerManagementRoutes>[3];
    expect(() => registerManagementRoutes(app, [probe([])], deps, authenticator)).toThrow('declares no scopes');
    expect(() => registerManagementRoutes(app, [probe(['admin'])], deps, authenticator)).toThrow('names admin');
    void app.close();
  });
});

describe('T-MG-03: no side door to more rights', () => {
  it('PATCH /clients cannot add grants or scopes to a client (400, nothing changes)', async () => {
    const self = await seedM2M(s, ['update:clients', 'read:clients'], { name: 'self-service' });
    const api = mgmt(s, await tokenFor(s, self));
    for (const payload of [{ client_grants: [{ audience: s.tenant.managementAudience, scope: ['read:client_keys'] }] }, { scope: 'read:client_keys' }, { scopes: ['read:client_keys'] }]) {
      expectMgmtError(await api.patch(`/clients/${self.clientId}`, payload), 400, `Payload validation error: 'Additional properties not allowed: ${Object.keys(payload)[0]}'.`, 'invalid_body');
    }
    const res = await requestToken(s, self.clientId, self.clientSecret, s.tenant.managementAudience, 'read:client_keys');
    expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status: 403, body: { error: 'access_denied', error_description: 'Client has not been granted scopes: read:client_keys' } });
    const grants = await s.storage.grants.list(s.tenant.id, { clientId: self.clientId }, { offset: 0, limit: 10, withTotal: false });
    expect(grants.items.map((g) => g.scope)).toStrictEqual([['update:clients', 'read:clients']]);
  });

  it('POST /client-grants needs create:client_grants; every other client scope is refused', async () => {
    const others = ROUTE_SCOPES.filter((x) => x !== 'create:client_grants');
    const api = mgmt(s, await tokenWith(others));
    expectMgmtError(
      await api.post('/client-grants', { client_id: wide.clientId, audience: s.tenant.managementAudience, scope: ['read:client_keys'] }),
      403,
      'Insufficient scope, expected any of: create:client_grants',
      'insufficient_scope',
    );
  });

  it('PATCH /client-grants needs update:client_grants; update:clients is not enough to widen a grant', async () => {
    const grant = await s.storage.grants.find(s.tenant.id, bare.clientId, s.tenant.managementAudience, 'client');
    const api = mgmt(s, await tokenWith(['update:clients', 'create:clients', 'update:client_keys']));
    expectMgmtError(await api.patch(`/client-grants/${grant!.id}`, { scope: ['read:client_keys'] }), 403, 'Insufficient scope, expected any of: update:client_grants', 'insufficient_scope');
    expect((await s.storage.grants.get(s.tenant.id, grant!.id))!.scope).toStrictEqual([]);
  });
});
