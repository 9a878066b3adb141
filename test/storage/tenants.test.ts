// TenantStore on every dialect: round trips, lookups by id/domain/name, order, updates, and the
// uniqueness of names and domains (a Host must select exactly one tenant).
import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, tenantRecord } from './records.ts';

forEachDialect('TenantStore', (storage) => {
  it('create then get, getByDomain and getByName return the same record', async () => {
    const t = tenantRecord({ isDefault: true, settings: { friendly_name: 'Acme', nested: { list: [1, 'two'] } } });
    await storage.tenants.create(t);
    expect(await storage.tenants.get(t.id)).toEqual(t);
    expect(await storage.tenants.getByDomain(t.domain)).toEqual(t);
    expect(await storage.tenants.getByName(t.name)).toEqual(t);
  });

  it('unknown id, domain and name give undefined', async () => {
    await storage.tenants.create(tenantRecord());
    expect(await storage.tenants.get('ten_missing')).toBeUndefined();
    expect(await storage.tenants.getByDomain('missing.example')).toBeUndefined();
    expect(await storage.tenants.getByName('missing')).toBeUndefined();
  });

  it('domains are stored lower-case and looked up case-insensitively (Host is case-insensitive, RFC 9110 §4.2.3)', async () => {
    const t = tenantRecord({ domain: 'Acme.EXAMPLE.test:8443' });
    await storage.tenants.create(t);
    expect((await storage.tenants.get(t.id))?.domain).toBe('acme.example.test:8443');
    expect((await storage.tenants.getByDomain('ACME.example.TEST:8443'))?.id).toBe(t.id);
  });

  it('list orders by (created_at, id), ties broken by id', async () => {
    const a = tenantRecord({ id: 'ten_b', createdAt: at(5) });
    const b = tenantRecord({ id: 'ten_c', createdAt: at(1) });
    const c = tenantRecord({ id: 'ten_a', createdAt: at(5) });
    for (const t of [a, b, c]) await storage.tenants.create(t);
    expect((await storage.tenants.list()).map((t) => t.id)).toEqual(['ten_c', 'ten_a', 'ten_b']);
  });

  it('update changes only the named fields', async () => {
    const t = tenantRecord();
    await storage.tenants.create(t);
    await storage.tenants.update(t.id, { domain: 'New.Example.test' });
    expect(await storage.tenants.get(t.id)).toEqual({ ...t, domain: 'new.example.test' });
    await storage.tenants.update(t.id, { settings: { friendly_name: 'Renamed' }, name: 'renamed' });
    expect(await storage.tenants.get(t.id)).toEqual({ ...t, domain: 'new.example.test', name: 'renamed', settings: { friendly_name: 'Renamed' } });
    expect(await storage.tenants.getByDomain(t.domain)).toBeUndefined();
  });

  it('update of one tenant leaves the others alone', async () => {
    const a = tenantRecord();
    const b = tenantRecord();
    await storage.tenants.create(a);
    await storage.tenants.create(b);
    await storage.tenants.update(a.id, { name: 'only-a' });
    expect(await storage.tenants.get(b.id)).toEqual(b);
  });

  it('a second tenant with the same name is a UniqueViolation', async () => {
    const a = tenantRecord({ name: 'acme' });
    await storage.tenants.create(a);
    await expect(storage.tenants.create(tenantRecord({ name: 'acme' }))).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.tenants.list()).toEqual([a]);
  });

  it('a second tenant on the same domain (in any case) is a UniqueViolation', async () => {
    await storage.tenants.create(tenantRecord({ domain: 'acme.example' }));
    await expect(storage.tenants.create(tenantRecord({ domain: 'ACME.example' }))).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('moving a tenant onto a domain another one answers is a UniqueViolation and changes nothing', async () => {
    const a = tenantRecord({ domain: 'a.example' });
    const b = tenantRecord({ domain: 'b.example' });
    await storage.tenants.create(a);
    await storage.tenants.create(b);
    await expect(storage.tenants.update(b.id, { domain: 'a.example' })).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.tenants.get(b.id)).toEqual(b);
  });

  it('a duplicate id is a UniqueViolation', async () => {
    const a = tenantRecord();
    await storage.tenants.create(a);
    await expect(storage.tenants.create(tenantRecord({ id: a.id }))).rejects.toBeInstanceOf(UniqueViolation);
  });
});
