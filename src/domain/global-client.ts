// The global client (spec §2.3, §3.5.1): every tenant has one, "All Applications", whose client id
// and secret are the Global Client Id and Secret of legacy HS256 Management API tokens. It cannot
// be deleted, obtains no tokens itself (no grant types), and its secret is always server-generated
// (384 bits, T-LEG-09): it can be rotated, never set by hand.
import type { Envelope } from '../crypto/envelope.ts';
import type { ClientData } from '../schemas/client.ts';
import type { ClientRecord, Storage, TenantRecord } from '../storage/ports.ts';
import { newClientId, newClientSecret } from './ids.ts';
import { clientSecretLocation, sealClientSecret } from './secret-locations.ts';

export const GLOBAL_CLIENT_NAME = 'All Applications';

export function globalClientRecord(envelope: Envelope, tenant: Pick<TenantRecord, 'id' | 'name'>, now: string): ClientRecord {
  const clientId = newClientId();
  const data: ClientData = {
    client_id: clientId,
    tenant: tenant.name,
    global: true,
    name: GLOBAL_CLIENT_NAME,
    is_first_party: true,
    callbacks: [],
    allowed_origins: [],
    web_origins: [],
    allowed_logout_urls: [],
    client_aliases: [],
    allowed_clients: [],
    grant_types: [],
    token_endpoint_auth_method: 'client_secret_post',
    callback_url_template: false,
    custom_login_page_on: true,
    sso_disabled: false,
  };
  return { tenantId: tenant.id, clientId, data, ...sealClientSecret(envelope, tenant.id, clientId, newClientSecret()), createdAt: now, updatedAt: now };
}

/** The tenant's global client, if it has one. */
export async function findGlobalClient(storage: Storage, tenantId: string): Promise<ClientRecord | undefined> {
  const { items } = await storage.clients.list(tenantId, { isGlobal: true }, { offset: 0, limit: 1, withTotal: false });
  return items[0];
}

/** The Global Client Id and Secret (the secret as issued: base64 text), for minting legacy tokens. */
export async function globalClientCredentials(storage: Storage, envelope: Envelope, tenantId: string): Promise<{ clientId: string; secret: string } | undefined> {
  const global = await findGlobalClient(storage, tenantId);
  if (!global?.secretSealed) return undefined;
  return { clientId: global.clientId, secret: envelope.open(global.secretSealed, clientSecretLocation(tenantId, global.clientId)) };
}
