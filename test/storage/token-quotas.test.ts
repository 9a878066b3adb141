// TokenQuotaCounterStore on every dialect (issue 15): counts per (tenant, bucket, window), atomic
// under parallel increments (the upsert is one statement), and pruned once the window has ended.
import { beforeEach, expect, it } from 'vitest';
import type { TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedTenant } from './records.ts';

forEachDialect('TokenQuotaCounterStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  const counters = () => storage.tokenQuotaCounters;

  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('counts one bucket and window at a time, per tenant', async () => {
    expect(await counters().increment(a.id, 'client:x:per_hour', at(0), at(3600))).toBe(1);
    expect(await counters().increment(a.id, 'client:x:per_hour', at(0), at(3600))).toBe(2);
    expect(await counters().increment(a.id, 'client:x:per_day', at(0), at(86400))).toBe(1);
    expect(await counters().increment(a.id, 'client:x:per_hour', at(3600), at(7200))).toBe(1);
    expect(await counters().increment(b.id, 'client:x:per_hour', at(0), at(3600))).toBe(1);
  });

  it('50 parallel increments → each sees its own place, the last count is 50', async () => {
    const counts = await Promise.all(Array.from({ length: 50 }, () => counters().increment(a.id, 'client:y:per_hour', at(0), at(3600))));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('prune removes the windows that ended before the instant, and only those', async () => {
    await counters().increment(a.id, 'client:z:per_hour', at(0), at(3600));
    await counters().increment(a.id, 'client:z:per_hour', at(3600), at(7200));
    expect(await counters().prune(at(3601))).toBe(1);
    expect(await counters().increment(a.id, 'client:z:per_hour', at(3600), at(7200))).toBe(2);
    expect(await counters().increment(a.id, 'client:z:per_hour', at(0), at(3600))).toBe(1);
  });
});
