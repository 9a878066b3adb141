// scopeward backup|restore — an online copy of the SQLite database while the server runs, and
// putting one back. PostgreSQL is backed up with pg_dump (docs/operations.md). The master key is
// never in a backup: a copy is only as good as the key kept (apart from it) to open it.
import type { Command } from 'commander';
import { canaryMatches, loadMasterKey, MasterKeyError } from '../../config/master-key.ts';
import type { Config } from '../../config/schema.ts';
import { createEnvelope } from '../../crypto/envelope.ts';
import { backupDatabase, BackupError, discardStaged, replaceDatabase, sqliteFile, stagedMeta, stageRestore } from '../../storage/sqlite-backup.ts';
import { configFrom, withConfigOptions } from '../config-options.ts';
import { CliError, EXIT } from '../errors.ts';
import { print } from '../store.ts';

const KEYS: readonly (keyof Config)[] = ['dataDir', 'databaseUrl', 'masterKeyFile', 'production'];

function databaseFile(config: Config, verb: string): string {
  const file = sqliteFile(config.databaseUrl);
  if (file) return file;
  throw new CliError(`${verb} works on a SQLite database file; for PostgreSQL use pg_dump and pg_restore (docs/operations.md, "Backups and restore")`, EXIT.usage);
}

/** Where the master key comes from, for the reminder; never reads or makes it. */
function keyOrigin(config: Config): string {
  return config.masterKey ? 'SCOPEWARD_MASTER_KEY' : (config.masterKeyFile ?? `${config.dataDir}/master.key`);
}

const asCliError = (error: unknown): unknown => (error instanceof BackupError ? new CliError(error.message, EXIT.failure) : error);

export function backupCommand(program: Command): void {
  withConfigOptions(program.command('backup').description('Copy the SQLite database to FILE while the server runs (a consistent snapshot).'), KEYS)
    .requiredOption('--to <file>', 'the backup file to write (refused if it exists, unless --force)')
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, unknown>) => {
      const config = configFrom(options);
      const source = databaseFile(config, 'backup');
      const to = String(options.to);
      const done = await backupDatabase(source, to, { overwrite: options.force === true }).catch((error: unknown) => {
        throw asCliError(error);
      });
      const key = keyOrigin(config);
      print(options.json === true, { database: source, backup: to, pages: done.pages, bytes: done.bytes, master_key: key }, [
        `backed up ${source} to ${to} (${done.bytes} bytes)`,
        `secrets in it are sealed with the master key (${key}), which is not in the backup: keep that key too, stored apart from it`,
      ]);
    });

  withConfigOptions(program.command('restore').description('Replace the SQLite database with a backup (stop every server using it first).'), KEYS)
    .requiredOption('--from <file>', 'a file written by scopeward backup')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, unknown>) => {
      const config = configFrom(options);
      const target = databaseFile(config, 'restore');
      const from = String(options.from);
      let master;
      try {
        master = loadMasterKey(config, { create: false });
      } catch (error) {
        if (!(error instanceof MasterKeyError)) throw error;
        throw new CliError(`${error.message}; restore needs the master key the backup was made under (SCOPEWARD_MASTER_KEY, --master-key-file, or DATA_DIR/master.key with mode 0600)`, EXIT.usage);
      }
      const staged = await stageRestore(from, target).catch((error: unknown) => {
        throw asCliError(error);
      });
      try {
        const view = stagedMeta(staged);
        const matches = await canaryMatches(view.meta, createEnvelope(master.key)).finally(() => view.close());
        if (matches === undefined) throw new CliError(`${from} has no master-key canary: it is not a copy of a database Scopeward has used`, EXIT.failure);
        if (!matches) {
          throw new CliError(
            `${from} was made under another master key than ${master.origin}; refusing to restore it (no secret in it could be read, and the server would refuse to start). Restore with the key it was made under.`,
            EXIT.usage,
          );
        }
        const { previous } = replaceDatabase(staged, target, new Date());
        print(options.json === true, { database: target, restored_from: from, previous: previous ?? null }, [
          `restored ${from} into ${target}`,
          ...(previous ? [`the database it replaced is kept as ${previous}`] : []),
          'start the server as usual',
        ]);
      } catch (error) {
        discardStaged(staged);
        throw asCliError(error);
      }
    });
}
