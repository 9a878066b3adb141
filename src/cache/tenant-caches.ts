// The caches of one tenant, and what a change event removes from them (R3): only the entries the
// event names, plus the derived lists that contain them. An event without ids removes the whole
// kind. Whatever is left keeps serving the hot paths from memory, also while the database is down.
import type { ChangeEvent, ChangeIds } from './change-event.ts';
import { LoadingCache } from './loading-cache.ts';
import type { ClientGrantRecord } from '../storage/ports.ts';
import type { ClientOrder } from './client-order.ts';
import type { GrantOrder } from './grant-order.ts';
import { ClientViews } from './client-views.ts';
import type { KeyRing } from '../tokens/keys.ts';
import type { CachedApi, CachedClient, Denylist, LegacySigning } from './registry.ts';

const MAX_ENTRIES = 50_000;
const MISSING_ENTRIES = 10_000;

/** The grants cache key: one client-credentials grant (client, audience). */
export function grantKey(clientId: string, audience: string): string {
  return `${clientId}\n${audience}`;
}

export class TenantCaches {
  readonly clients = new LoadingCache<string, CachedClient | null>(MAX_ENTRIES);
  /** Ids looked up and not found, kept apart so a flood of made-up ids cannot evict real clients. */
  readonly missingClients = new LoadingCache<string, true>(MISSING_ENTRIES);
  readonly grants = new LoadingCache<string, ClientGrantRecord | null>(MAX_ENTRIES);
  readonly apis = new LoadingCache<string, CachedApi | null>(MAX_ENTRIES);
  readonly keys = new LoadingCache<'ring', KeyRing>(1);
  readonly origins = new LoadingCache<'all', ReadonlySet<string>>(1);
  /** The applications in list order, as keys (no rows): page/per_page → keyset, totals, filters. */
  readonly clientOrder: ClientOrder;
  /** The client grants in list order, as keys: page/per_page → keyset, totals, filters. */
  readonly grantOrder: GrantOrder;
  /** Serialized GET /clients answers without secrets. */
  readonly clientViews = new ClientViews();
  /** The dashboard application's id (null: none yet). */
  readonly dashboardClient = new LoadingCache<'id', string | null>(1);
  readonly legacy = new LoadingCache<'key', LegacySigning | null>(1);
  readonly denylist = new LoadingCache<'all', Denylist>(1);

  readonly #all = [this.clients, this.missingClients, this.grants, this.apis, this.keys, this.origins, this.clientViews, this.dashboardClient, this.legacy, this.denylist];

  constructor(orders: { clients: ClientOrder; grants: GrantOrder }) {
    this.clientOrder = orders.clients;
    this.grantOrder = orders.grants;
  }

  /** Drops what an event names (events of kind `tenants` are the registry's own business). */
  apply({ kind, ids }: ChangeEvent): void {
    switch (kind) {
      case 'clients':
        this.#dropClients(ids?.clients);
        break;
      case 'client_usage':
        // Bookkeeping shown only where client_secret_rotation is asked for: single clients, the
        // list order and every other view keep their entries (issue 13: a trickle of tokens no
        // longer drops the list every flush).
        this.clientViews.dropUsage();
        break;
      case 'grants':
        this.#dropGrants(ids);
        break;
      case 'resource_servers':
        if (ids?.audiences) for (const identifier of ids.audiences) this.apis.delete(identifier);
        else this.apis.clear();
        break;
      case 'keys':
        this.keys.clear();
        this.clientViews.clear(); // views carry the current signing certificate
        break;
      case 'denylist':
        this.#addDenied(ids?.tokens);
        break;
      case 'tenants':
        // The legacy key hangs on tenant settings; reloading the tenant is the registry's part.
        this.legacy.clear();
        break;
    }
  }

  #dropClients(clientIds: string[] | undefined): void {
    if (clientIds) {
      for (const id of clientIds) {
        this.clients.delete(id);
        this.missingClients.delete(id);
      }
      this.clientOrder.changed(clientIds);
    } else {
      this.clients.clear();
      this.missingClients.clear();
      this.clientOrder.clear();
    }
    // Derived from every client: CORS origins and list views.
    this.origins.clear();
    this.clientViews.clear();
    const dashboard = this.dashboardClient.peek('id');
    if (!clientIds || !dashboard || clientIds.includes(dashboard)) this.dashboardClient.clear();
    // The legacy key is the global client's secret: it goes only when that client may have changed.
    const legacy = this.legacy.peek('key');
    if (!clientIds || !legacy || clientIds.includes(legacy.globalClientId)) this.legacy.clear();
  }

  #dropGrants(ids: ChangeIds | undefined): void {
    this.grantOrder.changed(ids);
    if (!ids) return this.grants.clear();
    for (const { clientId, audience } of ids.grants ?? []) this.grants.delete(grantKey(clientId, audience));
    const clients = new Set(ids.clients ?? []);
    const audiences = new Set(ids.audiences ?? []);
    if (clients.size + audiences.size === 0) return;
    this.grants.deleteWhere((key) => {
      const cut = key.indexOf('\n');
      return clients.has(key.slice(0, cut)) || audiences.has(key.slice(cut + 1));
    });
  }

  /** Denylist entries only ever get added by a write: add them, or reload the whole list. */
  #addDenied(tokens: ChangeIds['tokens']): void {
    if (!tokens) return this.denylist.clear();
    this.denylist.update('all', (list) => {
      const next = new Map([...list].map(([jti, auds]) => [jti, new Set(auds)]));
      for (const { jti, aud } of tokens) next.set(jti, new Set([...(next.get(jti) ?? []), aud]));
      return next;
    });
  }

  /** Changes may have been missed (the notification channel was down): forget everything. */
  clear(): void {
    for (const cache of this.#all) cache.clear();
    this.clientOrder.clear();
    this.grantOrder.clear();
  }

  /** The periodic resync: reload on next use, keep serving while the database does not answer. */
  markStale(): void {
    for (const cache of this.#all) cache.markStale();
    this.clientOrder.markStale();
    this.grantOrder.markStale();
  }
}
