// Health endpoints, answered for any Host: the one audience outside the tenant scope, so no tenant
// is resolved for them. /healthz: the process runs. /readyz: this instance can serve correctly:
// the database answers (and every tenant's signing keys load), and changes made on other instances
// reach it (R1, R2). `status` keeps its earlier values ("ready" / "unavailable") for existing
// checks; `checks` says which part is missing.
import type { FastifyPluginAsync } from 'fastify';
import type { NotificationStatus } from '../cache/bus.ts';
import type { Registry } from '../cache/registry.ts';
import { ManagementError, TEXT } from '../management/errors.ts';
import type { Storage } from '../storage/ports.ts';
import { jsonErrors } from './errors.ts';

export interface HealthDeps {
  storage: Storage;
  registry: Registry;
  notifications: () => NotificationStatus;
}

async function databaseCheck(deps: HealthDeps): Promise<'ok' | 'unavailable'> {
  try {
    await deps.storage.ping();
    for (const tenant of deps.registry.tenants()) await deps.registry.keys(tenant.id);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

export const healthApi: FastifyPluginAsync<{ deps: HealthDeps }> = async (app, { deps }) => {
  app.setErrorHandler(jsonErrors);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const database = await databaseCheck(deps);
    const notifications = deps.notifications().state;
    const ready = database === 'ok' && notifications !== 'reconnecting';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { database, notifications } });
  });
  // Another method on a health path is a plain 404, still for any Host (the tenant scope's 404
  // would first ask the Host for a tenant).
  const others = app.supportedMethods.filter((m) => m !== 'GET' && m !== 'HEAD');
  for (const url of ['/healthz', '/readyz']) {
    app.route({ method: others, url, handler: async () => { throw new ManagementError(404, TEXT.notFoundRoute); } });
  }
};
