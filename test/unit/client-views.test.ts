// Serialized GET /api/v2/clients answers (src/cache/client-views.ts): bounded in count and size,
// dropped by key, and a secret-use flush drops only the answers that show secret use.
import { describe, expect, it } from 'vitest';
import { ClientViews } from '../../src/cache/client-views.ts';
import { LoadingCache } from '../../src/cache/loading-cache.ts';

const key = (query: unknown, showsUsage = false) => ClientViews.key({ config: true, credentials: false, showsUsage, query });
const fill = (views: ClientViews, k: string, json: string) => views.get(k, async () => json);

describe('ClientViews', () => {
  it('keeps at most 64 answers, dropping the oldest', async () => {
    const views = new ClientViews();
    for (let page = 0; page < 65; page++) await fill(views, key({ page }), `[${page}]`);
    expect(views.size).toBe(64);
    expect(views.peek(key({ page: 0 }))).toBeUndefined();
    expect(views.peek(key({ page: 64 }))).toBe('[64]');
  });

  it('keeps at most 4 Mi characters: large pages evict the oldest, an answer larger than the bound is not kept', async () => {
    const views = new ClientViews();
    const page = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 5; i++) await fill(views, key({ page: i }), page);
    expect(views.size).toBe(4);
    expect(views.weight).toBe(4 * 1024 * 1024);
    expect(views.peek(key({ page: 0 }))).toBeUndefined();
    await fill(views, key({ huge: true }), 'x'.repeat(4 * 1024 * 1024 + 1));
    expect(views.peek(key({ huge: true }))).toBeUndefined();
    expect(views.size).toBe(4);
  });

  it('a secret-use flush (dropUsage) drops only answers that show client_secret_rotation', async () => {
    const views = new ClientViews();
    await fill(views, key({ page: 0 }), '[]');
    await fill(views, key({ fields: 'client_id,client_secret_rotation' }, true), '[{}]');
    views.dropUsage();
    expect(views.peek(key({ page: 0 }))).toBe('[]');
    expect(views.peek(key({ fields: 'client_id,client_secret_rotation' }, true))).toBeUndefined();
    expect(views.weight).toBe(2);
  });

  it('who may see what is part of the key: a configuration reader never gets a summary reader answer', () => {
    const a = ClientViews.key({ config: true, credentials: false, showsUsage: false, query: {} });
    const b = ClientViews.key({ config: false, credentials: false, showsUsage: false, query: {} });
    const c = ClientViews.key({ config: true, credentials: true, showsUsage: false, query: {} });
    expect(new Set([a, b, c]).size).toBe(3);
  });
});

describe('LoadingCache with a weigher', () => {
  it('delete, deleteWhere, update and clear keep the weight exact', () => {
    const cache = new LoadingCache<string, string>(10, { weigher: { weigh: (v) => v.length, max: 100 } });
    cache.set('a', 'aaa');
    cache.set('b', 'bb');
    cache.set('a', 'a'); // replacing an entry replaces its weight
    expect(cache.weight).toBe(3);
    cache.update('b', () => 'bbbbb');
    expect(cache.weight).toBe(6);
    cache.deleteWhere((k) => k === 'b');
    expect(cache.weight).toBe(1);
    cache.delete('a');
    expect(cache.weight).toBe(0);
    cache.set('c', 'ccc');
    cache.clear();
    expect([cache.size, cache.weight]).toEqual([0, 0]);
  });
});
