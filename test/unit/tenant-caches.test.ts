// The small caches of one tenant (src/cache/*-cache.ts, issue 13), each over a real in-memory
// SQLite storage whose reads are counted: an entry loads once, a change drops exactly what it
// names (and what is derived from it), and everything else keeps answering from memory.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiCache } from '../../src/cache/api-cache.ts';
import type { CacheContext } from '../../src/cache/cache-context.ts';
import { ClientCache } from '../../src/cache/client-cache.ts';
import { DashboardClientCache } from '../../src/cache/dashboard-client-cache.ts';
import { DenylistCache } from '../../src/cache/denylist-cache.ts';
import { GrantCache } from '../../src/cache/grant-cache.ts';
import { OriginCache } from '../../src/cache/origin-cache.ts';
import { TenantCaches } from '../../src/cache/tenant-caches.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { DASHBOARD_MARKER } from '../../src/domain/dashboard-client.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage, TenantRecord } from '../../src/storage/ports.ts';
import { apiRecord, clientData, grantRecord, seedClient, seedTenant } from '../storage/records.ts';

let storage: Storage;
let tenant: TenantRecord;
let ctx: CacheContext;
const reads: Record<string, number> = {};

/** Counts calls to `store.method` (the real method still answers). */
function count<S extends object>(store: S, method: keyof S & string, name: string): void {
  const real = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
  (store as Record<string, unknown>)[method] = (...args: unknown[]) => {
    reads[name] = (reads[name] ?? 0) + 1;
    return real(...args);
  };
}

beforeEach(async () => {
  storage = await createStorage('sqlite::memory:');
  tenant = await seedTenant(storage);
  ctx = { storage, envelope: createEnvelope(randomBytes(32)), tenantId: tenant.id, onError: () => undefined };
  for (const k of Object.keys(reads)) delete reads[k];
  count(storage.clients, 'get', 'client');
  count(storage.clients, 'listAfter', 'clientPage');
  count(storage.grants, 'find', 'grant');
  count(storage.resourceServers, 'getByIdentifier', 'api');
  count(storage.denylist, 'list', 'denylist');
});
afterEach(() => storage.close());

describe('ClientCache', () => {
  it('loads a client once; a change naming it drops it alone; unknown ids are remembered apart', async () => {
    await seedClient(storage, tenant.id, { clientId: 'a' });
    await seedClient(storage, tenant.id, { clientId: 'b' });
    const cache = new ClientCache(ctx);
    await cache.get('a');
    await cache.get('b');
    expect(await cache.get('nobody')).toBeNull();
    await cache.get('a');
    await cache.get('nobody');
    expect(reads.client).toBe(3);
    cache.changed(['a']);
    await cache.get('a');
    await cache.get('b');
    expect(reads.client).toBe(4);
    await seedClient(storage, tenant.id, { clientId: 'nobody' });
    cache.changed(['nobody']); // created: no longer "not found"
    expect((await cache.get('nobody'))?.clientId).toBe('nobody');
    cache.changed(undefined);
    expect(cache.size).toBe(0);
  });
});

describe('GrantCache', () => {
  it('drops the pair, the application or the audience a change names, nothing else', async () => {
    for (const c of ['a', 'b']) {
      await seedClient(storage, tenant.id, { clientId: c });
      for (const aud of ['https://x/', 'https://y/']) await storage.grants.create(grantRecord(tenant.id, c, { audience: aud }));
    }
    const cache = new GrantCache(ctx);
    const all = async () => {
      for (const c of ['a', 'b']) for (const aud of ['https://x/', 'https://y/']) expect((await cache.get(c, aud))?.clientId).toBe(c);
    };
    await all();
    expect(reads.grant).toBe(4);
    cache.changed({ grants: [{ clientId: 'a', audience: 'https://x/' }] });
    await all();
    expect(reads.grant).toBe(5);
    cache.changed({ clients: ['b'] });
    await all();
    expect(reads.grant).toBe(7);
    cache.changed({ audiences: ['https://y/'] });
    await all();
    expect(reads.grant).toBe(9);
  });
});

