// Rate limits (security catalogue §4.11, spec §3.2–§3.3): T-RL-06 the two buckets of /oauth/token
// (every request per address; authenticated requests per client as well), T-RL-07 the per-tenant bucket of the Management
// API, with x-ratelimit-* on every answer, Retry-After and Auth0's bodies on a 429, limits changed
// through tenant settings taking effect at once, and one `api_limit` log entry per window.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/domain/tenant.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { callToken, expectTokenError } from '../helpers/token-contract.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

/** The frozen clock's start (test/helpers/clock.ts), a multiple of every window used here. */
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const T0S = T0 / 1000;
const RATE_LIMITED = 'Rate limit exceeded. Please retry after some time.';
const MGMT_429 = { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' };

function expectLimitHeaders(res: LightMyRequestResponse, limit: number, remaining: number, reset: number, retryAfter?: number): void {
  expect({
    limit: res.headers['x-ratelimit-limit'],
    remaining: res.headers['x-ratelimit-remaining'],
    reset: res.headers['x-ratelimit-reset'],
    retryAfter: res.headers['retry-after'],
  }).toEqual({ limit: String(limit), remaining: String(remaining), reset: String(reset), retryAfter: retryAfter === undefined ? undefined : String(retryAfter) });
}

async function apiLimitEntries(s: TestServer, token: string, host?: string): Promise<Record<string, unknown>[]> {
  await s.audit.flush();
  const res = await mgmt(s, token, host).get('/logs?q=type:api_limit&per_page=100');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Record<string, unknown>[]>();
}

describe('T-RL-06: /oauth/token per-client bucket (limit 3 per 10 s), counted after authentication', () => {
  let s: TestServer;
  let admin: string;
  const audience = () => s.tenant.managementAudience;
  const form = (m2m: M2M, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: m2m.clientId,
    client_secret: m2m.clientSecret,
    audience: audience(),
    ...extra,
  });

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: { ...UNLIMITED, token_endpoint: { limit: 3, window_seconds: 10 } } });
    admin = await tokenFor(s, await seedM2M(s, ['read:logs'], { name: 'log reader' }));
  });
  afterAll(() => s.close());

  it('request N+1 gets 429 with the exact body, Retry-After, x-ratelimit-* and no-store; another client is unaffected', async () => {
    s.clock.set(T0 + 60_000);
    const a = await seedM2M(s, ['read:clients'], { name: 'a' });
    const b = await seedM2M(s, ['read:clients'], { name: 'b' });
    for (const remaining of [2, 1, 0]) {
      const ok = await callToken(s, { form: form(a) });
      expect(ok.statusCode, ok.body).toBe(200);
      expectLimitHeaders(ok, 3, remaining, T0S + 70);
    }
    const refused = await callToken(s, { form: form(a) });
    expectTokenError(refused, 429, 'too_many_requests', RATE_LIMITED);
    expectLimitHeaders(refused, 3, 0, T0S + 70, 10);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');

    // Four seconds on, still refused. A wrong secret is answered as a wrong secret: the client's
    // bucket counts only requests the client authenticated.
    s.clock.advance(4);
    const later = await callToken(s, { form: form(a) });
    expectTokenError(later, 429, 'too_many_requests', RATE_LIMITED);
    expectLimitHeaders(later, 3, 0, T0S + 70, 6);
    expectTokenError(await callToken(s, { form: form(a, { client_secret: 'not-the-secret' }) }), 401, 'access_denied', 'Unauthorized');

    const other = await callToken(s, { form: form(b) });
    expect(other.statusCode, other.body).toBe(200);
    expectLimitHeaders(other, 3, 2, T0S + 70);
  });

  it('the window ends when the frozen clock reaches it, not a millisecond before', async () => {
    s.clock.set(T0 + 120_000);
    const c = await seedM2M(s, ['read:clients'], { name: 'c' });
    for (let i = 0; i < 3; i++) expect((await callToken(s, { form: form(c) })).statusCode).toBe(200);
    s.clock.set(T0 + 129_999);
    const last = await callToken(s, { form: form(c) });
    expectTokenError(last, 429, 'too_many_requests', RATE_LIMITED);
    expectLimitHeaders(last, 3, 0, T0S + 130, 1);
    s.clock.set(T0 + 130_000);
    const next = await callToken(s, { form: form(c) });
    expect(next.statusCode, next.body).toBe(200);
    expectLimitHeaders(next, 3, 2, T0S + 140);
  });

  it('naming a client without its secret does not spend its quota', async () => {
    s.clock.set(T0 + 180_000);
    const victim = await seedM2M(s, ['read:clients'], { name: 'victim' });
    for (let i = 0; i < 6; i++) {
      const guess = await callToken(s, { form: form(victim, { client_secret: `guess-${i}` }) });
      expectTokenError(guess, 401, 'access_denied', 'Unauthorized');
    }
    for (const remaining of [2, 1, 0]) {
      const ok = await callToken(s, { form: form(victim) });
      expect(ok.statusCode, ok.body).toBe(200);
      expectLimitHeaders(ok, 3, remaining, T0S + 190);
    }
  });

  it('a refused client is logged as api_limit once per window, not once per refused request', async () => {
    s.clock.set(T0 + 300_000);
    const d = await seedM2M(s, ['read:clients'], { name: 'flooder' });
    for (let i = 0; i < 3; i++) await callToken(s, { form: form(d) });
    for (let i = 0; i < 5; i++) expect((await callToken(s, { form: form(d) })).statusCode).toBe(429);
    s.clock.advance(10);
    for (let i = 0; i < 3; i++) await callToken(s, { form: form(d) });
    for (let i = 0; i < 4; i++) expect((await callToken(s, { form: form(d) })).statusCode).toBe(429);

    const mine = (await apiLimitEntries(s, admin)).filter((e) => e.client_id === d.clientId);
    expect(mine.map((e) => [e.type, e.description, e.date])).toEqual([
      ['api_limit', RATE_LIMITED, new Date(T0 + 310_000).toISOString()],
      ['api_limit', RATE_LIMITED, new Date(T0 + 300_000).toISOString()],
    ]);
    // The refusals are not also logged as failed exchanges.
    await s.audit.flush();
    const failures = (await mgmt(s, admin).get(`/logs?q=type:feccft AND client_id:${d.clientId}`)).json<unknown[]>();
    expect(failures).toEqual([]);
  });
});

