// Opens a Kysely instance for a DATABASE_URL: `sqlite:PATH` on Node's built-in node:sqlite (no
// native addon to build) or `postgres://…` on `pg`.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Metrics } from '../../observability/metrics.ts';
import { instrumentPool } from './pool-metrics.ts';
import type { Database } from './schema.ts';

export interface OpenOptions {
  /** PostgreSQL schema to use (tests isolate themselves in a schema of their own). */
  pgSchema?: string;
  pgPoolSize?: number;
  /** Pool waits, errors and size (PostgreSQL; off when absent or disabled). */
  metrics?: Metrics;
}

export interface Opened {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
}

/** Adapts node:sqlite's synchronous API to the better-sqlite3 subset Kysely's SQLite driver uses. */
function adaptNodeSqlite(file: string): SqliteDatabase {
  const db = new DatabaseSync(file);
  // D12: WAL with synchronous=FULL (an acknowledged write survives power loss), FKs on, one writer
  // at a time with a busy timeout for several processes on one file (`--workers`).
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  // Statistics for the query planner, as SQLite advises for long-lived connections: analyze, on a
  // sample of 1,000 rows per index, the tables whose statistics are missing or far out of date
  // (without them it may walk the wrong index of a large tenant; issue 13).
  // Only an optimization: another process holding the write lock longer than the busy timeout
  // (`--workers` starting together) must not stop this one from opening.
  db.exec('PRAGMA analysis_limit = 1000');
  try {
    db.exec('PRAGMA optimize = 0x10002');
  } catch {
    // The next open (or migration 0007's ANALYZE) gathers them.
  }
  const cache = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
  type Param = null | number | bigint | string | NodeJS.ArrayBufferView;
  const bind = (params: ReadonlyArray<unknown>): Param[] =>
    params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : (p as Param)));
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = prepare(sql);
      return {
        reader: stmt.columns().length > 0,
        all: (params) => stmt.all(...bind(params)),
        run: (params) => stmt.run(...bind(params)),
        iterate: (params) => stmt.iterate(...bind(params)),
      };
    },
  };
}

/** Opens the database; `pg` is loaded only for a PostgreSQL URL. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Opened> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const target = file === ':memory:' ? ':memory:' : path.resolve(file);
    if (target !== ':memory:') {
      mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      // Sealed secrets are not plaintext, but the file is still nobody else's business.
      if (!existsSync(target)) closeSync(openSync(target, 'wx', 0o600));
    }
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: adaptNodeSqlite(target) }) }), dialect: 'sqlite' };
  }
  const { default: pg } = await import('pg');
  const max = options.pgPoolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Notices a peer that vanished without closing (a network partition) instead of waiting forever.
    keepAlive: true,
    ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
  });
  // A connection lost to a database restart must never end the process (T-OPS-01). pg-pool
  // listens for 'error' only on idle clients (this handler); a client checked out by Kysely (in a
  // transaction, or between acquiring it and querying) has no listener of its own, and an 'error'
  // event with none is thrown. Its queries fail instead (StorageUnavailable, 503), and the pool
  // discards it on release because it is no longer queryable.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (options.metrics?.enabled) instrumentPool(pool, max, options.metrics);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}
