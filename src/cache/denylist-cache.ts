// Denylisted token ids of a tenant (checked on every Management API call). Entries are only ever
// added by a write, and the change carries them: they are added in place, not reloaded.
import type { DeniedToken } from './change-event.ts';
import { always, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

/** jti → audiences (or '' for "any") whose tokens are refused. */
export type Denylist = ReadonlyMap<string, ReadonlySet<string>>;

export class DenylistCache {
  readonly #ctx: CacheContext;
  readonly #list: LoadingCache<'all', Denylist>;

  constructor(ctx: CacheContext) {
    this.#list = new LoadingCache(1, { counter: ctx.counter?.('denylist') });
    this.#ctx = ctx;
  }

  get(): Promise<Denylist> {
    const { storage, tenantId } = this.#ctx;
    return this.#list.get(
      'all',
      async () => {
        const map = new Map<string, Set<string>>();
        for (const entry of await storage.denylist.list(tenantId)) {
          let auds = map.get(entry.jti);
          if (!auds) map.set(entry.jti, (auds = new Set()));
          auds.add(entry.aud ?? '');
        }
        return map;
      },
      always,
      unavailable,
    );
  }

  /** Adds what the change names, or reloads the whole list when it names nothing. */
  added(tokens: readonly DeniedToken[] | undefined): void {
    if (!tokens) return this.#list.clear();
    this.#list.update('all', (list) => {
      const next = new Map([...list].map(([jti, auds]) => [jti, new Set(auds)]));
      for (const { jti, aud } of tokens) next.set(jti, new Set([...(next.get(jti) ?? []), aud]));
      return next;
    });
  }

  clear(): void {
    this.#list.clear();
  }

  markStale(): void {
    this.#list.markStale();
  }
}
