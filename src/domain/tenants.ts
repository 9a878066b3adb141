// Tenant provisioning: a tenant row, its system Management API (spec §3.5.3), its two signing keys
// (current + next), its global client, its dashboard client and its default database connection, written in one
// transaction so no tenant exists half-made.
import type { Envelope } from '../crypto/envelope.ts';
import type { ResourceServerData } from '../schemas/resource-server.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { Storage, TenantRecord } from '../storage/ports.ts';
import { createSigningKey } from '../tokens/keys.ts';
import type { Clock } from './clock.ts';
import { defaultConnectionRecord, ensureDefaultConnections } from './connections.ts';
import { dashboardClientRecord, ensureDashboardClients } from './dashboard-client.ts';
import { ensureGlobalClients, globalClientRecord } from './global-client.ts';
import { newResourceServerId, newTenantId } from './ids.ts';
import { managementAudienceFor } from './tenant.ts';

export const MANAGEMENT_API_NAME = 'Auth0 Management API';

/** The system API's stored fields; its scope list is the catalogue, filled in when read. */
export function systemApiData(id: string, domain: string): ResourceServerData {
  return {
    id,
    name: MANAGEMENT_API_NAME,
    identifier: managementAudienceFor(domain),
    scopes: [],
    signing_alg: 'RS256',
    allow_offline_access: false,
    skip_consent_for_verifiable_first_party_clients: false,
    token_lifetime: 86400,
    token_lifetime_for_web: 7200,
    is_system: true,
    subject_type_authorization: { user: { policy: 'allow_all' }, client: { policy: 'require_client_grant' } },
  };
}

export class TenantConflict extends Error {
  override name = 'TenantConflict';
}

export interface NewTenant {
  name: string;
  domain: string;
  isDefault?: boolean;
  settings?: Record<string, unknown>;
}

export async function createTenant(storage: Storage, envelope: Envelope, clock: Clock, input: NewTenant): Promise<TenantRecord> {
  const domain = input.domain.toLowerCase();
  if (await storage.tenants.getByName(input.name)) throw new TenantConflict(`a tenant named "${input.name}" already exists`);
  if (await storage.tenants.getByDomain(domain)) throw new TenantConflict(`a tenant already answers ${domain}`);
  const now = new Date(clock.now());
  const record: TenantRecord = {
    id: newTenantId(),
    name: input.name,
    domain,
    isDefault: input.isDefault ?? false,
    settings: { friendly_name: input.name, ...input.settings },
    createdAt: now.toISOString(),
  };
  // Key generation is slow CPU work; do it before the transaction holds the database.
  const current = await createSigningKey(envelope, record, 'current', now);
  const next = await createSigningKey(envelope, record, 'next', now);
  const apiId = newResourceServerId();
  await storage.transaction(async (tx) => {
    await tx.tenants.create(record).catch((error: unknown) => {
      // Lost a race with another create of the same name or domain.
      throw error instanceof UniqueViolation ? new TenantConflict(`a tenant named "${input.name}" or answering ${domain} already exists`) : error;
    });
    await tx.resourceServers.create({
      tenantId: record.id,
      id: apiId,
      identifier: managementAudienceFor(domain),
      isSystem: true,
      data: systemApiData(apiId, domain),
      signingSecretSealed: null,
      createdAt: record.createdAt,
    });
    await tx.signingKeys.create(current);
    await tx.signingKeys.create(next);
    await tx.clients.create(globalClientRecord(envelope, record, record.createdAt));
    // A millisecond later: it lists right after the global client, whatever the random ids.
    await tx.clients.create(dashboardClientRecord(record, new Date(now.getTime() + 1).toISOString()));
    await tx.connections.create(defaultConnectionRecord(record.id, record.createdAt));
  });
  return record;
}

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

/**
 * What createTenant makes beside the tenant row, made for every tenant that predates it (the global
 * client, the default connection, the dashboard client); run at start-up and by every CLI command.
 */
export async function ensureTenantSystemRecords(storage: Storage, envelope: Envelope, clock: Clock): Promise<void> {
  await ensureGlobalClients(storage, envelope, clock);
  await ensureDefaultConnections(storage, clock);
  await ensureDashboardClients(storage, clock);
}
