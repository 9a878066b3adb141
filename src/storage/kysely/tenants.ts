import type { Kysely, Selectable } from 'kysely';
import type { TenantRecord, TenantStore } from '../ports.ts';
import type { Database, TenantsTable } from './schema.ts';

const toRecord = (row: Selectable<TenantsTable>): TenantRecord => ({
  id: row.id,
  name: row.name,
  domain: row.domain,
  isDefault: row.is_default === 1,
  settings: JSON.parse(row.settings) as Record<string, unknown>,
  createdAt: row.created_at,
});

export function tenantStore(db: Kysely<Database>): TenantStore {
  const one = async (column: 'id' | 'domain' | 'name', value: string) => {
    const row = await db.selectFrom('tenants').selectAll().where(column, '=', value).executeTakeFirst();
    return row && toRecord(row);
  };
  return {
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    get: (id) => one('id', id),
    getByDomain: (domain) => one('domain', domain.toLowerCase()),
    getByName: (name) => one('name', name),
    async create(t) {
      await db
        .insertInto('tenants')
        .values({ id: t.id, name: t.name, domain: t.domain.toLowerCase(), is_default: t.isDefault ? 1 : 0, settings: JSON.stringify(t.settings), created_at: t.createdAt })
        .execute();
    },
    async update(id, patch) {
      await db
        .updateTable('tenants')
        .set({
          ...(patch.domain !== undefined ? { domain: patch.domain.toLowerCase() } : {}),
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
  };
}
