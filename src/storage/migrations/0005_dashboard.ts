// Dashboard (issue #5): tenant administrators (a user of the tenant plus this membership row,
// written only by the CLI) and the record of every token minted from the dashboard (never the
// token itself: its jti, who made it, for what, until when, and whether it was revoked).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_admins')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tenant_admins_pk', ['tenant_id', 'user_id'])
    // A deleted user leaves no membership behind that a new user with the same id could inherit.
    .addForeignKeyConstraint('tenant_admins_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'user_id'], (fk) => fk.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('minted_tokens')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('legacy', 'integer', (c) => c.notNull())
    // Null: a legacy token minted without an expiry.
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('minted_tokens_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('minted_tokens_order').on('minted_tokens').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('minted_tokens_client').on('minted_tokens').columns(['tenant_id', 'client_id', 'audience']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['minted_tokens', 'tenant_admins']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
