// Log streams (issue 13): the streams of each tenant with their delivery state, and the outbox:
// one row per (stream, event) still to deliver, written in the same transaction as the event
// itself (storage/kysely/logs.ts), deleted once the receiver has taken it. A stream's backlog is
// its outbox rows in log_id order; nothing is lost across a restart or a receiver's outage.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('log_streams')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // active, paused (by a user) or suspended (after failing without a break).
    .addColumn('status', 'text', (c) => c.notNull())
    // type, sink without its secrets, filters, isPriority, pii_config (JSON).
    .addColumn('data', 'text', (c) => c.notNull())
    // httpAuthorization and httpCustomHeaders, sealed (crypto/envelope.ts); null when neither is set.
    .addColumn('sink_secrets_sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Delivery state: failed attempts since the last success, when the failing began, when the
    // next attempt may start, what the last failure was; the last log_id delivered.
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'text')
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_delivered_log_id', 'text')
    // The instance delivering the stream now, and until when its lease holds (one at a time).
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addPrimaryKeyConstraint('log_streams_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('log_streams_status').on('log_streams').columns(['status']).execute();

  await db.schema
    .createTable('log_stream_outbox')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_stream_outbox_pk', ['tenant_id', 'stream_id', 'log_id'])
    .addForeignKeyConstraint('log_stream_outbox_stream_fk', ['tenant_id', 'stream_id'], 'log_streams', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    // Pruning an event (log retention) takes it out of every backlog.
    .addForeignKeyConstraint('log_stream_outbox_log_fk', ['tenant_id', 'log_id'], 'logs', ['tenant_id', 'log_id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('log_stream_outbox_log').on('log_stream_outbox').columns(['tenant_id', 'log_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('log_stream_outbox').ifExists().execute();
  await db.schema.dropTable('log_streams').ifExists().execute();
}
