// Issue 13: the metrics listener, its configuration, the rate-limit bucket labels, and the facade
// when metrics are off.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { listenForScrapes, type MetricsListener } from '../../src/observability/listener.ts';
import { NO_METRICS } from '../../src/observability/metrics.ts';
import { createPrometheusMetrics } from '../../src/observability/prometheus.ts';
import { bucketOf } from '../../src/ratelimit/limiter.ts';

let listener: MetricsListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('the /metrics listener', () => {
  it('serves the Prometheus text format at /metrics only, GET and HEAD only', async () => {
    const metrics = createPrometheusMetrics();
    metrics.tokenIssued('ten_a', 'client_credentials', 'https://api.example/', 'cid');
    listener = await listenForScrapes(() => metrics.scrape(), 0, '127.0.0.1', () => undefined);
    const base = `http://127.0.0.1:${listener.port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE scopeward_tokens_issued_total counter');
    expect(text).toContain('scopeward_tokens_issued_total{tenant="ten_a",grant_type="client_credentials",audience="https://api.example/"} 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 500 when collecting fails, and reports why', async () => {
    const seen: unknown[] = [];
    listener = await listenForScrapes(() => Promise.reject(new Error('boom')), 0, '127.0.0.1', (e) => seen.push(e));
    expect((await fetch(`http://127.0.0.1:${listener.port}/metrics`)).status).toBe(500);
    expect(seen).toHaveLength(1);
  });
});

describe('metrics configuration', () => {
  it('is off by default and binds loopback when a port is given', () => {
    const off = loadConfig({}, {});
    expect(off.metricsPort).toBeUndefined();
    const on = loadConfig({}, { SCOPEWARD_METRICS_PORT: '9464' });
    expect([on.metricsPort, on.metricsHost, on.metricsClientLabels]).toEqual([9464, '127.0.0.1', false]);
    expect(loadConfig({ metricsPort: '9464', metricsHost: '0.0.0.0', metricsClientLabels: true }, {})).toMatchObject({ metricsPort: 9464, metricsHost: '0.0.0.0', metricsClientLabels: true });
  });

  it('refuses a port outside 1-65535 or the API port itself', () => {
    expect(() => loadConfig({ metricsPort: '70000' }, {})).toThrow('--metrics-port: 70000 is not a TCP port (1-65535)');
    expect(() => loadConfig({ metricsPort: '8443' }, {})).toThrow('--metrics-port: must differ from --port');
  });
});

describe('rate-limit bucket labels', () => {
  it('name the rule, never the address or client in the counter key', () => {
    expect(bucketOf('ten_a:token:ip:203.0.113.9')).toEqual({ tenantId: 'ten_a', bucket: 'token_endpoint_per_ip' });
    expect(bucketOf('ten_a:token:client:abc')).toEqual({ tenantId: 'ten_a', bucket: 'token_endpoint' });
    expect(bucketOf('ten_a:authfail:2001:db8::/64:abc')).toEqual({ tenantId: 'ten_a', bucket: 'failed_client_authentication' });
    expect(bucketOf('ten_a:mgmt')).toEqual({ tenantId: 'ten_a', bucket: 'management_api' });
    expect(bucketOf('ten_a:mgmt:anon:203.0.113.9')).toEqual({ tenantId: 'ten_a', bucket: 'management_api_unauthenticated_per_ip' });
    expect(bucketOf('ten_a:login:ip:203.0.113.9')).toEqual({ tenantId: 'ten_a', bucket: 'login_per_ip' });
    expect(bucketOf('ten_a:key_rotation')).toEqual({ tenantId: 'ten_a', bucket: 'signing_key_rotations' });
    expect(bucketOf('ten_a:public:203.0.113.9')).toEqual({ tenantId: 'ten_a', bucket: 'public_documents_per_ip' });
    // The throttle on logging refused calls is nobody's limit.
    expect(bucketOf('ten_a:fapi:203.0.113.9')).toBeUndefined();
    expect(bucketOf('ten_a:constructor')).toEqual({ tenantId: 'ten_a', bucket: 'other' });
  });
});

describe('metrics off', () => {
  it('is a facade of empty functions that says so', () => {
    expect(NO_METRICS.enabled).toBe(false);
    expect(NO_METRICS.request('/x', 'GET', 200, 0.001)).toBeUndefined();
    expect(NO_METRICS.cache('clients').hit()).toBeUndefined();
  });
});
