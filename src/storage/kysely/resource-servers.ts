import type { Kysely, Selectable } from 'kysely';
import type { ResourceServerData } from '../../schemas/resource-server.ts';
import type { ResourceServerRecord, ResourceServerStore } from '../ports.ts';
import type { Database, ResourceServersTable } from './schema.ts';

const toRecord = (row: Selectable<ResourceServersTable>): ResourceServerRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  identifier: row.identifier,
  isSystem: row.is_system === 1,
  data: JSON.parse(row.data) as ResourceServerData,
  signingSecretSealed: row.signing_secret_sealed,
  createdAt: row.created_at,
});

export function resourceServerStore(db: Kysely<Database>): ResourceServerStore {
  return {
    async list(tenantId, filter, page) {
      let q = db.selectFrom('resource_servers').where('tenant_id', '=', tenantId);
      if (filter.identifiers?.length) q = q.where('identifier', 'in', filter.identifiers);
      const rows = await q.selectAll().orderBy('is_system', 'desc').orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
      const result: { items: ResourceServerRecord[]; total?: number } = { items: rows.map(toRecord) };
      if (page.withTotal) {
        const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        result.total = Number(n);
      }
      return result;
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('resource_servers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async getByIdentifier(tenantId, identifier) {
      const row = await db.selectFrom('resource_servers').selectAll().where('tenant_id', '=', tenantId).where('identifier', '=', identifier).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('resource_servers')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          identifier: r.identifier,
          is_system: r.isSystem ? 1 : 0,
          data: JSON.stringify(r.data),
          signing_secret_sealed: r.signingSecretSealed,
          created_at: r.createdAt,
        })
        .execute();
    },
    async update(tenantId, id, patch) {
      const result = await db
        .updateTable('resource_servers')
        .set({
          ...(patch.identifier !== undefined ? { identifier: patch.identifier } : {}),
          ...(patch.data ? { data: JSON.stringify(patch.data) } : {}),
          ...(patch.signingSecretSealed !== undefined ? { signing_secret_sealed: patch.signingSecretSealed } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('resource_servers').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
