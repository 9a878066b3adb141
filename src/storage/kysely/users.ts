import type { Kysely, Selectable, Updateable } from 'kysely';
import type { UserIdentity, UserPatch, UserRecord, UserStore } from '../ports.ts';
import type { Database, UsersTable } from './schema.ts';
import { compileUserCondition, compileUserSort, fold, type SearchDialect } from './user-search.ts';

const folded = (value: string | null): string | null => (value === null ? null : fold(value));

/** The part after the last `@`, folded (Auth0's `email.domain`); null without an `@`. */
function emailDomain(email: string | null): string | null {
  const at = email?.lastIndexOf('@') ?? -1;
  return email === null || at < 0 ? null : fold(email.slice(at + 1));
}

/** Deeper than this, a stored document is not read (no valid write nests past 32; SQLite searches stop at 1,000). */
const MAX_READ_DEPTH = 1000;

/** Whether `value` nests deeper than `limit` levels (an explicit stack, no recursion; stops at limit + 1). */
function depthOver(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(node as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A JSON column as the record holds it, or `fallback` when the stored text is not JSON of the
 * expected kind or nests too deep to render: a row edited by hand, or written before the metadata
 * limits, reads as empty rather than failing every listing it appears in (T-OUT-02).
 */
function readJson<T extends object>(text: string, fallback: T): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fallback;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) !== Array.isArray(fallback) || depthOver(value, MAX_READ_DEPTH)) return fallback;
  return value as T;
}

/** Linked identities as stored, keeping only entries of the identity shape. */
function readIdentities(text: string): UserIdentity[] {
  const isIdentity = (i: unknown): i is UserIdentity => {
    const o = i as Record<string, unknown> | null;
    return o !== null && typeof o === 'object' && typeof o.connection === 'string' && typeof o.user_id === 'string' && typeof o.provider === 'string';
  };
  return readJson<unknown[]>(text, []).filter(isIdentity);
}

