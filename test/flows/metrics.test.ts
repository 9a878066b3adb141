// Issue 13: what the metrics count, driven over HTTP in-process: tokens by tenant, grant type and
// audience; refusals by reason on both APIs; rate-limit hits; cache hits and misses; requests by
// route template. Read back from the prom-client registry the /metrics listener serves.
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/observability/prometheus.ts';
import { adminFor } from '../helpers/admin-api.ts';
import { seedApp, seedM2M, type M2M } from '../helpers/fixtures.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

type Labels = Record<string, string | number>;

async function series(metrics: PrometheusMetrics, name: string): Promise<{ labels: Labels; value: number }[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Labels, value }));
}

async function valueOf(metrics: PrometheusMetrics, name: string, labels: Labels): Promise<number> {
  const found = (await series(metrics, name)).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

function token(s: TestServer, m2m: M2M, extra: Record<string, string> = {}) {
  return s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: s.tenant.managementAudience, ...extra } });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics: the token endpoint (issue 13)', () => {
  it('counts tokens issued by tenant, grant type and audience, with no client id label unless turned on', async () => {
    const metrics = createPrometheusMetrics();
    const s = (server = await startTestServer({ metrics }));
    const m2m = await seedM2M(s, ['read:clients']);
    expect((await token(s, m2m)).statusCode).toBe(200);
    expect((await token(s, m2m)).statusCode).toBe(200);
    const issued = await series(metrics, 'scopeward_tokens_issued_total');
    expect(issued).toEqual([{ labels: { tenant: s.tenant.id, grant_type: 'client_credentials', audience: s.tenant.managementAudience }, value: 2 }]);
    // The clients cache: the first token's lookup loaded, the second was answered from memory.
    expect(await valueOf(metrics, 'scopeward_cache_misses_total', { cache: 'clients' })).toBeGreaterThanOrEqual(1);
    expect(await valueOf(metrics, 'scopeward_cache_hits_total', { cache: 'clients' })).toBeGreaterThanOrEqual(1);
    expect(await valueOf(metrics, 'scopeward_cache_hits_total', { cache: 'grants' })).toBeGreaterThanOrEqual(1);
  });

  it('names the client when the operator turns client labels on, and only a client that authenticated', async () => {
    const metrics = createPrometheusMetrics({ clientLabels: true });
    const s = (server = await startTestServer({ metrics }));
    const m2m = await seedM2M(s, ['read:clients']);
    expect((await token(s, m2m)).statusCode).toBe(200);
    expect((await token(s, { clientId: 'made-up-by-the-caller', clientSecret: 'x' })).statusCode).toBe(401);
    expect(await series(metrics, 'scopeward_tokens_issued_total')).toEqual([
      { labels: { tenant: s.tenant.id, grant_type: 'client_credentials', audience: s.tenant.managementAudience, client_id: m2m.clientId }, value: 1 },
    ]);
    expect(await series(metrics, 'scopeward_refusals_total')).toEqual([{ labels: { api: 'authentication', reason: 'bad_secret', tenant: s.tenant.id, client_id: '' }, value: 1 }]);
  });

  it('counts refusals by reason: bad secret, no grant, scope, grant type, rate-limited, brute-force', async () => {
    const metrics = createPrometheusMetrics();
    const s = (server = await startTestServer({
      metrics,
      rateLimits: { ...UNLIMITED, token_endpoint: { limit: 1, window_seconds: 3600 }, failed_client_authentication: { slow_after: 100, block_after: 1, window_seconds: 900 } },
    }));
    const m2m = await seedM2M(s, ['read:clients']);
    const reason = (r: string) => valueOf(metrics, 'scopeward_refusals_total', { api: 'authentication', reason: r, tenant: s.tenant.id });

    // Wrong secret once: 401; twice from the same address: the brake's 429 (T-RL-06).
    expect((await token(s, { ...m2m, clientSecret: 'wrong' })).statusCode).toBe(401);
    expect((await token(s, { ...m2m, clientSecret: 'wrong' })).statusCode).toBe(429);
    expect(await reason('bad_secret')).toBe(1);
    expect(await reason('brute_force')).toBe(1);

    const other = await seedM2M(s, ['read:clients']);
    expect((await token(s, other, { audience: 'https://no-such-api.example/' })).statusCode).toBe(403);
    expect(await reason('no_grant')).toBe(1);
    const third = await seedM2M(s, ['read:clients']);
    expect((await token(s, third, { scope: 'delete:clients' })).statusCode).toBe(403);
    expect(await reason('scope')).toBe(1);
    const spa = await seedApp(s, { type: 'regular_web', grantTypes: ['authorization_code'] });
    expect((await token(s, { clientId: spa.clientId, clientSecret: spa.clientSecret! })).statusCode).toBe(403);
    expect(await reason('grant_type')).toBe(1);

    // The client's own bucket holds one token an hour here: the second is refused.
    expect((await token(s, m2m)).statusCode).toBe(200);
    expect((await token(s, m2m)).statusCode).toBe(429);
    expect(await reason('rate_limited')).toBe(1);
    expect(await valueOf(metrics, 'scopeward_rate_limit_hits_total', { tenant: s.tenant.id, bucket: 'token_endpoint' })).toBe(1);
    expect(await valueOf(metrics, 'scopeward_rate_limit_hits_total', { tenant: s.tenant.id, bucket: 'failed_client_authentication' })).toBe(1);
    // Refusal labels never carry what the caller sent: no audience, no address.
    for (const { labels } of await series(metrics, 'scopeward_refusals_total')) expect(Object.keys(labels).sort()).toEqual(['api', 'reason', 'tenant']);
  });
});

