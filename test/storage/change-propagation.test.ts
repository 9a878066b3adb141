// D5 / DESIGN "Scaling out": a change written through one instance's notifying storage reaches
// every other instance within one second over PostgreSQL LISTEN/NOTIFY (timed when the
// notification arrives, test/helpers/propagation.ts) and its registry acts on it; and the
// notifying storage announces a transaction's changes only after it commits, never on rollback.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localBus, postgresBus, type ChangeBus, type ChangeEvent } from '../../src/cache/bus.ts';
import { notifyingStorage } from '../../src/cache/notifying-storage.ts';
import { Registry } from '../../src/cache/registry.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { clientSecretMac, sealClientSecret } from '../../src/domain/secret-locations.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage, TenantRecord } from '../../src/storage/ports.ts';
import { frozenClock } from '../helpers/clock.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { eventually, recordArrivals, type Arrivals } from '../helpers/propagation.ts';
import { clientRecord, grantRecord, seedTenant } from './records.ts';

const envelope = createEnvelope(randomBytes(32));
const PROPAGATION_MS = 1000;

interface Instance {
  raw: Storage;
  storage: Storage;
  bus: ChangeBus;
  registry: Registry;
  arrivals: Arrivals;
}

describe('two instances on one PostgreSQL schema (D5: ≤ 1 s through LISTEN/NOTIFY)', () => {
  let schema: PgSchema;
  let a: Instance;
  let b: Instance;
  const errors: unknown[] = [];

  const instance = async (): Promise<Instance> => {
    const raw = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 3 });
    const bus = await postgresBus(schema.url, { schema: schema.schema, onError: (e) => errors.push(e) });
    const storage = notifyingStorage(raw, (e) => bus.publish(e));
    const registry = new Registry({ storage, envelope, onError: (e) => errors.push(e) });
    bus.subscribe((e) => registry.apply(e));
    const arrivals = recordArrivals(bus);
    await registry.start();
    return { raw, storage, bus, registry, arrivals };
  };

  beforeAll(async () => {
    schema = await createPgSchema();
    a = await instance();
    b = await instance();
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.bus.close();
      await i?.raw.close();
    }
    await schema?.drop();
    expect(errors).toEqual([]);
  });

  it('a tenant created on A reaches B within 1 s, and B answers it', async () => {
    const mark = b.arrivals.mark();
    const t = await createTenant(a.storage, envelope, frozenClock(), { name: `t-${randomBytes(3).toString('hex')}`, domain: 'created-on-a.example' });
    const acked = performance.now();
    expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'tenants')).toBeLessThanOrEqual(PROPAGATION_MS);
    await eventually(() => b.registry.tenantByHost('created-on-a.example')?.id === t.id);
  });

  describe('with a client and its grant cached on B', () => {
    let tenant: TenantRecord;
    let secret: string;
    let clientId: string;
    let grantId: string;
    const audience = 'https://api.example/';

    beforeEach(async () => {
      tenant = await seedTenant(a.raw);
      secret = randomBytes(32).toString('base64url');
      const c = clientRecord(tenant.id);
      clientId = c.clientId;
      await a.raw.clients.create({ ...c, ...sealClientSecret(envelope, tenant.id, clientId, secret) });
      const g = grantRecord(tenant.id, clientId, { audience });
      grantId = g.id;
      await a.raw.grants.create(g);
      // Warm B's caches.
      expect((await b.registry.grant(tenant.id, clientId, audience))?.id).toBe(grantId);
      expect((await b.registry.client(tenant.id, clientId))?.secretMac).toEqual(clientSecretMac(envelope, tenant.id, clientId, secret));
    });

    it('T-MI-02: a client-grant deletion on A reaches B within 1 s, and B drops the grant', async () => {
      const mark = b.arrivals.mark();
      expect(await a.storage.grants.remove(tenant.id, grantId)).toBe(true);
      const acked = performance.now();
      expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'grants' && e.tenantId === tenant.id)).toBeLessThanOrEqual(PROPAGATION_MS);
      await eventually(async () => (await b.registry.grant(tenant.id, clientId, audience)) === null);
    });

    it('T-MI-03: a secret rotation on A reaches B within 1 s (old MAC gone, new MAC in place)', async () => {
      const next = randomBytes(32).toString('base64url');
      const mark = b.arrivals.mark();
      await a.storage.clients.update(tenant.id, clientId, sealClientSecret(envelope, tenant.id, clientId, next));
      const acked = performance.now();
      expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'clients' && e.tenantId === tenant.id)).toBeLessThanOrEqual(PROPAGATION_MS);
      await eventually(async () => (await b.registry.client(tenant.id, clientId))?.secretMac?.equals(clientSecretMac(envelope, tenant.id, clientId, next)) === true);
    });

    it('control: a write behind the bus (raw storage) stays invisible to B until its resync', async () => {
      expect(await a.raw.grants.remove(tenant.id, grantId)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect((await b.registry.grant(tenant.id, clientId, audience))?.id).toBe(grantId);
      await b.registry.resync();
      expect(await b.registry.grant(tenant.id, clientId, audience)).toBeNull();
    });
  });
});

