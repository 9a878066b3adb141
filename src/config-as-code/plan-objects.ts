// The planners for the list resources an import writes: APIs (resource servers), applications
// (clients) and client grants. Each matches file items with the tenant's objects, checks the body
// each call would send, and records creates, updates, deletions, skips and what it keeps.
import { managementAudienceFor } from '../domain/tenant.ts';
import { MANAGEMENT_API_NAME } from '../provisioning/create-tenant.ts';
import { checkApiCreate, checkApiUpdate, checkClientCreate, checkClientUpdate, checkGrantCreate, checkGrantUpdate } from './checks.ts';
import { patchFor, sameSet } from './diff.ts';
import { API_READ_ONLY, CLIENT_READ_ONLY } from './export.ts';
import type { Planning } from './plan.ts';
import { isSystemApi, isSystemClient } from './remote.ts';
import type { Item } from './tenant-file.ts';

const without = (item: Item, keys: readonly string[]): Item => Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k)));
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const enc = encodeURIComponent;

export function planApis(p: Planning): void {
  const items = p.file.resourceServers;
  if (!items) return;
  const matched = new Set<Item>();
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const identifier = str(item.identifier);
    if (!identifier) return void p.problems.push(`resourceServers[${i}]: every API needs an identifier`);
    const label = `${identifier}${typeof item.name === 'string' && item.name !== identifier ? ` (${item.name})` : ''}`;
    if (seen.has(identifier)) return void p.problems.push(`resourceServers: ${identifier} appears twice`);
    seen.add(identifier);
    const match = p.remote.resourceServers.find((r) => (item.id !== undefined && r.id === item.id) || r.identifier === identifier);
    // As the Deploy CLI: the Management API is not configured by a file (another tenant's would become an ordinary API here).
    const system = `the ${MANAGEMENT_API_NAME} is each tenant's own and is never changed`;
    if (item.name === MANAGEMENT_API_NAME && !(match && isSystemApi(match))) return void p.skips.push({ type: 'resourceServers', kind: 'skip', label, note: system });
    if (!match) {
      const body = without(item, API_READ_ONLY);
      const problem = checkApiCreate(body, p.api.domain);
      if (problem) p.problems.push(`resourceServers "${identifier}": ${problem}`);
      p.upserts.push({ type: 'resourceServers', kind: 'create', label, run: (api) => api.post('/api/v2/resource-servers', body).then(() => undefined) });
      return;
    }
    matched.add(match);
    const patch = patchFor(item, match, { ignore: [...API_READ_ONLY, 'identifier'] });
    if (Object.keys(patch).length === 0) return void p.unchanged++;
    if (isSystemApi(match)) return void p.skips.push({ type: 'resourceServers', kind: 'skip', label, fields: Object.keys(patch), note: system });
    const problem = checkApiUpdate(patch, { ...match, ...patch });
    if (problem) p.problems.push(`resourceServers "${identifier}": ${problem}`);
    const id = String(match.id);
    p.upserts.push({ type: 'resourceServers', kind: 'update', label, fields: Object.keys(patch), run: (api) => api.patch(`/api/v2/resource-servers/${enc(id)}`, patch).then(() => undefined) });
  });
  for (const r of p.remote.resourceServers) {
    if (matched.has(r) || isSystemApi(r)) continue;
    const label = String(r.identifier);
    if (!p.allowDelete) p.kept.push({ type: 'resourceServers', label });
    else p.deletes.push({ type: 'resourceServers', kind: 'delete', label, run: (api) => api.delete(`/api/v2/resource-servers/${enc(String(r.id))}`) });
  }
}

/** The file's applications, matched: name -> the tenant's application (undefined: to be created). */
type ClientMatches = Map<string, Item | undefined>;

