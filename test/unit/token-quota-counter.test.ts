// The token quota counter (issue 15, decision 0017): Redis when it answers; the database (a real
// SQLite storage here) when there is no Redis and while Redis fails, never the process alone; the
// switch is reported once per outage, and Redis is tried again after its pause.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenQuotaCounter } from '../../src/ratelimit/token-quota-counter.ts';
import { MemoryCounterStore } from '../../src/ratelimit/store.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { seedTenant } from '../storage/records.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 1, 12, 30);

/** A Redis-backed store as the counter sees it, which can be made to fail like an unreachable Redis. */
class SwitchableStore extends MemoryCounterStore {
  down = false;
  override async increment(key: string, windowMs: number, nowMs: number) {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return super.increment(key, windowMs, nowMs);
  }
}

describe('TokenQuotaCounter', () => {
  let storage: Storage;
  let tenantId: string;
  beforeEach(async () => {
    storage = await createStorage('sqlite::memory:');
    tenantId = (await seedTenant(storage)).id;
  });
  afterEach(async () => {
    vi.useRealTimers();
    await storage.close();
  });

  it('without Redis: counts in the database, in windows aligned to the UTC hour', async () => {
    const counter = new TokenQuotaCounter(storage.tokenQuotaCounters);
    expect(await counter.increment(tenantId, 'client:a:per_hour', HOUR, NOW)).toEqual({ count: 1, resetAt: Date.UTC(2026, 10, 1, 13) });
    expect((await counter.increment(tenantId, 'client:a:per_hour', HOUR, NOW + 60_000)).count).toBe(2);
    // Another counter on the same database (another instance) continues the count.
    expect((await new TokenQuotaCounter(storage.tokenQuotaCounters).increment(tenantId, 'client:a:per_hour', HOUR, NOW)).count).toBe(3);
  });

  it('with Redis: counts there, nothing in the database; when Redis fails: the database, reported once; Redis again after the pause', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const redis = new SwitchableStore();
    const events: string[] = [];
    const counter = new TokenQuotaCounter(storage.tokenQuotaCounters, redis, { onFallback: () => events.push('fallback'), onRecover: () => events.push('recover') });
    expect((await counter.increment(tenantId, 'b', HOUR, NOW)).count).toBe(1);
    expect(await storage.tokenQuotaCounters.prune('9999-12-31T00:00:00.000Z')).toBe(0);

    redis.down = true;
    expect((await counter.increment(tenantId, 'b', HOUR, NOW)).count).toBe(1);
    expect((await counter.increment(tenantId, 'b', HOUR, NOW)).count).toBe(2);
    expect(events).toEqual(['fallback']);

    redis.down = false;
    expect((await counter.increment(tenantId, 'b', HOUR, NOW)).count).toBe(3);
    vi.setSystemTime(NOW + 5_001);
    expect((await counter.increment(tenantId, 'b', HOUR, NOW)).count).toBe(2);
    expect(events).toEqual(['fallback', 'recover']);
  });
});
