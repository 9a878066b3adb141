// What an import would do: the file compared with the tenant, as a list of Management API calls
// (create, update, delete) and of what it leaves alone and why. Every body is checked before the
// plan is returned, so a bad file stops here, before anything is written. Matching follows the
// Deploy CLI: applications by name (or client_id), APIs by identifier, grants by (application,
// audience, subject type); deletions only with --allow-delete, only for the types the file holds,
// and never of the application the import runs as, nor of what Scopeward made and refuses to
// change (its dashboard application, the Management API).
import type { ManagementApi } from './api.ts';
import { checkTenantUpdate } from './checks.ts';
import { patchFor, sameValue } from './diff.ts';
import { TENANT_READ_ONLY_FLAGS } from './export.ts';
import { planApis, planClients, planGrants } from './plan-objects.ts';
import type { RemoteState } from './remote.ts';
import { FileError, type Item, type TenantFile } from './tenant-file.ts';

export type ResourceType = 'tenant' | 'clients' | 'databases' | 'connections' | 'resourceServers' | 'clientGrants';
export type ChangeKind = 'create' | 'update' | 'delete' | 'skip';

/** The ids of the applications the import creates, by name, for the grants that name them. */
export type MadeClients = Map<string, string>;

export interface Change {
  type: ResourceType;
  kind: ChangeKind;
  label: string;
  /** The fields an update sends. */
  fields?: string[];
  /** Why a skip is one. */
  note?: string;
  /** Its Management API calls (none for a skip). */
  run?: (api: ManagementApi, made: MadeClients) => Promise<void>;
}

export interface Plan {
  /** In the order they run: creates and updates (APIs, applications, grants, tenant), then deletions. */
  changes: Change[];
  unchanged: number;
  /** On the server, not in the file, kept because deletion was not allowed. */
  kept: { type: ResourceType; label: string }[];
}

export interface PlanOptions {
  allowDelete: boolean;
}

/** Shared by the planners: the tenant, the caller, where problems and counts go. */
export interface Planning {
  remote: RemoteState;
  file: TenantFile;
  api: Pick<ManagementApi, 'domain' | 'callerClientId'>;
  allowDelete: boolean;
  problems: string[];
  upserts: Change[];
  deletes: Change[];
  skips: Change[];
  kept: Plan['kept'];
  unchanged: number;
  /** Applications this import deletes (a grant in the file must not name one). */
  deletedClients: Set<unknown>;
}

function planTenant(p: Planning): void {
  const wanted = p.file.tenant;
  if (!wanted) return;
  const { sandbox_versions_available: _readOnly, ...settings } = wanted;
  if (settings.flags && typeof settings.flags === 'object') {
    settings.flags = Object.fromEntries(Object.entries(settings.flags).filter(([k]) => !(TENANT_READ_ONLY_FLAGS as readonly string[]).includes(k)));
  }
  // Flags and rate limits merge one level deep on the server: only the members that differ are sent.
  const patch = patchFor(settings, p.remote.tenant, { merged: ['flags', 'rate_limits'] });
  if (Object.keys(patch).length === 0) {
    p.unchanged++;
    return;
  }
  const problem = checkTenantUpdate(patch);
  if (problem) p.problems.push(`tenant: ${problem}`);
  p.upserts.push({ type: 'tenant', kind: 'update', label: 'tenant settings', fields: Object.keys(patch), run: (api) => api.patch('/api/v2/tenants/settings', patch).then(() => undefined) });
}

/**
 * Connections are read-only through Scopeward's Management API (each tenant has its database
 * connection, made by Scopeward): one that matches is unchanged, any other is reported and left.
 */
function planConnections(p: Planning, type: 'databases' | 'connections'): void {
  const items = p.file[type];
  if (!items) return;
  const names = new Map(p.remote.clients.map((c) => [c.client_id, c.name]));
  items.forEach((item: Item, i) => {
    const name = item.name;
    if (typeof name !== 'string' || name === '') {
      p.problems.push(`${type}[${i}]: every connection needs a name`);
      return;
    }
    const match = p.remote.connections.find((c) => c.name === name);
    if (!match) {
      p.skips.push({ type, kind: 'skip', label: name, note: 'not on this tenant, and Scopeward makes no connections through the Management API (only its database connection exists)' });
      return;
    }
    const enabled = match.enabled_clients;
    const current = Array.isArray(enabled) ? { ...match, enabled_clients: (enabled as unknown[]).map((id) => names.get(id) ?? id) } : match;
    const differs = Object.keys(patchFor(item, current, { ignore: ['id', 'realms'], compare: { enabled_clients: (a, b) => sameValue(sorted(a), sorted(b)) } }));
    if (differs.length === 0) p.unchanged++;
    else p.skips.push({ type, kind: 'skip', label: name, fields: differs, note: 'differs, and Scopeward\'s connections cannot be changed through the Management API' });
  });
}

const sorted = (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[]).map(String).sort() : v);

/** Compares the file with the tenant; throws FileError (listing every problem) if any body would be refused. */
export function planImport(file: TenantFile, remote: RemoteState, api: Pick<ManagementApi, 'domain' | 'callerClientId'>, origin: string, options: PlanOptions): Plan {
  const p: Planning = { remote, file, api, allowDelete: options.allowDelete, problems: [], upserts: [], deletes: [], skips: [], kept: [], unchanged: 0, deletedClients: new Set() };
  planApis(p);
  planGrants(p, planClients(p));
  planTenant(p);
  planConnections(p, 'databases');
  planConnections(p, 'connections');
  if (p.problems.length > 0) throw new FileError(origin, p.problems);
  // Grants go before the applications and APIs they name, which would take them along anyway.
  const order: ResourceType[] = ['clientGrants', 'clients', 'resourceServers'];
  const deletes = [...p.deletes].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return { changes: [...p.upserts, ...deletes, ...p.skips], unchanged: p.unchanged, kept: p.kept };
}
