// Signing keys across instances on one PostgreSQL schema (security catalogue §4.14):
// T-MI-04 a rotation on A reaches B within 1 s (D5, timed when the notification arrives:
// test/helpers/propagation.ts) and tokens B signed before it still verify on A;
// T-MI-05 a revocation on A reaches B within 1 s and ends there the revoked key's tokens, cached ones too;
// T-MI-07 two rotations at once leave exactly one current key: one wins, the loser gets
// RotationConflict (409 at the Management API), never a state with two current keys or none
// (the catalogue's T-MI-07 names client secrets; their race is in secret-rotation-race.test.ts).
import { createPrivateKey, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBus, type ChangeBus } from '../../src/cache/bus.ts';
import { notifyingStorage } from '../../src/cache/notifying-storage.ts';
import { Registry } from '../../src/cache/registry.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { nowSeconds } from '../../src/domain/clock.ts';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import type { Tenant } from '../../src/domain/tenant.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { BearerAuthenticator } from '../../src/management/auth.ts';
import { ManagementError, TEXT } from '../../src/management/errors.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { issueAccessToken } from '../../src/tokens/issue.ts';
import { revokeSigningKey, rotateSigningKeys, RotationConflict } from '../../src/tokens/rotation.ts';
import { frozenClock } from '../helpers/clock.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError } from '../helpers/mgmt-http.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { eventually, recordArrivals, type Arrivals } from '../helpers/propagation.ts';
import { gateFor, pauseAfterKeyRead } from '../helpers/rendezvous.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { clientRecord } from '../storage/records.ts';

const PROPAGATION_MS = 1000;
const envelope = createEnvelope(randomBytes(32));
const clock = frozenClock();

/** Key states of a tenant straight from the table (no cache, no storage code). */
async function tableStates(schema: PgSchema, tenantId: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; n: string }>(`select state, count(*) as n from "${schema.schema}".signing_keys where tenant_id = $1 group by state`, [tenantId]);
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await client.end();
  }
}

interface Instance {
  raw: Storage;
  storage: Storage;
  bus: ChangeBus;
  registry: Registry;
  auth: BearerAuthenticator;
  arrivals: Arrivals;
}

describe('T-MI-04 / T-MI-05: two instances on one PostgreSQL schema (D5: ≤ 1 s)', () => {
  let schema: PgSchema;
  let a: Instance;
  let b: Instance;
  let tenant: Tenant;
  let clientId: string;
  const errors: unknown[] = [];

  const instance = async (): Promise<Instance> => {
    const raw = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 3 });
    const bus = await postgresBus(schema.url, { schema: schema.schema, onError: (e) => errors.push(e) });
    const storage = notifyingStorage(raw, (e) => bus.publish(e));
    const registry = new Registry({ storage, envelope, onError: (e) => errors.push(e) });
    bus.subscribe((e) => registry.apply(e));
    const arrivals = recordArrivals(bus);
    await registry.start();
    return { raw, storage, bus, registry, auth: new BearerAuthenticator({ registry, storage, clock }), arrivals };
  };

  /** A Management API token signed by `on`'s current key, as its token endpoint would sign it. */
  const signedBy = async (on: Instance): Promise<{ token: string; kid: string }> => {
    const { current } = await on.registry.keys(tenant.id);
    const issued = await issueAccessToken({
      issuer: tenant.issuer,
      subject: `${clientId}@clients`,
      audience: tenant.managementAudience,
      clientId,
      scopes: ['read:clients'],
      now: nowSeconds(clock),
      lifetime: 86400,
      grantType: 'client-credentials',
      signer: { alg: 'RS256', kid: current.kid, key: current.privateKey! },
    });
    return { token: issued.token, kid: current.kid };
  };
  const accepts = async (on: Instance, token: string): Promise<boolean> => {
    try {
      await on.auth.authenticate(tenant, `Bearer ${token}`);
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(ManagementError);
      expect([(error as ManagementError).statusCode, (error as ManagementError).message]).toEqual([401, TEXT.invalidToken]);
      return false;
    }
  };

  beforeAll(async () => {
    schema = await createPgSchema();
    a = await instance();
    b = await instance();
    const record = await createTenant(a.storage, envelope, clock, { name: `t-${randomBytes(3).toString('hex')}`, domain: 'keys-mi.example' });
    await eventually(() => b.registry.tenantById(record.id) !== undefined);
    tenant = b.registry.tenantById(record.id)!;
    const c = clientRecord(record.id);
    clientId = c.clientId;
    await a.storage.clients.create({ ...c, ...sealClientSecret(envelope, record.id, clientId, randomBytes(32).toString('base64url')) });
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.bus.close();
      await i?.raw.close();
    }
    await schema?.drop();
    expect(errors).toEqual([]);
  });

  it('T-MI-04: a rotation on A → B signs with the new key and publishes it within 1 s; tokens B signed before still verify on A and B', async () => {
    const before = await signedBy(b);
    expect(await accepts(b, before.token)).toBe(true);
    const mark = b.arrivals.mark();
    const promoted = await rotateSigningKeys(a.storage, envelope, tenant, clock);
    const acked = performance.now();
    expect(promoted.kid).not.toBe(before.kid);

    expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'keys' && e.tenantId === tenant.id)).toBeLessThanOrEqual(PROPAGATION_MS);
    await eventually(async () => (await signedBy(b)).kid === promoted.kid);
    const ringB = await b.registry.keys(tenant.id);
    const stored = await a.raw.signingKeys.list(tenant.id);
    const kid = (state: string) => stored.find((k) => k.state === state)!.kid;
    expect(ringB.jwks.keys.map((k) => k.kid)).toEqual([kid('current'), kid('next'), kid('previous')]);
    expect(kid('previous')).toBe(before.kid);

    expect(await accepts(a, before.token)).toBe(true);
    expect(await accepts(b, before.token)).toBe(true);
    expect(await accepts(a, (await signedBy(b)).token)).toBe(true);
  });

  it('T-MI-05: revoking the previous key on A → B refuses its tokens within 1 s, also the one B has cached as verified', async () => {
    const previous = (await a.raw.signingKeys.list(tenant.id)).find((k) => k.state === 'previous')!;
    const old = (await issueAccessToken({
      issuer: tenant.issuer,
      subject: `${clientId}@clients`,
      audience: tenant.managementAudience,
      clientId,
      scopes: ['read:clients'],
      now: nowSeconds(clock),
      lifetime: 86400,
      grantType: 'client-credentials',
      signer: { alg: 'RS256', kid: previous.kid, key: createPrivateKey(envelope.open(previous.privateSealed, { tenantId: tenant.id, table: 'signing_keys', recordId: previous.kid, field: 'private_key' })) },
    })).token;
    expect(await accepts(b, old)).toBe(true); // now cached on B
    const current = await signedBy(b);

    const mark = b.arrivals.mark();
    await revokeSigningKey(a.storage, tenant.id, previous.kid, clock);
    const acked = performance.now();
    expect(await b.arrivals.after(mark, acked, (e) => e.kind === 'keys' && e.tenantId === tenant.id)).toBeLessThanOrEqual(PROPAGATION_MS);
    await eventually(async () => !(await accepts(b, old)));
    expect((await b.registry.keys(tenant.id)).verifying.has(previous.kid)).toBe(false);
    expect(await accepts(a, old)).toBe(false);
    expect(await accepts(b, current.token)).toBe(true);
  });
});