describe('ApiCache', () => {
  it('drops the identifiers a change names', async () => {
    await storage.resourceServers.create(apiRecord(tenant.id, { identifier: 'https://x/' }));
    await storage.resourceServers.create(apiRecord(tenant.id, { identifier: 'https://y/' }));
    const cache = new ApiCache(ctx);
    await cache.get('https://x/');
    await cache.get('https://y/');
    cache.changed(['https://x/']);
    expect((await cache.get('https://x/'))?.identifier).toBe('https://x/');
    await cache.get('https://y/');
    expect(reads.api).toBe(3);
  });

  it('unknown identifiers are remembered apart: 60,000 made-up audiences (an anonymous /authorize flood) evict no real API, and one created later is found', async () => {
    await storage.resourceServers.create(apiRecord(tenant.id, { identifier: 'https://real/' }));
    const cache = new ApiCache(ctx);
    await cache.get('https://real/');
    for (let i = 0; i < 60_000; i++) expect(await cache.get(`https://made-up-${i}/`)).toBeNull();
    const before = reads.api;
    expect((await cache.get('https://real/'))?.identifier).toBe('https://real/');
    expect(reads.api).toBe(before); // still in memory
    await storage.resourceServers.create(apiRecord(tenant.id, { identifier: 'https://made-up-59999/' }));
    cache.changed(['https://made-up-59999/']);
    expect((await cache.get('https://made-up-59999/'))?.identifier).toBe('https://made-up-59999/');
  });
});

describe('DenylistCache', () => {
  it('adds what a change carries in place, without reading the list again', async () => {
    const cache = new DenylistCache(ctx);
    expect((await cache.get()).size).toBe(0);
    cache.added([{ jti: 'j1', aud: '' }]);
    cache.added([{ jti: 'j1', aud: 'https://x/' }]);
    expect([...((await cache.get()).get('j1') ?? [])]).toEqual(['', 'https://x/']);
    expect(reads.denylist).toBe(1);
    cache.added(undefined);
    await cache.get();
    expect(reads.denylist).toBe(2);
  });
});

describe('DashboardClientCache', () => {
  it('keeps the id across changes to other clients, and drops it when a change names it or names none', async () => {
    await seedClient(storage, tenant.id, { clientId: 'dash', data: clientData('dash', { app_type: 'spa', scopeward_system: DASHBOARD_MARKER }) });
    const cache = new DashboardClientCache(ctx);
    expect(await cache.get()).toBe('dash');
    cache.clientsChanged(['other']);
    expect(await cache.get()).toBe('dash');
    expect(reads.clientPage).toBe(1);
    cache.clientsChanged(['dash']);
    await cache.get();
    cache.clientsChanged(undefined);
    await cache.get();
    expect(reads.clientPage).toBe(3);
  });
});

describe('OriginCache', () => {
  it('collects origins over every page of applications (more than one page of 500)', async () => {
    for (let i = 0; i < 501; i++) await seedClient(storage, tenant.id, { clientId: `c${String(i).padStart(3, '0')}`, data: clientData(`c${i}`, { web_origins: [`https://app${i}.example/`], callbacks: [`https://cb${i}.example/x`] }) });
    const origins = await new OriginCache(ctx).get();
    expect([origins.has('https://app0.example'), origins.has('https://app500.example'), origins.has('https://cb500.example'), origins.size]).toEqual([true, true, true, 1002]);
    expect(reads.clientPage).toBe(2);
  });
});

describe('TenantCaches', () => {
  it('a secret-use flush (client_usage) drops no client, no list order and only list answers that show secret use', async () => {
    await seedClient(storage, tenant.id, { clientId: 'a' });
    const caches = new TenantCaches(ctx);
    await caches.clients.get('a');
    await caches.clientOrder.page({}, 0, 50);
    await caches.clientViews.get('-c-{}', async () => '[]');
    await caches.clientViews.get('uc-{"fields":"client_secret_rotation"}', async () => '[{}]');
    caches.apply({ tenantId: tenant.id, kind: 'client_usage', ids: { clients: ['a'] } });
    expect([caches.clientOrder.size, caches.clientViews.peek('-c-{}'), caches.clientViews.peek('uc-{"fields":"client_secret_rotation"}')]).toEqual([1, '[]', undefined]);
    await caches.clients.get('a');
    expect(reads.client).toBe(1);
  });
});
