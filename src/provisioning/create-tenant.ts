// Tenant provisioning: a tenant row, its system Management API (spec §3.5.3), its two signing keys
// (current + next), its global client, its dashboard client and its default database connection, written in one
// transaction so no tenant exists half-made.
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import { defaultConnectionRecord } from '../domain/connections.ts';
import { dashboardClientRecord } from '../domain/dashboard-client.ts';
import { globalClientRecord } from '../domain/global-client.ts';
import { newResourceServerId, newTenantId } from '../domain/ids.ts';
import { managementAudienceFor } from '../domain/tenant.ts';
import type { ResourceServerData } from '../schemas/resource-server.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { Storage, TenantRecord } from '../storage/ports.ts';
import { createSigningKey } from '../tokens/keys.ts';

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
