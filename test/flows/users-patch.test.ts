// PATCH /api/v2/users/{id} (spec §3.5.4): root-level metadata merge (null removes a key, {}
// removes all), Auth0's "simultaneously" rules, email/username/password, last_password_reset and
// unblocking on a new password, and update:users_app_metadata touching app_metadata only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const DB = 'Username-Password-Authentication';
let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['update:users', 'read:users']));
});
afterAll(() => s.close());

const path = (id: string) => `/users/${encodeURIComponent(id)}`;

describe('metadata merge (DOCS-V2 manage-metadata-api)', () => {
  it('root keys merge, nested objects are replaced whole, null removes a key', async () => {
    const u = await seedUser(s, { email: 'meta@example.com', userMetadata: { profileCode: 1479, addresses: { work_address: '100 Industrial Way' }, gone: 1 } });
    const res = await api.patch(path(u.userId), { user_metadata: { addresses: { home_address: '742 Evergreen Terrace' }, gone: null, added: true } });
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    const expected = { profileCode: 1479, addresses: { home_address: '742 Evergreen Terrace' }, added: true };
    expect(res.json<{ user_metadata: unknown }>().user_metadata).toStrictEqual(expected);
    expect((await s.storage.users.get(s.tenant.id, u.userId))!.userMetadata).toStrictEqual(expected);
  });

  it('{} removes the metadata completely (the field disappears from the user); so does null', async () => {
    const u = await seedUser(s, { email: 'clear@example.com', userMetadata: { a: 1 }, appMetadata: { roles: ['x'] } });
    const cleared = (await api.patch(path(u.userId), { user_metadata: {} })).json<Record<string, unknown>>();
    expect(cleared).not.toHaveProperty('user_metadata');
    expect(cleared.app_metadata).toStrictEqual({ roles: ['x'] });
    const both = (await api.patch(path(u.userId), { app_metadata: null })).json<Record<string, unknown>>();
    expect([both.user_metadata, both.app_metadata]).toStrictEqual([undefined, undefined]);
  });

  it('a PATCH with no body or {} changes nothing and answers the user', async () => {
    const u = await seedUser(s, { email: 'nothing@example.com', name: 'N' });
    const before = (await api.get(path(u.userId))).json();
    s.clock.advance(5);
    expect((await api.patch(path(u.userId), {})).json()).toStrictEqual(before);
    const bare = await s.inject({ method: 'PATCH', url: `/api/v2${path(u.userId)}`, headers: { authorization: api.authorization } });
    expect([bare.statusCode, bare.json()]).toStrictEqual([200, before]);
  });
});

describe('profile fields', () => {
  it('changes names, picture, phone, blocked; null unsets a name; updated_at moves', async () => {
    const u = await seedUser(s, { email: 'profile@example.com', givenName: 'Old', nickname: 'old' });
    s.clock.advance(60);
    const res = await api.patch(path(u.userId), { given_name: null, family_name: 'Sanchez', nickname: 'Chucky', picture: 'https://example.com/c.png', phone_number: '+15550001111', phone_verified: true, blocked: true });
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ family_name: 'Sanchez', nickname: 'Chucky', picture: 'https://example.com/c.png', phone_number: '+15550001111', phone_verified: true, blocked: true });
    expect(body).not.toHaveProperty('given_name');
    expect(body.updated_at).toBe(new Date(s.clock.now()).toISOString());
    expect(body.created_at).toBe(u.createdAt);
  });

  it('a new email is lower-cased and unverified unless email_verified comes with it; a taken one is refused', async () => {
    const u = await seedUser(s, { email: 'first@example.com', emailVerified: true });
    await seedUser(s, { email: 'taken@example.com' });
    const res = (await api.patch(path(u.userId), { email: 'Second@Example.com' })).json<Record<string, unknown>>();
    expect([res.email, res.email_verified]).toEqual(['second@example.com', false]);
    const verified = (await api.patch(path(u.userId), { email: 'third@example.com', email_verified: true })).json<Record<string, unknown>>();
    expect([verified.email, verified.email_verified]).toEqual(['third@example.com', true]);
    expectMgmtError(await api.patch(path(u.userId), { email: 'TAKEN@example.com' }), 400, 'The specified new email already exists', 'auth0_idp_error');
    expectMgmtError(
      await api.patch(path(u.userId), { email: 'nope' }),
      400,
      "Payload validation error: 'Object didn't pass validation for format email: nope' on property email (The user's email).",
      'invalid_body',
    );
    expect((await s.storage.users.get(s.tenant.id, u.userId))!.email).toBe('third@example.com');
  });

  it.each([
    [{ password: 'Str0ng-Password', email: 'a@example.com' }, 'Cannot update password and email simultaneously.'],
    [{ password: 'Str0ng-Password', email_verified: true }, 'Cannot update password and email_verified simultaneously.'],
    [{ username: 'chuck', email: 'a@example.com' }, 'Cannot update username and email simultaneously.'],
    [{ username: 'chuck', email_verified: true }, 'Cannot update username and email_verified simultaneously.'],
    [{ username: 'chuck', password: 'Str0ng-Password' }, 'Cannot update username and password simultaneously.'],
    [{ username: 'chuck' }, 'Cannot set username for connection without requires_username.'],
    [{ connection: 'Other-Connection', name: 'x' }, 'Connection does not exist.'],
  ])('400 and nothing changes: %j', async (body, message) => {
    const u = await seedUser(s, { email: `rules-${randomUUID()}@example.com`, name: 'unchanged' });
    expectMgmtError(await api.patch(path(u.userId), body), 400, message, 'invalid_body');
    const after = await s.storage.users.get(s.tenant.id, u.userId);
    expect([after!.name, after!.username, after!.passwordHash, after!.updatedAt]).toEqual(['unchanged', null, null, u.updatedAt]);
  });

  it('404 inexistent_user for a user that does not exist', async () => {
    expectMgmtError(await api.patch('/users/auth0%7Cnobody', { name: 'x' }), 404, 'The user does not exist.', 'inexistent_user');
  });
});

