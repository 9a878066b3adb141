// The rate-limit counters (src/ratelimit/store.ts): fixed windows with a controlled clock,
// independent keys, bounded memory; token buckets (take, give back); the same behaviour
// from a real Redis (expiry set, atomic across stores); the fallback to memory when Redis fails
// (D11: logged once per outage, never an outage of its own); and `ipKey`, which counts IPv6
// clients per /64 (T-RL-08).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ipKey } from '../../src/ratelimit/limiter.ts';
import { FallbackCounterStore, MemoryCounterStore, RedisCounterStore, type CounterStore } from '../../src/ratelimit/store.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DEAD_REDIS = 'redis://127.0.0.1:1';
/** A window start far from the epoch, as the frozen clock of the test server gives. */
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

const redisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true } as const;

/** The behaviour every store must have, whatever keeps the counts. */
function windowBehaviour(name: string, open: () => CounterStore) {
  describe(`${name}: fixed windows`, () => {
    it('counts within a window, starts again at the exact boundary, and reports the window end', async () => {
      const store = open();
      expect(await store.increment('a', 1000, T0)).toEqual({ count: 1, resetAt: T0 + 1000 });
      expect(await store.increment('a', 1000, T0 + 500)).toEqual({ count: 2, resetAt: T0 + 1000 });
      expect(await store.increment('a', 1000, T0 + 999)).toEqual({ count: 3, resetAt: T0 + 1000 });
      expect(await store.increment('a', 1000, T0 + 1000)).toEqual({ count: 1, resetAt: T0 + 2000 });
      // A window is aligned to multiples of its length, not to the first request.
      expect(await store.increment('b', 60_000, T0 + 59_000)).toEqual({ count: 1, resetAt: T0 + 60_000 });
      expect(await store.increment('b', 60_000, T0 + 60_000)).toEqual({ count: 1, resetAt: T0 + 120_000 });
    });

    it('keys are independent', async () => {
      const store = open();
      for (let i = 0; i < 3; i++) await store.increment('x', 1000, T0);
      await store.increment('y', 1000, T0);
      expect(await store.increment('x', 1000, T0 + 2)).toEqual({ count: 4, resetAt: T0 + 1000 });
      expect(await store.increment('y', 1000, T0 + 2)).toEqual({ count: 2, resetAt: T0 + 1000 });
    });
  });

  describe(`${name}: token buckets (the per-address login and sign-up limits)`, () => {
    it('capacity attempts at once, then one more every interval; a refusal reports the debt and takes nothing', async () => {
      const store = open();
      const take = (at: number) => store.take('k', 1000, 3, 1, at);
      expect([await take(T0), await take(T0), await take(T0)]).toEqual([
        { allowed: true, debtMs: 1000 },
        { allowed: true, debtMs: 2000 },
        { allowed: true, debtMs: 3000 },
      ]);
      expect(await take(T0)).toEqual({ allowed: false, debtMs: 3000 });
      expect(await take(T0 + 999)).toEqual({ allowed: false, debtMs: 2001 });
      expect(await take(T0 + 1000)).toEqual({ allowed: true, debtMs: 3000 });
      expect(await take(T0 + 1000)).toEqual({ allowed: false, debtMs: 3000 });
      // Long idle: full again, never more than full.
      expect(await take(T0 + 60_000)).toEqual({ allowed: true, debtMs: 1000 });
    });

    it('a negative cost gives attempts back, never beyond a full bucket; keys are independent', async () => {
      const store = open();
      await store.take('g', 1000, 3, 1, T0);
      await store.take('g', 1000, 3, 1, T0);
      expect(await store.take('g', 1000, 3, -1, T0)).toEqual({ allowed: true, debtMs: 1000 });
      expect(await store.take('g', 1000, 3, -1, T0)).toEqual({ allowed: true, debtMs: 0 });
      expect(await store.take('g', 1000, 3, -1, T0)).toEqual({ allowed: true, debtMs: 0 });
      expect(await store.take('h', 1000, 3, 1, T0)).toEqual({ allowed: true, debtMs: 1000 });
      expect(await store.take('g', 1000, 3, 1, T0)).toEqual({ allowed: true, debtMs: 1000 });
    });
  });
}

windowBehaviour('MemoryCounterStore', () => new MemoryCounterStore());

