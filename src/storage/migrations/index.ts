// Migrations, in order. The migrator takes a lock (a row lock on PostgreSQL), so several
// instances starting together against one empty database run each migration exactly once.
// On PostgreSQL the migrator's own tables are pinned to the schema this connection works in:
// unpinned, Kysely finds `kysely_migration_lock` in any schema of the database and then uses a
// table that is not on the search path (two deployments, or parallel test suites, in one database).
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_lifecycle.ts';
import * as m0003 from './0003_users.ts';
import * as m0004 from './0004_login.ts';
import * as m0005 from './0005_dashboard.ts';
import * as m0006 from './0006_search_guard.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_lifecycle': m0002,
  '0003_users': m0003,
  '0004_login': m0004,
  '0005_dashboard': m0005,
  '0006_search_guard': m0006,
};

/** The schema unqualified names resolve to on this PostgreSQL connection (its search_path). */
async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: the search_path names no existing schema (create it, or fix the search_path)');
  return schema;
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<MigrationResultSet> {
  const migrationTableSchema = dialect === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, ...(migrationTableSchema && { migrationTableSchema }) });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  return result;
}
