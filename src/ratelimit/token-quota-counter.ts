// Where token quotas are counted (issue 15): never only in this process, since a quota is a promise
// about what a client gets from the whole deployment. Redis when it is configured (one INCR per
// bucket); the database otherwise, and while Redis is unreachable (logged once per outage), so
// instances that share the database share the count either way. Windows are fixed and aligned to
// the epoch, so an hour bucket resets at the start of each UTC hour and a day bucket at 00:00 UTC
// (Auth0: "The quota resets at the beginning of each UTC hour/day").
import type { TokenQuotaCounterStore } from '../storage/ports.ts';
import type { CounterStore, WindowCount } from './store.ts';

export interface QuotaCounterHooks {
  onFallback(error: unknown): void;
  onRecover(): void;
}

/** How long the database answers alone after a Redis failure before Redis is tried again. */
const REDIS_RETRY_MS = 5_000;

export class TokenQuotaCounter {
  readonly #database: TokenQuotaCounterStore;
  readonly #redis: CounterStore | undefined;
  readonly #hooks: QuotaCounterHooks | undefined;
  #redisDownUntil = 0;
  #down = false;

  constructor(database: TokenQuotaCounterStore, redis?: CounterStore, hooks?: QuotaCounterHooks) {
    this.#database = database;
    this.#redis = redis;
    this.#hooks = hooks;
  }

  /** Counts one token against `bucket` (tenant-scoped) in the current window of `windowMs`. */
  async increment(tenantId: string, bucket: string, windowMs: number, nowMs: number): Promise<WindowCount> {
    const start = Math.floor(nowMs / windowMs) * windowMs;
    const resetAt = start + windowMs;
    if (this.#redis && Date.now() >= this.#redisDownUntil) {
      try {
        const counted = await this.#redis.increment(`${tenantId}:${bucket}`, windowMs, nowMs);
        if (this.#down) {
          this.#down = false;
          this.#hooks?.onRecover();
        }
        return counted;
      } catch (error) {
        if (!this.#down) this.#hooks?.onFallback(error);
        this.#down = true;
        this.#redisDownUntil = Date.now() + REDIS_RETRY_MS;
      }
    }
    const count = await this.#database.increment(tenantId, bucket, new Date(start).toISOString(), new Date(resetAt).toISOString());
    return { count, resetAt };
  }
}
