// The PostgreSQL pool seen by the metrics (issue 13): how long a query waited for a connection
// when every one was busy, connections that could not be opened or died idle, and the pool's size
// at each scrape. Wraps pool.connect, the one call Kysely's PostgresDialect makes to check out.
import type pg from 'pg';
import type { Metrics } from '../../observability/metrics.ts';

export function instrumentPool(pool: pg.Pool, max: number, metrics: Metrics): void {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const counted = async (): Promise<pg.PoolClient> => {
    // It waits when no idle connection is there and no new one may be opened.
    const waits = pool.idleCount === 0 && pool.totalCount >= max;
    const start = performance.now();
    try {
      const client = await connect();
      if (waits) metrics.poolWait((performance.now() - start) / 1000);
      return client;
    } catch (error) {
      metrics.poolError('connect');
      throw error;
    }
  };
  pool.connect = counted as typeof pool.connect;
  pool.on('error', () => metrics.poolError('idle'));
  metrics.watchPool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
}
