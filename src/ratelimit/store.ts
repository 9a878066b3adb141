// Fixed-window counters for rate limits and failed-authentication tracking, and token buckets for
// the per-address login and sign-up throttles. In memory by default; shared through Redis when
// REDIS_URL is set, falling back to memory (logged) whenever Redis fails, so a Redis outage never
// becomes an outage of the server (D11).

export interface WindowCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When the window ends, milliseconds since the epoch. */
  resetAt: number;
}

/**
 * A token bucket of `capacity` attempts where one attempt comes back every `intervalMs`, kept as
 * one number per key (GCRA: the time at which the bucket would be full again). `debtMs` is how far
 * that time lies ahead of now: 0 for a full bucket, `capacity * intervalMs` for an empty one.
 */
export interface BucketState {
  /** The take was granted (always true for a refund). */
  allowed: boolean;
  debtMs: number;
}

export interface CounterStore {
  /** Adds one to `key`'s current window of `windowMs` and returns the new count. */
  increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount>;
  /**
   * Takes `cost` attempts from `key`'s bucket, atomically, if that leaves it no deeper in debt
   * than `capacity` attempts; a negative cost gives attempts back (never beyond a full bucket).
   */
  take(key: string, intervalMs: number, capacity: number, cost: number, nowMs: number): Promise<BucketState>;
  close(): Promise<void>;
}

/** The GCRA step both stores apply: `tat` is the stored time (ms) or 0. */
function bucketStep(tat: number, intervalMs: number, capacity: number, cost: number, nowMs: number): { state: BucketState; tat: number } {
  const from = Math.max(tat, nowMs);
  const next = Math.max(nowMs, from + cost * intervalMs);
  if (cost > 0 && next - nowMs > capacity * intervalMs) return { state: { allowed: false, debtMs: from - nowMs }, tat: from };
  return { state: { allowed: true, debtMs: next - nowMs }, tat: next };
}

const windowStart = (windowMs: number, nowMs: number): number => Math.floor(nowMs / windowMs) * windowMs;

export class MemoryCounterStore implements CounterStore {
  #entries = new Map<string, { start: number; count: number }>();
  /** Bucket key -> the time its bucket is full again; a past time is a full bucket. */
  #buckets = new Map<string, number>();
  readonly #max: number;

  constructor(maxKeys = 200_000) {
    this.#max = maxKeys;
  }

  async increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    const start = windowStart(windowMs, nowMs);
    let e = this.#entries.get(key);
    if (!e || e.start !== start) {
      if (!e && this.#entries.size >= this.#max) this.#sweep(nowMs, windowMs);
      e = { start, count: 0 };
      this.#entries.set(key, e);
    }
    e.count++;
    return { count: e.count, resetAt: start + windowMs };
  }

  async take(key: string, intervalMs: number, capacity: number, cost: number, nowMs: number): Promise<BucketState> {
    const { state, tat } = bucketStep(this.#buckets.get(key) ?? 0, intervalMs, capacity, cost, nowMs);
    if (tat <= nowMs) this.#buckets.delete(key);
    else {
      if (!this.#buckets.has(key) && this.#buckets.size >= this.#max) this.#sweepBuckets(nowMs);
      this.#buckets.set(key, tat);
    }
    return state;
  }

  /** Drops full buckets (they read as absent); if none is full, the oldest keys. */
  #sweepBuckets(nowMs: number): void {
    for (const [k, tat] of this.#buckets) if (tat <= nowMs) this.#buckets.delete(k);
    if (this.#buckets.size >= this.#max) {
      let n = Math.ceil(this.#max / 10);
      for (const k of this.#buckets.keys()) {
        if (n-- <= 0) break;
        this.#buckets.delete(k);
      }
    }
  }

  /** Drops windows that have ended; if nothing has, the oldest keys (bounded memory under a flood). */
  #sweep(nowMs: number, windowMs: number): void {
    for (const [k, e] of this.#entries) if (e.start + windowMs <= nowMs) this.#entries.delete(k);
    if (this.#entries.size >= this.#max) {
      let n = Math.ceil(this.#max / 10);
      for (const k of this.#entries.keys()) {
        if (n-- <= 0) break;
        this.#entries.delete(k);
      }
    }
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#buckets.clear();
  }
}

/** The commands of ioredis this store uses (so tests can run it against a real Redis). */
export interface RedisLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

// INCR, and set the expiry on first use, atomically.
const INCREMENT = `local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c`;

// bucketStep in Lua, atomically: ARGV = now, interval, capacity, cost (all integers, ms). Returns
// {allowed 0|1, debt ms}. The key expires when its bucket would be full again.
const TAKE = `
local now, interval, capacity, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local from = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local nextTat = math.max(now, from + cost * interval)
if cost > 0 and nextTat - now > capacity * interval then return {0, from - now} end
if nextTat > now then redis.call('SET', KEYS[1], string.format('%d', nextTat), 'PX', nextTat - now) else redis.call('DEL', KEYS[1]) end
return {1, nextTat - now}`;

export class RedisCounterStore implements CounterStore {
  readonly #redis: RedisLike;
  readonly #prefix: string;

  constructor(redis: RedisLike, prefix = 'scopeward:rl:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(key: string, windowMs: number, nowMs: number): string {
    return `${this.#prefix}${key}:${windowStart(windowMs, nowMs)}`;
  }

  async increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    const count = await this.#redis.eval(INCREMENT, 1, this.#key(key, windowMs, nowMs), windowMs);
    return { count: Number(count), resetAt: windowStart(windowMs, nowMs) + windowMs };
  }

  async take(key: string, intervalMs: number, capacity: number, cost: number, nowMs: number): Promise<BucketState> {
    const [allowed, debt] = (await this.#redis.eval(TAKE, 1, `${this.#prefix}bucket:${key}`, Math.floor(nowMs), intervalMs, capacity, cost)) as [number, number];
    return { allowed: Number(allowed) === 1, debtMs: Number(debt) };
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => undefined);
  }
}

/**
 * Redis first; on any Redis error the in-memory store answers (and keeps answering for a short
 * while before Redis is tried again). The switch is logged once per outage, not per request.
 */
export class FallbackCounterStore implements CounterStore {
  readonly #primary: CounterStore;
  readonly #fallback: CounterStore;
  readonly #onFallback: (error: unknown) => void;
  readonly #onRecover: () => void;
  #downUntil = 0;
  #down = false;

  constructor(primary: CounterStore, fallback: CounterStore, hooks: { onFallback: (error: unknown) => void; onRecover: () => void }) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#onFallback = hooks.onFallback;
    this.#onRecover = hooks.onRecover;
  }

  async #use<T>(work: (s: CounterStore) => Promise<T>): Promise<T> {
    if (Date.now() < this.#downUntil) return work(this.#fallback);
    try {
      const result = await work(this.#primary);
      if (this.#down) {
        this.#down = false;
        this.#onRecover();
      }
      return result;
    } catch (error) {
      if (!this.#down) this.#onFallback(error);
      this.#down = true;
      this.#downUntil = Date.now() + 5_000;
      return work(this.#fallback);
    }
  }

  increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    return this.#use((s) => s.increment(key, windowMs, nowMs));
  }

  take(key: string, intervalMs: number, capacity: number, cost: number, nowMs: number): Promise<BucketState> {
    return this.#use((s) => s.take(key, intervalMs, capacity, cost, nowMs));
  }

  async close(): Promise<void> {
    await this.#primary.close();
    await this.#fallback.close();
  }
}
