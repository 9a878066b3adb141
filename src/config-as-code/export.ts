// `scopeward export`: the tenant as `a0deploy export --format yaml` writes it. Identifiers are left
// out (objects are matched by name, APIs by identifier), grants name their application by name,
// read-only fields are dropped, and so are secrets unless asked for. What only Scopeward has (its
// dashboard application, the rate_limits setting, the secret-rotation view) stays out, so the file
// also imports into Auth0.
import type { ManagementApi } from './api.ts';
import { isDatabase, isSystemApi, isSystemClient, readRemote, type RemoteState } from './remote.ts';
import { dumpTenantFile, type Item, type TenantFile } from './tenant-file.ts';

/** Fields the API shows that no create or update takes (the Deploy CLI's read-only list, and Scopeward's own). */
export const CLIENT_READ_ONLY = [
  'client_id',
  'tenant',
  'global',
  'callback_url_template',
  'signing_keys',
  'custom_login_page_preview',
  'config_route',
  'owners',
  'client_secret_rotation',
  'scopeward_system',
  // Private Key JWT (issue 15): names credential ids of this tenant, which no other tenant has and
  // a create does not take; the credentials themselves are not exported.
  'client_authentication_methods',
] as const;
export const API_READ_ONLY = ['id', 'is_system', 'client_id'] as const;
const TENANT_READ_ONLY = ['sandbox_versions_available', 'rate_limits'] as const;
/** Flags a tenant shows but the Deploy CLI never writes back. */
export const TENANT_READ_ONLY_FLAGS = ['allow_changing_enable_sso', 'enable_sso', 'disable_impersonation', 'remove_stale_idp_attributes'] as const;

export interface ExportOptions {
  /** client_secret and signing_secret too (the token needs read:client_keys for client secrets). */
  includeSecrets: boolean;
}

const without = (item: Item, keys: readonly string[]): Item => Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k)));

/** Application id -> name, where the name is unambiguous (otherwise the id stays, as the Deploy CLI does). */
function clientNames(clients: readonly Item[]): (id: unknown) => unknown {
  const count = new Map<unknown, number>();
  for (const c of clients) count.set(c.name, (count.get(c.name) ?? 0) + 1);
  const byId = new Map(clients.map((c) => [c.client_id, c.name]));
  return (id) => {
    const name = byId.get(id);
    return name !== undefined && count.get(name) === 1 ? name : id;
  };
}

const LIST_FIELDS = ['allowed_clients', 'allowed_logout_urls', 'allowed_origins', 'callbacks'];

function exportClient(client: Item, options: ExportOptions): Item {
  const out = without(client, options.includeSecrets ? CLIENT_READ_ONLY : [...CLIENT_READ_ONLY, 'client_secret']);
  // The Deploy CLI writes these lists as [] rather than leave them out.
  for (const f of LIST_FIELDS) if (f in out && !out[f]) out[f] = [];
  return out;
}

function exportTenant(settings: Item): Item {
  const out = without(settings, TENANT_READ_ONLY);
  const flags = out.flags;
  if (flags && typeof flags === 'object') {
    const kept = without(flags as Item, TENANT_READ_ONLY_FLAGS);
    if (Object.keys(kept).length > 0) out.flags = kept;
    else delete out.flags;
  }
  return out;
}

/**
 * `caller`: the application the export runs as. Its grants stay out, as `a0deploy export` leaves
 * them out: an import never changes them, and elsewhere they would hand a copy of its powers to
 * whichever application has its name.
 */
export function toTenantFile(remote: RemoteState, options: ExportOptions, caller?: string): TenantFile {
  const clients = remote.clients.filter((c) => !isSystemClient(c));
  const hidden = new Set([...remote.clients.filter(isSystemClient).map((c) => c.client_id), caller]);
  const nameOf = clientNames(clients);
  const connection = (c: Item, readOnly: readonly string[]): Item => {
    const out = without(c, ['id', ...readOnly]);
    if (Array.isArray(c.enabled_clients)) out.enabled_clients = c.enabled_clients.map(nameOf).sort((a, b) => String(a).localeCompare(String(b)));
    return out;
  };
  return {
    tenant: exportTenant(remote.tenant),
    clients: clients.map((c) => exportClient(c, options)),
    databases: remote.connections.filter(isDatabase).map((c) => connection(c, [])),
    connections: remote.connections.filter((c) => !isDatabase(c)).map((c) => connection(c, ['realms'])),
    resourceServers: remote.resourceServers.filter((r) => !isSystemApi(r)).map((r) => without(r, options.includeSecrets ? API_READ_ONLY : [...API_READ_ONLY, 'signing_secret'])),
    clientGrants: remote.grants
      .filter((g) => g.is_system !== true && !hidden.has(g.client_id))
      .map((g) => ({ ...without(g, ['id', 'is_system']), client_id: nameOf(g.client_id) })),
  };
}

export async function exportYaml(api: ManagementApi, options: ExportOptions): Promise<string> {
  return dumpTenantFile(toTenantFile(await readRemote(api, { secrets: options.includeSecrets }), options, api.callerClientId));
}