describe('MemoryCounterStore: bounded memory', () => {
  it('a flood of distinct keys keeps at most maxKeys, dropping the oldest', async () => {
    const store = new MemoryCounterStore(10);
    for (let i = 0; i < 100; i++) await store.increment(`k${i}`, 60_000, T0);
    // A kept key counts on from 1; a dropped one starts again. Newest first: counting a dropped key
    // adds it, which drops the oldest kept one, already read by then.
    const kept: number[] = [];
    for (let i = 99; i >= 0; i--) if ((await store.increment(`k${i}`, 60_000, T0)).count > 1) kept.unshift(i);
    expect(kept).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it('when full, ended windows are dropped first and a live key is kept even if it is the oldest', async () => {
    const store = new MemoryCounterStore(3);
    for (const k of ['a', 'b', 'c']) await store.increment(k, 1000, T0);
    // Next window: `a` (the oldest key) is counted again, so it is live; b and c are over.
    await store.increment('a', 1000, T0 + 1000);
    await store.increment('a', 1000, T0 + 1000);
    await store.increment('d', 1000, T0 + 1000);
    expect((await store.increment('a', 1000, T0 + 1000)).count).toBe(3);
    expect((await store.increment('d', 1000, T0 + 1000)).count).toBe(2);
  });
});

describe('RedisCounterStore against the real Redis', () => {
  const prefix = `scopeward:test:${randomBytes(6).toString('hex')}:`;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, redisOptions);
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  // Each case gets its own prefix, so a count left by one case never reaches another.
  let n = 0;
  windowBehaviour('RedisCounterStore', () => new RedisCounterStore(redis, `${prefix}${n++}:`));

  it('the first increment of a window sets an expiry of at most one window on its key; later ones keep it', async () => {
    const store = new RedisCounterStore(redis, `${prefix}ttl:`);
    await store.increment('e', 5000, T0);
    const [key, ...others] = await redis.keys(`${prefix}ttl:*`);
    expect(others).toEqual([]);
    expect(key).toBe(`${prefix}ttl:e:${T0}`);
    const first = await redis.pttl(key!);
    expect(first).toBeGreaterThan(4000);
    expect(first).toBeLessThanOrEqual(5000);
    await redis.pexpire(key!, 2000); // a later increment must not push the expiry out again
    await store.increment('e', 5000, T0 + 100);
    const second = await redis.pttl(key!);
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(2000);
    expect(await redis.get(key!)).toBe('2');
  });

  it('two stores on one Redis share the count (what makes limits hold across instances)', async () => {
    const one = new RedisCounterStore(redis, `${prefix}shared:`);
    const two = new RedisCounterStore(redis, `${prefix}shared:`);
    await one.increment('s', 1000, T0);
    await two.increment('s', 1000, T0);
    expect(await one.increment('s', 1000, T0)).toEqual({ count: 3, resetAt: T0 + 1000 });
    expect(await two.increment('s', 1000, T0)).toEqual({ count: 4, resetAt: T0 + 1000 });
  });

  it('a bucket key expires when its bucket would be full again; takes are atomic across stores', async () => {
    const one = new RedisCounterStore(redis, `${prefix}bucket-shared:`);
    const two = new RedisCounterStore(redis, `${prefix}bucket-shared:`);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).take('b', 864_000, 12, 1, T0)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(12);
    const ttl = await redis.pttl(`${prefix}bucket-shared:bucket:b`);
    expect(ttl).toBeGreaterThan(12 * 864_000 - 5000);
    expect(ttl).toBeLessThanOrEqual(12 * 864_000);
  });

  it('increments are atomic: 50 concurrent increments give 1..50, each once', async () => {
    const store = new RedisCounterStore(redis, `${prefix}atomic:`);
    const counts = await Promise.all(Array.from({ length: 50 }, () => store.increment('c', 60_000, T0)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('FallbackCounterStore (D11)', () => {
  const prefix = `scopeward:test:${randomBytes(6).toString('hex')}:`;

  afterEach(() => {
    vi.useRealTimers();
  });

  it('a Redis on a dead port: answers from memory, reports the outage once, keeps counting', async () => {
    const dead = new Redis(DEAD_REDIS, { ...redisOptions, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const onFallback = vi.fn();
    const onRecover = vi.fn();
    const store = new FallbackCounterStore(new RedisCounterStore(dead, prefix), new MemoryCounterStore(), { onFallback, onRecover });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });

    expect(await store.increment('k', 1000, T0)).toEqual({ count: 1, resetAt: T0 + 1000 });
    expect(await store.increment('k', 1000, T0)).toEqual({ count: 2, resetAt: T0 + 1000 });
    expect(await store.increment('k', 1000, T0)).toEqual({ count: 3, resetAt: T0 + 1000 });
    expect(onFallback).toHaveBeenCalledTimes(1);
    expect(onFallback.mock.calls[0]![0]).toBeInstanceOf(Error);

    // Past the pause, Redis is tried again and fails again: still the same outage, not logged twice.
    vi.setSystemTime(Date.now() + 6000);
    expect(await store.increment('k', 1000, T0)).toEqual({ count: 4, resetAt: T0 + 1000 });
    expect(onFallback).toHaveBeenCalledTimes(1);
    expect(onRecover).not.toHaveBeenCalled();
    await store.close();
  });

  it('a Redis that drops and comes back: memory during the outage, Redis again after it, one report each way', async () => {
    const redis = new Redis(REDIS_URL, redisOptions);
    await redis.connect();
    const onFallback = vi.fn();
    const onRecover = vi.fn();
    const store = new FallbackCounterStore(new RedisCounterStore(redis, prefix), new MemoryCounterStore(), { onFallback, onRecover });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });

    expect((await store.increment('r', 60_000, T0)).count).toBe(1);
    expect((await store.increment('r', 60_000, T0)).count).toBe(2);
    expect(onFallback).not.toHaveBeenCalled();

    const ended = once(redis, 'end');
    redis.disconnect();
    await ended;
    // Memory knows nothing of the two counted in Redis: it starts its own count.
    for (const expected of [1, 2, 3]) expect((await store.increment('r', 60_000, T0)).count).toBe(expected);
    expect(onFallback).toHaveBeenCalledTimes(1);

    await redis.connect();
    // Within the pause the fallback still answers; after it, Redis does (its count resumes at 3).
    expect((await store.increment('r', 60_000, T0)).count).toBe(4);
    expect(onRecover).not.toHaveBeenCalled();
    vi.setSystemTime(Date.now() + 6000);
    expect((await store.increment('r', 60_000, T0)).count).toBe(3);
    expect(onRecover).toHaveBeenCalledTimes(1);
    expect(onFallback).toHaveBeenCalledTimes(1);
    expect(await redis.get(`${prefix}r:${Math.floor(T0 / 60_000) * 60_000}`)).toBe('3');

    await redis.del(`${prefix}r:${Math.floor(T0 / 60_000) * 60_000}`);
    await store.close();
  });
});

describe('ipKey (T-RL-08: IPv4 as is, IPv6 per /64)', () => {
  it('IPv4 and IPv4-mapped IPv6 give the IPv4 address', () => {
    expect(ipKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('0:0:0:0:0:ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('203.0.113.8')).not.toBe(ipKey('203.0.113.7'));
  });

  it('every spelling of addresses in one /64 gives one key', () => {
    const key = '2001:db8:85a3:1::/64';
    for (const ip of [
      '2001:db8:85a3:1::1',
      '2001:0db8:85a3:0001:0000:0000:0000:0001',
      '2001:DB8:85A3:1:ffff:ffff:ffff:ffff',
      '2001:db8:85a3:1:a:b:c:d',
      '2001:db8:85a3:1::',
      '2001:db8:85a3:1::1%eth0',
      '2001:db8:85a3:1:0:0:0:1',
    ]) {
      expect(ipKey(ip), ip).toBe(key);
    }
  });

  it('the first four groups decide: a neighbouring /64 and compressed zeros inside the prefix', () => {
    expect(ipKey('2001:db8:85a3:2::1')).toBe('2001:db8:85a3:2::/64');
    expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('2001:db8:0:0:1::1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('fe80::1%eth0')).toBe(ipKey('fe80::2'));
    expect(ipKey('::1')).toBe('0:0:0:0::/64');
    expect(ipKey('::1')).not.toBe(ipKey('2001:db8::1'));
  });
});
