// ClientCredentialStore and AssertionJtiStore (Private Key JWT, issue 15) on every dialect: round
// trips, one kid per client, expiry updates, tenant and client scoping, the cascade when the client
// goes, and a jti claimed once only (also when two claims race) until it is pruned.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { ClientCredentialRecord, TenantRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedClient, seedTenant } from './records.ts';

forEachDialect('ClientCredentialStore and AssertionJtiStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  let c1: string;
  let c2: string;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    c1 = (await seedClient(storage, a.id)).clientId;
    c2 = (await seedClient(storage, a.id)).clientId;
  });

  let n = 0;
  const credential = (clientId: string, overrides: Partial<ClientCredentialRecord> = {}): ClientCredentialRecord => {
    n += 1;
    return {
      tenantId: a.id,
      id: `cred_test${n}`,
      clientId,
      name: `key ${n}`,
      kid: `kid-number-${n}`,
      alg: 'RS256',
      credentialType: 'public_key',
      pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      createdAt: at(n),
      updatedAt: at(n),
      expiresAt: null,
      ...overrides,
    };
  };

  it('create, get and list (oldest first) return the records unchanged, scoped to tenant and client', async () => {
    const first = credential(c1, { expiresAt: at(1000), alg: 'PS256' });
    const second = credential(c1, { name: null });
    const other = credential(c2);
    for (const c of [second, first, other]) await storage.clientCredentials.create(c);
    expect(await storage.clientCredentials.list(a.id, c1)).toEqual([first, second]);
    expect(await storage.clientCredentials.get(a.id, c1, first.id)).toEqual(first);
    expect(await storage.clientCredentials.get(a.id, c2, first.id)).toBeUndefined();
    expect(await storage.clientCredentials.get(b.id, c1, first.id)).toBeUndefined();
    expect(await storage.clientCredentials.list(b.id, c1)).toEqual([]);
  });

  it('a second credential with the same kid for the client is a UniqueViolation; another client may reuse it', async () => {
    await storage.clientCredentials.create(credential(c1, { kid: 'same-kid-000' }));
    await expect(storage.clientCredentials.create(credential(c1, { kid: 'same-kid-000' }))).rejects.toBeInstanceOf(UniqueViolation);
    await expect(storage.clientCredentials.create(credential(c2, { kid: 'same-kid-000' }))).resolves.toBeUndefined();
  });

  it('update sets and clears expires_at; update and remove of an unknown credential say false', async () => {
    const c = credential(c1);
    await storage.clientCredentials.create(c);
    expect(await storage.clientCredentials.update(a.id, c1, c.id, { expiresAt: at(50), updatedAt: at(60) })).toBe(true);
    expect(await storage.clientCredentials.get(a.id, c1, c.id)).toEqual({ ...c, expiresAt: at(50), updatedAt: at(60) });
    expect(await storage.clientCredentials.update(a.id, c1, c.id, { expiresAt: null, updatedAt: at(70) })).toBe(true);
    expect((await storage.clientCredentials.get(a.id, c1, c.id))?.expiresAt).toBeNull();
    expect(await storage.clientCredentials.update(a.id, c2, c.id, { expiresAt: null, updatedAt: at(70) })).toBe(false);
    expect(await storage.clientCredentials.remove(a.id, c2, c.id)).toBe(false);
    expect(await storage.clientCredentials.remove(a.id, c1, c.id)).toBe(true);
    expect(await storage.clientCredentials.remove(a.id, c1, c.id)).toBe(false);
  });

  it("deleting the client deletes its credentials", async () => {
    await storage.clientCredentials.create(credential(c1));
    await storage.clients.remove(a.id, c1);
    expect(await storage.clientCredentials.list(a.id, c1)).toEqual([]);
  });

  it('a jti is claimed once per (tenant, client); two racing claims give exactly one true', async () => {
    expect(await storage.assertionJtis.claim(a.id, c1, 'jti-1', at(100))).toBe(true);
    expect(await storage.assertionJtis.claim(a.id, c1, 'jti-1', at(100))).toBe(false);
    expect(await storage.assertionJtis.claim(a.id, c2, 'jti-1', at(100))).toBe(true);
    expect(await storage.assertionJtis.claim(b.id, c1, 'jti-1', at(100))).toBe(true);
    const raced = await Promise.all(Array.from({ length: 8 }, () => storage.assertionJtis.claim(a.id, c1, 'jti-race', at(100))));
    expect(raced.filter(Boolean)).toHaveLength(1);
  });

  it('prune forgets ids whose assertion expired, and only those', async () => {
    await storage.assertionJtis.claim(a.id, c1, 'old', at(10));
    await storage.assertionJtis.claim(a.id, c1, 'new', at(100));
    expect(await storage.assertionJtis.prune(at(50))).toBe(1);
    expect(await storage.assertionJtis.claim(a.id, c1, 'old', at(200))).toBe(true);
    expect(await storage.assertionJtis.claim(a.id, c1, 'new', at(200))).toBe(false);
  });
});
