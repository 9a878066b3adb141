// Migrations, in order. The migrator takes a lock (a row lock on PostgreSQL), so several
// instances starting together against one empty database run each migration exactly once.
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_lifecycle.ts';
import * as m0003 from './0003_users.ts';
import * as m0004 from './0004_login.ts';
import * as m0005 from './0005_dashboard.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_lifecycle': m0002,
  '0003_users': m0003,
  '0004_login': m0004,
  '0005_dashboard': m0005,
};

export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  return result;
}