describe('T-RL-06: /oauth/token per-address bucket (limit 8 per 10 s) before the per-client one (3 per 10 s)', () => {
  let s: TestServer;
  const form = (m2m: M2M, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: m2m.clientId,
    client_secret: m2m.clientSecret,
    audience: s.tenant.managementAudience,
    ...extra,
  });
  const from = (remoteAddress: string, payload: Record<string, string> | string) =>
    s.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress,
      payload,
      ...(typeof payload === 'string' && { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    });

  beforeAll(async () => {
    s = await startTestServer({
      rateLimits: { ...UNLIMITED, token_endpoint: { limit: 3, window_seconds: 10 }, token_endpoint_per_ip: { limit: 8, window_seconds: 10 } },
    });
  });
  afterAll(() => s.close());

  it('x-ratelimit-* are on every answer (400, 401, 403, 429): the address bucket until the client authenticates, then the client bucket', async () => {
    s.clock.set(T0 + 60_000);
    const reset = T0S + 70;
    const ip = '198.51.100.10';
    const c = await seedM2M(s, ['read:clients']);
    const cases: [Record<string, string> | string, number, string, string, [number, number]][] = [
      [{ client_id: c.clientId, client_secret: c.clientSecret }, 400, 'invalid_request', 'Missing required parameter: grant_type', [8, 7]],
      [{ ...form(c), grant_type: 'password' }, 400, 'unsupported_grant_type', 'Unsupported grant type: password', [8, 6]],
      [form(c, { client_secret: 'wrong' }), 401, 'access_denied', 'Unauthorized', [8, 5]],
      [form(c, { audience: 'https://nothing.example/' }), 403, 'access_denied', 'Service not enabled within domain: https://nothing.example/', [3, 2]],
      ['grant_type=client_credentials&grant_type=client_credentials', 400, 'invalid_request', 'Parameter grant_type must not be sent more than once', [8, 3]],
      [{ grant_type: 'client_credentials' }, 400, 'invalid_request', 'Missing required parameter: client_id', [8, 2]],
    ];
    for (const [payload, status, error, description, [limit, remaining]] of cases) {
      const res = await from(ip, payload);
      expectTokenError(res, status, error, description);
      expectLimitHeaders(res, limit, remaining, reset);
    }
    // Requests that never reach the handler count too, and say so.
    const unparsable = await s.inject({ method: 'POST', url: '/oauth/token', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expectTokenError(unparsable, 400, 'invalid_request', 'The request body could not be parsed');
    expectLimitHeaders(unparsable, 8, 1, reset);
    const wrongMethod = await s.inject({ method: 'GET', url: '/oauth/token', remoteAddress: ip });
    expectTokenError(wrongMethod, 405, 'invalid_request', 'The token endpoint accepts only POST');
    expectLimitHeaders(wrongMethod, 8, 0, reset);
    // The address is spent: even the client's correct secret is refused from it until the window ends.
    const refused = await from(ip, form(c));
    expectTokenError(refused, 429, 'too_many_requests', RATE_LIMITED);
    expectLimitHeaders(refused, 8, 0, reset, 10);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('one flooding address does not affect another, nor the clients that call from elsewhere', async () => {
    s.clock.set(T0 + 120_000);
    const reset = T0S + 130;
    const anonymous = { grant_type: 'client_credentials', audience: s.tenant.managementAudience };
    for (let remaining = 7; remaining >= 0; remaining--) {
      const res = await from('198.51.100.1', anonymous);
      expectTokenError(res, 400, 'invalid_request', 'Missing required parameter: client_id');
      expectLimitHeaders(res, 8, remaining, reset);
    }
    expectTokenError(await from('198.51.100.1', anonymous), 429, 'too_many_requests', RATE_LIMITED);

    const elsewhere = await from('198.51.100.2', anonymous);
    expectTokenError(elsewhere, 400, 'invalid_request', 'Missing required parameter: client_id');
    expectLimitHeaders(elsewhere, 8, 7, reset);

    const named = await seedM2M(s, ['read:clients']);
    const ok = await from('198.51.100.3', form(named));
    expect(ok.statusCode, ok.body).toBe(200);
    expectLimitHeaders(ok, 3, 2, reset);
  });
});

describe('T-RL-07: Management API per-tenant bucket (limit 3 per 10 s), counted after authentication', () => {
  let s: TestServer;
  let a: MgmtCaller;
  let b: MgmtCaller;
  let tenantB: Tenant;
  let narrow: MgmtCaller;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: { ...UNLIMITED, management_api: { limit: 3, window_seconds: 10 } } });
    a = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients', 'read:logs', 'read:tenant_settings', 'update:tenant_settings'], { name: 'admin A' })));
    narrow = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:logs'], { name: 'narrow A' })));
    tenantB = await s.addTenant('b', 'tenant-b.test');
    const asB = { ...s, tenant: tenantB, inject: (o: Parameters<TestServer['inject']>[0]) => s.inject({ ...o, host: 'tenant-b.test' }) };
    b = mgmt(s, await tokenFor(asB, await seedM2M(asB, ['read:clients', 'read:logs'], { name: 'admin B' })), 'tenant-b.test');
  });
  afterAll(() => s.close());

  it('tenant A over its limit gets Auth0 429 with Retry-After; tenant B is unaffected; the next window serves A again', async () => {
    s.clock.set(T0 + 60_000);
    for (const remaining of [2, 1, 0]) {
      const ok = await a.get('/clients');
      expect(ok.statusCode, ok.body).toBe(200);
      expectLimitHeaders(ok, 3, remaining, T0S + 70);
    }
    const refused = await a.get('/clients');
    expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({ status: 429, body: MGMT_429 });
    expect(refused.headers['content-type']).toBe(JSON_UTF8);
    expectLimitHeaders(refused, 3, 0, T0S + 70, 10);
    // A call without a token is not the tenant's (issue 9, S4): it spends its address's bucket,
    // so the spent tenant bucket does not turn its 401 into a 429.
    const anonymous = await s.inject({ method: 'GET', url: '/api/v2/clients' });
    expectMgmtError(anonymous, 401, 'Missing authentication');
    expectLimitHeaders(anonymous, UNLIMITED.management_api_unauthenticated_per_ip.limit, UNLIMITED.management_api_unauthenticated_per_ip.limit - 1, T0S + 61);

    const other = await b.get('/clients');
    expect(other.statusCode, other.body).toBe(200);
    expectLimitHeaders(other, 3, 2, T0S + 70);

    s.clock.advance(10);
    const again = await a.get('/clients');
    expect(again.statusCode, again.body).toBe(200);
    expectLimitHeaders(again, 3, 2, T0S + 80);
  });

  it('x-ratelimit-* are on every /api/v2 answer: 200, 400, 401, 403, 404 (a resource or a route)', async () => {
    s.clock.set(T0 + 120_000);
    const reset = T0S + 130;
    const anon = UNLIMITED.management_api_unauthenticated_per_ip.limit;
    const ok = await a.get('/clients');
    expect(ok.statusCode, ok.body).toBe(200);
    expectLimitHeaders(ok, 3, 2, reset);
    // Issue 9, S4: a call that fails authentication is counted against its address, and says so.
    const r401 = await s.inject({ method: 'GET', url: '/api/v2/clients' });
    expectMgmtError(r401, 401, 'Missing authentication');
    expectLimitHeaders(r401, anon, anon - 1, T0S + 121);
    const r403 = await narrow.get('/clients');
    expectMgmtError(r403, 403, 'Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary', 'insufficient_scope');
    expectLimitHeaders(r403, 3, 1, reset);
    s.clock.advance(10);
    const reset2 = reset + 10;
    const r404 = await a.get('/clients/no-such-client');
    expectMgmtError(r404, 404, 'The client does not exist', 'inexistent_client');
    expectLimitHeaders(r404, 3, 2, reset2);
    const r400 = await a.patch('/tenants/settings', { no_such_setting: true });
    expect(r400.statusCode, r400.body).toBe(400);
    expectLimitHeaders(r400, 3, 1, reset2);
    // A path that names no route is a Management API call too, answered with x-ratelimit-*; it
    // serves no token, so it counts against its address, not the tenant (issue 9, S4).
    const noRoute = await a.get('/no-such-collection');
    expectMgmtError(noRoute, 404, 'Not Found');
    expectLimitHeaders(noRoute, anon, anon - 1, T0S + 131);
  });

  it('limits changed through PATCH /api/v2/tenants/settings take effect at once, for that tenant only', async () => {
    s.clock.set(T0 + 180_000);
    const patched = await a.patch('/tenants/settings', { rate_limits: { management_api: { limit: 5, window_seconds: 60 } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<{ rate_limits: unknown }>().rate_limits).toEqual({ management_api: { limit: 5, window_seconds: 60 } });
    // The PATCH itself was counted under the old rule; the next request already answers under the new one.
    s.clock.set(T0 + 240_000);
    for (const remaining of [4, 3, 2, 1, 0]) {
      const ok = await a.get('/clients');
      expect(ok.statusCode, ok.body).toBe(200);
      expectLimitHeaders(ok, 5, remaining, T0S + 300);
    }
    s.clock.advance(15);
    const refused = await a.get('/clients');
    expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({ status: 429, body: MGMT_429 });
    expectLimitHeaders(refused, 5, 0, T0S + 300, 45);

    const other = await b.get('/clients');
    expect(other.statusCode, other.body).toBe(200);
    expectLimitHeaders(other, 3, 2, T0S + 260);

    // Lowering it takes effect at once as well.
    s.clock.set(T0 + 300_000);
    expect((await a.patch('/tenants/settings', { rate_limits: { management_api: { limit: 1, window_seconds: 60 } } })).statusCode).toBe(200);
    s.clock.set(T0 + 360_000);
    expectLimitHeaders(await a.get('/clients'), 1, 0, T0S + 420);
    const low = await a.get('/clients');
    expect(low.statusCode).toBe(429);
    expectLimitHeaders(low, 1, 0, T0S + 420, 60);
  });
});

describe('T-RL-07: api_limit is logged once per window in GET /api/v2/logs', () => {
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: { ...UNLIMITED, management_api: { limit: 2, window_seconds: 10 } } });
    token = await tokenFor(s, await seedM2M(s, ['read:clients', 'read:logs'], { name: 'admin' }));
  });
  afterAll(() => s.close());

  it('two flooded windows give two entries, with Auth0 message, address and host', async () => {
    const api = mgmt(s, token);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api.get('/clients', { 'user-agent': 'flood/1' })).statusCode);
    s.clock.advance(10);
    for (let i = 0; i < 4; i++) statuses.push((await api.get('/clients', { 'user-agent': 'flood/1' })).statusCode);
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 200, 200, 429, 429]);

    s.clock.advance(10);
    const entries = await apiLimitEntries(s, token);
    expect(entries.map((e) => ({ type: e.type, description: e.description, ip: e.ip, hostname: e.hostname, user_agent: e.user_agent, date: e.date }))).toEqual(
      [T0 + 10_000, T0].map((t) => ({
        type: 'api_limit',
        description: 'Global limit has been reached',
        ip: '127.0.0.1',
        hostname: 'tenant-a.test',
        user_agent: 'flood/1',
        date: new Date(t).toISOString(),
      })),
    );
  });
});

describe('discovery and JWKS: 200 a second per address, shared by both documents', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: UNLIMITED });
  });
  afterAll(() => s.close());

  it('the 201st request of a second from one address gets 429 with Retry-After; another address does not', async () => {
    s.clock.set(T0 + 60_000);
    const get = (url: string, remoteAddress = '198.51.100.30') => s.inject({ method: 'GET', url, remoteAddress });
    for (let i = 0; i < 100; i++) {
      const discovery = await get('/.well-known/openid-configuration');
      const jwks = await get('/.well-known/jwks.json');
      expect([discovery.statusCode, jwks.statusCode]).toEqual([200, 200]);
      expectLimitHeaders(jwks, 200, 198 - 2 * i, T0S + 61);
    }
    const refused = await get('/.well-known/jwks.json');
    expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({ status: 429, body: MGMT_429 });
    expectLimitHeaders(refused, 200, 0, T0S + 61, 1);
    expectLimitHeaders(await get('/.well-known/jwks.json', '198.51.100.31'), 200, 199, T0S + 61);
    s.clock.advance(1);
    expect((await get('/.well-known/openid-configuration')).statusCode).toBe(200);
  });
});
