// Request counts and durations for the metrics (issue 13), by route template (Fastify's
// routeOptions.url: `/api/v2/clients/:id`, never the raw URL, so ids and query strings make no
// series), method and status. Installed only when metrics are on: off, no hook runs at all.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.ts';

/** The label of a request no route matched (404s, and anything refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  if (!metrics.enabled) return;
  // Synchronous like the other per-request hooks (app.ts): no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.routeOptions.url ?? UNMATCHED_ROUTE, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
