// Issue 9, S4 (security catalogue T-OUT-04): Management API calls that fail authentication (no
// token, a forged one, an opaque one) and calls to paths that name no route count against their
// address, never against the tenant's bucket. The outside run sent ~230 tokenless calls a second
// from 127.0.0.2 and made an administrator's calls from 127.0.0.1 fail with 429; here the same
// flood, over real sockets from 127.0.0.2, leaves the administrator's budget untouched.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { tamper } from '../helpers/tamper.ts';
import { DOMAIN, startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

/** The frozen clock's start (test/helpers/clock.ts), a multiple of every window used here. */
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const T0S = T0 / 1000;
const MGMT_429 = { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' };
const TENANT = { limit: 5, window_seconds: 10 };
const ANONYMOUS = { limit: 8, window_seconds: 10 };

type Headers = Record<string, string | number | string[] | undefined>;
const text = (v: Headers[string]) => (typeof v === 'number' ? String(v) : Array.isArray(v) ? v.join(', ') : v);
const limitHeaders = (h: Headers) => ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'].map((name) => text(h[name]));
const expected = (limit: number, remaining: number, reset: number, retryAfter?: number) => [String(limit), String(remaining), String(reset), retryAfter === undefined ? undefined : String(retryAfter)];

let s: TestServer;
let admin: MgmtCaller;
let token: string;

beforeAll(async () => {
  s = await startTestServer({ rateLimits: { ...UNLIMITED, management_api: TENANT, management_api_unauthenticated_per_ip: ANONYMOUS } });
  token = await tokenFor(s, await seedM2M(s, ['read:clients', 'read:logs', 'update:tenant_settings'], { name: 'administrator' }));
  admin = mgmt(s, token);
});
afterAll(() => s.close());

const from = (remoteAddress: string, url: string, authorization?: string): Promise<LightMyRequestResponse> =>
  s.inject({ method: 'GET', url, remoteAddress, ...(authorization !== undefined && { headers: { authorization } }) });

describe('T-OUT-04: failed authentication spends the address bucket, never the tenant’s', () => {
  it('a flood of tokenless, forged and opaque-token calls from one address gets 401 then Auth0’s 429; the administrator elsewhere keeps the whole budget', async () => {
    s.clock.set(T0 + 60_000);
    const reset = T0S + 70;
    const flood: [string | undefined, number, string][] = [
      [undefined, 401, 'Missing authentication'],
      [`Bearer ${tamper(token)}`, 401, 'Invalid signature received for JSON Web Token validation'],
      ['Bearer opaque-not-a-jwt', 400, 'Bad HTTP authentication header format'],
      ['Basic dXNlcjpwYXNz', 401, 'Missing authentication'],
    ];
    for (let i = 0; i < ANONYMOUS.limit; i++) {
      const [authorization, status, message] = flood[i % flood.length]!;
      const res = await from('127.0.0.2', '/api/v2/clients', authorization);
      expect([res.statusCode, res.json<{ message: string }>().message]).toStrictEqual([status, message]);
      expect(limitHeaders(res.headers)).toStrictEqual(expected(ANONYMOUS.limit, ANONYMOUS.limit - 1 - i, reset));
    }
    for (let i = 0; i < 20; i++) {
      const refused = await from('127.0.0.2', '/api/v2/clients', flood[i % flood.length]![0]);
      expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({ status: 429, body: MGMT_429 });
      expect(limitHeaders(refused.headers)).toStrictEqual(expected(ANONYMOUS.limit, 0, reset, 10));
    }

    // The tenant's bucket is whole: the administrator gets all five calls of the window.
    for (let remaining = TENANT.limit - 1; remaining >= 0; remaining--) {
      const ok = await admin.get('/clients');
      expect(ok.statusCode, ok.body).toBe(200);
      expect(limitHeaders(ok.headers)).toStrictEqual(expected(TENANT.limit, remaining, reset));
    }
    // Another address without a token is answered for what it is, from its own bucket.
    const elsewhere = await from('127.0.0.3', '/api/v2/clients');
    expectMgmtError(elsewhere, 401, 'Missing authentication');
    expect(limitHeaders(elsewhere.headers)).toStrictEqual(expected(ANONYMOUS.limit, ANONYMOUS.limit - 1, reset));

    // The next window serves the flooding address again.
    s.clock.advance(10);
    expectMgmtError(await from('127.0.0.2', '/api/v2/clients'), 401, 'Missing authentication');
  });

  it('a valid token from the flooding address (a shared NAT) is still served, from the tenant’s bucket', async () => {
    s.clock.set(T0 + 120_000);
    for (let i = 0; i < ANONYMOUS.limit + 3; i++) await from('127.0.0.4', '/api/v2/clients');
    expect((await from('127.0.0.4', '/api/v2/clients')).statusCode).toBe(429);
    const ok = await from('127.0.0.4', '/api/v2/clients', `Bearer ${token}`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(limitHeaders(ok.headers)).toStrictEqual(expected(TENANT.limit, TENANT.limit - 1, T0S + 130));
  });

  it('paths that name no route count against the address whatever the token, answer 404 with x-ratelimit-*, then 429', async () => {
    s.clock.set(T0 + 180_000);
    const reset = T0S + 190;
    for (let i = 0; i < ANONYMOUS.limit; i++) {
      const res = await from('127.0.0.5', `/api/v2/no-such-collection-${i}`, i % 2 === 0 ? undefined : `Bearer ${token}`);
      expectMgmtError(res, 404, 'Not Found');
      expect(limitHeaders(res.headers)).toStrictEqual(expected(ANONYMOUS.limit, ANONYMOUS.limit - 1 - i, reset));
    }
    const refused = await from('127.0.0.5', '/api/v2/no-such-collection');
    expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({ status: 429, body: MGMT_429 });
    const ok = await admin.get('/clients');
    expect(limitHeaders(ok.headers)).toStrictEqual(expected(TENANT.limit, TENANT.limit - 1, reset));
  });

  it('each flooded window is logged once as api_limit with the flooding address; the limit is a tenant setting', async () => {
    s.clock.set(T0 + 240_000);
    for (let i = 0; i < ANONYMOUS.limit + 5; i++) await s.inject({ method: 'GET', url: '/api/v2/clients', remoteAddress: '127.0.0.6', headers: { 'user-agent': 'flood/6' } });
    s.clock.set(T0 + 300_000);
    await s.audit.flush();
    const logs = (await admin.get('/logs?q=type:api_limit AND ip:127.0.0.6')).json<Record<string, unknown>[]>();
    expect(logs.map((e) => [e.type, e.description, e.ip, e.user_agent, e.date])).toStrictEqual([
      ['api_limit', 'Global limit has been reached', '127.0.0.6', 'flood/6', new Date(T0 + 240_000).toISOString()],
    ]);

    s.clock.set(T0 + 360_000);
    const patched = await admin.patch('/tenants/settings', { rate_limits: { management_api_unauthenticated_per_ip: { limit: 2, window_seconds: 60 } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await from('127.0.0.7', '/api/v2/clients')).statusCode);
    expect(statuses).toStrictEqual([401, 401, 429]);
    expect((await admin.patch('/tenants/settings', { rate_limits: { management_api_unauthenticated_per_ip: ANONYMOUS } })).statusCode).toBe(200);
  });
});

describe('T-OUT-04 over real sockets: tokenless flood from 127.0.0.2, administrator on 127.0.0.1', () => {
  let port: number;

  beforeAll(async () => {
    await s.fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (s.fastify.server.address() as AddressInfo).port;
  });

  const get = (localAddress: string, authorization?: string) =>
    new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, localAddress, path: '/api/v2/clients', agent: false, headers: { host: DOMAIN, ...(authorization !== undefined && { authorization }) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('40 tokenless calls (8 × 401, then 429) do not make one of the administrator’s five calls fail', async () => {
    s.clock.set(T0 + 600_000);
    const flood = await Promise.all(Array.from({ length: 40 }, () => get('127.0.0.2')));
    const counts = flood.reduce<Record<number, number>>((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {});
    expect(counts).toStrictEqual({ 401: ANONYMOUS.limit, 429: 40 - ANONYMOUS.limit });
    expect(JSON.parse(flood.find((r) => r.status === 429)!.body)).toStrictEqual(MGMT_429);
    const mine = [];
    for (let i = 0; i < TENANT.limit; i++) mine.push((await get('127.0.0.1', `Bearer ${token}`)).status);
    expect(mine).toStrictEqual(Array<number>(TENANT.limit).fill(200));
  });
});
