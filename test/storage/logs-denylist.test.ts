// LogStore and DenylistStore on every dialect (issue 3): the same rows in, the same answers out on
// SQLite and PostgreSQL, for every operator of the condition tree the log search compiles to.
import { beforeEach, expect, it } from 'vitest';
import type { DenylistRecord, LogCondition, LogRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedTenant } from './records.ts';

/** A log row whose id sorts by `n` (ids are fixed-width digit strings, as the real ones are). */
function logRecord(tenantId: string, n: number, overrides: Partial<LogRecord> = {}): LogRecord {
  const logId = `900${String(n).padStart(53, '0')}`;
  const base = { tenantId, logId, date: at(n * 60), type: 'seccft', clientId: 'client-a', userId: null, ip: '10.0.0.1' };
  const row = { ...base, ...overrides };
  return { ...row, event: { log_id: logId, _id: logId, date: row.date, type: row.type, client_id: row.clientId ?? '', details: { n, nested: ['x', { y: null }] } }, ...overrides };
}

forEachDialect('LogStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  let rows: LogRecord[];
  const ns = (records: LogRecord[]) => records.map((r) => (r.event.details as { n: number }).n);
  const all = { offset: 0, limit: 100, withTotal: false };
  const find = async (where: LogCondition) => ns((await storage.logs.list(a.id, where, { ...all, ascending: true })).items);

  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    rows = [
      logRecord(a.id, 1),
      logRecord(a.id, 2, { type: 'feccft', ip: null }),
      logRecord(a.id, 3, { type: 'sapi', clientId: 'client-b', userId: 'auth0|u1' }),
      logRecord(a.id, 4, { type: 'fapi', clientId: null }),
      logRecord(a.id, 5, { clientId: 'a_c' }),
      logRecord(a.id, 6, { clientId: 'abc' }),
      logRecord(a.id, 7, { clientId: "x' OR '1'='1" }),
    ];
    // Inserted out of order, and in two calls: order comes from log_id, not from insertion.
    await storage.logs.insertMany([rows[3]!, rows[0]!, rows[6]!]);
    await storage.logs.insertMany([rows[2]!, rows[5]!, rows[1]!, rows[4]!]);
    await storage.logs.insertMany([logRecord(b.id, 1, { type: 'sapi' })]);
  });

  it('insertMany then get returns the record whole (columns and JSON event); get is tenant-scoped', async () => {
    expect(await storage.logs.get(a.id, rows[2]!.logId)).toStrictEqual(rows[2]);
    expect(await storage.logs.get(a.id, `9${'1'.repeat(55)}`)).toBeUndefined();
    expect((await storage.logs.get(b.id, rows[0]!.logId))?.type).toBe('sapi');
    expect(await storage.logs.get(b.id, rows[2]!.logId)).toBeUndefined();
  });

  it('insertMany: an empty batch is a no-op; a repeated log_id is ignored (a retried batch never duplicates)', async () => {
    await storage.logs.insertMany([]);
    await storage.logs.insertMany([{ ...rows[0]!, type: 'changed' }, logRecord(a.id, 8)]);
    expect((await storage.logs.get(a.id, rows[0]!.logId))?.type).toBe('seccft');
    expect(ns((await storage.logs.list(a.id, undefined, all)).items)).toStrictEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('insertMany writes batches larger than one statement (chunks of 200)', async () => {
    await storage.logs.insertMany(Array.from({ length: 450 }, (_, i) => logRecord(b.id, 100 + i)));
    expect((await storage.logs.list(b.id, undefined, { offset: 0, limit: 1, withTotal: true })).total).toBe(451);
  });

  it('list: newest first by default, oldest first with ascending; offset/limit page; total counts the matches', async () => {
    expect(ns((await storage.logs.list(a.id, undefined, all)).items)).toStrictEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(ns((await storage.logs.list(a.id, undefined, { ...all, ascending: true })).items)).toStrictEqual([1, 2, 3, 4, 5, 6, 7]);
    const page = await storage.logs.list(a.id, { field: 'type', op: 'eq', value: 'seccft' }, { offset: 1, limit: 2, withTotal: true });
    expect([ns(page.items), page.total]).toStrictEqual([[6, 5], 4]);
    expect(await storage.logs.list(a.id, undefined, { offset: 50, limit: 10, withTotal: true })).toStrictEqual({ items: [], total: 7 });
    expect((await storage.logs.list(a.id, undefined, { offset: 0, limit: 10, withTotal: false })).total).toBeUndefined();
  });

  it('listAfter: strictly after `from`, oldest first, limited, filtered; without `from` from the start', async () => {
    expect(ns(await storage.logs.listAfter(a.id, undefined, rows[2]!.logId, 3))).toStrictEqual([4, 5, 6]);
    expect(ns(await storage.logs.listAfter(a.id, undefined, undefined, 2))).toStrictEqual([1, 2]);
    expect(ns(await storage.logs.listAfter(a.id, { field: 'type', op: 'eq', value: 'seccft' }, rows[0]!.logId, 10))).toStrictEqual([5, 6, 7]);
    expect(await storage.logs.listAfter(a.id, undefined, rows[6]!.logId, 10)).toStrictEqual([]);
  });

  it.each<[string, LogCondition, number[]]>([
    ['eq', { field: 'type', op: 'eq', value: 'sapi' }, [3]],
    ['eq on user_id', { field: 'user_id', op: 'eq', value: 'auth0|u1' }, [3]],
    ['eq on ip', { field: 'ip', op: 'eq', value: '10.0.0.1' }, [1, 3, 4, 5, 6, 7]],
    ['gt on date', { field: 'date', op: 'gt', value: at(3 * 60) }, [4, 5, 6, 7]],
    ['gte on date', { field: 'date', op: 'gte', value: at(3 * 60) }, [3, 4, 5, 6, 7]],
    ['lt on date', { field: 'date', op: 'lt', value: at(3 * 60) }, [1, 2]],
    ['lte on date', { field: 'date', op: 'lte', value: at(3 * 60) }, [1, 2, 3]],
    ['gt on log_id', { field: 'log_id', op: 'gt', value: logRecord('', 5).logId }, [6, 7]],
    ['prefix', { field: 'type', op: 'prefix', value: 'f' }, [2, 4]],
    ['prefix with _ is literal', { field: 'client_id', op: 'prefix', value: 'a_' }, [5]],
    ['prefix with % is literal', { field: 'client_id', op: 'prefix', value: '%' }, []],
    ['eq with quotes is literal', { field: 'client_id', op: 'eq', value: "x' OR '1'='1" }, [7]],
    ['and', { and: [{ field: 'type', op: 'eq', value: 'seccft' }, { field: 'client_id', op: 'eq', value: 'client-a' }] }, [1]],
    ['or', { or: [{ field: 'type', op: 'eq', value: 'fapi' }, { field: 'client_id', op: 'eq', value: 'client-b' }] }, [3, 4]],
    ['not', { not: { field: 'type', op: 'eq', value: 'seccft' } }, [2, 3, 4]],
    ['not matches rows where the column is NULL', { not: { field: 'client_id', op: 'eq', value: 'client-a' } }, [3, 4, 5, 6, 7]],
    ['not on user_id (NULL on most rows)', { not: { field: 'user_id', op: 'prefix', value: 'auth0|' } }, [1, 2, 4, 5, 6, 7]],
    ['not of a range on ip', { not: { field: 'ip', op: 'gte', value: '10.' } }, [2]],
    ['nested', { and: [{ not: { field: 'type', op: 'prefix', value: 's' } }, { or: [{ field: 'ip', op: 'eq', value: '10.0.0.1' }, { field: 'date', op: 'lt', value: at(150) }] }] }, [2, 4]],
    ['empty and (matches all)', { and: [] }, [1, 2, 3, 4, 5, 6, 7]],
  ])('the condition tree: %s', async (_name, where, expected) => {
    expect(await find(where)).toStrictEqual(expected);
  });

  it('prune deletes rows dated before the cut in every tenant, returns how many, and keeps the rest', async () => {
    expect(await storage.logs.prune(at(3 * 60))).toBe(3);
    expect(ns((await storage.logs.list(a.id, undefined, { ...all, ascending: true })).items)).toStrictEqual([3, 4, 5, 6, 7]);
    expect((await storage.logs.list(b.id, undefined, all)).items).toStrictEqual([]);
    expect(await storage.logs.prune(at(3 * 60))).toBe(0);
  });
});

