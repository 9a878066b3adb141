// The caches of one tenant, and what a change event removes from them (R3): only the entries the
// event names, plus the derived lists that contain them. An event without ids removes the whole
// kind. Whatever is left keeps serving the hot paths from memory, also while the database is down.
import type { ChangeEvent, ChangeIds } from './change-event.ts';
import { LoadingCache } from './loading-cache.ts';
import { NO_METRICS, type Metrics } from '../observability/metrics.ts';
import type { ClientGrantRecord, ClientRecord } from '../storage/ports.ts';
import type { KeyRing } from '../tokens/keys.ts';
import type { CachedApi, CachedClient, Denylist, LegacySigning } from './registry.ts';

const MAX_ENTRIES = 50_000;
const MISSING_ENTRIES = 10_000;

/** The grants cache key: one client-credentials grant (client, audience). */
export function grantKey(clientId: string, audience: string): string {
  return `${clientId}\n${audience}`;
}

export class TenantCaches {
  readonly clients: LoadingCache<string, CachedClient | null>;
  /** Ids looked up and not found, kept apart so a flood of made-up ids cannot evict real clients. */
  readonly missingClients: LoadingCache<string, true>;
  readonly grants: LoadingCache<string, ClientGrantRecord | null>;
  readonly apis: LoadingCache<string, CachedApi | null>;
  readonly keys: LoadingCache<'ring', KeyRing>;
  readonly origins: LoadingCache<'all', ReadonlySet<string>>;
  readonly clientList: LoadingCache<'all', readonly ClientRecord[] | null>;
  /** Serialized GET /clients answers without secrets, by visibility and query. */
  readonly clientViews: LoadingCache<string, string>;
  readonly legacy: LoadingCache<'key', LegacySigning | null>;
  readonly denylist: LoadingCache<'all', Denylist>;

  /** `metrics` counts hits and misses per cache, summed over tenants (the cache's name is the label). */
  constructor(metrics: Metrics = NO_METRICS) {
    const counted = (name: string) => (metrics.enabled ? metrics.cache(name) : undefined);
    this.clients = new LoadingCache(MAX_ENTRIES, counted('clients'));
    this.missingClients = new LoadingCache(MISSING_ENTRIES, counted('missing_clients'));
    this.grants = new LoadingCache(MAX_ENTRIES, counted('grants'));
    this.apis = new LoadingCache(MAX_ENTRIES, counted('apis'));
    this.keys = new LoadingCache(1, counted('keys'));
    this.origins = new LoadingCache(1, counted('origins'));
    this.clientList = new LoadingCache(1, counted('client_list'));
    this.clientViews = new LoadingCache(64, counted('client_views'));
    this.legacy = new LoadingCache(1, counted('legacy'));
    this.denylist = new LoadingCache(1, counted('denylist'));
    this.#all = [this.clients, this.missingClients, this.grants, this.apis, this.keys, this.origins, this.clientList, this.clientViews, this.legacy, this.denylist];
  }

  readonly #all: readonly Pick<LoadingCache<unknown, unknown>, 'clear' | 'markStale'>[];

  /** Drops what an event names (events of kind `tenants` are the registry's own business). */
  apply({ kind, ids }: ChangeEvent): void {
    switch (kind) {
      case 'clients':
        this.#dropClients(ids?.clients);
        break;
      case 'client_usage':
        // Bookkeeping shown in list views only; single clients keep their entries.
        this.clientList.clear();
        this.clientViews.clear();
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
    } else {
      this.clients.clear();
      this.missingClients.clear();
    }
    // Derived from every client: CORS origins and list views.
    this.origins.clear();
    this.clientList.clear();
    this.clientViews.clear();
    // The legacy key is the global client's secret: it goes only when that client may have changed.
    const legacy = this.legacy.peek('key');
    if (!clientIds || !legacy || clientIds.includes(legacy.globalClientId)) this.legacy.clear();
  }

  #dropGrants(ids: ChangeIds | undefined): void {
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
  }

  /** The periodic resync: reload on next use, keep serving while the database does not answer. */
  markStale(): void {
    for (const cache of this.#all) cache.markStale();
  }
}
