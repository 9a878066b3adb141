// Login transactions, login sessions and brute-force counters on Kysely (ports/login.ts).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { LoginFailureRecord, LoginFailureStore, LoginSessionRecord, LoginSessionStore, LoginTransactionStore } from '../ports.ts';
import type { Database, LoginFailuresTable, LoginSessionsTable } from './schema.ts';

export function loginTransactionStore(db: Kysely<Database>): LoginTransactionStore {
  return {
    async create(r) {
      await db
        .insertInto('login_transactions')
        .values({ tenant_id: r.tenantId, id: r.id, browser_hash: r.browserHash, request: JSON.stringify(r.request), created_at: r.createdAt, expires_at: r.expiresAt })
        .execute();
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('login_transactions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        tenantId: row.tenant_id,
        id: row.id,
        browserHash: row.browser_hash,
        request: JSON.parse(row.request) as Record<string, unknown>,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    },
    async touch(tenantId, id, expiresAt) {
      await db.updateTable('login_transactions').set({ expires_at: expiresAt }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('login_transactions').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async prune(before) {
      const result = await db.deleteFrom('login_transactions').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

const toSession = (row: Selectable<LoginSessionsTable>): LoginSessionRecord => ({
  tenantId: row.tenant_id,
  idHash: row.id_hash,
  sid: row.sid,
  userId: row.user_id,
  authTime: row.auth_time,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
});

export function loginSessionStore(db: Kysely<Database>): LoginSessionStore {
  return {
    async create(r) {
      await db
        .insertInto('login_sessions')
        .values({
          tenant_id: r.tenantId,
          id_hash: r.idHash,
          sid: r.sid,
          user_id: r.userId,
          auth_time: r.authTime,
          created_at: r.createdAt,
          last_seen_at: r.lastSeenAt,
          expires_at: r.expiresAt,
        })
        .execute();
    },
    async get(tenantId, idHash) {
      const row = await db.selectFrom('login_sessions').selectAll().where('tenant_id', '=', tenantId).where('id_hash', '=', idHash).executeTakeFirst();
      return row && toSession(row);
    },
    async touch(tenantId, idHash, lastSeenAt) {
      await db.updateTable('login_sessions').set({ last_seen_at: lastSeenAt }).where('tenant_id', '=', tenantId).where('id_hash', '=', idHash).execute();
    },
    async remove(tenantId, idHash) {
      const result = await db.deleteFrom('login_sessions').where('tenant_id', '=', tenantId).where('id_hash', '=', idHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeForUser(tenantId, userId) {
      const result = await db.deleteFrom('login_sessions').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async prune(before, idleBefore) {
      const result = await db
        .deleteFrom('login_sessions')
        .where((eb) => eb.or([eb('expires_at', '<', before), eb('last_seen_at', '<', idleBefore)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

const toFailure = (row: Selectable<LoginFailuresTable>): LoginFailureRecord => ({
  tenantId: row.tenant_id,
  userId: row.user_id,
  ip: row.ip,
  failures: Number(row.failures),
  lastFailureAt: row.last_failure_at,
  blockedAt: row.blocked_at,
});

export function loginFailureStore(db: Kysely<Database>): LoginFailureStore {
  const key = (tenantId: string, userId: string, ip: string) =>
    db.selectFrom('login_failures').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('ip', '=', ip);
  return {
    async recordFailure(tenantId, userId, ip, at, blockAfter) {
      // One statement: concurrent failures all count, and the one reaching the threshold blocks.
      await db
        .insertInto('login_failures')
        .values({ tenant_id: tenantId, user_id: userId, ip, failures: 1, last_failure_at: at, blocked_at: blockAfter <= 1 ? at : null })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'user_id', 'ip']).doUpdateSet({
            failures: sql`login_failures.failures + 1`,
            last_failure_at: at,
            blocked_at: sql`coalesce(login_failures.blocked_at, case when login_failures.failures + 1 >= ${blockAfter} then ${at} end)`,
          }),
        )
        .execute();
      const row = await key(tenantId, userId, ip).executeTakeFirstOrThrow();
      return toFailure(row);
    },
    async get(tenantId, userId, ip) {
      const row = await key(tenantId, userId, ip).executeTakeFirst();
      return row && toFailure(row);
    },
    async reset(tenantId, userId, ip) {
      await db.deleteFrom('login_failures').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('ip', '=', ip).where('blocked_at', 'is', null).execute();
    },
    async listBlocked(tenantId, userId) {
      const rows = await db
        .selectFrom('login_failures')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('blocked_at', 'is not', null)
        .orderBy('blocked_at')
        .orderBy('ip')
        .execute();
      return rows.map(toFailure);
    },
    async clearForUser(tenantId, userId) {
      const result = await db.deleteFrom('login_failures').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
