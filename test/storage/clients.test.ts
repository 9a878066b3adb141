// ClientStore on every dialect: round trips, list order and pages, filters, updates that keep the
// filter columns in step with the document, uniqueness, and tenant scoping.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { ClientRecord, Storage, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, clientData, clientRecord, grantRecord, seedClient, seedTenant } from './records.ts';

const page = (offset: number, limit: number, withTotal = false) => ({ offset, limit, withTotal });
const ids = (items: ClientRecord[]): string[] => items.map((c) => c.clientId);

forEachDialect('ClientStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('create then get returns the record unchanged (document, sealed secret, MAC, timestamps)', async () => {
    const c = clientRecord(a.id, { createdAt: at(1), updatedAt: at(2) });
    await storage.clients.create(c);
    expect(await storage.clients.get(a.id, c.clientId)).toEqual(c);
  });

  it('a public client keeps null secret columns', async () => {
    const c = await seedClient(storage, a.id, { secretSealed: null, secretMac: null });
    expect(await storage.clients.get(a.id, c.clientId)).toEqual(c);
  });

  it('list orders by (created_at, client_id)', async () => {
    await seedClient(storage, a.id, { clientId: 'c3', createdAt: at(2) });
    await seedClient(storage, a.id, { clientId: 'c2', createdAt: at(1) });
    await seedClient(storage, a.id, { clientId: 'c1', createdAt: at(2) });
    const { items, total } = await storage.clients.list(a.id, {}, page(0, 50));
    expect(ids(items)).toEqual(['c2', 'c1', 'c3']);
    expect(total).toBeUndefined();
  });

  it('pagination: offset/limit slice the ordered list; total counts every match', async () => {
    for (let i = 0; i < 7; i++) await seedClient(storage, a.id, { clientId: `c${i}`, createdAt: at(i) });
    expect(await storage.clients.list(a.id, {}, page(0, 3, true)).then((r) => [ids(r.items), r.total])).toEqual([['c0', 'c1', 'c2'], 7]);
    expect(await storage.clients.list(a.id, {}, page(3, 3, true)).then((r) => [ids(r.items), r.total])).toEqual([['c3', 'c4', 'c5'], 7]);
    expect(await storage.clients.list(a.id, {}, page(6, 3, true)).then((r) => [ids(r.items), r.total])).toEqual([['c6'], 7]);
    expect(await storage.clients.list(a.id, {}, page(9, 3, true)).then((r) => [ids(r.items), r.total])).toEqual([[], 7]);
  });

  it('listAfter: checkpoint order (created_at, client_id) with ties on created_at; nothing skipped or repeated', async () => {
    for (const [id, t] of [['c4', 2], ['c1', 1], ['c3', 2], ['c2', 1], ['c5', 3]] as const) await seedClient(storage, a.id, { clientId: id, createdAt: at(t) });
    const got: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const items = await storage.clients.listAfter(a.id, {}, after, 2);
      got.push(...ids(items));
      const last = items.at(-1);
      if (items.length < 2 || !last) break;
      after = { createdAt: last.createdAt, id: last.clientId };
    }
    expect(got).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(ids(await storage.clients.listAfter(b.id, {}, undefined, 10))).toEqual([]);
  });

  it('filters: is_global, is_first_party and app_type (any of several)', async () => {
    await seedClient(storage, a.id, { clientId: 'm2m', createdAt: at(1), data: clientData('m2m', { app_type: 'non_interactive' }) });
    await seedClient(storage, a.id, { clientId: 'spa', createdAt: at(2), data: clientData('spa', { app_type: 'spa', is_first_party: false }) });
    await seedClient(storage, a.id, { clientId: 'web', createdAt: at(3), data: clientData('web', { app_type: 'regular_web' }) });
    await seedClient(storage, a.id, { clientId: 'glob', createdAt: at(4), data: clientData('glob', { global: true, app_type: undefined }) });
    const list = async (filter: Parameters<Storage['clients']['list']>[1]) => storage.clients.list(a.id, filter, page(0, 50, true));

    expect(await list({ isGlobal: true }).then((r) => [ids(r.items), r.total])).toEqual([['glob'], 1]);
    expect(await list({ isGlobal: false }).then((r) => ids(r.items))).toEqual(['m2m', 'spa', 'web']);
    expect(await list({ isFirstParty: false }).then((r) => [ids(r.items), r.total])).toEqual([['spa'], 1]);
    expect(await list({ isFirstParty: true }).then((r) => ids(r.items))).toEqual(['m2m', 'web', 'glob']);
    expect(await list({ appTypes: ['spa', 'regular_web'] }).then((r) => [ids(r.items), r.total])).toEqual([['spa', 'web'], 2]);
    expect(await list({ appTypes: ['native'] }).then((r) => [ids(r.items), r.total])).toEqual([[], 0]);
    expect(await list({ appTypes: [], isGlobal: false, isFirstParty: true }).then((r) => ids(r.items))).toEqual(['m2m', 'web']);
  });

  it('update replaces the document and the filter columns follow it', async () => {
    const c = await seedClient(storage, a.id);
    const data = clientData(c.clientId, { name: 'renamed', app_type: 'spa', is_first_party: false });
    expect(await storage.clients.update(a.id, c.clientId, { data, updatedAt: at(9) })).toBe(true);
    expect(await storage.clients.get(a.id, c.clientId)).toEqual({ ...c, data, updatedAt: at(9) });
    expect(ids((await storage.clients.list(a.id, { appTypes: ['spa'], isFirstParty: false }, page(0, 10))).items)).toEqual([c.clientId]);
    expect(ids((await storage.clients.list(a.id, { appTypes: ['non_interactive'] }, page(0, 10))).items)).toEqual([]);
  });

  it('update of the secret columns alone leaves the document alone; null clears them', async () => {
    const c = await seedClient(storage, a.id);
    expect(await storage.clients.update(a.id, c.clientId, { secretSealed: 'v1.k.new', secretMac: 'bWFj' })).toBe(true);
    expect(await storage.clients.get(a.id, c.clientId)).toEqual({ ...c, secretSealed: 'v1.k.new', secretMac: 'bWFj' });
    await storage.clients.update(a.id, c.clientId, { secretSealed: null, secretMac: null });
    expect(await storage.clients.get(a.id, c.clientId)).toEqual({ ...c, secretSealed: null, secretMac: null });
  });

  it('update and remove of an unknown client return false', async () => {
    expect(await storage.clients.update(a.id, 'nope', { updatedAt: at(1) })).toBe(false);
    expect(await storage.clients.remove(a.id, 'nope')).toBe(false);
  });

  it('remove deletes the client and, through the foreign key, its grants', async () => {
    const c = await seedClient(storage, a.id);
    const other = await seedClient(storage, a.id);
    await storage.grants.create(grantRecord(a.id, c.clientId));
    const kept = grantRecord(a.id, other.clientId);
    await storage.grants.create(kept);
    expect(await storage.clients.remove(a.id, c.clientId)).toBe(true);
    expect(await storage.clients.get(a.id, c.clientId)).toBeUndefined();
    expect((await storage.grants.list(a.id, {}, page(0, 10, true))).items).toEqual([kept]);
    expect(await storage.clients.remove(a.id, c.clientId)).toBe(false);
  });

  it('a duplicate client_id is a UniqueViolation, in the same tenant and across tenants (ids are global)', async () => {
    const c = await seedClient(storage, a.id);
    await expect(storage.clients.create(clientRecord(a.id, { clientId: c.clientId }))).rejects.toBeInstanceOf(UniqueViolation);
    await expect(storage.clients.create(clientRecord(b.id, { clientId: c.clientId }))).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.clients.get(b.id, c.clientId)).toBeUndefined();
  });

  it('a client of a tenant that does not exist is refused (foreign key), not stored', async () => {
    const orphan = clientRecord('ten_missing');
    await expect(storage.clients.create(orphan)).rejects.toThrow();
    expect(await storage.clients.get('ten_missing', orphan.clientId)).toBeUndefined();
  });

  it("tenant scoping: tenant B never sees, changes or removes tenant A's clients", async () => {
    const ca = await seedClient(storage, a.id);
    const cb = await seedClient(storage, b.id);
    expect(await storage.clients.get(b.id, ca.clientId)).toBeUndefined();
    expect(ids((await storage.clients.list(b.id, {}, page(0, 50, true))).items)).toEqual([cb.clientId]);
    expect((await storage.clients.list(b.id, {}, page(0, 50, true))).total).toBe(1);
    expect(await storage.clients.update(b.id, ca.clientId, { data: clientData(ca.clientId, { name: 'hijacked' }) })).toBe(false);
    expect(await storage.clients.remove(b.id, ca.clientId)).toBe(false);
    expect(await storage.clients.get(a.id, ca.clientId)).toEqual(ca);
  });
  it('recordSecretUse keeps the latest use of each secret the client holds, by MAC, and drops uses of others', async () => {
    const c = await seedClient(storage, a.id, { previousSecretMac: 'previous-mac', previousSecretExpiresAt: at(9) });
    const current = c.secretMac!;
    await storage.clients.recordSecretUse(a.id, c.clientId, { mac: current, at: at(2) });
    await storage.clients.recordSecretUse(a.id, c.clientId, { mac: 'previous-mac', at: at(3) });
    await storage.clients.recordSecretUse(a.id, c.clientId, { mac: current, at: at(1) }); // older: ignored
    await storage.clients.recordSecretUse(a.id, c.clientId, { mac: 'retired-mac', at: at(4) }); // not held: ignored
    const uses = (await storage.clients.get(a.id, c.clientId))!.secretLastUsed;
    expect(uses?.slice().sort((x, y) => x.at.localeCompare(y.at))).toEqual([
      { mac: current, at: at(2) },
      { mac: 'previous-mac', at: at(3) },
    ]);
    // After a rotation without grace the old entries no longer name a held secret: the next write drops them.
    expect(await storage.clients.update(a.id, c.clientId, { secretMac: 'new-mac', previousSecretMac: null, previousSecretExpiresAt: null })).toBe(true);
    await storage.clients.recordSecretUse(a.id, c.clientId, { mac: 'new-mac', at: at(5) });
    expect((await storage.clients.get(a.id, c.clientId))!.secretLastUsed).toEqual([{ mac: 'new-mac', at: at(5) }]);
  });
});
