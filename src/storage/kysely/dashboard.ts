// Tenant administrators and minted-token records (issue #5) on Kysely.
import type { Kysely, Selectable } from 'kysely';
import type { MintedTokenRecord, MintedTokenStore, TenantAdminStore } from '../ports.ts';
import type { Database, MintedTokensTable } from './schema.ts';

export function tenantAdminStore(db: Kysely<Database>): TenantAdminStore {
  const toRecord = (row: { tenant_id: string; user_id: string; created_at: string }) => ({ tenantId: row.tenant_id, userId: row.user_id, createdAt: row.created_at });
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('tenant_admins').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('user_id').execute();
      return rows.map(toRecord);
    },
    async get(tenantId, userId) {
      const row = await db.selectFrom('tenant_admins').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db.insertInto('tenant_admins').values({ tenant_id: r.tenantId, user_id: r.userId, created_at: r.createdAt }).execute();
    },
    async remove(tenantId, userId) {
      const result = await db.deleteFrom('tenant_admins').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

const toMinted = (row: Selectable<MintedTokensTable>): MintedTokenRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  jti: row.jti,
  name: row.name,
  clientId: row.client_id,
  audience: row.audience,
  scope: row.scope,
  legacy: row.legacy === 1,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
});

export function mintedTokenStore(db: Kysely<Database>): MintedTokenStore {
  return {
    async create(r) {
      await db
        .insertInto('minted_tokens')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          jti: r.jti,
          name: r.name,
          client_id: r.clientId,
          audience: r.audience,
          scope: r.scope,
          legacy: r.legacy ? 1 : 0,
          expires_at: r.expiresAt,
          created_at: r.createdAt,
          created_by: r.createdBy,
          revoked_at: r.revokedAt,
        })
        .execute();
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('minted_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toMinted(row);
    },
    async list(tenantId, filter, limit) {
      let q = db.selectFrom('minted_tokens').selectAll().where('tenant_id', '=', tenantId);
      if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
      if (filter.audience !== undefined) q = q.where('audience', '=', filter.audience);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toMinted);
    },
    async revoke(tenantId, id, at) {
      const result = await db
        .updateTable('minted_tokens')
        .set({ revoked_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
