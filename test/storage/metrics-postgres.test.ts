// Issue 13 on PostgreSQL: the pool's waits and errors and the change-notification channel's state
// and lag, as the metrics count them (SQLite has neither a pool nor a channel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBus, type ChangeBus } from '../../src/cache/bus.ts';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../src/observability/prometheus.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';

async function values(metrics: PrometheusMetrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  return (await metrics.registry.getSingleMetric(name)!.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

let pg: PgSchema;
beforeAll(async () => {
  pg = await createPgSchema();
});
afterAll(async () => pg?.drop());

describe('metrics: the PostgreSQL pool (issue 13)', () => {
  it('counts requests that waited for a connection, and shows the pool at scrape time', async () => {
    const metrics = createPrometheusMetrics();
    const storage = await createStorage(pg.url, { pgSchema: pg.schema, pgPoolSize: 1, migrate: false, metrics });
    try {
      await Promise.all([storage.ping(), storage.ping(), storage.ping(), storage.ping()]);
      const waits = (await values(metrics, 'scopeward_db_pool_wait_seconds')).find((v) => v.labels.le === '+Inf');
      // One connection, four requests at once: the three after the first waited.
      expect(waits?.value).toBe(3);
      const pool = Object.fromEntries((await values(metrics, 'scopeward_db_pool_connections')).map((v) => [v.labels.state, v.value]));
      expect(pool).toEqual({ total: 1, idle: 1, waiting: 0 });
    } finally {
      await storage.close();
    }
  });

  it('counts connections that could not be opened', async () => {
    const metrics = createPrometheusMetrics();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const storage = await createStorage('postgres://postgres@127.0.0.1:1/none', { migrate: false, metrics });
    try {
      await expect(storage.ping()).rejects.toThrow();
      expect(await values(metrics, 'scopeward_db_pool_errors_total')).toEqual([{ labels: { kind: 'connect' }, value: 1 }]);
    } finally {
      await storage.close();
    }
  });
});

describe('metrics: the change-notification channel (issue 13)', () => {
  it('shows the channel listening and measures how long a change took to reach another instance', async () => {
    const metrics = createPrometheusMetrics();
    const buses: ChangeBus[] = [];
    try {
      const sender = await postgresBus(pg.url, { schema: pg.schema, onError: () => undefined });
      buses.push(sender);
      const receiver = await postgresBus(pg.url, { schema: pg.schema, onError: () => undefined, onDelivered: (ms) => metrics.notificationDelivered(ms / 1000) });
      buses.push(receiver);
      metrics.watchNotifications(() => receiver.status());
      const heard = new Promise<void>((resolve) => receiver.subscribe(() => resolve()));
      sender.publish({ tenantId: 'ten_x', kind: 'clients' });
      await heard;
      const lag = (await values(metrics, 'scopeward_change_notification_lag_seconds')).find((v) => v.labels.le === '+Inf');
      expect(lag?.value).toBe(1);
      const state = Object.fromEntries((await values(metrics, 'scopeward_change_notifications_state')).map((v) => [v.labels.state, v.value]));
      expect(state).toEqual({ local: 0, listening: 1, reconnecting: 0 });
      expect((await values(metrics, 'scopeward_change_notifications_losses_total'))[0]?.value).toBe(0);
    } finally {
      for (const bus of buses) await bus.close();
    }
  });
});
