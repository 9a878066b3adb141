// The in-memory list order of applications (src/cache/client-order.ts) against the database, on
// every dialect: for every filter and page, the keyset plan it makes reads exactly the page that
// OFFSET/LIMIT reads, with the same total, also after creates, updates and deletes named by id.
import { beforeEach, expect, it } from 'vitest';
import { ClientOrder } from '../../src/cache/client-order.ts';
import { GrantOrder } from '../../src/cache/grant-order.ts';
import type { ClientFilter, ClientRecord, GrantFilter, Storage, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, clientData, grantRecord, seedClient, seedTenant } from './records.ts';

const ids = (items: ClientRecord[]): string[] => items.map((c) => c.clientId);
const TYPES = ['spa', 'native', 'regular_web', 'non_interactive', undefined] as const;
const FILTERS: ClientFilter[] = [{}, { appTypes: ['spa', 'native'] }, { isGlobal: false }, { isFirstParty: false }, { appTypes: ['regular_web'], isFirstParty: true }, { appTypes: ['nothing'] }];

/** Every page (per_page 1, 3 and 50, one past the end) and total, by the plan and by OFFSET. */
async function compare(storage: Storage, tenantId: string, order: ClientOrder): Promise<void> {
  for (const filter of FILTERS) {
    for (const limit of [1, 3, 50]) {
      const { total } = await storage.clients.list(tenantId, filter, { offset: 0, limit: 1, withTotal: true });
      for (let offset = 0; offset <= (total ?? 0) + limit; offset += limit) {
        const expected = await storage.clients.list(tenantId, filter, { offset, limit, withTotal: true });
        const plan = await order.page(filter, offset, limit);
        const got = plan.count > 0 ? await storage.clients.listAfter(tenantId, filter, plan.after, plan.count) : [];
        expect({ filter, offset, limit, items: ids(got), total: plan.total }).toEqual({ filter, offset, limit, items: ids(expected.items), total: expected.total });
      }
    }
  }
}

forEachDialect('ClientOrder', (storage) => {
  let t: TenantRecord;
  let other: TenantRecord;
  beforeEach(async () => {
    t = await seedTenant(storage);
    other = await seedTenant(storage);
    await seedClient(storage, other.id, { clientId: 'other-tenant', createdAt: at(0) });
    for (let i = 0; i < 23; i++) {
      const clientId = `c${String(i).padStart(2, '0')}`;
      const app_type = TYPES[i % TYPES.length];
      // Some share a created_at: the order falls back to client_id.
      await seedClient(storage, t.id, { clientId, createdAt: at(Math.floor(i / 2)), data: clientData(clientId, { ...(app_type && { app_type }), is_first_party: i % 3 !== 0, global: i === 7 }) });
    }
  });

  it('page plans read the same pages and totals as OFFSET, for every filter', async () => {
    const order = new ClientOrder(storage, t.id);
    await compare(storage, t.id, order);
    expect(order.size).toBe(23);
  });

  it('after creates, updates and deletes named by id, still the same as OFFSET', async () => {
    const order = new ClientOrder(storage, t.id);
    await order.page({}, 0, 1);
    await seedClient(storage, t.id, { clientId: 'new-first', createdAt: at(-1) });
    await seedClient(storage, t.id, { clientId: 'c05b', createdAt: at(2) });
    await storage.clients.update(t.id, 'c04', { data: clientData('c04', { app_type: 'spa', is_first_party: false }) });
    await storage.clients.remove(t.id, 'c10');
    order.changed(['new-first', 'c05b', 'c04', 'c10']);
    await compare(storage, t.id, order);
  });

  it('a rotation grace period is seen until it ends', async () => {
    const order = new ClientOrder(storage, t.id);
    const now = Date.parse(at(100));
    expect(await order.graceRunning(now)).toBe(false);
    await storage.clients.update(t.id, 'c03', { previousSecretMac: 'x', previousSecretExpiresAt: at(160) });
    order.changed(['c03']);
    expect(await order.graceRunning(now)).toBe(true);
    expect(await order.graceRunning(Date.parse(at(160)))).toBe(false);
  });

  it('listKeys with ids returns only those, of this tenant', async () => {
    const keys = await storage.clients.listKeys(t.id, ['c01', 'c02', 'other-tenant', 'missing']);
    expect(keys.map((k) => k.clientId).sort()).toEqual(['c01', 'c02']);
    expect(keys.find((k) => k.clientId === 'c01')).toEqual({ clientId: 'c01', createdAt: at(0), appType: 'native', isGlobal: false, isFirstParty: true, previousSecretExpiresAt: null });
  });
});

forEachDialect('GrantOrder', (storage) => {
  let t: TenantRecord;
  const FILTERS_G: GrantFilter[] = [{}, { clientId: 'c01' }, { audience: 'https://b/' }, { subjectType: 'user' }, { allowAnyOrganization: true }];

  async function compareGrants(order: GrantOrder): Promise<void> {
    for (const filter of FILTERS_G) {
      for (const limit of [1, 4]) {
        const { total } = await storage.grants.list(t.id, filter, { offset: 0, limit: 1, withTotal: true });
        for (let offset = 0; offset <= (total ?? 0) + limit; offset += limit) {
          const expected = await storage.grants.list(t.id, filter, { offset, limit, withTotal: true });
          const plan = await order.page(filter, offset, limit);
          const got = plan.count > 0 ? await storage.grants.listAfter(t.id, filter, plan.after, plan.count) : [];
          expect({ filter, offset, limit, items: got.map((g) => g.id), total: plan.total }).toEqual({ filter, offset, limit, items: expected.items.map((g) => g.id), total: expected.total });
        }
      }
    }
  }

  beforeEach(async () => {
    t = await seedTenant(storage);
    for (let i = 0; i < 6; i++) await seedClient(storage, t.id, { clientId: `c0${i}`, createdAt: at(i) });
    let n = 0;
    for (const audience of ['https://a/', 'https://b/']) {
      for (let i = 0; i < 6; i++) {
        await storage.grants.create(grantRecord(t.id, `c0${i}`, { id: `g${String(n).padStart(2, '0')}`, audience, createdAt: at(n % 5), subjectType: i % 3 === 0 ? 'user' : 'client', extra: i === 2 ? { allow_any_organization: true } : {} }));
        n++;
      }
    }
  });

  it('page plans read the same pages and totals as OFFSET, also after changes named by application, audience and pair', async () => {
    const order = new GrantOrder(storage, t.id);
    await compareGrants(order);
    await storage.grants.removeForClient(t.id, 'c01');
    await storage.grants.create(grantRecord(t.id, 'c01', { id: 'g-new', audience: 'https://c/', createdAt: at(1) }));
    await storage.grants.renameAudience(t.id, 'https://b/', 'https://b2/');
    const g = (await storage.grants.find(t.id, 'c03', 'https://a/', 'user'))!;
    await storage.grants.remove(t.id, g.id);
    order.changed({ clients: ['c01'] });
    order.changed({ audiences: ['https://b/', 'https://b2/'] });
    order.changed({ grants: [{ clientId: 'c03', audience: 'https://a/' }] });
    await compareGrants(order);
    expect(order.size).toBe(10); // 12 - c01's 2 + 1 new - 1 removed
  });
});
