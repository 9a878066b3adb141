// provisioning/create-tenant.ts and default-tenant.ts on every dialect: a tenant is made whole
// (row, system Management API, current and next signing keys) or not at all; the default tenant's
// stored domain never moves unless the caller asks (R4, T-OPS-04), and then together with its
// Management API identifier and the grants that name it, atomically.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { createTenant, systemApiData, TenantConflict } from '../../src/provisioning/create-tenant.ts';
import { DefaultTenantElsewhere, ensureDefaultTenant } from '../../src/provisioning/default-tenant.ts';
import { UniqueViolation } from '../../src/storage/errors.ts';
import { loadKeyRing } from '../../src/tokens/keys.ts';
import { frozenClock } from '../helpers/clock.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { apiRecord, grantRecord, seedClient } from './records.ts';

const envelope = createEnvelope(randomBytes(32));
const all = { offset: 0, limit: 100, withTotal: true };

forEachDialect('tenant provisioning', (storage) => {
  const clock = frozenClock();
  it('createTenant stores the tenant, its system Management API and a current and a next key', async () => {
    const t = await createTenant(storage, envelope, clock, { name: 'acme', domain: 'Acme.Localhost:8443' });
    const stamp = new Date(clock.now()).toISOString();
    expect(t).toEqual({ id: t.id, name: 'acme', domain: 'acme.localhost:8443', isDefault: false, settings: { friendly_name: 'acme' }, createdAt: stamp });
    expect(t.id).toMatch(/^ten_[A-Za-z0-9]{20}$/);
    expect(await storage.tenants.get(t.id)).toEqual(t);

    const apis = await storage.resourceServers.list(t.id, {}, all);
    expect(apis.total).toBe(1);
    const api = apis.items[0]!;
    expect(api).toEqual({
      tenantId: t.id,
      id: api.id,
      identifier: 'https://acme.localhost:8443/api/v2/',
      isSystem: true,
      data: systemApiData(api.id, 'acme.localhost:8443'),
      signingSecretSealed: null,
      createdAt: stamp,
    });

    const keys = await storage.signingKeys.list(t.id);
    expect(keys.map((k) => k.state).sort()).toEqual(['current', 'next']);
    // The sealed private key opens with the tenant's envelope: the ring builds and can sign.
    expect(loadKeyRing(envelope, keys).current.privateKey?.type).toBe('private');
  });

  it('createTenant refuses a taken name or domain (any case) with TenantConflict and writes nothing', async () => {
    await createTenant(storage, envelope, clock, { name: 'acme', domain: 'acme.example' });
    await expect(createTenant(storage, envelope, clock, { name: 'acme', domain: 'other.example' })).rejects.toThrow(
      new TenantConflict('a tenant named "acme" already exists'),
    );
    await expect(createTenant(storage, envelope, clock, { name: 'other', domain: 'ACME.example' })).rejects.toThrow(
      new TenantConflict('a tenant already answers acme.example'),
    );
    expect((await storage.tenants.list()).map((t) => t.name)).toEqual(['acme']);
  });

  it('two concurrent createTenant calls for one name: one wins, the loser leaves no API or keys behind', async () => {
    const results = await Promise.allSettled([
      createTenant(storage, envelope, clock, { name: 'race', domain: 'one.example' }),
      createTenant(storage, envelope, clock, { name: 'race', domain: 'two.example' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    // The loser's insert hits the unique constraint; the caller sees the same TenantConflict as a sequential duplicate.
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(TenantConflict);
    const tenants = await storage.tenants.list();
    expect(tenants).toHaveLength(1);
    // Only the winner's rows exist: nothing references a tenant id that was rolled back.
    const loserDomain = tenants[0]!.domain === 'one.example' ? 'two.example' : 'one.example';
    expect(await storage.tenants.getByDomain(loserDomain)).toBeUndefined();
    expect((await storage.resourceServers.list(tenants[0]!.id, {}, all)).total).toBe(1);
    expect(await storage.signingKeys.list(tenants[0]!.id)).toHaveLength(2);
  });

  it('ensureDefaultTenant creates the default tenant once, then returns it unchanged', async () => {
    const first = await ensureDefaultTenant(storage, envelope, clock, 'localhost:8443');
    expect(first).toMatchObject({ name: 'default', domain: 'localhost:8443', isDefault: true });
    const again = await ensureDefaultTenant(storage, envelope, clock, 'localhost:8443');
    expect(again).toEqual(first);
    expect(await storage.tenants.list()).toEqual([first]);
    expect(await storage.signingKeys.list(first.id)).toHaveLength(2);
  });

  it('T-OPS-04: another domain is refused by default (DefaultTenantElsewhere) and nothing changes', async () => {
    const t = await ensureDefaultTenant(storage, envelope, clock, 'localhost:9361');
    const error = await ensureDefaultTenant(storage, envelope, clock, 'localhost:9362').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefaultTenantElsewhere);
    expect(error).toMatchObject({ stored: 'localhost:9361', wanted: 'localhost:9362', message: 'the default tenant answers localhost:9361, not localhost:9362' });
    expect(await storage.tenants.list()).toEqual([t]);
    expect(await storage.resourceServers.getByIdentifier(t.id, 'https://localhost:9361/api/v2/')).toMatchObject({ isSystem: true });
  });

  it('instances starting together on an empty database make one default tenant; the others use it', async () => {
    const made = await Promise.all([1, 2, 3].map(() => ensureDefaultTenant(storage, envelope, clock, 'localhost:8443')));
    const tenants = await storage.tenants.list();
    expect(tenants).toHaveLength(1);
    expect(made).toEqual([tenants[0], tenants[0], tenants[0]]);
  });

  it("with 'move' the default tenant follows a domain change: tenant, Management API identifier and its grants move together", async () => {
    const t = await ensureDefaultTenant(storage, envelope, clock, 'old.example');
    const other = await createTenant(storage, envelope, clock, { name: 'other', domain: 'other.example' });
    const client = await seedClient(storage, t.id);
    const mgmtGrant = grantRecord(t.id, client.clientId, { audience: 'https://old.example/api/v2/' });
    const apiGrant = grantRecord(t.id, client.clientId, { audience: 'https://api.example/' });
    await storage.grants.create(mgmtGrant);
    await storage.grants.create(apiGrant);
    const otherClient = await seedClient(storage, other.id);
    const foreignGrant = grantRecord(other.id, otherClient.clientId, { audience: 'https://old.example/api/v2/' });
    await storage.grants.create(foreignGrant);
    const systemApi = (await storage.resourceServers.getByIdentifier(t.id, 'https://old.example/api/v2/'))!;

    const moved = await ensureDefaultTenant(storage, envelope, clock, 'new.example', 'move');

    expect(moved).toEqual({ ...t, domain: 'new.example' });
    expect(await storage.tenants.get(t.id)).toEqual({ ...t, domain: 'new.example' });
    expect(await storage.resourceServers.getByIdentifier(t.id, 'https://old.example/api/v2/')).toBeUndefined();
    expect(await storage.resourceServers.get(t.id, systemApi.id)).toEqual({
      ...systemApi,
      identifier: 'https://new.example/api/v2/',
      data: { ...systemApi.data, identifier: 'https://new.example/api/v2/' },
    });
    expect(await storage.grants.get(t.id, mgmtGrant.id)).toEqual({ ...mgmtGrant, audience: 'https://new.example/api/v2/' });
    expect(await storage.grants.get(t.id, apiGrant.id)).toEqual(apiGrant);
    expect(await storage.grants.get(other.id, foreignGrant.id)).toEqual(foreignGrant);
  });

  it("with 'keep' (the CLI) the default tenant stays where it is", async () => {
    const t = await ensureDefaultTenant(storage, envelope, clock, 'old.example');
    expect(await ensureDefaultTenant(storage, envelope, clock, 'new.example', 'keep')).toEqual(t);
    expect(await storage.tenants.get(t.id)).toEqual(t);
  });

  it('the default tenant cannot move onto a domain another tenant answers (TenantConflict, nothing changes)', async () => {
    const t = await ensureDefaultTenant(storage, envelope, clock, 'old.example');
    await createTenant(storage, envelope, clock, { name: 'b', domain: 'b.example' });
    await expect(ensureDefaultTenant(storage, envelope, clock, 'b.example', 'move')).rejects.toThrow(
      new TenantConflict('tenant "b" already answers b.example; the default tenant cannot move there'),
    );
    expect(await storage.tenants.get(t.id)).toEqual(t);
  });

  it('a failure half-way through the move rolls back the tenant rename too (atomic)', async () => {
    const t = await ensureDefaultTenant(storage, envelope, clock, 'old.example');
    const client = await seedClient(storage, t.id);
    const grant = grantRecord(t.id, client.clientId, { audience: 'https://old.example/api/v2/' });
    await storage.grants.create(grant);
    // A user API already holds the identifier the system API would move to: its rename fails
    // after the tenant row has been updated inside the transaction.
    const squatter = apiRecord(t.id, { identifier: 'https://new.example/api/v2/' });
    await storage.resourceServers.create(squatter);
    const systemApi = (await storage.resourceServers.getByIdentifier(t.id, 'https://old.example/api/v2/'))!;

    await expect(ensureDefaultTenant(storage, envelope, clock, 'new.example', 'move')).rejects.toBeInstanceOf(UniqueViolation);

    expect(await storage.tenants.get(t.id)).toEqual(t);
    expect(await storage.resourceServers.get(t.id, systemApi.id)).toEqual(systemApi);
    expect(await storage.grants.get(t.id, grant.id)).toEqual(grant);
  });
});
