// Initial schema: tenants and their applications, grants, APIs and signing keys. Text for dates
// (ISO-8601 with milliseconds, sortable) and JSON; integers for booleans; both dialects alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('domain', 'text', (c) => c.notNull().unique())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('clients')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('app_type', 'text')
    .addColumn('is_global', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_first_party', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('secret_mac', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('clients_pk', ['tenant_id', 'client_id'])
    .execute();
  await db.schema.createIndex('clients_client_id').on('clients').column('client_id').unique().execute();
  await db.schema.createIndex('clients_order').on('clients').columns(['tenant_id', 'created_at', 'client_id']).execute();

  await db.schema
    .createTable('client_grants')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('allow_any_organization', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_grants_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('client_grants_client_fk', ['tenant_id', 'client_id'], 'clients', ['tenant_id', 'client_id'], (fk) => fk.onDelete('cascade'))
    .addUniqueConstraint('client_grants_unique', ['tenant_id', 'client_id', 'audience', 'subject_type'])
    .execute();
  await db.schema.createIndex('client_grants_order').on('client_grants').columns(['tenant_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('resource_servers')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('is_system', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('signing_secret_sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_servers_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('resource_servers_identifier', ['tenant_id', 'identifier'])
    .execute();
  await db.schema.createIndex('resource_servers_order').on('resource_servers').columns(['tenant_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('cert', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('current_since', 'text')
    .addColumn('current_until', 'text')
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('signing_keys_pk', ['tenant_id', 'kid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['signing_keys', 'resource_servers', 'client_grants', 'clients', 'tenants', 'meta']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