describe('password', () => {
  it('a new password is hashed, sets last_password_reset and lifts the brute-force blocks', async () => {
    const u = await seedUser(s, { email: 'pw@example.com' });
    const at = new Date(s.clock.now()).toISOString();
    for (let i = 0; i < 10; i++) await s.storage.loginFailures.recordFailure(s.tenant.id, u.userId, '198.51.100.4', at, 10);
    expect(await s.storage.loginFailures.listBlocked(s.tenant.id, u.userId)).toHaveLength(1);
    s.clock.advance(30);
    const res = await api.patch(path(u.userId), { password: 'Brand-new-Passw0rd' });
    const now = new Date(s.clock.now()).toISOString();
    expect(res.json<Record<string, unknown>>()).toMatchObject({ last_password_reset: now, updated_at: now });
    expect(res.body).not.toContain('Brand-new-Passw0rd');
    const stored = await s.storage.users.get(s.tenant.id, u.userId);
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await s.storage.loginFailures.listBlocked(s.tenant.id, u.userId)).toStrictEqual([]);
  });

  it('a weak password → 400 PasswordStrengthError, nothing stored, blocks stay', async () => {
    const u = await seedUser(s, { email: 'weakpw@example.com' });
    const at = new Date(s.clock.now()).toISOString();
    for (let i = 0; i < 10; i++) await s.storage.loginFailures.recordFailure(s.tenant.id, u.userId, '198.51.100.5', at, 10);
    expectMgmtError(await api.patch(path(u.userId), { password: 'weak' }), 400, 'PasswordStrengthError: Password is too weak', 'invalid_password');
    expect((await s.storage.users.get(s.tenant.id, u.userId))!.passwordHash).toBeNull();
    expect(await s.storage.loginFailures.listBlocked(s.tenant.id, u.userId)).toHaveLength(1);
  });
});

describe('spec §3.1: update:users_app_metadata alone may touch only app_metadata', () => {
  it('app_metadata changes; any other field → 403 naming the fields, nothing changes', async () => {
    const limited = mgmt(s, await mgmtToken(s, ['update:users_app_metadata']));
    const u = await seedUser(s, { email: 'appmeta@example.com', appMetadata: { plan: 'free' }, userMetadata: { theme: 'dark' } });
    const ok = await limited.patch(path(u.userId), { app_metadata: { plan: 'pro', seats: 3 } });
    expect([ok.statusCode, ok.json<{ app_metadata: unknown }>().app_metadata]).toStrictEqual([200, { plan: 'pro', seats: 3 }]);
    expectMgmtError(
      await limited.patch(path(u.userId), { app_metadata: { plan: 'enterprise' }, user_metadata: { theme: 'light' }, blocked: true }),
      403,
      'Some fields cannot be updated with the permissions granted by the bearer token scopes: user_metadata, blocked.',
      'insufficient_scope',
    );
    const after = await s.storage.users.get(s.tenant.id, u.userId);
    expect([after!.appMetadata, after!.userMetadata, after!.blocked]).toStrictEqual([{ plan: 'pro', seats: 3 }, { theme: 'dark' }, false]);
  });

  it('a password is not app_metadata either', async () => {
    const limited = mgmt(s, await mgmtToken(s, ['update:users_app_metadata']));
    const u = await seedUser(s, { email: 'appmeta2@example.com' });
    expectMgmtError(await limited.patch(path(u.userId), { password: 'Str0ng-Password!' }), 403, 'Some fields cannot be updated with the permissions granted by the bearer token scopes: password.', 'insufficient_scope');
    expect((await s.storage.users.get(s.tenant.id, u.userId))!.passwordHash).toBeNull();
  });
});

describe('usernames on a connection that requires them', () => {
  it('change, length rule, and uniqueness', async () => {
    const conn = await s.storage.connections.getByName(s.tenant.id, DB);
    await s.storage.connections.update(s.tenant.id, conn!.id, { data: { ...conn!.data, options: { ...(conn!.data.options as object), requires_username: true } } });
    try {
      const a = await seedUser(s, { email: 'una@example.com', username: 'una' });
      await seedUser(s, { email: 'dos@example.com', username: 'dos' });
      expect((await api.patch(path(a.userId), { username: 'una2' })).json<{ username: string }>().username).toBe('una2');
      expectMgmtError(await api.patch(path(a.userId), { username: 'dos' }), 409, 'The username provided is in use already.', 'auth0_idp_error');
      expectMgmtError(
        await api.patch(path(a.userId), { username: 'sixteen-chars-xx' }),
        400,
        "Payload validation error: 'String is too long (16 chars), maximum 15' on property username (The user's username).",
        'invalid_body',
      );
    } finally {
      await s.storage.connections.update(s.tenant.id, conn!.id, { data: conn!.data });
    }
  });
});