forEachDialect('DenylistStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  const entry = (tenantId: string, jti: string, overrides: Partial<DenylistRecord> = {}): DenylistRecord => ({ tenantId, jti, aud: undefined, createdAt: at(1), expiresAt: null, ...overrides });

  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('add then list returns the entries in (created_at, jti) order; aud undefined round-trips', async () => {
    const e1 = entry(a.id, 'jti-b', { aud: 'https://api.example/', createdAt: at(2), expiresAt: at(100) });
    const e2 = entry(a.id, 'jti-a', { createdAt: at(2) });
    const e3 = entry(a.id, 'jti-z', { createdAt: at(1), aud: 'client-x' });
    for (const e of [e1, e2, e3]) await storage.denylist.add(e);
    expect(await storage.denylist.list(a.id)).toStrictEqual([e3, e2, e1]);
  });

  it('add is idempotent: the same (jti, aud) again changes nothing; another aud is another entry', async () => {
    const e = entry(a.id, 'jti-1', { aud: 'aud-1', expiresAt: at(50) });
    await storage.denylist.add(e);
    await storage.denylist.add({ ...e, createdAt: at(9), expiresAt: null });
    await storage.denylist.add(entry(a.id, 'jti-1', { aud: 'aud-2' }));
    await storage.denylist.add(entry(a.id, 'jti-1'));
    // Ties on (created_at, jti) are ordered by aud, the entry without one first.
    expect(await storage.denylist.list(a.id)).toStrictEqual([entry(a.id, 'jti-1'), e, entry(a.id, 'jti-1', { aud: 'aud-2' })]);
  });

  it('list filters by aud (exactly), and is tenant-scoped', async () => {
    await storage.denylist.add(entry(a.id, 'j1', { aud: 'aud-1' }));
    await storage.denylist.add(entry(a.id, 'j2', { aud: 'aud-2' }));
    await storage.denylist.add(entry(a.id, 'j3'));
    await storage.denylist.add(entry(b.id, 'j4', { aud: 'aud-1' }));
    expect((await storage.denylist.list(a.id, 'aud-1')).map((e) => e.jti)).toStrictEqual(['j1']);
    expect((await storage.denylist.list(a.id, 'aud-')).map((e) => e.jti)).toStrictEqual([]);
    expect((await storage.denylist.list(a.id)).map((e) => e.jti)).toStrictEqual(['j1', 'j2', 'j3']);
    expect((await storage.denylist.list(b.id)).map((e) => e.jti)).toStrictEqual(['j4']);
  });

  it('setExpiry sets the expiry of exactly the (tenant, jti, aud) named', async () => {
    await storage.denylist.add(entry(a.id, 'j1', { aud: 'aud-1' }));
    await storage.denylist.add(entry(a.id, 'j1'));
    await storage.denylist.add(entry(b.id, 'j1', { aud: 'aud-1' }));
    await storage.denylist.setExpiry(a.id, 'j1', 'aud-1', at(500));
    await storage.denylist.setExpiry(a.id, 'j1', undefined, at(600));
    await storage.denylist.setExpiry(a.id, 'missing', undefined, at(700));
    expect((await storage.denylist.list(a.id)).map((e) => [e.jti, e.aud, e.expiresAt])).toStrictEqual([
      ['j1', undefined, at(600)],
      ['j1', 'aud-1', at(500)],
    ]);
    expect((await storage.denylist.list(b.id))[0]!.expiresAt).toBeNull();
  });

  it('prune removes entries whose token expired before the cut, never one whose expiry is unknown', async () => {
    await storage.denylist.add(entry(a.id, 'expired', { expiresAt: at(10) }));
    await storage.denylist.add(entry(b.id, 'expired-b', { expiresAt: at(19) }));
    await storage.denylist.add(entry(a.id, 'at-cut', { expiresAt: at(20) }));
    await storage.denylist.add(entry(a.id, 'live', { expiresAt: at(30) }));
    await storage.denylist.add(entry(a.id, 'unknown'));
    expect(await storage.denylist.prune(at(20))).toBe(2);
    expect((await storage.denylist.list(a.id)).map((e) => e.jti).sort()).toStrictEqual(['at-cut', 'live', 'unknown']);
    expect(await storage.denylist.list(b.id)).toStrictEqual([]);
  });
});
