// Origins any application of the tenant allows (CORS for /oauth/token and /api/v2, spec §0 row 8),
// loaded page by page through the list order (never every application at once) and dropped by any
// application change.
import type { ClientRecord } from '../storage/ports.ts';
import { always, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

const PAGE = 500;

function addOrigins(origins: Set<string>, { data }: ClientRecord): void {
  for (const o of [...(data.web_origins ?? []), ...(data.allowed_origins ?? [])]) origins.add(o.replace(/\/+$/, ''));
  for (const cb of data.callbacks ?? []) {
    try {
      origins.add(new URL(cb).origin);
    } catch {
      // Not a URL; cannot be an origin.
    }
  }
}

export class OriginCache {
  readonly #ctx: CacheContext;
  readonly #origins: LoadingCache<'all', ReadonlySet<string>>;

  constructor(ctx: CacheContext) {
    this.#origins = new LoadingCache(1, { counter: ctx.counter?.('origins') });
    this.#ctx = ctx;
  }

  get(): Promise<ReadonlySet<string>> {
    return this.#origins.get('all', () => this.#load(), always, unavailable);
  }

  async #load(): Promise<ReadonlySet<string>> {
    const { storage, tenantId } = this.#ctx;
    const origins = new Set<string>();
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await storage.clients.listAfter(tenantId, {}, after, PAGE);
      for (const r of page) addOrigins(origins, r);
      const last = page.at(-1);
      if (!last || page.length < PAGE) break;
      after = { createdAt: last.createdAt, id: last.clientId };
    }
    origins.delete('null');
    return origins;
  }

  clear(): void {
    this.#origins.clear();
  }

  markStale(): void {
    this.#origins.markStale();
  }
}
