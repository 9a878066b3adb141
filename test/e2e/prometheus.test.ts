// Issue 13: a real Prometheus (Debian's package, installed here when missing and we are root)
// scrapes `scopeward serve --metrics-port` every second; after real traffic (tokens, a refused
// token, Management API calls, a rate-limited request) the series it stored are asserted through
// its query API: names, label values, counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPrometheus, startPrometheus, type RunningPrometheus, type Sample } from '../helpers/prometheus.ts';
import { postToken } from '../helpers/oauth-http.ts';
import { freePort, startRealServer, type RealServer } from '../helpers/real-server.ts';

const found = findPrometheus();
if ('missing' in found) console.warn(`SKIPPED test/e2e/prometheus.test.ts: ${found.missing}`);

let server: RealServer;
let prometheus: RunningPrometheus;
let metricsPort: number;
let tenantId: string;

const value = (samples: Sample[]): number => samples.reduce((sum, s) => sum + Number(s.value[1]), 0);

describe.skipIf('missing' in found)('a real Prometheus scraping /metrics (issue 13)', () => {
  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startRealServer({ args: ['--metrics-port', String(metricsPort)] });
    prometheus = await startPrometheus((found as { bin: string }).bin, [`127.0.0.1:${metricsPort}`]);

    const { init, baseUrl } = server;
    const credentials = { grant_type: 'client_credentials', client_id: init.client_id, client_secret: init.client_secret, audience: init.audience };
    const issued = await postToken(baseUrl, credentials);
    expect(issued.status).toBe(200);
    const bearer = String(issued.body.access_token);
    tenantId = '';
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${baseUrl}/api/v2${path}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });

    expect((await api('GET', '/clients')).status).toBe(200);
    expect((await api('GET', `/clients/${init.client_id}`)).status).toBe(200);
    expect((await postToken(baseUrl, { ...credentials, client_secret: 'not-the-secret' })).status).toBe(401);
    expect((await postToken(baseUrl, { ...credentials, audience: 'https://no-such-api.example/' })).status).toBe(403);
    // One token an hour per client from now on: the next one is rate-limited.
    expect((await api('PATCH', '/tenants/settings', { rate_limits: { token_endpoint: { limit: 1, window_seconds: 3600 } } })).status).toBe(200);
    expect((await postToken(baseUrl, credentials)).status).toBe(200);
    expect((await postToken(baseUrl, credentials)).status).toBe(429);

    // Everything above happened before this scrape; wait until Prometheus has stored it.
    const refusals = await prometheus.until('sum(scopeward_refusals_total)', (s) => value(s) >= 3);
    expect(value(refusals)).toBe(3);
    tenantId = (await prometheus.query('scopeward_tokens_issued_total'))[0]!.metric.tenant!;
  }, 600_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.cleanup();
  });

  it('scrapes the listener: the target is up, on loopback, under its job', async () => {
    const up = await prometheus.query('up{job="scopeward"}');
    expect(up.map((s) => [s.metric.instance, s.value[1]])).toEqual([[`127.0.0.1:${metricsPort}`, '1']]);
    // The API port does not serve metrics: they have a listener of their own.
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
  });

  it('stores tokens issued by tenant, grant type and audience, with no client id', async () => {
    const tokens = await prometheus.query('scopeward_tokens_issued_total');
    expect(tokens).toHaveLength(1);
    const { __name__, job, instance, ...labels } = tokens[0]!.metric;
    expect({ __name__, job, instance }).toEqual({ __name__: 'scopeward_tokens_issued_total', job: 'scopeward', instance: `127.0.0.1:${metricsPort}` });
    expect(labels).toEqual({ tenant: tenantId, grant_type: 'client_credentials', audience: server.init.audience });
    expect(tenantId).toMatch(/^ten_/);
    expect(tokens[0]!.value[1]).toBe('2');
  });

  it('stores refusals by reason and the rate-limit hit', async () => {
    const refusals = await prometheus.query('scopeward_refusals_total');
    const byReason = Object.fromEntries(refusals.map((s) => [`${s.metric.api}/${s.metric.reason}`, s.value[1]]));
    expect(byReason).toEqual({ 'authentication/bad_secret': '1', 'authentication/no_grant': '1', 'authentication/rate_limited': '1' });
    for (const s of refusals) expect(s.metric.tenant).toBe(tenantId);
    for (const s of refusals) expect(s.metric).not.toHaveProperty('client_id');
    const hits = await prometheus.query('scopeward_rate_limit_hits_total');
    expect(hits.map((s) => [s.metric.tenant, s.metric.bucket, s.value[1]])).toEqual([[tenantId, 'token_endpoint', '1']]);
  });

  it('stores request counts and durations by route template and status', async () => {
    const count = async (route: string, method: string, status: string) => value(await prometheus.query(`scopeward_http_request_duration_seconds_count{route="${route}",method="${method}",status="${status}"}`));
    expect(await count('/oauth/token', 'POST', '200')).toBe(2);
    expect(await count('/oauth/token', 'POST', '401')).toBe(1);
    expect(await count('/oauth/token', 'POST', '429')).toBe(1);
    expect(await count('/api/v2/clients', 'GET', '200')).toBe(1);
    expect(await count('/api/v2/clients/:id', 'GET', '200')).toBe(1);
    expect(await count('/api/v2/tenants/settings', 'PATCH', '200')).toBe(1);
    // No raw URL became a label value.
    const routes = await prometheus.query('count by (route) (scopeward_http_request_duration_seconds_count)');
    expect(routes.some((s) => s.metric.route!.includes(server.init.client_id))).toBe(false);
    const buckets = await prometheus.query('scopeward_http_request_duration_seconds_bucket{route="/oauth/token",status="200",le="+Inf"}');
    expect(value(buckets)).toBe(2);
  });

  it('stores cache hits and misses, the change channel, event-loop delay and process metrics', async () => {
    expect(value(await prometheus.query('scopeward_cache_misses_total{cache="clients"}'))).toBeGreaterThanOrEqual(1);
    expect(value(await prometheus.query('scopeward_cache_hits_total{cache="clients"}'))).toBeGreaterThanOrEqual(1);
    const state = await prometheus.query('scopeward_change_notifications_state');
    expect(Object.fromEntries(state.map((s) => [s.metric.state, s.value[1]]))).toEqual({ local: '1', listening: '0', reconnecting: '0' });
    expect(value(await prometheus.query('scopeward_change_notifications_losses_total'))).toBe(0);
    expect(await prometheus.query('nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(value(await prometheus.query('process_resident_memory_bytes'))).toBeGreaterThan(10_000_000);
    expect(value(await prometheus.query('process_cpu_seconds_total'))).toBeGreaterThan(0);
  });
});
