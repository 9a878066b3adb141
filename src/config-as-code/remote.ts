// What the tenant holds now, read through the Management API: the state an export writes and an
// import compares the file with. Also which objects are Scopeward's own (never exported, never
// changed or deleted by an import), found from what the API shows of them.
import { DASHBOARD_CLIENT_NAME } from '../domain/dashboard-client.ts';
import type { ManagementApi } from './api.ts';
import type { Item } from './tenant-file.ts';

export interface RemoteState {
  /** Every application but the global client, as the API renders them for this token. */
  clients: Item[];
  resourceServers: Item[];
  grants: Item[];
  connections: Item[];
  tenant: Item;
}

/**
 * `secrets`: also read client and API secrets (with read:client_keys). Otherwise they are asked
 * out of the answers, so that an export or import that needs none reads none: the tenant log
 * then shows no secret read (mgmt_api_read) for it.
 */
export async function readRemote(api: ManagementApi, options: { secrets: boolean }): Promise<RemoteState> {
  const without = (field: string) => (options.secrets ? [] : [`fields=${field}`, 'include_fields=false']);
  const query = (...parts: string[]) => (parts.length > 0 ? `?${parts.join('&')}` : '');
  const [clients, resourceServers, grants, connections, tenant] = await Promise.all([
    api.list(`/api/v2/clients${query('is_global=false', ...without('client_secret'))}`, 'clients'),
    api.list(`/api/v2/resource-servers${query(...without('signing_secret'))}`, 'resource_servers'),
    api.list('/api/v2/client-grants', 'client_grants'),
    api.list('/api/v2/connections', 'connections'),
    api.get('/api/v2/tenants/settings') as Promise<Item>,
  ]);
  return { clients, resourceServers, grants, connections, tenant };
}

/**
 * The dashboard's application: made by Scopeward for every tenant, refused any change or deletion
 * by the API. Known by its marker where the API shows it, else by its reserved name.
 */
export function isSystemClient(client: Item): boolean {
  return client.scopeward_system !== undefined || (client.name === DASHBOARD_CLIENT_NAME && client.app_type === 'spa');
}

/** The Management API itself (Auth0 and Scopeward both refuse to change it). */
export function isSystemApi(api: Item): boolean {
  return api.is_system === true;
}

export const isDatabase = (connection: Item): boolean => connection.strategy === 'auth0';
