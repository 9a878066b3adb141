// Log streams and their outbox (migration 0009). The lease is a conditional UPDATE: one row lock
// on PostgreSQL, the single writer on SQLite, so two instances never both hold a stream.
import type { Kysely, Selectable } from 'kysely';
import type { LogStreamData, LogStreamRecord, LogStreamStore } from '../ports.ts';
import type { Database, LogStreamsTable } from './schema.ts';

const toRecord = (row: Selectable<LogStreamsTable>): LogStreamRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  name: row.name,
  status: row.status as LogStreamRecord['status'],
  data: JSON.parse(row.data) as LogStreamData,
  sinkSecretsSealed: row.sink_secrets_sealed,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  delivery: {
    failures: Number(row.failures),
    failingSince: row.failing_since,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastDeliveredLogId: row.last_delivered_log_id,
  },
});

const CLEAR_FAILURES = { failures: 0, failing_since: null, next_attempt_at: null, last_error: null } as const;

export function logStreamStore(db: Kysely<Database>): LogStreamStore {
  const inTransaction = <T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> => (db.isTransaction ? work(db) : db.transaction().execute(work));
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('log_streams').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('log_streams').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r, startFrom) {
      await inTransaction(async (tx) => {
        await tx
          .insertInto('log_streams')
          .values({
            tenant_id: r.tenantId,
            id: r.id,
            name: r.name,
            status: r.status,
            data: JSON.stringify(r.data),
            sink_secrets_sealed: r.sinkSecretsSealed,
            created_at: r.createdAt,
            updated_at: r.updatedAt,
          })
          .execute();
        if (startFrom === undefined) return;
        // Events written after this transaction began are added by their own writers (logs.ts).
        await tx
          .insertInto('log_stream_outbox')
          .columns(['tenant_id', 'stream_id', 'log_id'])
          .expression((eb) =>
            eb.selectFrom('logs').select((s) => [s.val(r.tenantId).as('tenant_id'), s.val(r.id).as('stream_id'), 'log_id']).where('tenant_id', '=', r.tenantId).where('date', '>=', startFrom),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    },
    async update(tenantId, id, patch, resume) {
      const result = await db
        .updateTable('log_streams')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.data !== undefined && { data: JSON.stringify(patch.data) }),
          ...(patch.sinkSecretsSealed !== undefined && { sink_secrets_sealed: patch.sinkSecretsSealed }),
          ...(patch.updatedAt !== undefined && { updated_at: patch.updatedAt }),
          ...(resume === true && CLEAR_FAILURES),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('log_streams').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listDue(now) {
      const rows = await db
        .selectFrom('log_streams')
        .selectAll()
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .execute();
      return rows.map(toRecord);
    },
    async acquire(tenantId, id, owner, now, until) {
      const result = await db
        .updateTable('log_streams')
        .set({ lease_owner: owner, lease_until: until })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await db.selectFrom('log_streams').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
      return row && toRecord(row);
    },
    async release(tenantId, id, owner) {
      await db.updateTable('log_streams').set({ lease_owner: null, lease_until: null }).where('tenant_id', '=', tenantId).where('id', '=', id).where('lease_owner', '=', owner).execute();
    },
    async pending(tenantId, id, limit) {
      const rows = await db
        .selectFrom('log_stream_outbox as o')
        .innerJoin('logs as l', (j) => j.onRef('l.tenant_id', '=', 'o.tenant_id').onRef('l.log_id', '=', 'o.log_id'))
        .select(['o.log_id', 'l.type', 'l.data'])
        .where('o.tenant_id', '=', tenantId)
        .where('o.stream_id', '=', id)
        .orderBy('o.log_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ logId: r.log_id, type: r.type, event: JSON.parse(r.data) as Record<string, unknown> }));
    },
    async backlog(tenantId, id) {
      const { n } = await db
        .selectFrom('log_stream_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('stream_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async acknowledge(tenantId, id, logIds, delivered) {
      await inTransaction(async (tx) => {
        // The stream's row first, then its outbox rows: the order a stream's deletion takes them
        // in (the row, then the cascade), so the two never wait on each other (PostgreSQL deadlock).
        if (delivered !== undefined) {
          await tx.updateTable('log_streams').set({ ...CLEAR_FAILURES, last_delivered_log_id: delivered }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
        }
        for (let i = 0; i < logIds.length; i += 500) {
          await tx
            .deleteFrom('log_stream_outbox')
            .where('tenant_id', '=', tenantId)
            .where('stream_id', '=', id)
            .where('log_id', 'in', logIds.slice(i, i + 500))
            .execute();
        }
      });
    },
    async recordFailure(tenantId, id, state, suspend) {
      await db
        .updateTable('log_streams')
        .set({
          failures: state.failures,
          failing_since: state.failingSince,
          next_attempt_at: state.nextAttemptAt,
          last_error: state.lastError,
          ...(suspend && { status: 'suspended' }),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        // A user's pause or resume made meanwhile wins over the worker's suspension.
        .$if(suspend, (q) => q.where('status', '=', 'active'))
        .execute();
    },
  };
}