describe('T-MI-07: two rotations at once on one PostgreSQL schema', () => {
  let schema: PgSchema;
  beforeAll(async () => {
    schema = await createPgSchema();
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('rotateSigningKeys on two storages, both having read the same keys → exactly one wins, the other RotationConflict; one current key', async () => {
    const one = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
    const two = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
    try {
      const t = await createTenant(one, envelope, clock, { name: 'race-direct', domain: 'race-direct.example' });
      const before = await one.signingKeys.list(t.id);
      const gate = gateFor(2);
      gate.armed = true;
      const results = await Promise.allSettled([rotateSigningKeys(pauseAfterKeyRead(one, gate), envelope, t, clock), rotateSigningKeys(pauseAfterKeyRead(two, gate), envelope, t, clock)]);
      expect(gate.arrivals()).toBe(2);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect([won.length, lost.length]).toEqual([1, 1]);
      expect(lost[0]!.reason).toBeInstanceOf(RotationConflict);
      expect(won[0]!.value.kid).toBe(before.find((k) => k.state === 'next')!.kid);
      // The loser's new key was rolled back with its transaction.
      expect(await tableStates(schema, t.id)).toEqual({ current: 1, next: 1, previous: 1 });
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('without forcing the interleaving, 5 rounds of two concurrent rotations never leave two current keys or none', async () => {
    const one = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
    const two = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
    try {
      const t = await createTenant(one, envelope, clock, { name: 'race-free', domain: 'race-free.example' });
      let wins = 0;
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled([rotateSigningKeys(one, envelope, t, clock), rotateSigningKeys(two, envelope, t, clock)]);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RotationConflict);
        wins += results.filter((r) => r.status === 'fulfilled').length;
        expect(await tableStates(schema, t.id)).toEqual({ current: 1, next: 1, previous: wins });
      }
      expect(wins).toBeGreaterThanOrEqual(5);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('through the Management API of two servers on the schema: one 201, one 409 with Auth0’s body', async () => {
    const gate = gateFor(2);
    const servers: TestServer[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const raw = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
        servers.push(await startTestServer({ storage: pauseAfterKeyRead(raw, gate), masterKey: servers[0]?.masterKey ?? randomBytes(32) }));
      }
      const [sa, sb] = servers as [TestServer, TestServer];
      const scopes = ['create:signing_keys', 'update:signing_keys'];
      const tokens = [await mgmtToken(sa, scopes), await mgmtToken(sb, scopes)];
      gate.armed = true;
      const [ra, rb] = await Promise.all(
        [sa, sb].map((s, i) => s.inject({ method: 'POST', url: '/api/v2/keys/signing/rotate', headers: { authorization: `Bearer ${tokens[i]!}` } })),
      );
      gate.armed = false;
      expect(gate.arrivals()).toBe(2);
      expect([ra!.statusCode, rb!.statusCode].sort()).toEqual([201, 409]);
      expectMgmtError(ra!.statusCode === 409 ? ra! : rb!, 409, TEXT.rotationConflict, 'conflict');
      expect(await tableStates(schema, sa.tenant.id)).toEqual({ current: 1, next: 1, previous: 1 });
    } finally {
      for (const s of servers) await s.close();
    }
  });
});
