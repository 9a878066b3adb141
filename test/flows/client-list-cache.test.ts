// What GET /api/v2/clients keeps between requests (issue 13, decision 0011): the list order as
// keys, settled by id after a change, and serialized answers. A secret-use flush, which a trickle
// of token requests causes every few seconds, drops neither, except the answers that show secret
// use. Counted at the storage port the server really reads through (in-memory SQLite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Counts the client list reads of `storage` (the server's own reads, through its notifying wrapper). */
function counted(storage: Storage) {
  const reads = { allKeys: 0, someKeys: 0, pages: 0 };
  const listKeys = storage.clients.listKeys.bind(storage.clients);
  const listAfter = storage.clients.listAfter.bind(storage.clients);
  storage.clients.listKeys = (tenantId, ids) => {
    if (ids) reads.someKeys++;
    else reads.allKeys++;
    return listKeys(tenantId, ids);
  };
  storage.clients.listAfter = (...args) => {
    reads.pages++;
    return listAfter(...args);
  };
  return reads;
}

describe('GET /api/v2/clients caches', () => {
  let s: TestServer;
  let reads: ReturnType<typeof counted>;
  let reader: MgmtCaller;
  let admin: MgmtCaller;

  beforeAll(async () => {
    const raw = await createStorage('sqlite::memory:');
    reads = counted(raw);
    s = await startTestServer({ storage: raw });
    reader = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients'], { name: 'reader' })));
    admin = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients', 'update:clients', 'create:clients'], { name: 'admin' })));
  });
  afterAll(() => s?.close());

  const snapshot = () => ({ ...reads });
  const names = async (caller: MgmtCaller, path: string) => {
    const res = await caller.get(path);
    expect(res.statusCode).toBe(200);
    return res.json<{ name: string }[]>().map((c) => c.name);
  };

  it('a secret-use flush keeps the list order and the answers that do not show secret use', async () => {
    const app = await seedM2M(s, [], { name: 'token user' });
    const before = await names(reader, '/clients?per_page=100');
    await names(reader, '/clients?per_page=100&fields=name,client_secret_rotation');
    const loaded = snapshot();
    expect(loaded.allKeys).toBe(1);

    await tokenFor(s, app); // notes secret use
    await s.secretUsage.flush(); // writes it: a `client_usage` change

    expect(await names(reader, '/clients?per_page=100')).toEqual(before);
    expect(snapshot()).toEqual(loaded); // answered from the kept answer: no read at all
    const shown = (await reader.get('/clients?per_page=100&fields=name,client_secret_rotation')).json<{ name: string; client_secret_rotation?: { last_used_secret?: string } }[]>();
    expect(shown.find((c) => c.name === 'token user')?.client_secret_rotation).toMatchObject({ last_used_secret: 'current' });
    // That answer was rebuilt (one page read), by keyset over the same order (no key reload).
    expect(snapshot()).toEqual({ ...loaded, pages: loaded.pages + 1 });
  });

  it('a change reloads the keys of the client it names, not the whole order, and the next answer shows it', async () => {
    await names(reader, '/clients?per_page=100');
    const loaded = snapshot();
    const created = await admin.post('/clients', { name: 'added later', app_type: 'spa' });
    expect(created.statusCode).toBe(201);
    const after = await names(reader, '/clients?per_page=100');
    expect(after).toContain('added later'); // (the frozen clock gives every client one created_at)
    expect(snapshot()).toEqual({ allKeys: loaded.allKeys, someKeys: loaded.someKeys + 1, pages: loaded.pages + 1 });
    const renamed = await admin.patch(`/clients/${created.json<{ client_id: string }>().client_id}`, { name: 'renamed' });
    expect(renamed.statusCode).toBe(200);
    const now = await names(reader, '/clients?per_page=100');
    expect([now.includes('renamed'), now.includes('added later'), now.length]).toEqual([true, false, after.length]);
    expect(snapshot().allKeys).toBe(loaded.allKeys);
  });

  it('deep pages and totals by keyset agree with the order (page/per_page/include_totals)', async () => {
    const all = await names(reader, '/clients?per_page=100');
    const paged: string[] = [];
    for (let page = 0; ; page++) {
      const res = await reader.get(`/clients?per_page=2&page=${page}&include_totals=true`);
      const body = res.json<{ start: number; limit: number; total: number; clients: { name: string }[] }>();
      expect([body.start, body.limit, body.total]).toEqual([page * 2, 2, all.length]);
      if (body.clients.length === 0) break;
      paged.push(...body.clients.map((c) => c.name));
    }
    expect(paged).toEqual(all);
  });
});
