// Token quotas, Auth0's way (issue 15): `token_quota` on a client and `default_token_quota` in the
// tenant settings through the Management API (Auth0's field names and bounds), the
// Auth0-Client-Quota-Limit header on client-credentials responses (read back with the auth0 SDK's
// own parser), the exact 429 when an enforced quota is spent, and one tenant-log event for each
// request over a quota (api_limit refused, api_limit_warning let through).
import { HttpResponseHeadersUtils } from 'auth0';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const HOUR = 3_600_000;
const QUOTA_TEXT = 'Token quota exceeded for this client. Check the Auth0-Client-Quota-Limit header for when it resets.';

let s: TestServer;
let ops: string;
let m2m: M2M;

beforeEach(async () => {
  s = await startTestServer();
  ops = await mgmtToken(s, ['read:clients', 'update:clients', 'read:tenant_settings', 'update:tenant_settings', 'read:logs']);
  m2m = await seedM2M(s, ['read:clients']);
});
afterEach(async () => s.close());

const api = (method: 'GET' | 'PATCH', url: string, payload?: unknown) =>
  s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${ops}` }, ...(payload !== undefined && { payload: payload as object }) });
const token = (c: M2M = m2m) =>
  s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, audience: s.tenant.managementAudience } });
const setQuota = async (c: M2M, quota: unknown) => expect((await api('PATCH', `/clients/${c.clientId}`, { token_quota: quota })).statusCode).toBe(200);
const quotaHeader = (res: LightMyRequestResponse) => res.headers['auth0-client-quota-limit'];
/** Seconds from the frozen clock to the end of its UTC hour and UTC day. */
const toHourEnd = () => Math.ceil((Math.floor(s.clock.now() / HOUR + 1) * HOUR - s.clock.now()) / 1000);
const toDayEnd = () => Math.ceil((Math.floor(s.clock.now() / (24 * HOUR) + 1) * 24 * HOUR - s.clock.now()) / 1000);

async function logsOfType(type: string): Promise<Record<string, unknown>[]> {
  await s.audit.flush();
  const res = await api('GET', `/logs?q=${encodeURIComponent(`type:${type}`)}&sort=date:1`);
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('Management API: Auth0 field names and bounds', () => {
  test('PATCH /clients/{id} token_quota → stored and returned; null removes it', async () => {
    await setQuota(m2m, { client_credentials: { enforce: true, per_hour: 10, per_day: 100 } });
    expect((await api('GET', `/clients/${m2m.clientId}`)).json().token_quota).toEqual({ client_credentials: { enforce: true, per_hour: 10, per_day: 100 } });
    await setQuota(m2m, null);
    expect('token_quota' in (await api('GET', `/clients/${m2m.clientId}`)).json()).toBe(false);
  });

  test.each([
    ['per_hour below 1', { client_credentials: { per_hour: 0 } }],
    ['per_day above 2147483647', { client_credentials: { per_day: 2147483648 } }],
    ['an empty client_credentials', { client_credentials: {} }],
    ['an unknown member', { client_credentials: { per_hour: 1, per_minute: 1 } }],
    ['no client_credentials', {}],
  ])('token_quota with %s → 400 invalid_body', async (_label, quota) => {
    const res = await api('PATCH', `/clients/${m2m.clientId}`, { token_quota: quota });
    expect([res.statusCode, res.json().errorCode]).toEqual([400, 'invalid_body']);
  });

  test('PATCH /tenants/settings default_token_quota → stored and returned; null removes it', async () => {
    const value = { clients: { client_credentials: { enforce: false, per_day: 5 } } };
    expect((await api('PATCH', '/tenants/settings', { default_token_quota: value })).json().default_token_quota).toEqual(value);
    expect((await api('GET', '/tenants/settings')).json().default_token_quota).toEqual(value);
    const res = await api('PATCH', '/tenants/settings', { default_token_quota: { clients: { client_credentials: { per_hour: -1 } } } });
    expect(res.statusCode).toBe(400);
    await api('PATCH', '/tenants/settings', { default_token_quota: null });
    expect((await api('GET', '/tenants/settings')).json().default_token_quota).toBeUndefined();
  });
});

describe('the token endpoint', () => {
  test('no quota anywhere → no header, nothing counted', async () => {
    const res = await token();
    expect([res.statusCode, quotaHeader(res)]).toEqual([200, undefined]);
  });

  test('an enforced per_hour quota: the header counts down (as the auth0 SDK parses it), then the exact 429', async () => {
    await setQuota(m2m, { client_credentials: { enforce: true, per_hour: 2, per_day: 100 } });
    const first = await token();
    expect([first.statusCode, quotaHeader(first)]).toEqual([200, `b=per_hour;q=2;r=1;t=${toHourEnd()},b=per_day;q=100;r=99;t=${toDayEnd()}`]);
    expect(HttpResponseHeadersUtils.getClientQuotaLimit(first.headers as Record<string, string>)).toEqual({
      perHour: { quota: 2, remaining: 1, resetAfter: toHourEnd() },
      perDay: { quota: 100, remaining: 99, resetAfter: toDayEnd() },
    });
    expect((await token()).statusCode).toBe(200);

    const refused = await token();
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toBe(JSON.stringify({ error: 'too_many_requests', error_description: QUOTA_TEXT }));
    expect(quotaHeader(refused)).toBe(`b=per_hour;q=2;r=0;t=${toHourEnd()},b=per_day;q=100;r=97;t=${toDayEnd()}`);
    expect([refused.headers['retry-after'], refused.headers['cache-control']]).toEqual([String(toHourEnd()), 'no-store']);

    const [event] = await logsOfType('api_limit');
    expect(event).toMatchObject({
      type: 'api_limit',
      description: QUOTA_TEXT,
      client_id: m2m.clientId,
      audience: s.tenant.managementAudience,
      details: { quota: { source: 'client', enforce: true, exceeded: [{ bucket: 'per_hour', quota: 2, count: 3, reset_after: toHourEnd() }] }, error: 'too_many_requests', status: 429 },
    });
  });

  test('each request over the quota is logged, and the next UTC hour starts afresh', async () => {
    await setQuota(m2m, { client_credentials: { per_hour: 1 } });
    expect((await token()).statusCode).toBe(200);
    expect([(await token()).statusCode, (await token()).statusCode]).toEqual([429, 429]);
    expect(await logsOfType('api_limit')).toHaveLength(2);
    s.clock.set(Math.floor(s.clock.now() / HOUR + 1) * HOUR);
    const next = await token();
    expect([next.statusCode, quotaHeader(next)]).toEqual([200, 'b=per_hour;q=1;r=0;t=3600']);
  });

  test('enforce: false → tokens keep coming; each request over the quota is an api_limit_warning', async () => {
    await setQuota(m2m, { client_credentials: { enforce: false, per_day: 1 } });
    expect((await token()).statusCode).toBe(200);
    const over = await token();
    expect([over.statusCode, quotaHeader(over), over.headers['retry-after']]).toEqual([200, `b=per_day;q=1;r=0;t=${toDayEnd()}`, undefined]);
    await token();
    const warnings = await logsOfType('api_limit_warning');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ description: 'Token quota exceeded for this client (not enforced: the token was issued)', client_id: m2m.clientId, details: { quota: { enforce: false } } });
    expect(await logsOfType('api_limit')).toEqual([]);
  });

  test('the tenant default applies to a client without its own; a client\'s own quota overrides it', async () => {
    await api('PATCH', '/tenants/settings', { default_token_quota: { clients: { client_credentials: { per_hour: 1 } } } });
    const own = await seedM2M(s, ['read:clients']);
    await setQuota(own, { client_credentials: { per_hour: 5 } });
    expect((await token()).statusCode).toBe(200);
    expect((await token()).statusCode).toBe(429);
    const mine = await token(own);
    expect([mine.statusCode, quotaHeader(mine)]).toEqual([200, `b=per_hour;q=5;r=4;t=${toHourEnd()}`]);
    const [event] = await logsOfType('api_limit');
    expect(event).toMatchObject({ details: { quota: { source: 'tenant' } } });
  });

  test('clients count separately; a refused token request (wrong audience) is not counted', async () => {
    await setQuota(m2m, { client_credentials: { per_hour: 2 } });
    const other = await seedM2M(s, ['read:clients']);
    await setQuota(other, { client_credentials: { per_hour: 2 } });
    const wrong = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: 'https://nowhere.example/' } });
    expect(wrong.statusCode).toBe(403);
    expect(quotaHeader(await token(other))).toBe(`b=per_hour;q=2;r=1;t=${toHourEnd()}`);
    expect(quotaHeader(await token())).toBe(`b=per_hour;q=2;r=1;t=${toHourEnd()}`);
  });
});
