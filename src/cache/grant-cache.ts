// Client-credentials grants by (application, audience), as the token endpoint reads them; a change
// drops the pairs it names, every grant of the applications it names, or every grant for the
// audiences it names.
import type { ChangeIds } from './change-event.ts';
import type { ClientGrantRecord } from '../storage/ports.ts';
import { always, MAX_ENTRIES, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

/** The grants cache key: one client-credentials grant (client, audience). */
function grantKey(clientId: string, audience: string): string {
  return `${clientId}\n${audience}`;
}

export class GrantCache {
  readonly #ctx: CacheContext;
  readonly #grants: LoadingCache<string, ClientGrantRecord | null>;

  constructor(ctx: CacheContext) {
    this.#grants = new LoadingCache(MAX_ENTRIES, { counter: ctx.counter?.('grants') });
    this.#ctx = ctx;
  }

  get(clientId: string, audience: string): Promise<ClientGrantRecord | null> {
    const { storage, tenantId } = this.#ctx;
    return this.#grants.get(grantKey(clientId, audience), async () => (await storage.grants.find(tenantId, clientId, audience, 'client')) ?? null, always, unavailable);
  }

  changed(ids: ChangeIds | undefined): void {
    if (!ids) return this.#grants.clear();
    for (const { clientId, audience } of ids.grants ?? []) this.#grants.delete(grantKey(clientId, audience));
    const clients = new Set(ids.clients ?? []);
    const audiences = new Set(ids.audiences ?? []);
    if (clients.size + audiences.size === 0) return;
    this.#grants.deleteWhere((key) => {
      const cut = key.indexOf('\n');
      return clients.has(key.slice(0, cut)) || audiences.has(key.slice(cut + 1));
    });
  }

  clear(): void {
    this.#grants.clear();
  }

  markStale(): void {
    this.#grants.markStale();
  }
}
