// TenantAdminStore and MintedTokenStore on every dialect: round trips, order, tenant scoping, the
// membership going with its user (no dangling admin a new user could inherit), one membership per
// user, minted-token filters and newest-first order, and an idempotent revoke.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { MintedTokenRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedConnection, seedTenant, seedUser } from './records.ts';

function minted(tenantId: string, n: number, overrides: Partial<MintedTokenRecord> = {}): MintedTokenRecord {
  return {
    tenantId,
    id: `mtk_${String(n).padStart(16, '0')}`,
    jti: `jti-${n}`,
    name: `token ${n}`,
    clientId: 'client-a',
    audience: 'https://api.example/',
    scope: 'read:things write:things',
    legacy: false,
    expiresAt: at(86_400 + n),
    createdAt: at(n),
    createdBy: 'admin@example.test',
    revokedAt: null,
    ...overrides,
  };
}

forEachDialect('TenantAdminStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    await seedConnection(storage, a.id, { name: 'db' });
    await seedConnection(storage, b.id, { name: 'db' });
  });

  it('create, get, list (oldest first) and remove', async () => {
    const u1 = await seedUser(storage, a.id, 'db');
    const u2 = await seedUser(storage, a.id, 'db');
    await storage.tenantAdmins.create({ tenantId: a.id, userId: u2.userId, createdAt: at(2) });
    await storage.tenantAdmins.create({ tenantId: a.id, userId: u1.userId, createdAt: at(1) });
    expect(await storage.tenantAdmins.get(a.id, u1.userId)).toEqual({ tenantId: a.id, userId: u1.userId, createdAt: at(1) });
    expect((await storage.tenantAdmins.list(a.id)).map((r) => r.userId)).toEqual([u1.userId, u2.userId]);
    expect(await storage.tenantAdmins.remove(a.id, u1.userId)).toBe(true);
    expect(await storage.tenantAdmins.remove(a.id, u1.userId)).toBe(false);
    expect(await storage.tenantAdmins.get(a.id, u1.userId)).toBeUndefined();
    expect((await storage.tenantAdmins.list(a.id)).map((r) => r.userId)).toEqual([u2.userId]);
  });

  it('one membership per user: a second create is a UniqueViolation', async () => {
    const u = await seedUser(storage, a.id, 'db');
    await storage.tenantAdmins.create({ tenantId: a.id, userId: u.userId, createdAt: at(1) });
    await expect(storage.tenantAdmins.create({ tenantId: a.id, userId: u.userId, createdAt: at(2) })).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('memberships are per tenant', async () => {
    const u = await seedUser(storage, a.id, 'db', { userId: 'auth0|0000000000000000000000aa' });
    await seedUser(storage, b.id, 'db', { userId: 'auth0|0000000000000000000000aa' });
    await storage.tenantAdmins.create({ tenantId: a.id, userId: u.userId, createdAt: at(1) });
    expect(await storage.tenantAdmins.get(b.id, u.userId)).toBeUndefined();
    expect(await storage.tenantAdmins.list(b.id)).toEqual([]);
    expect(await storage.tenantAdmins.remove(b.id, u.userId)).toBe(false);
    expect(await storage.tenantAdmins.get(a.id, u.userId)).toBeDefined();
  });

  it('deleting the user removes its membership; a new user with the same id is not an admin', async () => {
    const u = await seedUser(storage, a.id, 'db');
    await storage.tenantAdmins.create({ tenantId: a.id, userId: u.userId, createdAt: at(1) });
    expect(await storage.users.remove(a.id, u.userId)).toBe(true);
    expect(await storage.tenantAdmins.get(a.id, u.userId)).toBeUndefined();
    await seedUser(storage, a.id, 'db', { userId: u.userId });
    expect(await storage.tenantAdmins.get(a.id, u.userId)).toBeUndefined();
  });

  it('a membership needs an existing user of the tenant', async () => {
    await expect(storage.tenantAdmins.create({ tenantId: a.id, userId: 'auth0|nobody', createdAt: at(1) })).rejects.toThrow();
    expect(await storage.tenantAdmins.list(a.id)).toEqual([]);
  });
});

forEachDialect('MintedTokenStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('round trip of every field, legacy never-expiring included', async () => {
    const r = minted(a.id, 1);
    const legacy = minted(a.id, 2, { legacy: true, expiresAt: null, clientId: 'global', audience: 'global', scope: 'read:clients', revokedAt: at(5) });
    await storage.mintedTokens.create(r);
    await storage.mintedTokens.create(legacy);
    expect(await storage.mintedTokens.get(a.id, r.id)).toEqual(r);
    expect(await storage.mintedTokens.get(a.id, legacy.id)).toEqual(legacy);
    expect(await storage.mintedTokens.get(b.id, r.id)).toBeUndefined();
  });

  it('list: newest first, filtered by client and audience, limited, per tenant', async () => {
    await storage.mintedTokens.create(minted(a.id, 1));
    await storage.mintedTokens.create(minted(a.id, 3, { clientId: 'client-b' }));
    await storage.mintedTokens.create(minted(a.id, 2, { audience: 'https://other.example/' }));
    await storage.mintedTokens.create(minted(b.id, 4));
    const ids = (list: MintedTokenRecord[]) => list.map((r) => r.jti);
    expect(ids(await storage.mintedTokens.list(a.id, {}, 100))).toEqual(['jti-3', 'jti-2', 'jti-1']);
    expect(ids(await storage.mintedTokens.list(a.id, {}, 2))).toEqual(['jti-3', 'jti-2']);
    expect(ids(await storage.mintedTokens.list(a.id, { clientId: 'client-a' }, 100))).toEqual(['jti-2', 'jti-1']);
    expect(ids(await storage.mintedTokens.list(a.id, { clientId: 'client-a', audience: 'https://api.example/' }, 100))).toEqual(['jti-1']);
    expect(ids(await storage.mintedTokens.list(b.id, {}, 100))).toEqual(['jti-4']);
  });

  it('revoke sets revokedAt once; a second revoke changes nothing', async () => {
    const r = minted(a.id, 1);
    await storage.mintedTokens.create(r);
    expect(await storage.mintedTokens.revoke(b.id, r.id, at(10))).toBe(false);
    expect(await storage.mintedTokens.revoke(a.id, r.id, at(10))).toBe(true);
    expect(await storage.mintedTokens.revoke(a.id, r.id, at(20))).toBe(false);
    expect(await storage.mintedTokens.revoke(a.id, 'mtk_missing', at(20))).toBe(false);
    expect((await storage.mintedTokens.get(a.id, r.id))?.revokedAt).toBe(at(10));
  });

  it('ids are unique per tenant', async () => {
    await storage.mintedTokens.create(minted(a.id, 1));
    await expect(storage.mintedTokens.create(minted(a.id, 1))).rejects.toBeInstanceOf(UniqueViolation);
    await storage.mintedTokens.create(minted(b.id, 1));
  });
});
