// A bounded read-through map with a generation counter: a load that started before an
// invalidation never stores its (possibly stale) result, so a change is never masked by a read
// that raced it.
//
// Two ways to forget, on purpose different (R3):
// - delete / deleteWhere / clear: a change named the entry; it is gone, and a load that fails
//   (database down) fails the request: a changed client or grant is never answered from memory.
// - markStale (the periodic resync): nothing is known to have changed; the next read reloads, but
//   while the database does not answer (`usable(error)`) the old value is still served, exactly
//   as it would have been had the resync not run.

import type { CacheCounter } from '../observability/metrics.ts';

interface Entry<V> {
  value: V;
  /** The freshness epoch it was loaded in; older than the cache's epoch = stale. */
  epoch: number;
}

/** A bound on the sum of the entries' weights (bytes of a serialized answer, say), beside the count. */
export interface Weigher<V> {
  weigh(value: V): number;
  max: number;
}

export class LoadingCache<K, V> {
  #entries = new Map<K, Entry<V>>();
  #generation = 0;
  #epoch = 0;
  readonly #max: number;
  readonly #counter: CacheCounter | undefined;
  readonly #weigher: Weigher<V> | undefined;
  #weight = 0;

  /**
   * `weigher` bounds the cache by total weight as well as by count; `counter` hears every
   * read-through (`get`): a hit, or a miss that loads.
   */
  constructor(max: number, options: { weigher?: Weigher<V> | undefined; counter?: CacheCounter | undefined } = {}) {
    this.#max = max;
    this.#weigher = options.weigher;
    this.#counter = options.counter;
  }

  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Holds a fresh entry for `key` (a stale one does not count). */
  has(key: K): boolean {
    return this.#entries.get(key)?.epoch === this.#epoch;
  }

  /**
   * Read-through; `keep` decides which loaded values are worth remembering (default: all). A stale
   * entry is reloaded; if that load fails with an error `serveStale` accepts, the stale value is
   * the answer.
   */
  async get(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true, serveStale: (error: unknown) => boolean = () => false): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry?.epoch === this.#epoch) {
      this.#counter?.hit();
      return entry.value;
    }
    this.#counter?.miss();
    const generation = this.#generation;
    let value: V;
    try {
      value = await load();
    } catch (error) {
      if (entry && serveStale(error)) return entry.value;
      throw error;
    }
    if (generation === this.#generation) {
      if (keep(value)) this.set(key, value);
      else this.#entries.delete(key); // a stale entry the database no longer backs
    }
    return value;
  }

  /** The generation a caller can hand back to setIfCurrent after its own load. */
  get generation(): number {
    return this.#generation;
  }

  /** Stores only if nothing was invalidated since `generation` was read. */
  setIfCurrent(key: K, value: V, generation: number): void {
    if (generation === this.#generation) this.set(key, value);
  }

  set(key: K, value: V): void {
    const weight = this.#weigher?.weigh(value) ?? 0;
    this.#remove(key);
    if (this.#weigher && weight > this.#weigher.max) return; // would evict everything and still not fit
    // Evict the oldest insertions (Map keeps insertion order) until it fits.
    while (this.#entries.size >= this.#max || (this.#weigher && this.#weight + weight > this.#weigher.max)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#remove(oldest.value);
    }
    this.#entries.set(key, { value, epoch: this.#epoch });
    this.#weight += weight;
  }

  #remove(key: K): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    if (this.#weigher) this.#weight -= this.#weigher.weigh(entry.value);
  }

  /** Forgets one entry; loads in flight (for any key) do not store what they read. */
  delete(key: K): void {
    this.#generation++;
    this.#remove(key);
  }

  /** Forgets every entry whose key matches. */
  deleteWhere(matches: (key: K) => boolean): void {
    this.#generation++;
    for (const key of [...this.#entries.keys()]) if (matches(key)) this.#remove(key);
  }

  /**
   * Changes an entry in place (a change that carries its own new value, like a denylisted jti);
   * loads in flight do not store what they read before it.
   */
  update(key: K, change: (value: V) => V): void {
    this.#generation++;
    const entry = this.#entries.get(key);
    if (!entry) return;
    const was = this.#weigher?.weigh(entry.value) ?? 0;
    entry.value = change(entry.value);
    this.#weight += (this.#weigher?.weigh(entry.value) ?? 0) - was;
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#weight = 0;
  }

  /** Every entry is reloaded on its next read, and served meanwhile only as `get` allows. */
  markStale(): void {
    this.#epoch++;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The sum of the entries' weights (0 without a weigher). */
  get weight(): number {
    return this.#weight;
  }
}
