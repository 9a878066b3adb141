// DeviceCredentialStore on every dialect: round trips, one public key per (user, client, device),
// filters by user and client, pages with totals, tenant scoping, and cascades: deleting the user
// or the application removes its device credentials.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { DeviceCredentialFilter, DeviceCredentialRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, deviceCredentialRecord, seedClient, seedConnection, seedTenant, seedUser } from './records.ts';

const page = (offset: number, limit: number, withTotal = false) => ({ offset, limit, withTotal });
const ids = (items: DeviceCredentialRecord[]): string[] => items.map((d) => d.id);

forEachDialect('DeviceCredentialStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  let u1: string;
  let u2: string;
  let c1: string;
  let c2: string;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    await seedConnection(storage, a.id, { name: 'db' });
    u1 = (await seedUser(storage, a.id, 'db')).userId;
    u2 = (await seedUser(storage, a.id, 'db')).userId;
    c1 = (await seedClient(storage, a.id)).clientId;
    c2 = (await seedClient(storage, a.id)).clientId;
  });

  const add = async (overrides: Partial<DeviceCredentialRecord> = {}): Promise<DeviceCredentialRecord> => {
    const d = deviceCredentialRecord(a.id, overrides.userId ?? u1, overrides.clientId ?? c1, overrides);
    await storage.deviceCredentials.create(d);
    return d;
  };
  const list = async (filter: DeviceCredentialFilter, tenant = a) => ids((await storage.deviceCredentials.list(tenant.id, filter, page(0, 100))).items);

  it('create then get and list return the record unchanged', async () => {
    const d = await add({ deviceName: 'Pixel 9', value: 'cHVibGljIGtleQ' });
    expect(await storage.deviceCredentials.get(a.id, d.id)).toEqual(d);
    expect((await storage.deviceCredentials.list(a.id, {}, page(0, 10))).items).toEqual([d]);
  });

  it('a second public key for the same (user, client, device) is a UniqueViolation; another device, user or client is fine', async () => {
    const d = await add({ deviceId: 'device-1' });
    await expect(add({ deviceId: 'device-1' })).rejects.toBeInstanceOf(UniqueViolation);
    await add({ deviceId: 'device-2' });
    await add({ deviceId: 'device-1', userId: u2 });
    await add({ deviceId: 'device-1', clientId: c2 });
    expect(await list({})).toHaveLength(4);
    expect(await storage.deviceCredentials.get(a.id, d.id)).toEqual(d);
  });

  it('a credential names a stored user and a stored application of its tenant', async () => {
    await expect(add({ userId: 'auth0|missing' })).rejects.toThrow();
    await expect(add({ clientId: 'missing-client' })).rejects.toThrow();
    expect(await list({})).toEqual([]);
  });

  it('list filters by user and by client; orders by (created_at, id); offset/limit and total', async () => {
    const x = await add({ id: 'dcr_3', createdAt: at(1) });
    const y = await add({ id: 'dcr_1', createdAt: at(1), userId: u2 });
    const z = await add({ id: 'dcr_2', createdAt: at(0), clientId: c2 });
    expect(await list({})).toEqual([z.id, y.id, x.id]);
    expect(await list({ userId: u1 })).toEqual([z.id, x.id]);
    expect(await list({ clientId: c1 })).toEqual([y.id, x.id]);
    expect(await list({ userId: u1, clientId: c1 })).toEqual([x.id]);
    expect(await list({ userId: 'auth0|nobody' })).toEqual([]);
    const second = await storage.deviceCredentials.list(a.id, {}, page(1, 1, true));
    expect([ids(second.items), second.total]).toEqual([[y.id], 3]);
    expect((await storage.deviceCredentials.list(a.id, {}, page(0, 1))).total).toBeUndefined();
  });

  it('remove: true once, then false; another tenant can neither see nor remove it', async () => {
    const d = await add();
    expect(await storage.deviceCredentials.get(b.id, d.id)).toBeUndefined();
    expect(await list({}, b)).toEqual([]);
    expect(await storage.deviceCredentials.remove(b.id, d.id)).toBe(false);
    expect(await storage.deviceCredentials.remove(a.id, d.id)).toBe(true);
    expect(await storage.deviceCredentials.remove(a.id, d.id)).toBe(false);
    expect(await storage.deviceCredentials.get(a.id, d.id)).toBeUndefined();
  });

  it('deleting a user removes their device credentials and nobody else’s', async () => {
    const mine = [await add({ userId: u1 }), await add({ userId: u1, clientId: c2 })];
    const theirs = await add({ userId: u2 });
    expect(await storage.users.remove(a.id, u1)).toBe(true);
    for (const d of mine) expect(await storage.deviceCredentials.get(a.id, d.id)).toBeUndefined();
    expect(await list({})).toEqual([theirs.id]);
  });

  it('deleting an application removes the device credentials issued for it', async () => {
    await add({ clientId: c1 });
    const kept = await add({ clientId: c2 });
    expect(await storage.clients.remove(a.id, c1)).toBe(true);
    expect(await list({})).toEqual([kept.id]);
  });
});
