// Fixed-window counters for rate limits and failed-authentication tracking. In memory by default;
// shared through Redis when REDIS_URL is set, falling back to memory (logged) whenever Redis
// fails, so a Redis outage never becomes an outage of the server (D11).

export interface WindowCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When the window ends, milliseconds since the epoch. */
  resetAt: number;
}

export interface CounterStore {
  /** Adds one to `key`'s current window of `windowMs` and returns the new count. */
  increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount>;
  /** The current count without adding to it. */
  peek(key: string, windowMs: number, nowMs: number): Promise<WindowCount>;
  /** Forgets `key`'s current window. */
  reset(key: string, windowMs: number, nowMs: number): Promise<void>;
  close(): Promise<void>;
}

const windowStart = (windowMs: number, nowMs: number): number => Math.floor(nowMs / windowMs) * windowMs;

export class MemoryCounterStore implements CounterStore {
  #entries = new Map<string, { start: number; count: number }>();
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

  async peek(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    const start = windowStart(windowMs, nowMs);
    const e = this.#entries.get(key);
    return { count: e && e.start === start ? e.count : 0, resetAt: start + windowMs };
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
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
  }
}

/** The commands of ioredis this store uses (so tests can run it against a real Redis). */
export interface RedisLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
}

// INCR, and set the expiry on first use, atomically.
const INCREMENT = `local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c`;

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

  async peek(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    const value = await this.#redis.get(this.#key(key, windowMs, nowMs));
    return { count: value === null ? 0 : Number(value), resetAt: windowStart(windowMs, nowMs) + windowMs };
  }

  async reset(key: string, windowMs: number, nowMs: number): Promise<void> {
    await this.#redis.del(this.#key(key, windowMs, nowMs));
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

  peek(key: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    return this.#use((s) => s.peek(key, windowMs, nowMs));
  }

  reset(key: string, windowMs: number, nowMs: number): Promise<void> {
    return this.#use((s) => s.reset(key, windowMs, nowMs));
  }

  async close(): Promise<void> {
    await this.#primary.close();
    await this.#fallback.close();
  }
}
