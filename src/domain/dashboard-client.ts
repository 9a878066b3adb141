// The dashboard application (issue #5, decision 0006): every tenant has one system SPA client,
// "Scopeward Dashboard", through which administrators sign in at /dashboard/. It is public (no
// secret, token_endpoint_auth_method none), its only callback and logout URL is the tenant's
// `${issuer}dashboard/`, and the Management API refuses to change, rotate or delete it. The marker
// `scopeward_system` is not a writable client field, so no API caller can forge or remove it.
import type { ClientData } from '../schemas/client.ts';
import type { ClientRecord, Storage, TenantRecord } from '../storage/ports.ts';
import { newClientId } from './ids.ts';
import { issuerFor } from './tenant.ts';

export const DASHBOARD_CLIENT_NAME = 'Scopeward Dashboard';
export const DASHBOARD_MARKER = 'dashboard';

export const isDashboardClient = (data: Pick<ClientData, 'scopeward_system'>): boolean => data.scopeward_system === DASHBOARD_MARKER;

/** The fields that follow the tenant's domain: the dashboard lives at `${issuer}dashboard/`. */
export function dashboardUrlsFor(domain: string): Pick<ClientData, 'callbacks' | 'allowed_logout_urls' | 'web_origins'> {
  const issuer = issuerFor(domain);
  return { callbacks: [`${issuer}dashboard/`], allowed_logout_urls: [`${issuer}dashboard/`], web_origins: [issuer.slice(0, -1)] };
}

export function dashboardClientRecord(tenant: Pick<TenantRecord, 'id' | 'name' | 'domain'>, now: string): ClientRecord {
  const clientId = newClientId();
  const data: ClientData = {
    client_id: clientId,
    tenant: tenant.name,
    global: false,
    scopeward_system: DASHBOARD_MARKER,
    name: DASHBOARD_CLIENT_NAME,
    description: 'System application: administrators sign in to the Scopeward dashboard with it. It cannot be changed or deleted.',
    app_type: 'spa',
    is_first_party: true,
    oidc_conformant: true,
    ...dashboardUrlsFor(tenant.domain),
    // Same origin as the API it calls: no CORS origin needed.
    allowed_origins: [],
    client_aliases: [],
    allowed_clients: [],
    // Code + PKCE only: silent renewal is another /authorize (prompt=none, web_message), no refresh token.
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false },
    sso_disabled: false,
    cross_origin_authentication: false,
    custom_login_page_on: true,
    callback_url_template: false,
  };
  return { tenantId: tenant.id, clientId, data, secretSealed: null, secretMac: null, createdAt: now, updatedAt: now };
}

/** The tenant's dashboard client (the oldest, should two processes have raced to make it). */
export async function findDashboardClient(storage: Storage, tenantId: string): Promise<ClientRecord | undefined> {
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await storage.clients.listAfter(tenantId, { appTypes: ['spa'] }, after, 500);
    const found = page.find((r) => isDashboardClient(r.data));
    if (found) return found;
    const last = page.at(-1);
    if (!last || page.length < 500) return undefined;
    after = { createdAt: last.createdAt, id: last.clientId };
  }
}
