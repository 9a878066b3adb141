// Health endpoints, answered for any Host. /healthz: the process runs. /readyz: this instance can
// serve correctly: the database answers (and every tenant's signing keys load), and changes made
// on other instances reach it (R1, R2). `status` keeps its earlier values ("ready" /
// "unavailable") for existing checks; `checks` says which part is missing.
import type { FastifyInstance } from 'fastify';
import type { NotificationStatus } from '../cache/bus.ts';
import type { Registry } from '../cache/registry.ts';
import type { Storage } from '../storage/ports.ts';

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

export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const database = await databaseCheck(deps);
    const notifications = deps.notifications().state;
    const ready = database === 'ok' && notifications !== 'reconnecting';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { database, notifications } });
  });
}
