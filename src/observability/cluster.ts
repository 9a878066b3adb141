// --workers N: each worker counts in its own registry; the primary answers scrapes with the sum
// of every worker's series (prom-client's AggregatorRegistry asks them over the cluster IPC
// channel), so one scrape sees the whole process group rather than whichever worker took it.
import { AggregatorRegistry } from 'prom-client';
import type { Scrape } from './listener.ts';
import type { PrometheusMetrics } from './prometheus.ts';

/** In a worker: offer this registry to the primary's scrapes. */
export function shareWithPrimary(metrics: PrometheusMetrics): void {
  // Making one is what installs prom-client's listener for the primary's requests in a worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
}

/** In the primary: a scrape that gathers every worker's registry. */
export function clusterScrape(): Scrape {
  const aggregator = new AggregatorRegistry();
  return async () => {
    const merged = await aggregator.clusterMetrics();
    return { body: merged, contentType: aggregator.contentType };
  };
}
