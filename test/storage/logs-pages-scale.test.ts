// Issue 13: GET /api/v2/logs pages read their log_ids first and then the events (logs.ts), and a
// date range reads the logs_date_id index of migration 0007. The answers must not move: for a
// date range, a type, both, and no condition, every page (both directions, with totals) equals the
// matching events ordered by log_id — with dates deliberately out of step with the ids, so an
// order taken from the date index would show — and another tenant's events never appear.
import { beforeAll, expect, it } from 'vitest';
import type { LogCondition, LogRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedTenant } from './records.ts';

const TYPES = ['seccft', 'feccft', 's', 'fapi'];

function logRecord(tenantId: string, n: number): LogRecord {
  const logId = `900${String(n).padStart(53, '0')}`;
  // Dates run against the ids in blocks of 10, and repeat, so date order is not log_id order.
  const date = at(((n * 7) % 10) * 3600 + Math.floor(n / 10) * 60);
  const type = TYPES[(n * 3) % TYPES.length]!;
  return { tenantId, logId, date, type, clientId: 'client-a', userId: null, ip: '10.0.0.1', event: { log_id: logId, date, type, details: { n } } };
}

forEachDialect('LogStore pages (key first, then events)', { per: 'suite' }, (storage) => {
  let a: TenantRecord;
  let rows: LogRecord[];
  beforeAll(async () => {
    a = await seedTenant(storage);
    const b = await seedTenant(storage);
    rows = Array.from({ length: 131 }, (_, i) => logRecord(a.id, i));
    // Inserted out of id order, in several batches; the other tenant has the same ids and dates.
    const shuffled = [...rows].sort((x, y) => ((x.logId.charCodeAt(55) * 7) % 10) - ((y.logId.charCodeAt(55) * 7) % 10) || (x.logId < y.logId ? 1 : -1));
    for (let i = 0; i < shuffled.length; i += 40) await storage.logs.insertMany(shuffled.slice(i, i + 40));
    await storage.logs.insertMany(Array.from({ length: 131 }, (_, i) => logRecord(b.id, i)));
  });

  const range = (from: string, to: string): LogCondition => ({ and: [{ field: 'date', op: 'gte', value: from }, { field: 'date', op: 'lte', value: to }] });
  const cases: [string, LogCondition | undefined, (r: LogRecord) => boolean][] = [
    ['no condition', undefined, () => true],
    ['a date range', range(at(2 * 3600), at(6 * 3600 + 300)), (r) => r.date >= at(2 * 3600) && r.date <= at(6 * 3600 + 300)],
    ['a type', { field: 'type', op: 'eq', value: 'fapi' }, (r) => r.type === 'fapi'],
    ['a type and a date range', { and: [{ field: 'type', op: 'eq', value: 's' }, range(at(0), at(4 * 3600))] }, (r) => r.type === 's' && r.date >= at(0) && r.date <= at(4 * 3600)],
    ['nothing', range(at(999_999), at(1_000_000)), () => false],
  ];

  it.each(cases)('%s: every page of 7, both directions, with totals, is the log_id order of the matches', async (_label, where, matches) => {
    for (const ascending of [true, false]) {
      const expected = rows.filter(matches).map((r) => r.logId).sort();
      if (!ascending) expected.reverse();
      const seen: string[] = [];
      for (let offset = 0; offset <= expected.length; offset += 7) {
        const page = await storage.logs.list(a.id, where, { offset, limit: 7, withTotal: true, ascending });
        expect(page.total).toBe(expected.length);
        seen.push(...page.items.map((r) => r.logId));
        for (const item of page.items) expect(item).toStrictEqual(rows.find((r) => r.logId === item.logId));
      }
      expect(seen).toEqual(expected);
    }
  });
});
