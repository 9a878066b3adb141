// The list order kept as keys (src/cache/ordered-index.ts, issue 13): loaded once, then settled id
// by id; a change noted before a read is always in it, whatever loads were in flight.
import { describe, expect, it } from 'vitest';
import { OrderedIndex, type OrderKey, type OrderSource } from '../../src/cache/ordered-index.ts';

interface Row extends OrderKey {
  tag?: string;
}

/** A table the index reads from, counting what it is asked; `gate` holds a read until released. */
function table(rows: Row[]) {
  const calls = { all: 0, some: [] as string[][] };
  let gate: Promise<void> | undefined;
  let failing = false;
  const sorted = () => [...rows].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const source: OrderSource<Row> = {
    async all() {
      calls.all++;
      const snapshot = sorted().map((r) => ({ ...r }));
      await gate;
      if (failing) throw new Error('database down');
      return snapshot;
    },
    async some(ids) {
      calls.some.push([...ids]);
      const snapshot = rows.filter((r) => ids.includes(r.id)).map((r) => ({ ...r }));
      await gate;
      if (failing) throw new Error('database down');
      return snapshot;
    },
  };
  return {
    rows,
    calls,
    source,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    fail(on: boolean) {
      failing = on;
    },
  };
}

const ids = (keys: readonly Row[]) => keys.map((k) => k.id);
const row = (id: string, createdAt: string, tag?: string): Row => ({ id, createdAt, ...(tag && { tag }) });

describe('OrderedIndex', () => {
  it('loads every key once, in (createdAt, id) order, and answers from memory after that', async () => {
    const t = table([row('b', '2'), row('a', '2'), row('c', '1')]);
    const index = new OrderedIndex(t.source);
    expect(ids(await index.keys())).toEqual(['c', 'a', 'b']);
    expect(ids(await index.keys())).toEqual(['c', 'a', 'b']);
    expect(t.calls).toEqual({ all: 1, some: [] });
    expect(index.size).toBe(3);
  });

  it('a change by id reloads only the keys it names: an added row goes in its place, a removed one goes, a changed one is replaced', async () => {
    const t = table([row('a', '1'), row('c', '3'), row('d', '4', 'old')]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    t.rows.push(row('b', '2'));
    t.rows.splice(t.rows.findIndex((r) => r.id === 'c'), 1);
    t.rows.find((r) => r.id === 'd')!.tag = 'new';
    index.changed(['b', 'c', 'd']);
    const keys = await index.keys();
    expect(ids(keys)).toEqual(['a', 'b', 'd']);
    expect(keys.find((k) => k.id === 'd')?.tag).toBe('new');
    expect(t.calls).toEqual({ all: 1, some: [['b', 'c', 'd']] });
    await index.keys();
    expect(t.calls.some).toHaveLength(1); // settled: nothing left to reload
  });

  it('a change noted while a reload of its id is in flight is reloaded again, so the read after it sees it', async () => {
    const t = table([row('a', '1', 'v1')]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    index.changed(['a']);
    const release = t.hold();
    const first = index.keys(); // reads v1 and waits
    await Promise.resolve();
    t.rows[0]!.tag = 'v2';
    index.changed(['a']);
    const second = index.keys();
    release();
    await first;
    expect((await second)[0]?.tag).toBe('v2');
  });

  it('a change noted during the first load is settled after it', async () => {
    const t = table([row('a', '1')]);
    const index = new OrderedIndex(t.source);
    const release = t.hold();
    const loading = index.keys();
    await Promise.resolve();
    t.rows.push(row('b', '2'));
    index.changed(['b']);
    release();
    await loading;
    expect(ids(await index.keys())).toEqual(['a', 'b']);
  });

  it('clear() forgets everything, and a load in flight before it stores nothing', async () => {
    const t = table([row('a', '1')]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    index.changed(['a']);
    const release = t.hold();
    const inFlight = index.keys();
    await Promise.resolve();
    t.rows.push(row('b', '2'));
    index.clear();
    release();
    await inFlight;
    expect(ids(await index.keys())).toEqual(['a', 'b']);
    expect(t.calls.all).toBe(2);
  });

  it('more changed ids than are worth settling one by one: one full reload', async () => {
    const t = table([]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    const many = Array.from({ length: 501 }, (_, i) => row(`id${String(i).padStart(4, '0')}`, '1'));
    t.rows.push(...many);
    index.changed(many.map((r) => r.id));
    expect((await index.keys()).length).toBe(501);
    expect(t.calls).toEqual({ all: 2, some: [] });
  });

  it('resync (markStale): the current order keeps answering while a reload runs in the background, then the reload is served', async () => {
    const t = table([row('a', '1')]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    t.rows.push(row('b', '2')); // a change whose notification was missed
    index.markStale();
    const release = t.hold();
    expect(ids(await index.keys())).toEqual(['a']); // not held up by the reload
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(ids(await index.keys())).toEqual(['a', 'b']);
    expect(t.calls.all).toBe(2);
  });

  it('a background reload that fails keeps the current order, reports the error and tries again on the next read', async () => {
    const errors: unknown[] = [];
    const t = table([row('a', '1')]);
    const index = new OrderedIndex(t.source, { onError: (e) => errors.push(e) });
    await index.keys();
    index.markStale();
    t.fail(true);
    expect(ids(await index.keys())).toEqual(['a']);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    t.fail(false);
    t.rows.push(row('b', '2'));
    await index.keys(); // starts the retry
    await new Promise((r) => setTimeout(r, 0));
    expect(ids(await index.keys())).toEqual(['a', 'b']);
  });

  it('a change that cannot be settled (database down) fails the read, and is settled by the next one', async () => {
    const t = table([row('a', '1')]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    t.rows.push(row('b', '2'));
    index.changed(['b']);
    t.fail(true);
    await expect(index.keys()).rejects.toThrow('database down');
    t.fail(false);
    expect(ids(await index.keys())).toEqual(['a', 'b']);
  });

  it('resync with a version: no reload while the version is the one loaded, a reload once it differs', async () => {
    const t = table([row('a', '1')]);
    let version = 'v1';
    const index = new OrderedIndex({ ...t.source, version: async () => version });
    await index.keys();
    index.markStale();
    await index.keys();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.calls.all).toBe(1);
    t.rows.push(row('b', '2'));
    version = 'v2';
    index.markStale();
    await index.keys();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.calls.all).toBe(2);
    expect(ids(await index.keys())).toEqual(['a', 'b']);
  });

  it('derive runs on every new order', async () => {
    const t = table([row('a', '1')]);
    const seen: number[] = [];
    const index = new OrderedIndex(t.source, { derive: (keys) => seen.push(keys.length) });
    await index.keys();
    t.rows.push(row('b', '2'));
    index.changed(['b']);
    await index.keys();
    expect(seen).toEqual([1, 2]);
  });

  it('changes to an index nobody reads do not pile up: past 500 noted ids it forgets its keys, and the next read loads them all, current', async () => {
    const t = table([{ createdAt: '2026-01-01', id: 'a' }]);
    const index = new OrderedIndex(t.source);
    await index.keys();
    for (let i = 0; i < 2_000; i++) {
      t.rows.push({ createdAt: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`, id: `n${i}` });
      index.changed([`n${i}`]);
    }
    expect(index.size).toBe(0); // forgotten, not 2,000 ids held for a read that may never come
    expect((await index.keys()).length).toBe(2_001);
    expect([t.calls.all, t.calls.some.length]).toEqual([2, 0]);
  });
});
