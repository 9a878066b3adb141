// Online backup and restore of the SQLite database file. A backup is node:sqlite's backup API run
// in one step, so it copies one read snapshot (every write committed before it began, none half
// made) while the server keeps writing (WAL: readers do not block the writer). A restore never
// swaps the file under a process that has it open, and never leaves the old database's -wal
// beside the new file (SQLite would replay it onto the wrong database).
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { MIGRATION_NAMES } from './migrations/index.ts';
import type { MetaStore } from './ports.ts';

export class BackupError extends Error {
  override name = 'BackupError';
}

/** Every page in one step: a single read transaction, so the copy is one consistent snapshot. */
const ALL_PAGES = 2 ** 31 - 1;

/** The path of a SQLite DATABASE_URL, or undefined for PostgreSQL and in-memory databases. */
export function sqliteFile(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const file = databaseUrl.slice('sqlite:'.length);
  return file === ':memory:' ? undefined : path.resolve(file);
}

/** An empty 0600 file next to `target`, for a copy that becomes `target` by rename. */
function stagingFile(target: string, purpose: string): string {
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const file = `${target}.${purpose}-${randomBytes(4).toString('hex')}`;
  closeSync(openSync(file, 'wx', 0o600));
  return file;
}

function removeWithCompanions(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

function fsyncPath(file: string, flags = 'r'): void {
  const fd = openSync(file, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A self-contained copy: rollback-journal mode (no -wal to carry along), checked for corruption.
 * Throws BackupError when the file is not a sound database.
 */
function seal(file: string): void {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = DELETE');
    const check = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    if (check.length !== 1 || check[0]!.quick_check !== 'ok') throw new BackupError(`the copy failed SQLite's integrity check: ${check.map((c) => c.quick_check).join('; ')}`);
  } finally {
    db.close();
  }
  fsyncPath(file);
}

/** Copies the database at `source` (which a server may be writing) to `target`, atomically. */
export async function backupDatabase(source: string, target: string, options: { overwrite: boolean }): Promise<{ pages: number; bytes: number }> {
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source}`);
  if (existsSync(target) && !options.overwrite) throw new BackupError(`${target} exists; choose another file or pass --force to replace it`);
  const staged = stagingFile(target, 'partial');
  try {
    const db = new DatabaseSync(source);
    let pages: number;
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      pages = await backup(db, staged, { rate: ALL_PAGES });
    } finally {
      db.close();
    }
    seal(staged);
    renameSync(staged, target);
    fsyncPath(path.dirname(target));
    return { pages, bytes: statSync(target).size };
  } catch (error) {
    removeWithCompanions(staged);
    throw error;
  }
}

/**
 * Copies a backup next to `target` and checks it is a Scopeward database this version can open.
 * Returns the staged file; the caller checks the master key against it, then calls replaceDatabase
 * (or discardStaged).
 */
export async function stageRestore(from: string, target: string): Promise<string> {
  if (!existsSync(from)) throw new BackupError(`there is no backup at ${from}`);
  let source: DatabaseSync;
  try {
    source = new DatabaseSync(from, { readOnly: true });
  } catch (error) {
    throw new BackupError(`${from} cannot be opened as a SQLite database (${(error as Error).message})`);
  }
  const staged = stagingFile(target, 'restoring');
  try {
    try {
      await backup(source, staged, { rate: ALL_PAGES });
    } catch (error) {
      throw new BackupError(`${from} cannot be read as a SQLite database (${(error as Error).message})`);
    } finally {
      source.close();
    }
    seal(staged);
    checkMigrations(staged, from);
    return staged;
  } catch (error) {
    removeWithCompanions(staged);
    throw error;
  }
}

function checkMigrations(file: string, shownAs: string): void {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!table) throw new BackupError(`${shownAs} is not a Scopeward database (it has no migration table)`);
    const names = (db.prepare('select name from kysely_migration').all() as { name: string }[]).map((r) => r.name);
    const unknown = names.filter((n) => !MIGRATION_NAMES.includes(n));
    if (unknown.length > 0) throw new BackupError(`${shownAs} was made by a newer Scopeward (migrations ${unknown.join(', ')}); upgrade Scopeward before restoring it`);
  } finally {
    db.close();
  }
}

/** The staged copy's meta table (the master-key canary), read-only: checking leaves the file as it is. */
export function stagedMeta(staged: string): { meta: MetaStore; close(): void } {
  const db = new DatabaseSync(staged, { readOnly: true });
  const meta: MetaStore = {
    get: async (key) => (db.prepare('select value from meta where key = ?').get(key) as { value: string } | undefined)?.value,
    set: async () => {
      throw new BackupError('a staged restore is read-only');
    },
  };
  return { meta, close: () => db.close() };
}

export function discardStaged(staged: string): void {
  removeWithCompanions(staged);
}

/**
 * Puts the staged copy in place of `target` with one rename. An existing database is kept as
 * `<target>.before-restore-<time>`; it must not be open in any process (a running server): leaving
 * WAL mode needs every other connection closed, so that is the test, and it also folds the old
 * -wal into the old file, which keeps it whole and leaves no -wal for the new one to inherit.
 */
export function replaceDatabase(staged: string, target: string, now: Date): { previous: string | undefined } {
  let previous: string | undefined;
  if (existsSync(target)) {
    const db = new DatabaseSync(target);
    try {
      db.exec('PRAGMA busy_timeout = 1000');
      db.exec('PRAGMA journal_mode = DELETE');
    } catch (error) {
      if ((error as { errcode?: number }).errcode === 5 || /locked|busy/i.test((error as Error).message)) {
        throw new BackupError(`${target} is open in another process (is a Scopeward server running on it?); stop every server using it, then restore`);
      }
      throw error;
    } finally {
      db.close();
    }
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    linkSync(target, previous);
  }
  renameSync(staged, target);
  fsyncPath(path.dirname(target));
  return { previous };
}