const toRecord = (row: Selectable<UsersTable>): UserRecord => ({
  tenantId: row.tenant_id,
  userId: row.user_id,
  connection: row.connection,
  email: row.email,
  emailVerified: row.email_verified === 1,
  username: row.username,
  phoneNumber: row.phone_number,
  phoneVerified: row.phone_verified === 1,
  name: row.name,
  nickname: row.nickname,
  givenName: row.given_name,
  familyName: row.family_name,
  picture: row.picture,
  blocked: row.blocked === 1,
  userMetadata: readJson<Record<string, unknown>>(row.user_metadata, {}),
  appMetadata: readJson<Record<string, unknown>>(row.app_metadata, {}),
  linkedIdentities: readIdentities(row.linked_identities),
  passwordHash: row.password_hash,
  lastPasswordReset: row.last_password_reset,
  lastLogin: row.last_login,
  lastIp: row.last_ip,
  loginsCount: Number(row.logins_count),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Columns for the fields `patch` sets (undefined leaves a field alone; null clears it), derived columns included. */
function columns(patch: UserPatch): Updateable<UsersTable> {
  const row: Updateable<UsersTable> = {};
  if (patch.connection !== undefined) row.connection = patch.connection;
  if (patch.email !== undefined) Object.assign(row, { email: patch.email, email_lower: folded(patch.email), email_domain: emailDomain(patch.email) });
  if (patch.emailVerified !== undefined) row.email_verified = patch.emailVerified ? 1 : 0;
  if (patch.username !== undefined) Object.assign(row, { username: patch.username, username_lower: folded(patch.username) });
  if (patch.phoneNumber !== undefined) row.phone_number = patch.phoneNumber;
  if (patch.phoneVerified !== undefined) row.phone_verified = patch.phoneVerified ? 1 : 0;
  if (patch.name !== undefined) Object.assign(row, { name: patch.name, name_lower: folded(patch.name) });
  if (patch.nickname !== undefined) Object.assign(row, { nickname: patch.nickname, nickname_lower: folded(patch.nickname) });
  if (patch.givenName !== undefined) Object.assign(row, { given_name: patch.givenName, given_name_lower: folded(patch.givenName) });
  if (patch.familyName !== undefined) Object.assign(row, { family_name: patch.familyName, family_name_lower: folded(patch.familyName) });
  if (patch.picture !== undefined) row.picture = patch.picture;
  if (patch.blocked !== undefined) row.blocked = patch.blocked ? 1 : 0;
  if (patch.userMetadata !== undefined) row.user_metadata = JSON.stringify(patch.userMetadata);
  if (patch.appMetadata !== undefined) row.app_metadata = JSON.stringify(patch.appMetadata);
  if (patch.linkedIdentities !== undefined) row.linked_identities = JSON.stringify(patch.linkedIdentities);
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  if (patch.lastPasswordReset !== undefined) row.last_password_reset = patch.lastPasswordReset;
  if (patch.lastLogin !== undefined) row.last_login = patch.lastLogin;
  if (patch.lastIp !== undefined) row.last_ip = patch.lastIp;
  if (patch.loginsCount !== undefined) row.logins_count = patch.loginsCount;
  if (patch.updatedAt !== undefined) row.updated_at = patch.updatedAt;
  return row;
}

export function userStore(db: Kysely<Database>, dialect: SearchDialect): UserStore {
  const one = async (tenantId: string, where: { column: 'user_id' | 'email_lower' | 'username_lower'; value: string; connection?: string }) => {
    let q = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where(where.column, '=', where.value);
    if (where.connection !== undefined) q = q.where('connection', '=', where.connection);
    const row = await q.executeTakeFirst();
    return row && toRecord(row);
  };
  return {
    async list(tenantId, where, sort, page) {
      let q = db.selectFrom('users').where('tenant_id', '=', tenantId);
      if (where) q = q.where(compileUserCondition(where, dialect));
      let rows = q.selectAll();
      for (const term of compileUserSort(sort, dialect)) rows = rows.orderBy(term);
      const items = (await rows.limit(page.limit).offset(page.offset).execute()).map(toRecord);
      if (!page.withTotal) return { items };
      const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return { items, total: Number(n) };
    },
    get: (tenantId, userId) => one(tenantId, { column: 'user_id', value: userId }),
    getByEmail: (tenantId, connection, email) => one(tenantId, { column: 'email_lower', value: fold(email), connection }),
    getByUsername: (tenantId, connection, username) => one(tenantId, { column: 'username_lower', value: fold(username), connection }),
    async create(r) {
      await db
        .insertInto('users')
        .values({
          tenant_id: r.tenantId,
          user_id: r.userId,
          connection: r.connection,
          email: r.email,
          email_lower: folded(r.email),
          email_domain: emailDomain(r.email),
          email_verified: r.emailVerified ? 1 : 0,
          username: r.username,
          username_lower: folded(r.username),
          phone_number: r.phoneNumber,
          phone_verified: r.phoneVerified ? 1 : 0,
          name: r.name,
          name_lower: folded(r.name),
          nickname: r.nickname,
          nickname_lower: folded(r.nickname),
          given_name: r.givenName,
          given_name_lower: folded(r.givenName),
          family_name: r.familyName,
          family_name_lower: folded(r.familyName),
          picture: r.picture,
          blocked: r.blocked ? 1 : 0,
          user_metadata: JSON.stringify(r.userMetadata),
          app_metadata: JSON.stringify(r.appMetadata),
          linked_identities: JSON.stringify(r.linkedIdentities),
          password_hash: r.passwordHash,
          last_password_reset: r.lastPasswordReset,
          last_login: r.lastLogin,
          last_ip: r.lastIp,
          logins_count: r.loginsCount,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        })
        .execute();
    },
    async update(tenantId, userId, patch) {
      const set = columns(patch);
      if (Object.keys(set).length === 0) return (await one(tenantId, { column: 'user_id', value: userId })) !== undefined;
      const result = await db.updateTable('users').set(set).where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(tenantId, userId) {
      const result = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async recordLogin(tenantId, userId, at, ip) {
      // One UPDATE: the increment happens in the database, so concurrent logins all count. Auth0
      // counts a login as a profile update ("most of the time, updated_at will match last_login").
      await db
        .updateTable('users')
        .set((eb) => ({ logins_count: eb('logins_count', '+', 1), last_login: at, last_ip: ip, updated_at: at }))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },
  };
}
