// Migrations, in order. The migrator takes a lock (a row lock on PostgreSQL), so several
// instances starting together against one empty database run each migration exactly once.
// On PostgreSQL the migrator's own tables are pinned to the schema this connection works in:
// unpinned, Kysely finds `kysely_migration_lock` in any schema of the database and then uses a
// table that is not on the search path (two deployments, or parallel test suites, in one database);
// and it looks its tables up in that schema only (pinnedToSchema).
import { sql, type DatabaseIntrospector, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_lifecycle.ts';
import * as m0003 from './0003_users.ts';
import * as m0004 from './0004_login.ts';
import * as m0005 from './0005_dashboard.ts';
import * as m0006 from './0006_search_guard.ts';
import * as m0007 from './0007_scale_indexes.ts';
import * as m0008 from './0008_client_list.ts';
import * as m0009 from './0009_log_streams.ts';
import * as m0010 from './0010_client_credentials.ts';
import * as m0011 from './0011_token_quotas.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_lifecycle': m0002,
  '0003_users': m0003,
  '0004_login': m0004,
  '0005_dashboard': m0005,
  '0006_search_guard': m0006,
  '0007_scale_indexes': m0007,
  '0008_client_list': m0008,
  '0009_log_streams': m0009,
  '0010_client_credentials': m0010,
  '0011_token_quotas': m0011,
};

/** Every migration this version knows, in order (a restore refuses a database made by a newer one). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** The schema unqualified names resolve to on this PostgreSQL connection (its search_path). */
async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: the search_path names no existing schema (create it, or fix the search_path)');
  return schema;
}

/**
 * `db` as the migrator should see it on PostgreSQL. Kysely's migrator asks whether its tables
 * exist by introspecting every schema of the database, with functions that fail ("schema … does
 * not exist") when another schema is dropped meanwhile: test suites running side by side, or
 * another deployment on the database, broke each other's start (R5). It needs only its own
 * schema's tables, which the catalog gives without such functions.
 */
function pinnedToSchema(db: Kysely<unknown>, schema: string): Kysely<unknown> {
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    async getTables() {
      const { rows } = await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind as kind from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'f')`.execute(db);
      return rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v', isForeign: r.kind === 'f', columns: [] }));
    },
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      // Kysely keeps its state in private fields: members must run on the instance itself.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<MigrationResultSet> {
  const migrationTableSchema = dialect === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db: migrationTableSchema ? pinnedToSchema(db, migrationTableSchema) : db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(migrationTableSchema && { migrationTableSchema }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  return result;
}
