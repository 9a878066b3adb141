// Authorization codes and refresh tokens on Kysely (ports/login.ts). Redeeming either is one
// conditional UPDATE, so two redemptions at once can never both succeed (T-PK-08).
import type { Kysely, Selectable } from 'kysely';
import type { AuthCodeRecord, AuthCodeStore, RefreshTokenRecord, RefreshTokenStore } from '../ports.ts';
import type { AuthCodesTable, Database, RefreshTokensTable } from './schema.ts';

const toCode = (row: Selectable<AuthCodesTable>): AuthCodeRecord => ({
  tenantId: row.tenant_id,
  codeHash: row.code_hash,
  clientId: row.client_id,
  userId: row.user_id,
  redirectUri: row.redirect_uri,
  redirectUriGiven: Number(row.redirect_uri_given) === 1,
  codeChallenge: row.code_challenge,
  scope: row.scope,
  audience: row.audience,
  nonce: row.nonce,
  sid: row.sid,
  authTime: row.auth_time,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  consumedAt: row.consumed_at,
  replayedAt: row.replayed_at,
  issued: row.issued === null ? null : (JSON.parse(row.issued) as AuthCodeRecord['issued']),
});

export function authCodeStore(db: Kysely<Database>): AuthCodeStore {
  const byKey = (tenantId: string, codeHash: string) => db.selectFrom('auth_codes').selectAll().where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash);
  return {
    async create(r) {
      await db
        .insertInto('auth_codes')
        .values({
          tenant_id: r.tenantId,
          code_hash: r.codeHash,
          client_id: r.clientId,
          user_id: r.userId,
          redirect_uri: r.redirectUri,
          redirect_uri_given: r.redirectUriGiven ? 1 : 0,
          code_challenge: r.codeChallenge,
          scope: r.scope,
          audience: r.audience,
          nonce: r.nonce,
          sid: r.sid,
          auth_time: r.authTime,
          created_at: r.createdAt,
          expires_at: r.expiresAt,
          consumed_at: r.consumedAt,
          replayed_at: r.replayedAt,
          issued: r.issued === null ? null : JSON.stringify(r.issued),
        })
        .execute();
    },
    async consume(tenantId, codeHash, at) {
      const result = await db
        .updateTable('auth_codes')
        .set({ consumed_at: at })
        .where('tenant_id', '=', tenantId)
        .where('code_hash', '=', codeHash)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await byKey(tenantId, codeHash).executeTakeFirst();
      return row && toCode(row);
    },
    async get(tenantId, codeHash) {
      const row = await byKey(tenantId, codeHash).executeTakeFirst();
      return row && toCode(row);
    },
    async markReplayed(tenantId, codeHash, at) {
      await db.updateTable('auth_codes').set({ replayed_at: at }).where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash).where('replayed_at', 'is', null).execute();
      const row = await byKey(tenantId, codeHash).executeTakeFirst();
      return row && toCode(row);
    },
    async setIssued(tenantId, codeHash, issued) {
      await db.updateTable('auth_codes').set({ issued: JSON.stringify(issued) }).where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash).execute();
    },
    async prune(before) {
      const result = await db.deleteFrom('auth_codes').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

const toRefresh = (row: Selectable<RefreshTokensTable>): RefreshTokenRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  tokenHash: row.token_hash,
  familyId: row.family_id,
  clientId: row.client_id,
  userId: row.user_id,
  audience: row.audience,
  scope: row.scope,
  sid: row.sid,
  authTime: row.auth_time,
  rotating: Number(row.rotating) === 1,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  idleExpiresAt: row.idle_expires_at,
  usedAt: row.used_at,
  revokedAt: row.revoked_at,
});

export function refreshTokenStore(db: Kysely<Database>): RefreshTokenStore {
  const live = (tenantId: string) => db.updateTable('refresh_tokens').where('tenant_id', '=', tenantId).where('revoked_at', 'is', null);
  return {
    async create(r) {
      await db
        .insertInto('refresh_tokens')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          token_hash: r.tokenHash,
          family_id: r.familyId,
          client_id: r.clientId,
          user_id: r.userId,
          audience: r.audience,
          scope: r.scope,
          sid: r.sid,
          auth_time: r.authTime,
          rotating: r.rotating ? 1 : 0,
          created_at: r.createdAt,
          expires_at: r.expiresAt,
          idle_expires_at: r.idleExpiresAt,
          used_at: r.usedAt,
          revoked_at: r.revokedAt,
        })
        .execute();
    },
    async getByHash(tenantId, tokenHash) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toRefresh(row);
    },
    async markUsed(tenantId, id, at) {
      const result = await live(tenantId).set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(tenantId, id, idleExpiresAt) {
      await live(tenantId).set({ idle_expires_at: idleExpiresAt }).where('id', '=', id).execute();
    },
    async revokeFamily(tenantId, familyId, at) {
      const result = await live(tenantId).set({ revoked_at: at }).where('family_id', '=', familyId).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revoke(tenantId, id, at) {
      const result = await live(tenantId).set({ revoked_at: at }).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async revokeForUser(tenantId, userId, at) {
      const result = await live(tenantId).set({ revoked_at: at }).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async list(tenantId, filter) {
      let q = db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('revoked_at', 'is', null).where('used_at', 'is', null);
      if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
      if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toRefresh);
    },
    async prune(before) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where((eb) => eb.or([eb('expires_at', '<', before), eb('idle_expires_at', '<', before), eb('revoked_at', '<', before)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
