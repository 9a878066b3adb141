// The key legacy HS256 tokens are verified with (D8): the base64-decoded Global Client Secret, with
// a tag that changes whenever the key does. It goes when the global client may have changed or
// the tenant's settings did.
import { createHash } from 'node:crypto';
import { globalClientCredentials } from '../domain/global-client.ts';
import type { LegacyKey } from '../tokens/verify.ts';
import { always, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

/** The legacy HS256 key of a tenant (D8), with a tag that changes whenever the key does. */
export interface LegacySigning extends LegacyKey {
  tag: string;
}

export class LegacyKeyCache {
  readonly #ctx: CacheContext;
  readonly #key: LoadingCache<'key', LegacySigning | null>;

  constructor(ctx: CacheContext) {
    this.#key = new LoadingCache(1, { counter: ctx.counter?.('legacy') });
    this.#ctx = ctx;
  }

  get(): Promise<LegacySigning | null> {
    const { storage, envelope, tenantId } = this.#ctx;
    return this.#key.get(
      'key',
      async () => {
        const global = await globalClientCredentials(storage, envelope, tenantId);
        if (!global) return null;
        const secret = Buffer.from(global.secret, 'base64');
        return { globalClientId: global.clientId, secret, tag: createHash('sha256').update(secret).digest('base64url').slice(0, 16) };
      },
      always,
      unavailable,
    );
  }

  /** A `clients` change: the key goes only when the global client may be among them. */
  clientsChanged(clientIds: readonly string[] | undefined): void {
    const legacy = this.#key.peek('key');
    if (!clientIds || !legacy || clientIds.includes(legacy.globalClientId)) this.#key.clear();
  }

  clear(): void {
    this.#key.clear();
  }

  markStale(): void {
    this.#key.markStale();
  }
}
