// The system records every tenant has (create-tenant.ts makes them with it), made for the tenants
// that predate them. These run at every start-up and CLI command, in several processes at once.
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import { DEFAULT_CONNECTION_NAME, defaultConnectionRecord } from '../domain/connections.ts';
import { dashboardClientRecord, dashboardUrlsFor, findDashboardClient } from '../domain/dashboard-client.ts';
import { findGlobalClient, globalClientRecord } from '../domain/global-client.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { Storage } from '../storage/ports.ts';

/**
 * What createTenant makes beside the tenant row, made for every tenant that predates it (the global
 * client, the default connection, the dashboard client); run at start-up and by every CLI command.
 */
export async function ensureTenantSystemRecords(storage: Storage, envelope: Envelope, clock: Clock): Promise<void> {
  await ensureGlobalClients(storage, envelope, clock);
  await ensureDefaultConnections(storage, clock);
  await ensureDashboardClients(storage, clock);
}

/** Gives every tenant that has none its global client (tenants made before it existed). */
export async function ensureGlobalClients(storage: Storage, envelope: Envelope, clock: Clock): Promise<void> {
  for (const tenant of await storage.tenants.list()) {
    if (!(await findGlobalClient(storage, tenant.id))) await storage.clients.create(globalClientRecord(envelope, tenant, new Date(clock.now()).toISOString()));
  }
}

/** Gives every tenant that has none its default connection (tenants made before it existed). */
export async function ensureDefaultConnections(storage: Storage, clock: Clock): Promise<void> {
  for (const tenant of await storage.tenants.list()) {
    if (await storage.connections.getByName(tenant.id, DEFAULT_CONNECTION_NAME)) continue;
    // Several processes may start together: one create wins, the others find it made.
    await storage.connections.create(defaultConnectionRecord(tenant.id, new Date(clock.now()).toISOString())).catch((error: unknown) => {
      if (!(error instanceof UniqueViolation)) throw error;
    });
  }
}

/**
 * Gives every tenant its dashboard client (tenants made before it existed) and keeps its URLs on
 * the tenant's current domain (the default tenant follows the configured domain).
 */
export async function ensureDashboardClients(storage: Storage, clock: Clock): Promise<void> {
  for (const tenant of await storage.tenants.list()) {
    const now = new Date(clock.now()).toISOString();
    const existing = await findDashboardClient(storage, tenant.id);
    if (!existing) {
      await storage.clients.create(dashboardClientRecord(tenant, now)).catch((error: unknown) => {
        if (!(error instanceof UniqueViolation)) throw error;
      });
      continue;
    }
    const urls = dashboardUrlsFor(tenant.domain);
    const stale = (Object.keys(urls) as (keyof typeof urls)[]).some((k) => JSON.stringify(existing.data[k]) !== JSON.stringify(urls[k]));
    if (stale || existing.data.tenant !== tenant.name) {
      await storage.clients.update(tenant.id, existing.clientId, { data: { ...existing.data, ...urls, tenant: tenant.name }, updatedAt: now });
    }
  }
}
