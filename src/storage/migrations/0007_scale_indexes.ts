// Indexes for a large tenant (issue 13, docs/decisions/0010-scale-indexes.md). User search on
// PostgreSQL orders and compares text by code point (`collate "C"`, user-search.ts), which the
// indexes of 0003 (database collation) cannot serve: these match the query shapes exactly. Every
// statement is IF NOT EXISTS, so a database that already has some of them (an interrupted run, a
// hand-made index of the same name) migrates all the same.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** PostgreSQL: index name and definition (after `on users`/`on logs`). */
const POSTGRES: [string, string][] = [
  // The default order of GET /users (created_at, then user_id): a search walks it and stops at the
  // page instead of sorting every match.
  ['users_order_c', 'users (tenant_id, created_at collate "C", user_id collate "C")'],
  // sort=email:1 and sort=name:1 (ascending, missing values last: a B-tree's own order).
  ['users_email_sort_c', 'users (tenant_id, email collate "C", user_id collate "C")'],
  ['users_name_sort_c', 'users (tenant_id, name collate "C", user_id collate "C")'],
  // Prefix searches (name:jo*, email:jo*), compiled to a code-point range beside the LIKE.
  ['users_name_prefix_c', 'users (tenant_id, name_lower collate "C")'],
  ['users_email_prefix_c', 'users (tenant_id, email_lower collate "C")'],
  // user_metadata.x:"v" and app_metadata.x:"v": containment of the whole document (jsonb_path_ops),
  // through the IMMUTABLE guard of 0006 so a stored row that is not JSON indexes as NULL.
  ['users_user_metadata_gin', 'users using gin (scopeward_jsonb(user_metadata) jsonb_path_ops)'],
  ['users_app_metadata_gin', 'users using gin (scopeward_jsonb(app_metadata) jsonb_path_ops)'],
];

/**
 * SQLite compares text by code point already, so 0003's indexes serve the default order and the
 * prefix ranges; only the sorts need theirs (it reads an ascending index for NULLS LAST too).
 */
const SQLITE: [string, string][] = [
  ['users_email_sort', 'users (tenant_id, email, user_id)'],
  ['users_name_sort', 'users (tenant_id, name, user_id)'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const [name, definition] of postgres ? POSTGRES : SQLITE) await sql.raw(`create index if not exists ${name} on ${definition}`).execute(db);
  // Both: the hourly retention prune deletes by date across tenants (`date < ?`, no tenant), which
  // logs_date (tenant_id, date) cannot bound; and a date range listed newest first.
  await db.schema.createIndex('logs_prune_date').ifNotExists().on('logs').column('date').execute();
  // A date range: its log_ids without reading a single event (the page is then fetched by key).
  // It does all that 0002's logs_date (tenant_id, date) did, which goes.
  await db.schema.createIndex('logs_date_id').ifNotExists().on('logs').columns(['tenant_id', 'date', 'log_id']).execute();
  await db.schema.dropIndex('logs_date').ifExists().execute();
  // SQLite plans from sqlite_stat1: an index without a row there looks more selective than any
  // (a search then sorted the whole tenant through users_name_sort). Sampled (analysis_limit, set
  // at open), so this is quick on a large file; PostgreSQL's autovacuum analyzes on its own.
  if (!postgres) await sql`analyze`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of [...POSTGRES, ...SQLITE]) await db.schema.dropIndex(name).ifExists().execute();
  await db.schema.dropIndex('logs_prune_date').ifExists().execute();
  await db.schema.createIndex('logs_date').ifNotExists().on('logs').columns(['tenant_id', 'date']).execute();
  await db.schema.dropIndex('logs_date_id').ifExists().execute();
}