export function planClients(p: Planning): ClientMatches {
  const matches: ClientMatches = new Map();
  const items = p.file.clients;
  if (!items) return matches;
  items.forEach((item, i) => {
    const name = str(item.name);
    if (!name) return void p.problems.push(`clients[${i}]: every application needs a name`);
    if (matches.has(name)) return void p.problems.push(`clients: "${name}" appears twice (applications are matched by name)`);
    const byId = str(item.client_id) && p.remote.clients.find((c) => c.client_id === item.client_id);
    const byName = p.remote.clients.filter((c) => c.name === name);
    if (!byId && byName.length > 1) return void p.problems.push(`clients "${name}": ${byName.length} applications on the server have this name; add the client_id of the one meant`);
    const match = byId || byName[0];
    matches.set(name, match);
    const { client_secret: secret, ...settings } = without(item, CLIENT_READ_ONLY);
    if (!match) {
      const problem = checkClientCreate(settings) ?? (secret === undefined ? undefined : checkClientUpdate({ client_secret: secret }));
      if (problem) p.problems.push(`clients "${name}": ${problem}`);
      p.upserts.push({
        type: 'clients',
        kind: 'create',
        label: name,
        ...(secret !== undefined && { fields: ['client_secret'] }),
        async run(api, made) {
          const created = (await api.post('/api/v2/clients', settings)) as Item;
          const id = String(created.client_id);
          made.set(name, id);
          // POST /clients makes its own secret; the file's replaces it (update:client_keys).
          if (secret !== undefined) await api.patch(`/api/v2/clients/${enc(id)}`, { client_secret: secret });
        },
      });
      return;
    }
    // A secret the token may not read cannot be compared: it is sent again (the same value changes nothing).
    const patch = patchFor(without(item, CLIENT_READ_ONLY), match, { compare: { client_secret: (a, b) => b !== undefined && a === b } });
    if (Object.keys(patch).length === 0) return void p.unchanged++;
    // Each tenant's own (its URLs name the tenant): one from another tenant's export is not a change to make.
    if (isSystemClient(match)) return void p.skips.push({ type: 'clients', kind: 'skip', label: name, fields: Object.keys(patch), note: "Scopeward's dashboard application, made for each tenant, is never changed" });
    if (match.client_id === p.api.callerClientId) {
      return void p.skips.push({ type: 'clients', kind: 'skip', label: name, fields: Object.keys(patch), note: 'the application this import runs as is never changed by it (as with the Deploy CLI)' });
    }
    const problem = checkClientUpdate(patch);
    if (problem) p.problems.push(`clients "${name}": ${problem}`);
    const id = String(match.client_id);
    p.upserts.push({ type: 'clients', kind: 'update', label: name, fields: Object.keys(patch), run: (api) => api.patch(`/api/v2/clients/${enc(id)}`, patch).then(() => undefined) });
  });
  const matched = new Set(matches.values());
  for (const c of p.remote.clients) {
    if (matched.has(c) || isSystemClient(c) || c.client_id === p.api.callerClientId) continue;
    const label = String(c.name);
    if (!p.allowDelete) p.kept.push({ type: 'clients', label });
    else {
      p.deletedClients.add(c.client_id);
      p.deletes.push({ type: 'clients', kind: 'delete', label, run: (api) => api.delete(`/api/v2/clients/${enc(String(c.client_id))}`) });
    }
  }
  return matches;
}

/** Which application a grant names: a file application (by name), or the tenant's by id or unique name. */
function resolveClient(p: Planning, matches: ClientMatches, ref: string): { id?: string; pending?: string; problem?: string } {
  if (matches.has(ref)) {
    const m = matches.get(ref);
    return m ? { id: String(m.client_id) } : { pending: ref };
  }
  const byId = p.remote.clients.find((c) => c.client_id === ref);
  if (byId) return { id: ref };
  const byName = p.remote.clients.filter((c) => c.name === ref);
  if (byName.length === 1) return { id: String(byName[0]!.client_id) };
  if (byName.length > 1) return { problem: `${byName.length} applications on the server are named "${ref}"` };
  return { problem: `application "${ref}" is neither in the file nor on the server` };
}

