// UserStore on every dialect: round trips of every field, emails and usernames unique per
// connection regardless of case (and of Unicode normalization), lookups by email and username,
// updates (booleans both ways, null clears, derived columns follow), removal, tenant scoping,
// pages with totals, sorts (missing values last, ties by user_id), and recordLogin counting every
// one of 20 concurrent logins.
import { beforeEach, expect, it } from 'vitest';
import { UniqueViolation } from '../../src/storage/errors.ts';
import type { TenantRecord, UserRecord, UserSort } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, blankUser, seedConnection, seedTenant, seedUser, userRecord } from './records.ts';

const page = (offset: number, limit: number, withTotal = false) => ({ offset, limit, withTotal });
const ids = (items: UserRecord[]): string[] => items.map((u) => u.userId);

forEachDialect('UserStore', (storage) => {
  let a: TenantRecord;
  let b: TenantRecord;
  const DB = 'Username-Password-Authentication';
  const OTHER = 'other-db';
  beforeEach(async () => {
    a = await seedTenant(storage);
    b = await seedTenant(storage);
    for (const t of [a, b]) {
      await seedConnection(storage, t.id, { name: DB });
      await seedConnection(storage, t.id, { name: OTHER });
    }
  });

  const add = (overrides: Partial<UserRecord> = {}, tenant = a, connection = DB) => seedUser(storage, tenant.id, connection, overrides);
  const all = async (sort?: UserSort, tenant = a) => ids((await storage.users.list(tenant.id, undefined, sort, page(0, 100))).items);

  it('create then get, getByEmail, getByUsername and list return every field unchanged', async () => {
    const u = await add();
    expect(await storage.users.get(a.id, u.userId)).toEqual(u);
    expect(await storage.users.getByEmail(a.id, DB, u.email!)).toEqual(u);
    expect(await storage.users.getByUsername(a.id, DB, u.username!)).toEqual(u);
    expect((await storage.users.list(a.id, undefined, undefined, page(0, 10))).items).toEqual([u]);
  });

  it('a user with every optional field empty and every flag false round-trips too', async () => {
    const u = await add(blankUser());
    expect(await storage.users.get(a.id, u.userId)).toEqual(u);
  });

  it('getByEmail and getByUsername ignore case and Unicode normalization, and stay inside the connection', async () => {
    const u = await add({ email: 'Émile.Zola@Example.com', username: 'ÉmileZ' });
    expect(await storage.users.getByEmail(a.id, DB, 'émile.zola@example.COM')).toEqual(u);
    expect(await storage.users.getByEmail(a.id, DB, 'E\u0301MILE.ZOLA@EXAMPLE.COM')).toEqual(u);
    expect(await storage.users.getByUsername(a.id, DB, 'émilez')).toEqual(u);
    expect(await storage.users.getByEmail(a.id, OTHER, u.email!)).toBeUndefined();
    expect(await storage.users.getByUsername(a.id, OTHER, u.username!)).toBeUndefined();
    expect(await storage.users.getByEmail(a.id, DB, 'emile.zola@example.com')).toBeUndefined();
  });

  it('A@x.com and a@x.com in one connection: UniqueViolation; in another connection or tenant: fine', async () => {
    await add({ email: 'A@x.com' });
    await expect(add({ email: 'a@x.com' })).rejects.toBeInstanceOf(UniqueViolation);
    // The same address decomposed (e + combining acute) is the same address.
    await add({ email: 'é@x.com' });
    await expect(add({ email: 'E\u0301@X.COM' })).rejects.toBeInstanceOf(UniqueViolation);
    await add({ email: 'a@x.com' }, a, OTHER);
    await add({ email: 'a@x.com' }, b, DB);
    expect((await storage.users.list(a.id, undefined, undefined, page(0, 10, true))).total).toBe(3);
  });

  it('usernames are unique per connection regardless of case; users without email or username do not collide', async () => {
    await add({ username: 'Jane_Doe', email: null });
    await expect(add({ username: 'jane_doe', email: null })).rejects.toBeInstanceOf(UniqueViolation);
    await add({ username: 'jane_doe' }, a, OTHER);
    await add({ username: null, email: null });
    await add({ username: null, email: null });
    expect((await storage.users.list(a.id, undefined, undefined, page(0, 10, true))).total).toBe(4);
  });

  it('a user id is unique per tenant; another tenant may hold the same id', async () => {
    const u = await add();
    await expect(add({ userId: u.userId })).rejects.toBeInstanceOf(UniqueViolation);
    const twin = await add({ userId: u.userId }, b);
    expect(await storage.users.get(a.id, u.userId)).toEqual(u);
    expect(await storage.users.get(b.id, u.userId)).toEqual(twin);
  });

  it('a user must belong to a stored connection of its tenant', async () => {
    await expect(storage.users.create(userRecord(a.id, 'no-such-connection'))).rejects.toThrow();
    expect(await all()).toEqual([]);
  });

  it('update: flags both ways, null clears, email and username lookups follow the new values', async () => {
    const u = await add({ blocked: false, emailVerified: false, phoneVerified: true });
    const patch = {
      email: 'New@Mail.example',
      username: 'NewName',
      blocked: true,
      emailVerified: true,
      phoneVerified: false,
      name: null,
      picture: null,
      userMetadata: { x: 1 },
      appMetadata: {},
      linkedIdentities: [],
      passwordHash: '$argon2id$new',
      lastPasswordReset: at(9),
      loginsCount: 3,
      updatedAt: at(10),
    };
    expect(await storage.users.update(a.id, u.userId, patch)).toBe(true);
    const updated = { ...u, ...patch };
    expect(await storage.users.get(a.id, u.userId)).toEqual(updated);
    expect(await storage.users.getByEmail(a.id, DB, u.email!)).toBeUndefined();
    expect(await storage.users.getByEmail(a.id, DB, 'new@mail.EXAMPLE')).toEqual(updated);
    expect(await storage.users.getByUsername(a.id, DB, 'newname')).toEqual(updated);
    const back = { blocked: false, emailVerified: false, phoneVerified: true, email: null, username: null };
    expect(await storage.users.update(a.id, u.userId, back)).toBe(true);
    expect(await storage.users.get(a.id, u.userId)).toEqual({ ...updated, ...back });
    expect(await storage.users.getByEmail(a.id, DB, 'new@mail.example')).toBeUndefined();
  });

  it('update to an email or username taken in the connection (any case) is a UniqueViolation and changes nothing', async () => {
    const taken = await add({ email: 'taken@x.com', username: 'taken' });
    const u = await add();
    await expect(storage.users.update(a.id, u.userId, { email: 'TAKEN@x.com' })).rejects.toBeInstanceOf(UniqueViolation);
    await expect(storage.users.update(a.id, u.userId, { username: 'Taken' })).rejects.toBeInstanceOf(UniqueViolation);
    expect(await storage.users.get(a.id, u.userId)).toEqual(u);
    expect(await storage.users.get(a.id, taken.userId)).toEqual(taken);
  });

  it('update and remove answer false for an unknown user or another tenant and change nothing there', async () => {
    const u = await add();
    expect(await storage.users.update(a.id, 'auth0|missing', { name: 'x' })).toBe(false);
    expect(await storage.users.update(a.id, 'auth0|missing', {})).toBe(false);
    expect(await storage.users.update(a.id, u.userId, {})).toBe(true);
    expect(await storage.users.update(b.id, u.userId, { name: 'x' })).toBe(false);
    expect(await storage.users.remove(b.id, u.userId)).toBe(false);
    await storage.users.recordLogin(b.id, u.userId, at(50), '192.0.2.1');
    expect(await storage.users.get(a.id, u.userId)).toEqual(u);
    expect(await storage.users.remove(a.id, u.userId)).toBe(true);
    expect(await storage.users.remove(a.id, u.userId)).toBe(false);
    expect(await storage.users.get(a.id, u.userId)).toBeUndefined();
  });

  it('tenant scoping: another tenant sees nothing by id, email, username or in its list', async () => {
    const u = await add();
    expect(await storage.users.get(b.id, u.userId)).toBeUndefined();
    expect(await storage.users.getByEmail(b.id, DB, u.email!)).toBeUndefined();
    expect(await storage.users.getByUsername(b.id, DB, u.username!)).toBeUndefined();
    expect(await all(undefined, b)).toEqual([]);
  });

  it('list: oldest first, ties by user_id; offset/limit slice it; total counts every match', async () => {
    const u3 = await add({ userId: 'auth0|c', createdAt: at(2) });
    const u1 = await add({ userId: 'auth0|a', createdAt: at(2) });
    const u2 = await add({ userId: 'auth0|b', createdAt: at(1) });
    await add({}, b);
    expect(await all()).toEqual([u2.userId, u1.userId, u3.userId]);
    const second = await storage.users.list(a.id, undefined, undefined, page(1, 1, true));
    expect([ids(second.items), second.total]).toEqual([[u1.userId], 3]);
    const beyond = await storage.users.list(a.id, undefined, undefined, page(5, 2, true));
    expect([ids(beyond.items), beyond.total]).toEqual([[], 3]);
    expect((await storage.users.list(a.id, undefined, undefined, page(0, 10))).total).toBeUndefined();
  });

  it('sort: ascending and descending, users without the field last both ways, ties by user_id', async () => {
    await add({ userId: 'auth0|1', name: 'bob', loginsCount: 5, lastLogin: at(3) });
    await add({ userId: 'auth0|2', name: null, loginsCount: 5, lastLogin: null });
    await add({ userId: 'auth0|3', name: 'Alice', loginsCount: 9, lastLogin: at(1) });
    await add({ userId: 'auth0|4', name: 'bob', loginsCount: 1, lastLogin: null });
    await add({ userId: 'auth0|5', name: 'ábel', loginsCount: 5, lastLogin: at(2) });
    // Code point order: upper case before lower case before accented letters.
    expect(await all({ field: 'name', descending: false })).toEqual(['auth0|3', 'auth0|1', 'auth0|4', 'auth0|5', 'auth0|2']);
    expect(await all({ field: 'name', descending: true })).toEqual(['auth0|5', 'auth0|1', 'auth0|4', 'auth0|3', 'auth0|2']);
    expect(await all({ field: 'logins_count', descending: true })).toEqual(['auth0|3', 'auth0|1', 'auth0|2', 'auth0|5', 'auth0|4']);
    expect(await all({ field: 'logins_count', descending: false })).toEqual(['auth0|4', 'auth0|1', 'auth0|2', 'auth0|5', 'auth0|3']);
    expect(await all({ field: 'last_login', descending: false })).toEqual(['auth0|3', 'auth0|5', 'auth0|1', 'auth0|2', 'auth0|4']);
    expect(await all({ field: 'last_login', descending: true })).toEqual(['auth0|1', 'auth0|5', 'auth0|3', 'auth0|2', 'auth0|4']);
    const paged = await storage.users.list(a.id, undefined, { field: 'name', descending: false }, page(2, 2, true));
    expect([ids(paged.items), paged.total]).toEqual([['auth0|4', 'auth0|5'], 5]);
  });

  it('recordLogin: 20 concurrent logins all count, in one statement each, and set last_login, last_ip and updated_at', async () => {
    const u = await add({ loginsCount: 7 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.users.recordLogin(a.id, u.userId, at(100 + i), `198.51.100.${i}`)));
    const after = (await storage.users.get(a.id, u.userId))!;
    expect(after.loginsCount).toBe(27);
    expect(after.lastLogin).toMatch(/^2026-01-01T00:0[12]:\d\d\.000Z$/);
    expect(after.updatedAt).toBe(after.lastLogin);
    expect(after.lastIp).toMatch(/^198\.51\.100\.\d+$/);
    expect({ ...after, loginsCount: 7, lastLogin: u.lastLogin, updatedAt: u.updatedAt, lastIp: u.lastIp }).toEqual(u);
  });
});
