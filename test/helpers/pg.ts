// PostgreSQL for tests: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one fresh
// schema per test suite so suites run side by side and leave nothing behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  schema: string;
  url: string;
  drop(): Promise<void>;
}

export async function createPgSchema(): Promise<PgSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  return {
    schema,
    url: DATABASE_URL,
    async drop() {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface DialectUnderTest {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated, empty storage; `close` also drops what it made. */
  open(): Promise<{ storage: Storage; close(): Promise<void> }>;
}

/** Every storage test runs once per entry (STYLE: one suite, every dialect). */
export const DIALECTS: readonly DialectUnderTest[] = [
  {
    name: 'sqlite',
    async open() {
      const storage = await createStorage('sqlite::memory:');
      return { storage, close: () => storage.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const s = await createPgSchema();
      const storage = await createStorage(s.url, { pgSchema: s.schema, pgPoolSize: 4 });
      return {
        storage,
        async close() {
          await storage.close();
          await s.drop();
        },
      };
    },
  },
];
