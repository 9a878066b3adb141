// The tenant's signing keys, opened: what every token signature and verification uses. Any key
// change reloads the whole ring (a handful of keys).
import { loadKeyRing, type KeyRing } from '../tokens/keys.ts';
import { always, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

export class KeyRingCache {
  readonly #ctx: CacheContext;
  readonly #ring: LoadingCache<'ring', KeyRing>;

  constructor(ctx: CacheContext) {
    this.#ring = new LoadingCache(1, { counter: ctx.counter?.('keys') });
    this.#ctx = ctx;
  }

  get(): Promise<KeyRing> {
    const { storage, envelope, tenantId } = this.#ctx;
    return this.#ring.get('ring', async () => loadKeyRing(envelope, await storage.signingKeys.list(tenantId)), always, unavailable);
  }

  clear(): void {
    this.#ring.clear();
  }

  markStale(): void {
    this.#ring.markStale();
  }
}
