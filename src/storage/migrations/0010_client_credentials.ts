// Private Key JWT (issue 15): a client's public-key credentials, and the client-assertion ids
// already used (kept until the assertion expires; the primary key makes a second use fail on
// every instance that shares the database).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_credentials')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('credential_type', 'text', (c) => c.notNull())
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addPrimaryKeyConstraint('client_credentials_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('client_credentials_client_fk', ['tenant_id', 'client_id'], 'clients', ['tenant_id', 'client_id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('client_credentials_kid').on('client_credentials').columns(['tenant_id', 'client_id', 'kid']).unique().execute();

  await db.schema
    .createTable('assertion_jtis')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assertion_jtis_pk', ['tenant_id', 'client_id', 'jti'])
    .execute();
  await db.schema.createIndex('assertion_jtis_expiry').on('assertion_jtis').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('assertion_jtis').ifExists().execute();
  await db.schema.dropTable('client_credentials').ifExists().execute();
}
