import type { Kysely, Selectable } from 'kysely';
import type { DenylistRecord, DenylistStore } from '../ports.ts';
import type { Database, DenylistTable } from './schema.ts';

const toRecord = (row: Selectable<DenylistTable>): DenylistRecord => ({
  tenantId: row.tenant_id,
  jti: row.jti,
  aud: row.aud === '' ? undefined : row.aud,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export function denylistStore(db: Kysely<Database>): DenylistStore {
  return {
    async add(r) {
      await db
        .insertInto('denylist')
        .values({ tenant_id: r.tenantId, jti: r.jti, aud: r.aud ?? '', created_at: r.createdAt, expires_at: r.expiresAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'jti', 'aud']).doNothing())
        .execute();
    },
    async list(tenantId, aud) {
      let q = db.selectFrom('denylist').selectAll().where('tenant_id', '=', tenantId);
      if (aud !== undefined) q = q.where('aud', '=', aud);
      const rows = await q.orderBy('created_at').orderBy('jti').orderBy('aud').execute();
      return rows.map(toRecord);
    },
    async setExpiry(tenantId, jti, aud, expiresAt) {
      await db
        .updateTable('denylist')
        .set({ expires_at: expiresAt })
        .where('tenant_id', '=', tenantId)
        .where('jti', '=', jti)
        .where('aud', '=', aud ?? '')
        .execute();
    },
    async prune(before) {
      const result = await db.deleteFrom('denylist').where('expires_at', 'is not', null).where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
