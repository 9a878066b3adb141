import type { Kysely, Selectable } from 'kysely';
import type { ConnectionRecord, ConnectionStore } from '../ports.ts';
import type { ConnectionsTable, Database } from './schema.ts';

const toRecord = (row: Selectable<ConnectionsTable>): ConnectionRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  name: row.name,
  strategy: row.strategy,
  data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: row.created_at,
});

export function connectionStore(db: Kysely<Database>): ConnectionStore {
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async getByName(tenantId, name) {
      const row = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('connections')
        .values({ tenant_id: r.tenantId, id: r.id, name: r.name, strategy: r.strategy, data: JSON.stringify(r.data), created_at: r.createdAt })
        .execute();
    },
    async update(tenantId, id, patch) {
      if (patch.data === undefined) {
        const row = await db.selectFrom('connections').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        return row !== undefined;
      }
      const result = await db
        .updateTable('connections')
        .set({ data: JSON.stringify(patch.data) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
