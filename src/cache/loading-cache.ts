// A bounded read-through map with a generation counter: a load that started before an
// invalidation never stores its (possibly stale) result, so a change is never masked by a read
// that raced it.

export class LoadingCache<K, V> {
  #entries = new Map<K, V>();
  #generation = 0;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Read-through; `keep` decides which loaded values are worth remembering (default: all). */
  async get(key: K, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    if (this.#entries.has(key)) return this.#entries.get(key) as V;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation && keep(value)) this.set(key, value);
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
    if (this.#entries.size >= this.#max && !this.#entries.has(key)) {
      // Evict the oldest insertion (Map keeps insertion order).
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
