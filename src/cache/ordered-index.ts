// The list order of one tenant's rows, as small keys (issue 13): what a page/per_page request
// needs to turn a page number into a keyset position and to count a filter's total, without
// holding the rows themselves. Loaded whole once, then kept current row by row: a change names
// its ids, the next read reloads just those keys (one query) and puts them in place, so the first
// page after a change costs the same at 100 rows as at 100,000.
//
// Consistency is that of every other cache here (R3): a read that starts after a change has been
// applied here sees it. Changes are noted synchronously (`changed`) and settled by the next read;
// a change noted while a load runs is settled again after it, so no load can hide it. An event
// without ids (`clear`) forgets everything. The periodic resync (`markStale`) reloads in the
// background while the current order keeps answering (nothing is known to have changed), so a
// resync never puts a full reload on a request.

/** One row's place in the list order (createdAt, id), plus whatever its filters read. */
export interface OrderKey {
  createdAt: string;
  id: string;
}

export interface OrderSource<E extends OrderKey> {
  /** Every key, in (createdAt, id) order. */
  all(): Promise<E[]>;
  /** The keys the changes name that still exist (any order). */
  some(changes: string[]): Promise<E[]>;
  /**
   * Whether a held key is one of those the changes name (default: a change names a key by its id).
   * Grants are named by application and audience, not by their own ids.
   */
  named?(key: E, changes: ReadonlySet<string>): boolean;
  /**
   * A cheap summary that changes whenever a key may have (a count and latest timestamps over an
   * index): the periodic resync reloads only when it differs from the one read with the last load.
   */
  version?(): Promise<string>;
}

/** Past this many changed ids, a full reload is cheaper than settling them one by one. */
const MAX_REFRESH = 500;

const before = (a: OrderKey, b: OrderKey): boolean => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export class OrderedIndex<E extends OrderKey> {
  readonly #source: OrderSource<E>;
  readonly #onError: (error: unknown) => void;
  readonly #derive: ((keys: readonly E[]) => void) | undefined;
  #keys: E[] | null = null;
  /** Changed ids → the change number that last named them; settled ids are removed. */
  #pending = new Map<string, number>();
  #changes = 0;
  /** Bumped by clear(): work that started before it stores nothing. */
  #generation = 0;
  #stale = false;
  /** The source's version read just before the current keys were loaded. */
  #version: string | undefined;
  /** The one load or refresh in flight; every mutation of #keys happens in it. */
  #busy: Promise<void> | undefined;

  constructor(source: OrderSource<E>, options: { onError?: (error: unknown) => void; derive?: (keys: readonly E[]) => void } = {}) {
    this.#source = source;
    this.#onError = options.onError ?? (() => undefined);
    this.#derive = options.derive;
  }

  /** The keys in list order, with every change noted before this call settled. */
  async keys(): Promise<readonly E[]> {
    if (this.#stale && this.#keys && !this.#busy) this.#reloadInBackground();
    // A change noted while a load ran is settled by the next round; two rounds cover every change
    // noted before this call (the second starts after it), more are only for clear() in between.
    for (let round = 0; this.#keys === null || (this.#pending.size > 0 && round < 2); round++) {
      this.#busy ??= this.#run(this.#keys === null || this.#pending.size > MAX_REFRESH ? this.#load() : this.#refresh());
      await this.#busy;
    }
    return this.#keys;
  }

  /** A change named these ids (or what `named` reads): settled by the next read. */
  changed(ids: readonly string[]): void {
    // Nothing held and nothing loading: the next read loads everything anyway.
    if (this.#keys === null && !this.#busy) return;
    for (const id of ids) this.#pending.set(id, ++this.#changes);
    // Unread for long (a tenant whose list nobody asks for) the noted ids would only grow; past
    // the point where the next read reloads everything anyway, forget the keys instead.
    if (!this.#busy && this.#pending.size > MAX_REFRESH) this.clear();
  }

  /** Forgets everything (a change too broad to name, or missed changes). */
  clear(): void {
    this.#generation++;
    this.#keys = null;
    this.#pending.clear();
    this.#stale = false;
  }

  /** The periodic resync: reload in the background, keep answering meanwhile. */
  markStale(): void {
    this.#stale = true;
  }

  /** How many keys are held (0 before the first load). */
  get size(): number {
    return this.#keys?.length ?? 0;
  }

  #run(work: Promise<void>): Promise<void> {
    const done = work.finally(() => {
      if (this.#busy === done) this.#busy = undefined;
    });
    return done;
  }

  #reloadInBackground(): void {
    this.#stale = false;
    this.#busy = this.#run(
      this.#revalidate().catch((error: unknown) => {
        // The current order keeps answering; the next read tries again.
        this.#stale = true;
        this.#onError(error);
      }),
    );
  }

  /** The resync: nothing to do when the source's version is the one loaded (most resyncs). */
  async #revalidate(): Promise<void> {
    if (this.#source.version && this.#version !== undefined) {
      const generation = this.#generation;
      const version = await this.#source.version();
      if (version === this.#version && generation === this.#generation) return;
    }
    await this.#load();
  }

  async #load(): Promise<void> {
    const generation = this.#generation;
    const upTo = this.#changes;
    // Read before the keys: a change between the two makes the next resync reload, never miss.
    const version = await this.#source.version?.();
    const keys = await this.#source.all();
    if (generation !== this.#generation) return;
    this.#keys = keys;
    this.#version = version;
    this.#settle(upTo, null);
    this.#derive?.(keys);
  }

  async #refresh(): Promise<void> {
    const generation = this.#generation;
    const upTo = this.#changes;
    const ids = [...this.#pending.keys()];
    const found = await this.#source.some(ids);
    if (generation !== this.#generation || !this.#keys) return;
    const gone = new Set(ids);
    const source = this.#source;
    const keys = this.#keys.filter((k) => !(source.named ? source.named(k, gone) : gone.has(k.id)));
    for (const key of found) keys.splice(insertionPoint(keys, key), 0, key);
    this.#keys = keys;
    this.#settle(upTo, gone);
    this.#derive?.(keys);
  }

  /** Drops pending ids (all, or these) whose last change was seen by work that started at `upTo`. */
  #settle(upTo: number, ids: ReadonlySet<string> | null): void {
    for (const [id, change] of this.#pending) if (change <= upTo && (!ids || ids.has(id))) this.#pending.delete(id);
  }
}

/** Where a page starts (after the key before it, or at the start), how many rows it has, and the total. */
export interface PagePlan {
  after: OrderKey | undefined;
  /** How many rows the page holds (0: past the end, no query needed). */
  count: number;
  total: number;
}

/** The page `offset`..`offset + limit` of the keys `keep` accepts (all without it), as a keyset plan. */
export function pagePlan<E extends OrderKey>(keys: readonly E[], keep: ((k: E) => boolean) | undefined, offset: number, limit: number): PagePlan {
  const cursor = (k: E | undefined) => k && { createdAt: k.createdAt, id: k.id };
  if (!keep) return { after: cursor(keys[offset - 1]), count: Math.max(0, Math.min(limit, keys.length - offset)), total: keys.length };
  // A filtered page: one pass over the keys (no rows), counting the total on the way.
  let seen = 0;
  let previous: E | undefined;
  for (const k of keys) {
    if (!keep(k)) continue;
    if (seen === offset - 1) previous = k;
    seen++;
  }
  return { after: cursor(previous), count: Math.max(0, Math.min(limit, seen - offset)), total: seen };
}

/** Where `key` goes in the ordered `keys` (binary search). */
function insertionPoint(keys: readonly OrderKey[], key: OrderKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(keys[mid]!, key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
