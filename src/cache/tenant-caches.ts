// The caches of one tenant, each with one job (issue 13), and what a change event removes from
// them (R3): only the entries the event names, plus the derived values that contain them. An event
// without ids removes the whole kind. Whatever is left keeps serving the hot paths from memory,
// also while the database is down.
import { ApiCache } from './api-cache.ts';
import type { CacheContext } from './cache-context.ts';
import type { ChangeEvent } from './change-event.ts';
import { ClientCache } from './client-cache.ts';
import { ClientOrder } from './client-order.ts';
import { ClientViews } from './client-views.ts';
import { DashboardClientCache } from './dashboard-client-cache.ts';
import { DenylistCache } from './denylist-cache.ts';
import { GrantCache } from './grant-cache.ts';
import { GrantOrder } from './grant-order.ts';
import { KeyRingCache } from './key-ring-cache.ts';
import { LegacyKeyCache } from './legacy-key-cache.ts';
import { OriginCache } from './origin-cache.ts';

export class TenantCaches {
  /** Applications by client_id (token endpoint, login). */
  readonly clients: ClientCache;
  /** Client-credentials grants by (application, audience). */
  readonly grants: GrantCache;
  /** APIs by identifier. */
  readonly apis: ApiCache;
  readonly keys: KeyRingCache;
  /** CORS origins of every application. */
  readonly origins: OriginCache;
  /** The applications in list order, as keys (no rows): page/per_page → keyset, totals, filters. */
  readonly clientOrder: ClientOrder;
  /** The client grants in list order, as keys. */
  readonly grantOrder: GrantOrder;
  /** Serialized GET /clients answers without secrets. */
  readonly clientViews: ClientViews;
  readonly dashboardClient: DashboardClientCache;
  readonly legacy: LegacyKeyCache;
  readonly denylist: DenylistCache;

  readonly #all: { clear(): void; markStale(): void }[];

  constructor(ctx: CacheContext) {
    this.clients = new ClientCache(ctx);
    this.grants = new GrantCache(ctx);
    this.apis = new ApiCache(ctx);
    this.keys = new KeyRingCache(ctx);
    this.origins = new OriginCache(ctx);
    this.clientOrder = new ClientOrder(ctx.storage, ctx.tenantId, ctx.onError);
    this.grantOrder = new GrantOrder(ctx.storage, ctx.tenantId, ctx.onError);
    this.clientViews = new ClientViews(ctx.counter?.('client_views'));
    this.dashboardClient = new DashboardClientCache(ctx);
    this.legacy = new LegacyKeyCache(ctx);
    this.denylist = new DenylistCache(ctx);
    this.#all = [this.clients, this.grants, this.apis, this.keys, this.origins, this.clientOrder, this.grantOrder, this.clientViews, this.dashboardClient, this.legacy, this.denylist];
  }

  /** Drops what an event names (events of kind `tenants` are the registry's own business). */
  apply({ kind, ids }: ChangeEvent): void {
    switch (kind) {
      case 'clients': {
        const clientIds = ids?.clients;
        this.clients.changed(clientIds);
        if (clientIds) this.clientOrder.changed(clientIds);
        else this.clientOrder.clear();
        // Derived from every client: CORS origins and list answers.
        this.origins.clear();
        this.clientViews.clear();
        this.dashboardClient.clientsChanged(clientIds);
        // The legacy key is the global client's secret: it goes only when that client may have changed.
        this.legacy.clientsChanged(clientIds);
        break;
      }
      case 'client_usage':
        // Bookkeeping shown only where client_secret_rotation is asked for: single clients, the
        // list order and every other answer keep their entries (issue 13: a trickle of tokens no
        // longer drops the list at every flush).
        this.clientViews.dropUsage();
        break;
      case 'grants':
        this.grants.changed(ids);
        this.grantOrder.changed(ids);
        break;
      case 'resource_servers':
        this.apis.changed(ids?.audiences);
        break;
      case 'keys':
        this.keys.clear();
        this.clientViews.clear(); // answers carry the current signing certificate
        break;
      case 'denylist':
        this.denylist.added(ids?.tokens);
        break;
      case 'tenants':
        // The legacy key hangs on tenant settings; reloading the tenant is the registry's part.
        this.legacy.clear();
        break;
    }
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
