// SigningKeyStore on every dialect: round trips, order, state changes, uniqueness, scoping.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, keyRecord, seedTenant } from './records.ts';

forEachDialect('SigningKeyStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('create then list returns the record unchanged (public JWK, certificate, state times)', async () => {
    const k = keyRecord(a.id, { state: 'current', currentSince: at(1), createdAt: at(1) });
    await storage.signingKeys.create(k);
    expect(await storage.signingKeys.list(a.id)).toEqual([k]);
  });

  it('list orders by (created_at, kid)', async () => {
    for (const [kid, second] of [['k3', 1], ['k2', 2], ['k1', 1]] as const) {
      await storage.signingKeys.create(keyRecord(a.id, { kid, createdAt: at(second) }));
    }
    expect((await storage.signingKeys.list(a.id)).map((k) => k.kid)).toEqual(['k1', 'k3', 'k2']);
  });

  it('update moves a key through its states and keeps the untouched fields', async () => {
    const k = keyRecord(a.id, { state: 'current', currentSince: at(1) });
    await storage.signingKeys.create(k);
    expect(await storage.signingKeys.update(a.id, k.kid, { state: 'previous', currentUntil: at(5) })).toBe(true);
    expect(await storage.signingKeys.list(a.id)).toEqual([{ ...k, state: 'previous', currentUntil: at(5) }]);
    expect(await storage.signingKeys.update(a.id, k.kid, { state: 'revoked', revokedAt: at(9) })).toBe(true);
    expect(await storage.signingKeys.list(a.id)).toEqual([{ ...k, state: 'revoked', currentUntil: at(5), revokedAt: at(9) }]);
    expect(await storage.signingKeys.update(a.id, 'missing', { state: 'revoked' })).toBe(false);
  });

  it('a duplicate kid within a tenant is a UniqueViolation', async () => {
    const k = keyRecord(a.id);
    await storage.signingKeys.create(k);
    await expect(storage.signingKeys.create(keyRecord(a.id, { kid: k.kid }))).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.signingKeys.list(a.id)).toEqual([k]);
  });

  it("tenant scoping: tenant B never lists or changes tenant A's keys", async () => {
    const k = keyRecord(a.id, { state: 'current' });
    await storage.signingKeys.create(k);
    const kb = keyRecord(b.id);
    await storage.signingKeys.create(kb);
    expect(await storage.signingKeys.list(b.id)).toEqual([kb]);
    expect(await storage.signingKeys.update(b.id, k.kid, { state: 'revoked' })).toBe(false);
    expect(await storage.signingKeys.list(a.id)).toEqual([k]);
  });
});
