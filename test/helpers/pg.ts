// PostgreSQL for tests: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one fresh
// schema per test suite so suites run side by side and leave nothing behind. A schema's name
// carries its creation time, so a later run can drop what a killed run left (dropStaleSchemas).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  schema: string;
  url: string;
  drop(): Promise<void>;
}

/** Test schemas older than this belong to no running suite (a whole run takes minutes). */
const STALE_AFTER_MS = 2 * 3_600_000;
const SCHEMA_NAME = /^t_([0-9a-z]+)_[0-9a-f]{12}$/;

function schemaName(now: number): string {
  return `t_${Math.floor(now / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
}

/**
 * Drops test schemas left by interrupted runs: named like ours and older than STALE_AFTER_MS, or
 * in the earlier naming without a time (`t_` + 12 hex digits). Returns how many it dropped; a
 * database that cannot be reached drops nothing (the PostgreSQL suites then say why).
 */
export async function dropStaleSchemas(now = Date.now()): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
  } catch {
    return 0;
  }
  try {
    const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_%'`);
    let dropped = 0;
    for (const { nspname } of rows) {
      const match = SCHEMA_NAME.exec(nspname);
      const legacy = /^t_[0-9a-f]{12}$/.test(nspname);
      const stale = legacy || (match !== null && now - parseInt(match[1]!, 36) * 1000 > STALE_AFTER_MS);
      if (!stale) continue;
      await client.query(`drop schema if exists "${nspname}" cascade`);
      dropped++;
    }
    return dropped;
  } finally {
    await client.end();
  }
}

export async function createPgSchema(): Promise<PgSchema> {
  const schema = schemaName(Date.now());
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
