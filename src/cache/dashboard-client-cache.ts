// The id of the tenant's dashboard application (/dashboard/config.json): found once, dropped when
// a change may have touched it (it names that client, names none, or none was found yet).
import { findDashboardClient } from '../domain/dashboard-client.ts';
import { always, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

export class DashboardClientCache {
  readonly #ctx: CacheContext;
  readonly #id: LoadingCache<'id', string | null>;

  constructor(ctx: CacheContext) {
    this.#id = new LoadingCache(1, { counter: ctx.counter?.('dashboard_client') });
    this.#ctx = ctx;
  }

  get(): Promise<string | null> {
    return this.#id.get('id', async () => (await findDashboardClient(this.#ctx.storage, this.#ctx.tenantId))?.clientId ?? null, always, unavailable);
  }

  clientsChanged(clientIds: readonly string[] | undefined): void {
    const id = this.#id.peek('id');
    if (!clientIds || !id || clientIds.includes(id)) this.#id.clear();
  }

  clear(): void {
    this.#id.clear();
  }

  markStale(): void {
    this.#id.markStale();
  }
}
