// Token quotas (issue 15): one row per (tenant, bucket, window) counting client-credentials tokens
// when Redis is not configured, so instances sharing the database share the count. Rows are pruned
// once their window has ended (runtime.ts, hourly).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('token_quota_counters')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('issued', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_quota_counters_pk', ['tenant_id', 'bucket', 'window_start'])
    .execute();
  await db.schema.createIndex('token_quota_counters_expiry').on('token_quota_counters').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_quota_counters').ifExists().execute();
}