describe('metrics: the Management API (issue 13)', () => {
  it('counts refused bearer tokens as expired, revoked, scope or invalid', async () => {
    const metrics = createPrometheusMetrics();
    const s = (server = await startTestServer({ metrics }));
    const revoker = await mgmtToken(s, ['blacklist:tokens']);
    const reader = await seedM2M(s, ['read:clients']);
    const call = (bearer: string, url = '/api/v2/clients') => s.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
    const reason = (r: string) => valueOf(metrics, 'scopeward_refusals_total', { api: 'management', reason: r, tenant: s.tenant.id });

    const readToken = await tokenFor(s, reader);
    expect((await call(readToken)).statusCode).toBe(200);
    expect((await call(readToken, '/api/v2/users')).statusCode).toBe(403);
    expect(await reason('scope')).toBe(1);

    const doomed = await tokenFor(s, reader);
    const jti = (JSON.parse(Buffer.from(doomed.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    const revoke = await s.inject({ method: 'POST', url: '/api/v2/blacklists/tokens', headers: { authorization: `Bearer ${revoker}` }, payload: { jti } });
    expect(revoke.statusCode).toBe(204);
    expect((await call(doomed)).statusCode).toBe(401);
    expect(await reason('revoked')).toBe(1);

    expect((await call(`${readToken.slice(0, -4)}AAAA`)).statusCode).toBe(401);
    expect(await reason('invalid_token')).toBe(1);

    s.clock.advance(10 * 86_400);
    expect((await call(readToken)).statusCode).toBe(401);
    expect(await reason('expired')).toBe(1);
  });

  it('labels requests by route template and status, never by the raw URL', async () => {
    const metrics = createPrometheusMetrics();
    const s = (server = await startTestServer({ metrics }));
    const admin = await adminFor(s);
    const app = await seedApp(s, { type: 'non_interactive' });
    expect((await s.inject({ method: 'GET', url: `/api/v2/clients/${app.clientId}?fields=name`, headers: { authorization: `Bearer ${admin.token}` } })).statusCode).toBe(200);
    expect((await s.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404);
    const requests = await series(metrics, 'scopeward_http_request_duration_seconds');
    const count = (route: string, status: number) => requests.filter((r) => r.labels.route === route && r.labels.status === String(status) && r.labels.le === '+Inf').reduce((n, r) => n + r.value, 0);
    expect(count('/api/v2/clients/:id', 200)).toBe(1);
    expect(count('unmatched', 404)).toBe(1);
    expect(requests.some((r) => String(r.labels.route).includes(app.clientId))).toBe(false);
  });
});
