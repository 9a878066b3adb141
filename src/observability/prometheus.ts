// The metrics facade on prom-client (issue 13): one Registry per instance (STYLE §6, no
// module-level state: two apps in one test keep apart), Node's default process metrics and the
// event-loop delay beside Scopeward's own. What is counted per request goes through
// fast-metrics.ts (a Map lookup and an add); prom-client's own classes serve what is rare or read
// at scrape time (decision 0012).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.ts';
import type { CacheCounter, Metrics, NotificationStats, PoolStats, RefusalReason, RefusingApi } from './metrics.ts';

export interface PrometheusOptions {
  /** Label tokens and refusals with the client id too (off by default: one series per client). */
  clientLabels?: boolean;
}

export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** The exposition text and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

/** Request and pool-wait buckets: a warm token answer is ~1 ms, a cold one a database round trip. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Change notifications: NOTIFY round trips are milliseconds; seconds mean a backlog. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const NOTIFICATION_STATES: readonly NotificationStats['state'][] = ['local', 'listening', 'reconnecting'];

export function createPrometheusMetrics(options: PrometheusOptions = {}): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  const clientLabels = options.clientLabels === true;
  // process_* and nodejs_* (heap, GC, handles), including nodejs_eventloop_lag_* from
  // monitorEventLoopDelay sampled every 10 ms.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  const requests = new FastHistogram('scopeward_http_request_duration_seconds', 'HTTP requests by route template, method and status: _count is the request count.', ['route', 'method', 'status'], SECONDS_BUCKETS, registry);
  const tokens = new FastCounter('scopeward_tokens_issued_total', 'Tokens issued by tenant, grant type and audience.', clientLabels ? ['tenant', 'grant_type', 'audience', 'client_id'] : ['tenant', 'grant_type', 'audience'], registry);
  const refusals = new FastCounter('scopeward_refusals_total', 'Refused token requests (api="authentication") and bearer tokens (api="management") by reason.', clientLabels ? ['api', 'reason', 'tenant', 'client_id'] : ['api', 'reason', 'tenant'], registry);
  const rateLimits = new FastCounter('scopeward_rate_limit_hits_total', 'Requests a rate-limit bucket refused, by tenant and bucket.', ['tenant', 'bucket'], registry);
  const hits = new FastCounter('scopeward_cache_hits_total', 'Cache reads answered from memory, per cache.', ['cache'], registry);
  const misses = new FastCounter('scopeward_cache_misses_total', 'Cache reads that loaded from the database, per cache.', ['cache'], registry);
  const poolWaits = new Histogram({ name: 'scopeward_db_pool_wait_seconds', help: 'Time database requests waited for a free pool connection (PostgreSQL): _count is the number of waits.', buckets: SECONDS_BUCKETS, registers });
  const poolErrors = new Counter({ name: 'scopeward_db_pool_errors_total', help: 'Database pool connection failures: connect (could not open one), idle (an idle one died).', labelNames: ['kind'], registers });
  const lag = new Histogram({ name: 'scopeward_change_notification_lag_seconds', help: 'From another instance sending a change notification to this one hearing it.', buckets: LAG_BUCKETS, registers });

  const pools: (() => PoolStats)[] = [];
  new Gauge({
    name: 'scopeward_db_pool_connections',
    help: 'Database pool connections at scrape time: total, idle, and requests waiting for one (PostgreSQL).',
    labelNames: ['state'],
    registers,
    collect() {
      if (pools.length === 0) return;
      const sum = { total: 0, idle: 0, waiting: 0 };
      for (const read of pools) {
        const s = read();
        sum.total += s.total;
        sum.idle += s.idle;
        sum.waiting += s.waiting;
      }
      for (const [state, value] of Object.entries(sum)) this.set({ state }, value);
    },
  });

  let notifications: (() => NotificationStats) | undefined;
  new Gauge({
    name: 'scopeward_change_notifications_state',
    help: 'The change-notification channel: 1 for its current state (local, listening, reconnecting), 0 for the others.',
    labelNames: ['state'],
    registers,
    collect() {
      if (!notifications) return;
      const { state } = notifications();
      for (const s of NOTIFICATION_STATES) this.set({ state: s }, s === state ? 1 : 0);
    },
  });
  new Counter({
    name: 'scopeward_change_notifications_losses_total',
    help: 'Times the change-notification connection was lost since start.',
    registers,
    collect() {
      if (!notifications) return;
      this.reset();
      this.inc(notifications().losses);
    },
  });

  const cache = new Map<string, CacheCounter>();
  const cacheCounter = (name: string): CacheCounter => {
    let counter = cache.get(name);
    if (!counter) {
      const hit = hits.child([name]);
      const miss = misses.child([name]);
      counter = { hit: () => void hit.value++, miss: () => void miss.value++ };
      cache.set(name, counter);
    }
    return counter;
  };

  return {
    enabled: true,
    registry,
    request(route, method, status, seconds) {
      requests.observe(requests.child([route, method, String(status)]), seconds);
    },
    tokenIssued(tenantId, grantType, audience, clientId) {
      tokens.child(clientLabels ? [tenantId, grantType, audience, clientId] : [tenantId, grantType, audience]).value++;
    },
    refused(api: RefusingApi, reason: RefusalReason, tenantId: string, clientId?: string) {
      refusals.child(clientLabels ? [api, reason, tenantId, clientId ?? ''] : [api, reason, tenantId]).value++;
    },
    rateLimitHit(tenantId, bucket) {
      rateLimits.child([tenantId, bucket]).value++;
    },
    cache: cacheCounter,
    poolWait: (seconds) => poolWaits.observe(seconds),
    poolError: (kind) => poolErrors.inc({ kind }),
    watchPool: (read) => void pools.push(read),
    notificationDelivered: (seconds) => lag.observe(seconds),
    watchNotifications(read) {
      notifications = read;
    },
    async scrape() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
