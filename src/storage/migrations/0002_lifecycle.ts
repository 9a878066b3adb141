// Token lifecycle: the token denylist, the tenant audit log, and the columns a client needs for
// secret rotation with a grace period.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('previous_secret_mac', 'text').execute();
  await db.schema.alterTable('clients').addColumn('previous_secret_expires_at', 'text').execute();
  // {"secret": "current" | "previous", "at": ISO date}: which secret last authenticated, and when.
  await db.schema.alterTable('clients').addColumn('secret_last_used', 'text').execute();

  await db.schema
    .createTable('denylist')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('jti', 'text', (c) => c.notNull())
    // '' when the entry names no audience (matches the jti in any token of the tenant).
    .addColumn('aud', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // When the named token expires (then the entry is pruned); null while unknown.
    .addColumn('expires_at', 'text')
    .addPrimaryKeyConstraint('denylist_pk', ['tenant_id', 'jti', 'aud'])
    .execute();

  await db.schema
    .createTable('logs')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('logs_pk', ['tenant_id', 'log_id'])
    .execute();
  await db.schema.createIndex('logs_type').on('logs').columns(['tenant_id', 'type', 'log_id']).execute();
  await db.schema.createIndex('logs_client').on('logs').columns(['tenant_id', 'client_id', 'log_id']).execute();
  await db.schema.createIndex('logs_date').on('logs').columns(['tenant_id', 'date']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('logs').ifExists().execute();
  await db.schema.dropTable('denylist').ifExists().execute();
  for (const column of ['secret_last_used', 'previous_secret_expires_at', 'previous_secret_mac']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
