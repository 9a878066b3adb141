// MetaStore and ping on every dialect; ping against a database that cannot be reached.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/storage/errors.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { createPgSchema, DIALECTS } from '../helpers/pg.ts';
import { freePort } from '../helpers/real-server.ts';

describe.each(DIALECTS)('MetaStore and ping on $name', (dialect) => {
  let storage: Storage;
  let opened: { storage: Storage; close(): Promise<void> };
  beforeEach(async () => {
    opened = await dialect.open();
    storage = opened.storage;
  });
  afterEach(async () => {
    await opened.close();
  });

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