export function planGrants(p: Planning, matches: ClientMatches): void {
  const items = p.file.clientGrants;
  if (!items) return;
  const managementAudience = managementAudienceFor(p.api.domain);
  const audiences = new Set([...p.remote.resourceServers.map((r) => r.identifier), ...(p.file.resourceServers ?? []).map((r) => r.identifier)]);
  const hidden = new Set(p.remote.clients.filter(isSystemClient).map((c) => c.client_id));
  const key = (client: string, audience: unknown, subject: unknown) => `${client}\n${String(audience)}\n${typeof subject === 'string' ? subject : 'client'}`;
  const remote = new Map(p.remote.grants.map((g) => [key(String(g.client_id), g.audience, g.subject_type), g]));
  const matched = new Set<Item>();
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const ref = str(item.client_id);
    const audience = str(item.audience);
    if (!ref || !audience) return void p.problems.push(`clientGrants[${i}]: every grant needs client_id (an application name) and audience`);
    const label = `${ref} -> ${audience}`;
    const client = resolveClient(p, matches, ref);
    if (client.problem) return void p.problems.push(`clientGrants "${label}": ${client.problem}`);
    if (p.deletedClients.has(client.id)) return void p.problems.push(`clientGrants "${label}": its application is deleted by this import (it is not under clients:)`);
    if (!audiences.has(audience)) return void p.problems.push(`clientGrants "${label}": no API has the identifier ${audience} (neither in the file nor on the server)`);
    const k = key(client.id ?? `new:${client.pending}`, audience, item.subject_type);
    if (seen.has(k)) return void p.problems.push(`clientGrants "${label}": appears twice`);
    seen.add(k);
    const match = remote.get(k);
    if (!match) {
      const body = { ...without(item, ['id', 'is_system']), client_id: client.id ?? client.pending };
      const problem = checkGrantCreate(body, managementAudience);
      if (problem) p.problems.push(`clientGrants "${label}": ${problem}`);
      const pending = client.pending;
      p.upserts.push({
        type: 'clientGrants',
        kind: 'create',
        label,
        run: (api, made) => api.post('/api/v2/client-grants', { ...body, client_id: pending === undefined ? client.id : made.get(pending) }).then(() => undefined),
      });
      return;
    }
    matched.add(match);
    const patch = patchFor(item, match, { ignore: ['id', 'client_id', 'audience', 'subject_type', 'is_system'], compare: { scope: sameSet } });
    if (Object.keys(patch).length === 0) return void p.unchanged++;
    if (match.client_id === p.api.callerClientId) {
      return void p.skips.push({ type: 'clientGrants', kind: 'skip', label, fields: Object.keys(patch), note: 'the grants of the application this import runs as are never changed by it' });
    }
    const problem = checkGrantUpdate(patch, audience, managementAudience);
    if (problem) p.problems.push(`clientGrants "${label}": ${problem}`);
    p.upserts.push({ type: 'clientGrants', kind: 'update', label, fields: Object.keys(patch), run: (api) => api.patch(`/api/v2/client-grants/${enc(String(match.id))}`, patch).then(() => undefined) });
  });
  const names = new Map(p.remote.clients.map((c) => [c.client_id, c.name]));
  for (const g of p.remote.grants) {
    if (matched.has(g) || g.is_system === true || hidden.has(g.client_id) || g.client_id === p.api.callerClientId) continue;
    const label = `${String(names.get(g.client_id) ?? g.client_id)} -> ${String(g.audience)}`;
    if (!p.allowDelete) p.kept.push({ type: 'clientGrants', label });
    else p.deletes.push({ type: 'clientGrants', kind: 'delete', label, run: (api) => api.delete(`/api/v2/client-grants/${enc(String(g.id))}`) });
  }
}
