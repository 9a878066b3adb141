// ResourceServerStore on every dialect: round trips, lookup by identifier, list order (system API
// first), identifier filter, pages, updates, the per-tenant uniqueness of identifiers, scoping.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { ResourceServerRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { apiData, apiRecord, at, seedTenant } from './records.ts';

const page = (offset: number, limit: number, withTotal = false) => ({ offset, limit, withTotal });
const ids = (items: ResourceServerRecord[]): string[] => items.map((r) => r.id);

forEachDialect('ResourceServerStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  const add = async (overrides: Partial<ResourceServerRecord> = {}): Promise<ResourceServerRecord> => {
    const r = apiRecord(overrides.tenantId ?? a.id, overrides);
    await storage.resourceServers.create(r);
    return r;
  };

  it('create then get and getByIdentifier return the record unchanged', async () => {
    const r = await add({ signingSecretSealed: 'v1.k.sealed', createdAt: at(4) });
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual(r);
    expect(await storage.resourceServers.getByIdentifier(a.id, r.identifier)).toEqual(r);
    expect(await storage.resourceServers.get(a.id, 'missing')).toBeUndefined();
    expect(await storage.resourceServers.getByIdentifier(a.id, 'https://missing/')).toBeUndefined();
  });

  it('list puts the system API first, then orders by (created_at, id)', async () => {
    await add({ id: 'r3', createdAt: at(2) });
    await add({ id: 'r1', createdAt: at(2) });
    await add({ id: 'sys', isSystem: true, createdAt: at(9) });
    await add({ id: 'r2', createdAt: at(1) });
    expect(ids((await storage.resourceServers.list(a.id, {}, page(0, 10))).items)).toEqual(['sys', 'r2', 'r1', 'r3']);
  });

  it('pagination: offset/limit slice the ordered list; total counts every match', async () => {
    for (let i = 0; i < 5; i++) await add({ id: `r${i}`, createdAt: at(i) });
    const second = await storage.resourceServers.list(a.id, {}, page(2, 2, true));
    expect([ids(second.items), second.total]).toEqual([['r2', 'r3'], 5]);
    const past = await storage.resourceServers.list(a.id, {}, page(5, 2, true));
    expect([ids(past.items), past.total]).toEqual([[], 5]);
  });

  it('the identifiers filter returns exactly the named APIs; total counts only them', async () => {
    const x = await add({ createdAt: at(1) });
    await add({ createdAt: at(2) });
    const z = await add({ createdAt: at(3) });
    const r = await storage.resourceServers.list(a.id, { identifiers: [z.identifier, x.identifier, 'https://unknown/'] }, page(0, 10, true));
    expect([ids(r.items), r.total]).toEqual([[x.id, z.id], 2]);
    expect((await storage.resourceServers.list(a.id, { identifiers: [] }, page(0, 10, true))).total).toBe(3);
  });

  it('update changes identifier, document and sealed secret independently; null clears the secret', async () => {
    const r = await add({ signingSecretSealed: 'v1.k.one' });
    const data = apiData(r.id, 'https://renamed/', { signing_alg: 'HS256', token_lifetime: 60 });
    expect(await storage.resourceServers.update(a.id, r.id, { identifier: 'https://renamed/', data })).toBe(true);
    const renamed = { ...r, identifier: 'https://renamed/', data };
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual(renamed);
    expect(await storage.resourceServers.getByIdentifier(a.id, r.identifier)).toBeUndefined();
    expect(await storage.resourceServers.update(a.id, r.id, { signingSecretSealed: 'v1.k.two' })).toBe(true);
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual({ ...renamed, signingSecretSealed: 'v1.k.two' });
    await storage.resourceServers.update(a.id, r.id, { signingSecretSealed: null });
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual({ ...renamed, signingSecretSealed: null });
    expect(await storage.resourceServers.update(a.id, 'missing', { data })).toBe(false);
  });

  it('a second API with the same identifier in one tenant is a UniqueViolation; in another tenant it is allowed', async () => {
    const r = await add({ identifier: 'https://shared/' });
    await expect(add({ identifier: 'https://shared/' })).rejects.toBeInstanceOf(UniqueViolation);
    const elsewhere = await add({ tenantId: b.id, identifier: 'https://shared/' });
    expect(await storage.resourceServers.getByIdentifier(a.id, 'https://shared/')).toEqual(r);
    expect(await storage.resourceServers.getByIdentifier(b.id, 'https://shared/')).toEqual(elsewhere);
  });

  it('renaming onto an identifier in use is a UniqueViolation and changes nothing', async () => {
    await add({ identifier: 'https://taken/' });
    const r = await add({});
    await expect(storage.resourceServers.update(a.id, r.id, { identifier: 'https://taken/' })).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual(r);
  });

  it('remove deletes one API and reports whether it existed', async () => {
    const r = await add({});
    const kept = await add({});
    expect(await storage.resourceServers.remove(a.id, r.id)).toBe(true);
    expect(await storage.resourceServers.remove(a.id, r.id)).toBe(false);
    expect(ids((await storage.resourceServers.list(a.id, {}, page(0, 10))).items)).toEqual([kept.id]);
  });

  it("tenant scoping: tenant B never sees, changes or removes tenant A's APIs", async () => {
    const r = await add({});
    expect(await storage.resourceServers.get(b.id, r.id)).toBeUndefined();
    expect(await storage.resourceServers.getByIdentifier(b.id, r.identifier)).toBeUndefined();
    expect(await storage.resourceServers.list(b.id, {}, page(0, 10, true))).toEqual({ items: [], total: 0 });
    expect(await storage.resourceServers.list(b.id, { identifiers: [r.identifier] }, page(0, 10, true))).toEqual({ items: [], total: 0 });
    expect(await storage.resourceServers.update(b.id, r.id, { identifier: 'https://stolen/' })).toBe(false);
    expect(await storage.resourceServers.remove(b.id, r.id)).toBe(false);
    expect(await storage.resourceServers.get(a.id, r.id)).toEqual(r);
  });
});
