// Issue 11 item 2: which store writes notify other instances is a table typed by the ports' own
// method names (cache/notifying-storage.ts), so a write nobody classified fails to compile. The
// plans below are checked by tsc (test/ is in tsconfig.json, and `npm test` typechecks): each
// `@ts-expect-error` must meet an error, so they stop compiling the day the check is gone.
import { describe, expect, it } from 'vitest';
import { notifyingStorage, type StorePlan } from '../../src/cache/notifying-storage.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { DenylistStore, SigningKeyStore } from '../../src/storage/ports.ts';

const complete: StorePlan<DenylistStore> = {
  add: (_s, record) => [{ tenantId: record.tenantId, kind: 'denylist' }],
  list: 'read',
  setExpiry: 'unseen',
  prune: 'unseen',
};

// @ts-expect-error a method left unclassified (`prune`): a write that forgot to notify
const missing: StorePlan<DenylistStore> = {
  add: (_s, record) => [{ tenantId: record.tenantId, kind: 'denylist' }],
  list: 'read',
  setExpiry: 'unseen',
};

const renamed: StorePlan<SigningKeyStore> = {
  list: 'read',
  create: (_s, record) => [{ tenantId: record.tenantId, kind: 'keys' }],
  update: (_s, tenantId) => [{ tenantId, kind: 'keys' }],
  // @ts-expect-error a method the port does not have (renamed there, left here)
  updateIfCurrent: (_s: SigningKeyStore, tenantId: string) => [{ tenantId, kind: 'keys' }],
};

const wrongArguments: StorePlan<SigningKeyStore> = {
  list: 'read',
  // @ts-expect-error a write's touches read the write's own arguments (create takes a record)
  create: (_s, tenantId: string) => [{ tenantId, kind: 'keys' }],
  update: (_s, tenantId) => [{ tenantId, kind: 'keys' }],
  updateIfState: (_s, tenantId) => [{ tenantId, kind: 'keys' }],
};

describe('the notifying storage classifies every method of the stores caches read', () => {
  it('type-level plans above: complete compiles; a missing, unknown or mistyped method does not (checked by tsc)', () => {
    expect(Object.keys(complete).sort()).toEqual(['add', 'list', 'prune', 'setExpiry']);
    expect([missing, renamed, wrongArguments].every((plan) => typeof plan === 'object')).toBe(true);
  });

  it('each wrapped store offers exactly the methods of the store below it', async () => {
    const raw = await createStorage('sqlite::memory:');
    try {
      const storage = notifyingStorage(raw, () => undefined);
      for (const store of ['tenants', 'clients', 'grants', 'resourceServers', 'signingKeys', 'denylist'] as const) {
        expect(Object.keys(storage[store]).sort(), store).toEqual(Object.keys(raw[store]).sort());
      }
    } finally {
      await raw.close();
    }
  });
});
