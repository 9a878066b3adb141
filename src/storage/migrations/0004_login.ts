// Browser flows (issue #4): login transactions, login sessions, authorization codes, refresh
// tokens and brute-force counters. Browser-held secrets are stored only as SHA-256 digests.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_transactions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_transactions_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('login_transactions_expiry').on('login_transactions').column('expires_at').execute();

  await db.schema
    .createTable('login_sessions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id_hash', 'text', (c) => c.notNull())
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_sessions_pk', ['tenant_id', 'id_hash'])
    .execute();
  await db.schema.createIndex('login_sessions_user').on('login_sessions').columns(['tenant_id', 'user_id']).execute();

  await db.schema
    .createTable('auth_codes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('redirect_uri_given', 'integer', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('nonce', 'text')
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .addColumn('replayed_at', 'text')
    .addColumn('issued', 'text')
    .addPrimaryKeyConstraint('auth_codes_pk', ['tenant_id', 'code_hash'])
    .execute();
  await db.schema.createIndex('auth_codes_expiry').on('auth_codes').column('expires_at').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('sid', 'text')
    .addColumn('auth_time', 'text', (c) => c.notNull())
    .addColumn('rotating', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('idle_expires_at', 'text')
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('refresh_tokens_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('refresh_tokens_hash').on('refresh_tokens').columns(['tenant_id', 'token_hash']).unique().execute();
  await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').columns(['tenant_id', 'family_id']).execute();
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').columns(['tenant_id', 'user_id']).execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'text')
    .addPrimaryKeyConstraint('login_failures_pk', ['tenant_id', 'user_id', 'ip'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['login_failures', 'refresh_tokens', 'auth_codes', 'login_sessions', 'login_transactions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
