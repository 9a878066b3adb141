import type { Kysely, Selectable } from 'kysely';
import type { DeviceCredentialFilter, DeviceCredentialRecord, DeviceCredentialStore } from '../ports.ts';
import type { Database, DeviceCredentialsTable } from './schema.ts';

const toRecord = (row: Selectable<DeviceCredentialsTable>): DeviceCredentialRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  userId: row.user_id,
  clientId: row.client_id,
  deviceName: row.device_name,
  deviceId: row.device_id,
  type: row.type as DeviceCredentialRecord['type'],
  value: row.value,
  createdAt: row.created_at,
});

function filtered(db: Kysely<Database>, tenantId: string, f: DeviceCredentialFilter) {
  let q = db.selectFrom('device_credentials').where('tenant_id', '=', tenantId);
  if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
  if (f.clientId !== undefined) q = q.where('client_id', '=', f.clientId);
  return q;
}

export function deviceCredentialStore(db: Kysely<Database>): DeviceCredentialStore {
  return {
    async list(tenantId, filter, page) {
      const q = filtered(db, tenantId, filter);
      const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
      const items = rows.map(toRecord);
      if (!page.withTotal) return { items };
      const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(n) };
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('device_credentials').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('device_credentials')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          user_id: r.userId,
          client_id: r.clientId,
          device_name: r.deviceName,
          device_id: r.deviceId,
          type: r.type,
          value: r.value,
          created_at: r.createdAt,
        })
        .execute();
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('device_credentials').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
