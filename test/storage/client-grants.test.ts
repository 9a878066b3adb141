// ClientGrantStore on every dialect: round trips, find by (client, audience, subject type), order,
// offset pages and checkpoint pages (listAfter), filters, uniqueness, bulk removal, audience
// renames and tenant scoping.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { ClientGrantRecord, Cursor, GrantFilter, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, grantRecord, seedClient, seedTenant } from './records.ts';

const page = (offset: number, limit: number, withTotal = false) => ({ offset, limit, withTotal });
const ids = (items: ClientGrantRecord[]): string[] => items.map((g) => g.id);

forEachDialect('ClientGrantStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  let c1: string;
  let c2: string;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    c1 = (await seedClient(storage, a.id)).clientId;
    c2 = (await seedClient(storage, a.id)).clientId;
  });

  const add = async (overrides: Partial<ClientGrantRecord> & { clientId?: string }): Promise<ClientGrantRecord> => {
    const g = grantRecord(overrides.tenantId ?? a.id, overrides.clientId ?? c1, overrides);
    await storage.grants.create(g);
    return g;
  };

  /** Walks listAfter in pages of `size` from the start; returns every id it saw, in order. */
  const walk = async (filter: GrantFilter, size: number): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: Cursor | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const items = await storage.grants.listAfter(a.id, filter, cursor, size);
      seen.push(...ids(items));
      if (items.length < size) return seen;
      const last = items[items.length - 1]!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    throw new Error('listAfter did not terminate');
  };

  it('create then get and find return the record unchanged (scope order and extra kept)', async () => {
    const g = await add({ scope: ['b:x', 'a:x'], extra: { allow_any_organization: true, organization_usage: 'allow' }, createdAt: at(3) });
    expect(await storage.grants.get(a.id, g.id)).toEqual(g);
    expect(await storage.grants.find(a.id, c1, g.audience, 'client')).toEqual(g);
    expect(await storage.grants.find(a.id, c1, g.audience, 'user')).toBeUndefined();
    expect(await storage.grants.find(a.id, c2, g.audience, 'client')).toBeUndefined();
  });

  it('one client may hold a client grant and a user grant for the same audience', async () => {
    const forClient = await add({ subjectType: 'client' });
    const forUser = await add({ subjectType: 'user' });
    expect(await storage.grants.find(a.id, c1, forClient.audience, 'client')).toEqual(forClient);
    expect(await storage.grants.find(a.id, c1, forClient.audience, 'user')).toEqual(forUser);
  });

  it('a second grant for the same (client, audience, subject_type) is a UniqueViolation', async () => {
    const g = await add({});
    await expect(add({ audience: g.audience })).rejects.toBeInstanceOf(UniqueViolation);
    expect(ids((await storage.grants.list(a.id, {}, page(0, 10))).items)).toEqual([g.id]);
  });

  it('a grant for a client that does not exist is refused (foreign key)', async () => {
    await expect(add({ clientId: 'no-such-client' })).rejects.toThrow();
    expect((await storage.grants.list(a.id, {}, page(0, 10, true))).total).toBe(0);
  });

  it('list orders by (created_at, id); offset/limit slice it; total counts every match', async () => {
    const g3 = await add({ id: 'cgr_3', audience: 'https://3/', createdAt: at(2) });
    const g1 = await add({ id: 'cgr_1', audience: 'https://1/', createdAt: at(2) });
    const g2 = await add({ id: 'cgr_2', audience: 'https://2/', createdAt: at(1) });
    expect(ids((await storage.grants.list(a.id, {}, page(0, 10))).items)).toEqual([g2.id, g1.id, g3.id]);
    const second = await storage.grants.list(a.id, {}, page(1, 1, true));
    expect([ids(second.items), second.total]).toEqual([[g1.id], 3]);
    expect((await storage.grants.list(a.id, {}, page(0, 10))).total).toBeUndefined();
  });

  it('filters: client_id, audience, subject_type and allow_any_organization', async () => {
    const x = await add({ clientId: c1, audience: 'https://x/', createdAt: at(1) });
    const y = await add({ clientId: c2, audience: 'https://x/', createdAt: at(2), extra: { allow_any_organization: true } });
    const z = await add({ clientId: c2, audience: 'https://z/', createdAt: at(3), subjectType: 'user' });
    const list = async (f: GrantFilter) => storage.grants.list(a.id, f, page(0, 10, true)).then((r) => [ids(r.items), r.total]);
    expect(await list({ clientId: c2 })).toEqual([[y.id, z.id], 2]);
    expect(await list({ audience: 'https://x/' })).toEqual([[x.id, y.id], 2]);
    expect(await list({ subjectType: 'user' })).toEqual([[z.id], 1]);
    expect(await list({ subjectType: 'client' })).toEqual([[x.id, y.id], 2]);
    expect(await list({ allowAnyOrganization: true })).toEqual([[y.id], 1]);
    expect(await list({ allowAnyOrganization: false })).toEqual([[x.id, z.id], 2]);
    expect(await list({ clientId: c2, audience: 'https://x/' })).toEqual([[y.id], 1]);
  });

  it('listAfter walks every grant once, without skips or repeats, across created_at ties', async () => {
    // 11 grants on 4 distinct instants, inserted out of order: pages end inside tie groups.
    const plan = [3, 0, 2, 0, 1, 3, 0, 2, 1, 3, 0];
    for (const [i, second] of plan.entries()) {
      await add({ id: `cgr_${String(10 - i).padStart(2, '0')}`, audience: `https://aud-${i}/`, createdAt: at(second) });
    }
    const expected = ['cgr_00', 'cgr_04', 'cgr_07', 'cgr_09', 'cgr_02', 'cgr_06', 'cgr_03', 'cgr_08', 'cgr_01', 'cgr_05', 'cgr_10'];
    expect(ids((await storage.grants.list(a.id, {}, page(0, 100))).items)).toEqual(expected);
    for (const size of [1, 2, 3, 4, 11, 50]) expect(await walk({}, size)).toEqual(expected);
  });

  it('listAfter applies filters and returns nothing after the last item', async () => {
    const mine = [await add({ clientId: c2, audience: 'https://p/', createdAt: at(1) }), await add({ clientId: c2, audience: 'https://q/', createdAt: at(1) })];
    await add({ clientId: c1, audience: 'https://p/', createdAt: at(1) });
    const sorted = ids(mine).sort();
    expect(await walk({ clientId: c2 }, 1)).toEqual(sorted);
    expect(await storage.grants.listAfter(a.id, { clientId: c2 }, { createdAt: at(1), id: sorted[1]! }, 10)).toEqual([]);
    expect(ids(await storage.grants.listAfter(a.id, {}, { createdAt: at(0), id: 'zzz' }, 10))).toHaveLength(3);
  });

  it('update changes scope and extra; allow_any_organization filtering follows extra', async () => {
    const g = await add({});
    expect(await storage.grants.update(a.id, g.id, { scope: ['only:this'] })).toBe(true);
    expect(await storage.grants.get(a.id, g.id)).toEqual({ ...g, scope: ['only:this'] });
    expect(await storage.grants.update(a.id, g.id, { extra: { allow_any_organization: true } })).toBe(true);
    expect(await storage.grants.get(a.id, g.id)).toEqual({ ...g, scope: ['only:this'], extra: { allow_any_organization: true } });
    expect(ids((await storage.grants.list(a.id, { allowAnyOrganization: true }, page(0, 10))).items)).toEqual([g.id]);
    expect(await storage.grants.update(a.id, 'cgr_missing', { scope: [] })).toBe(false);
  });

  it('remove deletes one grant and reports whether it existed', async () => {
    const g = await add({});
    const other = await add({ audience: 'https://other/' });
    expect(await storage.grants.remove(a.id, g.id)).toBe(true);
    expect(await storage.grants.remove(a.id, g.id)).toBe(false);
    expect(ids((await storage.grants.list(a.id, {}, page(0, 10))).items)).toEqual([other.id]);
  });

  it("removeForClient deletes exactly that client's grants and returns how many", async () => {
    await add({ clientId: c1, audience: 'https://1/' });
    await add({ clientId: c1, audience: 'https://2/' });
    const kept = await add({ clientId: c2, audience: 'https://1/' });
    expect(await storage.grants.removeForClient(a.id, c1)).toBe(2);
    expect(ids((await storage.grants.list(a.id, {}, page(0, 10))).items)).toEqual([kept.id]);
    expect(await storage.grants.removeForClient(a.id, c1)).toBe(0);
  });

  it('renameAudience moves every grant on the old audience of that tenant, and only those', async () => {
    const old1 = await add({ clientId: c1, audience: 'https://old/' });
    const old2 = await add({ clientId: c2, audience: 'https://old/' });
    const other = await add({ clientId: c2, audience: 'https://other/' });
    const cb = (await seedClient(storage, b.id)).clientId;
    const foreign = grantRecord(b.id, cb, { audience: 'https://old/' });
    await storage.grants.create(foreign);
    await storage.grants.renameAudience(a.id, 'https://old/', 'https://new/');
    expect(await storage.grants.get(a.id, old1.id)).toEqual({ ...old1, audience: 'https://new/' });
    expect(await storage.grants.get(a.id, old2.id)).toEqual({ ...old2, audience: 'https://new/' });
    expect(await storage.grants.get(a.id, other.id)).toEqual(other);
    expect(await storage.grants.get(b.id, foreign.id)).toEqual(foreign);
  });

  it("tenant scoping: tenant B never sees, changes or removes tenant A's grants", async () => {
    const g = await add({});
    expect(await storage.grants.get(b.id, g.id)).toBeUndefined();
    expect(await storage.grants.find(b.id, c1, g.audience, 'client')).toBeUndefined();
    expect(await storage.grants.list(b.id, {}, page(0, 10, true))).toEqual({ items: [], total: 0 });
    expect(await storage.grants.listAfter(b.id, {}, undefined, 10)).toEqual([]);
    expect(await storage.grants.update(b.id, g.id, { scope: ['stolen'] })).toBe(false);
    expect(await storage.grants.remove(b.id, g.id)).toBe(false);
    expect(await storage.grants.removeForClient(b.id, c1)).toBe(0);
    await storage.grants.renameAudience(b.id, g.audience, 'https://elsewhere/');
    expect(await storage.grants.get(a.id, g.id)).toEqual(g);
  });
});
