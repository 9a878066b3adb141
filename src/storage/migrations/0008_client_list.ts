// List keys straight from an index (issue 13, decision 0011): GET /api/v2/clients and
// /api/v2/client-grants keep each tenant's list order in memory as small keys, loaded by one
// query over the index below and checked at each resync by a count/max over the same index. Each
// index starts with the columns of the list order it replaces (tenant, created_at, id), so keyset
// pages seek it as before, and also holds every column a key reads: the load never touches the
// rows (SQLite would otherwise walk past each row's JSON document to reach the later columns).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('clients_list_keys')
    .on('clients')
    .columns(['tenant_id', 'created_at', 'client_id', 'app_type', 'is_global', 'is_first_party', 'previous_secret_expires_at', 'updated_at'])
    .execute();
  await db.schema.dropIndex('clients_order').execute();
  await db.schema
    .createIndex('client_grants_list_keys')
    .on('client_grants')
    .columns(['tenant_id', 'created_at', 'id', 'client_id', 'audience', 'subject_type', 'allow_any_organization'])
    .execute();
  await db.schema.dropIndex('client_grants_order').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('clients_order').on('clients').columns(['tenant_id', 'created_at', 'client_id']).execute();
  await db.schema.dropIndex('clients_list_keys').execute();
  await db.schema.createIndex('client_grants_order').on('client_grants').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.dropIndex('client_grants_list_keys').execute();
}
