// Users (issue #4): database connections, the users stored in them, and device credentials.
// Emails and usernames are unique per (tenant, connection) regardless of case: the `*_lower`
// columns hold the NFC, lower-cased value computed in JS, so SQLite and PostgreSQL agree on
// Unicode. A user belongs to a stored connection; deleting a user (or the application) removes
// its device credentials.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connections_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('connections_name', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_lower', 'text')
    .addColumn('email_domain', 'text')
    .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('username', 'text')
    .addColumn('username_lower', 'text')
    .addColumn('phone_number', 'text')
    .addColumn('phone_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text')
    .addColumn('name_lower', 'text')
    .addColumn('nickname', 'text')
    .addColumn('nickname_lower', 'text')
    .addColumn('given_name', 'text')
    .addColumn('given_name_lower', 'text')
    .addColumn('family_name', 'text')
    .addColumn('family_name_lower', 'text')
    .addColumn('picture', 'text')
    .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_metadata', 'text', (c) => c.notNull())
    .addColumn('app_metadata', 'text', (c) => c.notNull())
    .addColumn('linked_identities', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('last_password_reset', 'text')
    .addColumn('last_login', 'text')
    .addColumn('last_ip', 'text')
    .addColumn('logins_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'user_id'])
    .addForeignKeyConstraint('users_connection_fk', ['tenant_id', 'connection'], 'connections', ['tenant_id', 'name'], (fk) => fk.onDelete('cascade'))
    .addUniqueConstraint('users_email_unique', ['tenant_id', 'connection', 'email_lower'])
    .addUniqueConstraint('users_username_unique', ['tenant_id', 'connection', 'username_lower'])
    .execute();
  // The default order and the searches GET /users serves most (spec §3.5.4).
  await db.schema.createIndex('users_order').on('users').columns(['tenant_id', 'created_at', 'user_id']).execute();
  await db.schema.createIndex('users_email').on('users').columns(['tenant_id', 'email_lower']).execute();
  await db.schema.createIndex('users_email_domain').on('users').columns(['tenant_id', 'email_domain']).execute();
  await db.schema.createIndex('users_username').on('users').columns(['tenant_id', 'username']).execute();
  await db.schema.createIndex('users_name').on('users').columns(['tenant_id', 'name_lower']).execute();
  await db.schema.createIndex('users_nickname').on('users').columns(['tenant_id', 'nickname_lower']).execute();
  await db.schema.createIndex('users_last_login').on('users').columns(['tenant_id', 'last_login']).execute();

  await db.schema
    .createTable('device_credentials')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('device_name', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_credentials_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('device_credentials_user_fk', ['tenant_id', 'user_id'], 'users', ['tenant_id', 'user_id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('device_credentials_client_fk', ['tenant_id', 'client_id'], 'clients', ['tenant_id', 'client_id'], (fk) => fk.onDelete('cascade'))
    // Auth0: "A public key already exists for the device." (spec §3.5.5)
    .addUniqueConstraint('device_credentials_unique', ['tenant_id', 'user_id', 'client_id', 'device_id', 'type'])
    .execute();
  await db.schema.createIndex('device_credentials_client').on('device_credentials').columns(['tenant_id', 'client_id']).execute();
  await db.schema.createIndex('device_credentials_order').on('device_credentials').columns(['tenant_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['device_credentials', 'users', 'connections']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
