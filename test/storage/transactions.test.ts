// Storage.transaction on every dialect: all or nothing, errors come out unchanged (or mapped),
// nested calls join the outer transaction instead of committing on their own.
import { beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { TenantRecord } from '../../src/storage/ports.ts';
import { DIALECTS, forEachDialect } from '../helpers/dialects.ts';
import { apiRecord, clientRecord, grantRecord, keyRecord, seedTenant, tenantRecord } from './records.ts';

const all = { offset: 0, limit: 100, withTotal: true };

forEachDialect('Storage.transaction', (storage) => {
  let a: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
  });

  /** Row counts of every table a tenant owns, plus the tenant list and a meta key. */
  const snapshot = async (tenantId: string) => ({
    tenants: (await storage.tenants.list()).length,
    clients: (await storage.clients.list(tenantId, {}, all)).total,
    grants: (await storage.grants.list(tenantId, {}, all)).total,
    apis: (await storage.resourceServers.list(tenantId, {}, all)).total,
    keys: (await storage.signingKeys.list(tenantId)).length,
    meta: await storage.meta.get('tx-key'),
  });

  it('commits every write and returns what the work returned', async () => {
    const c = clientRecord(a.id);
    const result = await storage.transaction(async (tx) => {
      await tx.clients.create(c);
      await tx.grants.create(grantRecord(a.id, c.clientId));
      await tx.meta.set('tx-key', 'v');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await snapshot(a.id)).toEqual({ tenants: 1, clients: 1, grants: 1, apis: 0, keys: 0, meta: 'v' });
  });

  it('a throw inside the work rolls back every write of every store and rethrows the same error', async () => {
    const before = await snapshot(a.id);
    const boom = new Error('boom');
    const t = tenantRecord();
    await expect(
      storage.transaction(async (tx) => {
        await tx.tenants.create(t);
        const c = clientRecord(a.id);
        await tx.clients.create(c);
        await tx.grants.create(grantRecord(a.id, c.clientId));
        await tx.resourceServers.create(apiRecord(a.id));
        await tx.signingKeys.create(keyRecord(a.id));
        await tx.tenants.update(a.id, { name: 'renamed' });
        await tx.meta.set('tx-key', 'v');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await snapshot(a.id)).toEqual(before);
    expect(await storage.tenants.get(t.id)).toBeUndefined();
    expect((await storage.tenants.get(a.id))?.name).toBe(a.name);
  });

  it('a unique violation inside the work surfaces as UniqueViolation and undoes the earlier writes', async () => {
    const existing = clientRecord(a.id);
    await storage.clients.create(existing);
    const fresh = clientRecord(a.id);
    await expect(
      storage.transaction(async (tx) => {
        await tx.clients.create(fresh);
        await tx.clients.create(clientRecord(a.id, { clientId: existing.clientId }));
      }),
    ).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.clients.get(a.id, fresh.clientId)).toBeUndefined();
  });

  it('writes inside the transaction are visible to reads through the same transaction', async () => {
    const c = clientRecord(a.id);
    await storage.transaction(async (tx) => {
      await tx.clients.create(c);
      expect(await tx.clients.get(a.id, c.clientId)).toEqual(c);
    });
  });

  it('a nested transaction joins the outer one: its writes roll back when the outer work throws later', async () => {
    const c = clientRecord(a.id);
    await expect(
      storage.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          await inner.clients.create(c);
        });
        expect(await tx.clients.get(a.id, c.clientId)).toEqual(c);
        throw new Error('outer fails after inner returned');
      }),
    ).rejects.toThrow('outer fails after inner returned');
    expect(await storage.clients.get(a.id, c.clientId)).toBeUndefined();
  });

  it('a throw in a nested transaction rolls back the whole outer transaction', async () => {
    const outer = clientRecord(a.id);
    await expect(
      storage.transaction(async (tx) => {
        await tx.clients.create(outer);
        await tx.transaction(async () => {
          throw new Error('inner');
        });
      }),
    ).rejects.toThrow('inner');
    expect(await storage.clients.get(a.id, outer.clientId)).toBeUndefined();
  });

  it('after a rollback the storage keeps working', async () => {
    await expect(storage.transaction(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    const c = clientRecord(a.id);
    await storage.transaction(async (tx) => tx.clients.create(c));
    expect(await storage.clients.get(a.id, c.clientId)).toEqual(c);
  });
});

describe('Storage.transaction isolation on postgres', () => {
  it('an uncommitted write is invisible outside the transaction until commit', async () => {
    const pgDialect = DIALECTS.find((d) => d.name === 'postgres')!;
    const opened = await pgDialect.open();
    const { storage } = opened;
    try {
      const a = await seedTenant(storage);
      const c = clientRecord(a.id);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const wrote = new Promise<void>((resolve) => (written = resolve));
      const tx = storage.transaction(async (t) => {
        await t.clients.create(c);
        written();
        await gate;
      });
      await wrote;
      expect(await storage.clients.get(a.id, c.clientId)).toBeUndefined();
      release();
      await tx;
      expect(await storage.clients.get(a.id, c.clientId)).toEqual(c);
    } finally {
      await opened.close();
    }
  });
});
