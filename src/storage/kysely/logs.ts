import type { ExpressionBuilder, Expression, Kysely, Selectable, SqlBool } from 'kysely';
import type { LogCondition, LogRecord, LogStore } from '../ports.ts';
import type { Database, LogsTable } from './schema.ts';

const toRecord = (row: Selectable<LogsTable>): LogRecord => ({
  tenantId: row.tenant_id,
  logId: row.log_id,
  date: row.date,
  type: row.type,
  clientId: row.client_id,
  userId: row.user_id,
  ip: row.ip,
  event: JSON.parse(row.data) as Record<string, unknown>,
});

type Eb = ExpressionBuilder<Database, 'logs'>;

/**
 * The condition tree as SQL; every value is a bound parameter, every column from a fixed list.
 * A comparison with a NULL column (an event without client, user or address) is false, never
 * NULL, so that NOT matches such events as a search index would (`NOT user_id:x`).
 */
function compile(eb: Eb, c: LogCondition): Expression<SqlBool> {
  if ('and' in c) return eb.and(c.and.map((x) => compile(eb, x)));
  if ('or' in c) return eb.or(c.or.map((x) => compile(eb, x)));
  if ('not' in c) return eb.not(compile(eb, c.not));
  if (c.field === 'client_id' || c.field === 'user_id' || c.field === 'ip') return eb.and([eb(c.field, 'is not', null), comparison(eb, c)]);
  return comparison(eb, c);
}

function comparison(eb: Eb, c: Extract<LogCondition, { field: unknown }>): Expression<SqlBool> {
  const column = c.field;
  switch (c.op) {
    case 'eq':
      return eb(column, '=', c.value);
    case 'gt':
      return eb(column, '>', c.value);
    case 'gte':
      return eb(column, '>=', c.value);
    case 'lt':
      return eb(column, '<', c.value);
    case 'lte':
      return eb(column, '<=', c.value);
    case 'prefix':
      // A prefix as a range: no LIKE, so no wildcard characters to escape.
      return eb.and([eb(column, '>=', c.value), eb(column, '<', `${c.value}\uffff`)]);
  }
}

export function logStore(db: Kysely<Database>): LogStore {
  const base = (tenantId: string, where: LogCondition | undefined) => {
    const q = db.selectFrom('logs').where('tenant_id', '=', tenantId);
    return where ? q.where((eb) => compile(eb, where)) : q;
  };
  return {
    async insertMany(records) {
      if (records.length === 0) return;
      // The events and their places in the tenants' log-stream backlogs (the outbox) are written
      // together: an event is never stored without being queued for every stream of its tenant.
      const write = async (tx: Kysely<Database>): Promise<void> => {
        // Chunks keep each statement well under SQLite's bound-parameter limit.
        for (let i = 0; i < records.length; i += 200) {
          await tx
            .insertInto('logs')
            .values(
              records.slice(i, i + 200).map((r) => ({
                tenant_id: r.tenantId,
                log_id: r.logId,
                date: r.date,
                type: r.type,
                client_id: r.clientId,
                user_id: r.userId,
                ip: r.ip,
                data: JSON.stringify(r.event),
              })),
            )
            .onConflict((oc) => oc.columns(['tenant_id', 'log_id']).doNothing())
            .execute();
        }
        const tenants = [...new Set(records.map((r) => r.tenantId))];
        const streams = await tx.selectFrom('log_streams').select(['tenant_id', 'id']).where('tenant_id', 'in', tenants).execute();
        if (streams.length === 0) return;
        const rows = records.flatMap((r) => streams.filter((s) => s.tenant_id === r.tenantId).map((s) => ({ tenant_id: r.tenantId, stream_id: s.id, log_id: r.logId })));
        for (let i = 0; i < rows.length; i += 300) {
          await tx.insertInto('log_stream_outbox').values(rows.slice(i, i + 300)).onConflict((oc) => oc.doNothing()).execute();
        }
      };
      await (db.isTransaction ? write(db) : db.transaction().execute(write));
    },
    async list(tenantId, where, page) {
      const q = base(tenantId, where);
      const direction = page.ascending ? 'asc' : 'desc';
      // The page's keys first, then its events: an index answers the keys (logs_type, the primary
      // key, or logs_date_id for a date range, which must still be sorted by log_id), so the sort
      // and the skipped offset handle ids, never whole events (issue 13, decision 0010).
      const keys = q.select('log_id').orderBy('log_id', direction).limit(page.limit).offset(page.offset);
      const rows = await db.selectFrom('logs').selectAll().where('tenant_id', '=', tenantId).where('log_id', 'in', keys).orderBy('log_id', direction).execute();
      const result: { items: LogRecord[]; total?: number } = { items: rows.map(toRecord) };
      if (page.withTotal) {
        const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        result.total = Number(n);
      }
      return result;
    },
    async listAfter(tenantId, where, from, limit) {
      let q = base(tenantId, where);
      if (from !== undefined) q = q.where('log_id', '>', from);
      const rows = await q.selectAll().orderBy('log_id', 'asc').limit(limit).execute();
      return rows.map(toRecord);
    },
    async get(tenantId, logId) {
      const row = await db.selectFrom('logs').selectAll().where('tenant_id', '=', tenantId).where('log_id', '=', logId).executeTakeFirst();
      return row && toRecord(row);
    },
    async prune(before) {
      const result = await db.deleteFrom('logs').where('date', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
