// ConnectionStore on every dialect: round trips, names unique per tenant, updates, tenant scoping;
// and the default database connection every tenant gets (domain/connections.ts): made with the
// tenant, added at start-up to tenants that predate it (provisioning/system-records.ts), once even
// when processes race.
import { randomBytes } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { connectionEnabledFor, DEFAULT_CONNECTION_NAME, defaultConnectionOptions, defaultConnectionRecord } from '../../src/domain/connections.ts';
import { ensureDefaultConnections } from '../../src/provisioning/system-records.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { TenantRecord } from '../../src/storage/ports.ts';
import { frozenClock } from '../helpers/clock.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, connectionRecord, seedConnection, seedTenant } from './records.ts';

forEachDialect('ConnectionStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
  });

  it('create then get, getByName and list return the record unchanged (nested data kept)', async () => {
    const c = await seedConnection(storage, a.id, { data: { options: { passwordPolicy: 'excellent', mfa: { active: true } }, realms: ['x'], enabled_clients: [] } });
    expect(await storage.connections.get(a.id, c.id)).toEqual(c);
    expect(await storage.connections.getByName(a.id, c.name)).toEqual(c);
    expect(await storage.connections.list(a.id)).toEqual([c]);
  });

  it('list orders by (created_at, id)', async () => {
    const late = await seedConnection(storage, a.id, { id: 'con_a', createdAt: at(2) });
    const tieB = await seedConnection(storage, a.id, { id: 'con_c', createdAt: at(1) });
    const tieA = await seedConnection(storage, a.id, { id: 'con_b', createdAt: at(1) });
    expect((await storage.connections.list(a.id)).map((c) => c.id)).toEqual([tieA.id, tieB.id, late.id]);
  });

  it('a connection name is unique per tenant (UniqueViolation); another tenant may use it', async () => {
    const c = await seedConnection(storage, a.id, { name: 'shared' });
    await expect(storage.connections.create(connectionRecord(a.id, { name: 'shared' }))).rejects.toBeInstanceOf(UniqueViolation);
    const other = await seedConnection(storage, b.id, { name: 'shared', id: c.id });
    expect(await storage.connections.list(a.id)).toEqual([c]);
    expect(await storage.connections.getByName(b.id, 'shared')).toEqual(other);
  });

  it('update replaces data; false for an unknown id or another tenant, which stays unchanged', async () => {
    const c = await seedConnection(storage, a.id);
    const data = { options: { disable_signup: true }, enabled_clients: ['x', 'y'] };
    expect(await storage.connections.update(a.id, c.id, { data })).toBe(true);
    expect(await storage.connections.get(a.id, c.id)).toEqual({ ...c, data });
    expect(await storage.connections.update(a.id, c.id, {})).toBe(true);
    expect(await storage.connections.update(a.id, 'con_missing', { data })).toBe(false);
    expect(await storage.connections.update(b.id, c.id, { data: {} })).toBe(false);
    expect(await storage.connections.get(a.id, c.id)).toEqual({ ...c, data });
  });

  it('tenant scoping: another tenant sees nothing by id, by name or in its list', async () => {
    const c = await seedConnection(storage, a.id);
    expect(await storage.connections.get(b.id, c.id)).toBeUndefined();
    expect(await storage.connections.getByName(b.id, c.name)).toBeUndefined();
    expect(await storage.connections.list(b.id)).toEqual([]);
  });
});

forEachDialect('the default database connection', (storage) => {
  const clock = frozenClock();
  const envelope = createEnvelope(randomBytes(32));
  const expectDefault = async (tenantId: string, createdAt: string) => {
    const list = await storage.connections.list(tenantId);
    expect(list).toHaveLength(1);
    const c = list[0]!;
    expect(c.id).toMatch(/^con_[A-Za-z0-9]{16}$/);
    expect(c).toEqual({
      tenantId,
      id: c.id,
      name: 'Username-Password-Authentication',
      strategy: 'auth0',
      data: {
        options: {
          mfa: { active: true, return_enroll_settings: true },
          passwordPolicy: 'good',
          password_complexity_options: { min_length: 8 },
          brute_force_protection: true,
          strategy_version: 2,
          requires_username: false,
          disable_signup: false,
          authentication_methods: { password: { enabled: true }, passkey: { enabled: false } },
        },
        is_domain_connection: false,
        realms: ['Username-Password-Authentication'],
      },
      createdAt,
    });
  };

  it('createTenant makes the tenant with its Username-Password-Authentication connection (Auth0 defaults, every app enabled)', async () => {
    const t = await createTenant(storage, envelope, clock, { name: 'acme', domain: 'acme.example' });
    await expectDefault(t.id, t.createdAt);
    expect(connectionEnabledFor((await storage.connections.getByName(t.id, DEFAULT_CONNECTION_NAME))!, 'any-client-id')).toBe(true);
  });

  it('ensureDefaultConnections adds it to tenants that predate it, keeps existing ones, and runs twice harmlessly', async () => {
    const old = await seedTenant(storage);
    const made = await createTenant(storage, envelope, clock, { name: 'acme', domain: 'acme.example' });
    const before = await storage.connections.list(made.id);
    await ensureDefaultConnections(storage, clock);
    await ensureDefaultConnections(storage, clock);
    await expectDefault(old.id, new Date(clock.now()).toISOString());
    expect(await storage.connections.list(made.id)).toEqual(before);
  });

  it('ensureDefaultConnections from several processes at once leaves exactly one connection', async () => {
    const t = await seedTenant(storage);
    await Promise.all([1, 2, 3, 4].map(() => ensureDefaultConnections(storage, clock)));
    await expectDefault(t.id, new Date(clock.now()).toISOString());
  });

  it('connectionEnabledFor: no enabled_clients list means every application; a list limits it', () => {
    const c = defaultConnectionRecord('t', at(0));
    expect(c.data).not.toHaveProperty('enabled_clients');
    expect(connectionEnabledFor(c, 'abc')).toBe(true);
    const limited = { ...c, data: { ...c.data, enabled_clients: ['abc'] } };
    expect(connectionEnabledFor(limited, 'abc')).toBe(true);
    expect(connectionEnabledFor(limited, 'xyz')).toBe(false);
    expect(defaultConnectionOptions()).not.toBe(defaultConnectionOptions());
  });
});