describe('notifyingStorage publishes after commit only (SQLite, local bus)', () => {
  let raw: Storage;
  let storage: Storage;
  let events: ChangeEvent[];
  let tenant: TenantRecord;
  beforeEach(async () => {
    raw = await createStorage('sqlite::memory:');
    const bus = localBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    storage = notifyingStorage(raw, (e) => bus.publish(e));
    tenant = await seedTenant(raw);
  });
  afterEach(async () => {
    await raw.close();
  });

  it('a write outside a transaction publishes once it has been written, naming what it touched (R3)', async () => {
    const c = clientRecord(tenant.id);
    await storage.clients.create(c);
    expect(events).toEqual([{ tenantId: tenant.id, kind: 'clients', ids: { clients: [c.clientId] } }]);
    events.length = 0;
    const g = grantRecord(tenant.id, c.clientId);
    await storage.grants.create(g);
    expect(events).toEqual([{ tenantId: tenant.id, kind: 'grants', ids: { grants: [{ clientId: c.clientId, audience: g.audience }] } }]);
  });

  it('reads, meta writes and failed writes publish nothing', async () => {
    const c = clientRecord(tenant.id);
    await raw.clients.create(c);
    await storage.clients.get(tenant.id, c.clientId);
    await storage.meta.set('k', 'v');
    await expect(storage.clients.create(c)).rejects.toThrow();
    expect(events).toEqual([]);
  });

  it('inside a transaction nothing is published until commit; then each (tenant, kind) once, with the union of the ids', async () => {
    const c = clientRecord(tenant.id);
    await storage.transaction(async (tx) => {
      await tx.clients.create(c);
      await tx.grants.create(grantRecord(tenant.id, c.clientId));
      await tx.grants.create(grantRecord(tenant.id, c.clientId, { audience: 'https://other/' }));
      await tx.tenants.update(tenant.id, { name: 'renamed' });
      expect(events).toEqual([]);
    });
    expect(events).toEqual([
      { tenantId: tenant.id, kind: 'clients', ids: { clients: [c.clientId] } },
      {
        tenantId: tenant.id,
        kind: 'grants',
        ids: {
          grants: [
            { clientId: c.clientId, audience: grantRecord(tenant.id, c.clientId).audience },
            { clientId: c.clientId, audience: 'https://other/' },
          ],
        },
      },
      { tenantId: tenant.id, kind: 'tenants' },
    ]);
  });

  it('a rolled-back transaction publishes nothing', async () => {
    const c = clientRecord(tenant.id);
    await expect(
      storage.transaction(async (tx) => {
        await tx.clients.create(c);
        await tx.grants.create(grantRecord(tenant.id, c.clientId));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(events).toEqual([]);
    expect(await raw.clients.get(tenant.id, c.clientId)).toBeUndefined();
  });

  it('a nested transaction publishes with the outer commit, and nothing when the outer one rolls back', async () => {
    const c = clientRecord(tenant.id);
    await expect(
      storage.transaction(async (tx) => {
        await tx.transaction(async (inner) => inner.clients.create(c));
        expect(events).toEqual([]);
        throw new Error('outer rollback');
      }),
    ).rejects.toThrow('outer rollback');
    expect(events).toEqual([]);

    await storage.transaction(async (tx) => {
      await tx.transaction(async (inner) => inner.clients.create(c));
      expect(events).toEqual([]);
    });
    expect(events).toEqual([{ tenantId: tenant.id, kind: 'clients', ids: { clients: [c.clientId] } }]);
  });
});
