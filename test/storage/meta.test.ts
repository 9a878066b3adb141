// MetaStore and ping on every dialect; ping against a database that cannot be reached.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/storage/errors.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { createPgSchema, DATABASE_URL, dropStaleSchemas } from '../helpers/pg.ts';
import { freePort } from '../helpers/real-server.ts';

forEachDialect('MetaStore and ping', (storage) => {
  it('get of an unset key is undefined; set then get returns the value', async () => {
    expect(await storage.meta.get('k')).toBeUndefined();
    await storage.meta.set('k', 'v1');
    expect(await storage.meta.get('k')).toBe('v1');
  });

  it('set overwrites (upsert) and keys are independent', async () => {
    await storage.meta.set('k', 'v1');
    await storage.meta.set('other', 'x');
    await storage.meta.set('k', 'v2');
    expect(await storage.meta.get('k')).toBe('v2');
    expect(await storage.meta.get('other')).toBe('x');
  });

  it('ping resolves while the database is reachable', async () => {
    await expect(storage.ping()).resolves.toBeUndefined();
  });
});

describe('reopening a migrated database', () => {
  it('SQLite file: the second open migrates nothing and the data is still there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-meta-'));
    try {
      const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
      const first = await createStorage(url);
      await first.meta.set('kept', 'yes');
      await first.close();
      const second = await createStorage(url);
      expect(await second.meta.get('kept')).toBe('yes');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL schema: the second open migrates nothing and the data is still there', async () => {
    const s = await createPgSchema();
    try {
      const first = await createStorage(s.url, { pgSchema: s.schema });
      await first.meta.set('kept', 'yes');
      await first.close();
      const second = await createStorage(s.url, { pgSchema: s.schema });
      expect(await second.meta.get('kept')).toBe('yes');
      await second.close();
    } finally {
      await s.drop();
    }
  });
});

describe('migrations pinned to their schema (T-OPS-05, R5)', () => {
  it('a second schema migrates while another schema of the database holds migrated tables and a held lock', async () => {
    const first = await createPgSchema();
    const second = await createPgSchema();
    try {
      const a = await createStorage(first.url, { pgSchema: first.schema, pgPoolSize: 1 });
      await a.close();
      // A killed run can leave its migration lock taken; it belongs to that schema only.
      const raw = new pg.Client({ connectionString: first.url });
      await raw.connect();
      await raw.query(`update ${first.schema}.kysely_migration_lock set is_locked = 1`);
      await raw.end();
      const b = await createStorage(second.url, { pgSchema: second.schema, pgPoolSize: 1 });
      await b.meta.set('k', 'v');
      expect(await b.meta.get('k')).toBe('v');
      await b.close();
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});

describe('schemas left by interrupted runs (T-OPS-05, R5)', () => {
  it('dropStaleSchemas drops old and unnamed-time test schemas and keeps a fresh one', async () => {
    const raw = new pg.Client({ connectionString: DATABASE_URL });
    await raw.connect();
    const old = `t_${Math.floor((Date.now() - 3 * 3_600_000) / 1000).toString(36)}_${'a'.repeat(12)}`;
    const legacy = `t_${'b'.repeat(12)}`;
    const fresh = await createPgSchema();
    try {
      for (const s of [old, legacy]) await raw.query(`create schema if not exists ${s}`);
      await raw.query(`create table ${old}.x (id int)`);
      expect(await dropStaleSchemas()).toBeGreaterThanOrEqual(2);
      const { rows } = await raw.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1)', [[old, legacy, fresh.schema]]);
      expect(rows.map((r) => r.nspname)).toEqual([fresh.schema]);
    } finally {
      await fresh.drop();
      await raw.end();
    }
  });
});

describe('migrations while other schemas come and go (T-OPS-05, R5)', () => {
  it('each schema migrates although other schemas are created and dropped meanwhile (suites side by side)', async () => {
    // Another suite's life, as fast as it goes: a schema with a table, committed, then dropped.
    // Named like a test schema, so an interrupted run's leftover is cleaned up later.
    const churn = new pg.Client({ connectionString: DATABASE_URL });
    await churn.connect();
    let stop = false;
    let churned = 0;
    const other = (async () => {
      while (!stop) {
        const name = `t_${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
        await churn.query(`create schema ${name}`);
        await churn.query(`create table ${name}.x (id serial primary key, y text)`);
        await churn.query(`drop schema ${name} cascade`);
        churned++;
      }
    })();
    try {
      for (let i = 0; i < 8; i++) {
        const s = await createPgSchema();
        try {
          const storage = await createStorage(s.url, { pgSchema: s.schema, pgPoolSize: 1 });
          await storage.meta.set('k', 'v');
          await storage.close();
        } finally {
          await s.drop();
        }
      }
    } finally {
      stop = true;
      await other;
      await churn.end();
    }
    expect(churned).toBeGreaterThan(8);
  });
});

describe('ping when PostgreSQL cannot be reached', () => {
  it('throws StorageUnavailable (T-FLT-01 readiness is false)', async () => {
    const port = await freePort();
    const storage = await createStorage(`postgres://postgres@127.0.0.1:${port}/test`, { migrate: false });
    try {
      await expect(storage.ping()).rejects.toBeInstanceOf(StorageUnavailable);
    } finally {
      await storage.close();
    }
  });
});
