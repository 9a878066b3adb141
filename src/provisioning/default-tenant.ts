// The default tenant, made on first start on the configured domain and kept there (R4).
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import { managementAudienceFor } from '../domain/tenant.ts';
import type { Storage, TenantRecord } from '../storage/ports.ts';
import { createTenant, TenantConflict } from './create-tenant.ts';

/** The stored default tenant answers another domain than the one asked for (R4). */
export class DefaultTenantElsewhere extends Error {
  override name = 'DefaultTenantElsewhere';
  readonly stored: string;
  readonly wanted: string;
  constructor(stored: string, wanted: string) {
    super(`the default tenant answers ${stored}, not ${wanted}`);
    this.stored = stored;
    this.wanted = wanted;
  }
}

/**
 * What to do when the default tenant already answers another domain: `refuse` (throw
 * DefaultTenantElsewhere), `keep` it where it is, or `move` it to the domain asked for.
 */
export type WhenElsewhere = 'refuse' | 'keep' | 'move';

/**
 * The default tenant answers the configured domain. On first start it is created. A stored domain
 * never moves unless the caller says `move` (R4: another instance on the same database may be
 * serving it, and a silent move takes its host away); the server refuses by default and the CLI
 * keeps it. A move carries the Management API identifier and the grants that name it along
 * (otherwise every existing M2M application would lose its Management API access).
 */
export async function ensureDefaultTenant(
  storage: Storage,
  envelope: Envelope,
  clock: Clock,
  domain: string,
  whenElsewhere: WhenElsewhere = 'refuse',
): Promise<TenantRecord> {
  let tenants = await storage.tenants.list();
  let existing = tenants.find((t) => t.isDefault);
  if (!existing) {
    try {
      return await createTenant(storage, envelope, clock, { name: 'default', domain, isDefault: true });
    } catch (error) {
      // Instances started together on an empty database: one creates it, the others use theirs.
      if (!(error instanceof TenantConflict)) throw error;
      tenants = await storage.tenants.list();
      existing = tenants.find((t) => t.isDefault);
      if (!existing) throw error;
    }
  }
  if (existing.domain === domain || whenElsewhere === 'keep') return existing;
  if (whenElsewhere === 'refuse') throw new DefaultTenantElsewhere(existing.domain, domain);
  const taken = tenants.find((t) => t.domain === domain);
  if (taken) throw new TenantConflict(`tenant "${taken.name}" already answers ${domain}; the default tenant cannot move there`);
  const from = managementAudienceFor(existing.domain);
  const to = managementAudienceFor(domain);
  const { id } = existing;
  await storage.transaction(async (tx) => {
    await tx.tenants.update(id, { domain });
    const api = await tx.resourceServers.getByIdentifier(id, from);
    if (api?.isSystem) await tx.resourceServers.update(id, api.id, { identifier: to, data: { ...api.data, identifier: to } });
    await tx.grants.renameAudience(id, from, to);
  });
  return { ...existing, domain };
}
