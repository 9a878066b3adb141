// An application that may call the whole Management API: a machine-to-machine client with a grant
// for every Management API scope. `scopeward init` makes one with generated credentials;
// `scopeward dev` one with fixed, printed credentials. It lives here, above management/ (whose
// defaults for a new application it uses), where both commands can reach it.
import type { Envelope } from '../crypto/envelope.ts';
import { isoNow, type Clock } from '../domain/clock.ts';
import { newClientId, newClientSecret, newGrantId } from '../domain/ids.ts';
import { MANAGEMENT_SCOPES } from '../domain/scopes.ts';
import { clientSecretLocation, sealClientSecret } from '../domain/secret-locations.ts';
import { managementAudienceFor } from '../domain/tenant.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import { newClientData } from '../management/client-view.ts';
import type { ClientRecord, Storage, TenantRecord } from '../storage/ports.ts';

export interface ManagementClient {
  clientId: string;
  clientSecret: string;
  audience: string;
}

export async function createManagementClient(
  storage: Storage,
  envelope: Envelope,
  clock: Clock,
  tenant: Pick<TenantRecord, 'id' | 'name' | 'domain'>,
  options: { name: string; clientId?: string; clientSecret?: string },
): Promise<ManagementClient> {
  const clientId = options.clientId ?? newClientId();
  const clientSecret = options.clientSecret ?? newClientSecret();
  const now = isoNow(clock);
  const audience = managementAudienceFor(tenant.domain);
  await storage.transaction(async (tx) => {
    await tx.clients.create({
      tenantId: tenant.id,
      clientId,
      data: newClientData({ name: options.name, app_type: 'non_interactive' }, { clientId, tenantName: tenant.name }),
      ...sealClientSecret(envelope, tenant.id, clientId, clientSecret),
      createdAt: now,
      updatedAt: now,
    });
    await tx.grants.create({ tenantId: tenant.id, id: newGrantId(), clientId, audience, subjectType: 'client', scope: [...MANAGEMENT_SCOPES], extra: {}, createdAt: now });
  });
  return { clientId, clientSecret, audience };
}

export interface ExistingManagementClient extends ManagementClient {
  name: string;
}

/**
 * The tenant's first machine-to-machine application that holds every Management API scope (what
 * `scopeward init` makes), if there is one: a second `init` reuses it rather than making another
 * all-powerful application (issue 14).
 */
export async function findManagementClient(storage: Storage, envelope: Envelope, tenant: Pick<TenantRecord, 'id' | 'domain'>): Promise<ExistingManagementClient | undefined> {
  const audience = managementAudienceFor(tenant.domain);
  const { items } = await storage.grants.list(tenant.id, { audience, subjectType: 'client' }, { offset: 0, limit: 10_000, withTotal: false });
  const found: ClientRecord[] = [];
  for (const grant of items) {
    const held = new Set(grant.scope);
    if (!MANAGEMENT_SCOPES.every((scope) => held.has(scope))) continue;
    const client = await storage.clients.get(tenant.id, grant.clientId);
    if (!client?.secretSealed || client.data.app_type !== 'non_interactive' || client.data.global || isDashboardClient(client.data)) continue;
    found.push(client);
  }
  found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId));
  const first = found[0];
  if (!first?.secretSealed) return undefined;
  return { clientId: first.clientId, clientSecret: envelope.open(first.secretSealed, clientSecretLocation(tenant.id, first.clientId)), audience, name: first.data.name ?? '' };
}
