// /api/v2/users (spec §3.5.4): create with Auth0's defaults and connection rules, get, delete (and
// what goes with a deleted user), enrollments, multifactor. PATCH, linking and search have their
// own files (users-patch, users-identities, users-search).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedApp, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ADMIN = ['create:users', 'read:users', 'update:users', 'delete:users', 'read:device_credentials'];
const DB = 'Username-Password-Authentication';
const PASSWORD = 'Passwords hide their chuck';
const NOW = '2026-11-01T12:00:00.000Z';

let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ADMIN));
});
afterAll(() => s.close());

const gravatar = (email: string, initials: string) =>
  `https://s.gravatar.com/avatar/${createHash('md5').update(email).digest('hex')}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F${initials}.png`;

describe('POST /users (spec §3.5.4)', () => {
  it('201 with Auth0 defaults: name = email, nickname = local part, Gravatar picture, auth0| + 24 hex id, primary identity', async () => {
    const res = await api.post('/users', { connection: DB, email: 'Chuck@Example.com', password: PASSWORD });
    expect([res.statusCode, res.headers['content-type']]).toEqual([201, JSON_UTF8]);
    const user = res.json<{ user_id: string }>();
    expect(user.user_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(user).toStrictEqual({
      created_at: NOW,
      email: 'chuck@example.com',
      email_verified: false,
      identities: [{ connection: DB, user_id: user.user_id.slice(6), provider: 'auth0', isSocial: false }],
      name: 'chuck@example.com',
      nickname: 'chuck',
      picture: gravatar('chuck@example.com', 'ch'),
      updated_at: NOW,
      user_id: user.user_id,
    });
    expect((await api.get(`/users/${encodeURIComponent(user.user_id)}`)).json()).toStrictEqual(user);
  });

  it('the password is stored as an argon2id hash, never returned and never logged', async () => {
    const res = await api.post('/users', { connection: DB, email: 'hash@example.com', password: 'Another-Secret-42' });
    const id = res.json<{ user_id: string }>().user_id;
    const stored = await s.storage.users.get(s.tenant.id, id);
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(res.body).not.toContain('Another-Secret-42');
    expect(res.body).not.toMatch(/argon2|password/);
    expect(s.logs.join('')).not.toContain('Another-Secret-42');
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 100, withTotal: false });
    const entry = items.find((l) => JSON.stringify(l.event).includes('hash@example.com'));
    expect((entry!.event.details as { request: { body: unknown } }).request.body).toStrictEqual({ connection: DB, email: 'hash@example.com', password: '[redacted]' });
    expect(JSON.stringify(items)).not.toContain('Another-Secret-42');
  });

  it('given fields are kept: names, picture, metadata, flags, a chosen user_id', async () => {
    const body = {
      connection: DB,
      email: 'norris@example.com',
      password: PASSWORD,
      user_id: 'chosen-id.1',
      given_name: 'Chuck',
      family_name: 'Norris',
      name: 'Chuck Norris',
      nickname: 'Chucky',
      picture: 'https://example.com/p.png',
      email_verified: true,
      verify_email: false,
      phone_number: '+15551234567',
      phone_verified: true,
      blocked: true,
      user_metadata: { favourite_attack: 'roundhouse_kick' },
      app_metadata: { facts: ['count_to_infinity_twice'] },
    };
    const res = await api.post('/users', body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toStrictEqual({
      created_at: NOW,
      email: 'norris@example.com',
      email_verified: true,
      family_name: 'Norris',
      given_name: 'Chuck',
      identities: [{ connection: DB, user_id: 'chosen-id.1', provider: 'auth0', isSocial: false }],
      name: 'Chuck Norris',
      nickname: 'Chucky',
      phone_number: '+15551234567',
      phone_verified: true,
      picture: 'https://example.com/p.png',
      updated_at: NOW,
      user_id: 'auth0|chosen-id.1',
      user_metadata: { favourite_attack: 'roundhouse_kick' },
      app_metadata: { facts: ['count_to_infinity_twice'] },
      blocked: true,
    });
  });

  it('409 auth0_idp_error "The user already exists." for the same email in any case, and for a taken user_id', async () => {
    await api.post('/users', { connection: DB, email: 'twice@example.com', password: PASSWORD });
    expectMgmtError(await api.post('/users', { connection: DB, email: 'TWICE@example.com', password: PASSWORD }), 409, 'The user already exists.', 'auth0_idp_error');
    expectMgmtError(await api.post('/users', { connection: DB, email: 'other@example.com', password: PASSWORD, user_id: 'chosen-id.1' }), 409, 'The user already exists.', 'auth0_idp_error');
    const { total } = (await s.storage.users.list(s.tenant.id, { field: 'email', op: 'eq', value: 'twice@example.com' }, undefined, { offset: 0, limit: 10, withTotal: true }));
    expect(total).toBe(1);
  });

  it.each([
    [{ email: 'x@example.com', password: PASSWORD }, "Payload validation error: 'Missing required property: connection'."],
    [{ connection: 'nope', email: 'x@example.com', password: PASSWORD }, 'Connection does not exist.'],
    [{ connection: DB, password: PASSWORD }, "Payload validation error: 'Missing required property: email'."],
    [{ connection: DB, email: 'x@example.com' }, "Payload validation error: 'Missing required property: password'."],
    [{ connection: DB, email: 'not-an-email', password: PASSWORD }, "Payload validation error: 'Object didn't pass validation for format email: not-an-email' on property email (The user's email)."],
    [{ connection: DB, email: 'x@example.com', password: PASSWORD, username: 'chuck' }, 'Cannot set username for connection without requires_username.'],
    [{ connection: DB, email: 'x@example.com', password: PASSWORD, admin: true }, "Payload validation error: 'Additional properties not allowed: admin'."],
    [{ connection: DB, email: 'x@example.com', password: PASSWORD, user_id: 'a|b' }, "Payload validation error: 'String does not match pattern ^[A-Za-z0-9._@+=-]+$: a|b' on property user_id."],
  ])('400 invalid_body, nothing created: %j', async (body, message) => {
    expectMgmtError(await api.post('/users', body), 400, message, 'invalid_body');
    expect(await s.storage.users.getByEmail(s.tenant.id, DB, 'x@example.com')).toBeUndefined();
  });

  it.each([
    ['short1!', 'Password is too weak'],
    ['alllowercaseletters', 'Password is too weak'],
    ['x'.repeat(513) + 'A1', 'Password is too long'],
  ])('the connection password policy: %s → 400 PasswordStrengthError', async (password, problem) => {
    expectMgmtError(await api.post('/users', { connection: DB, email: 'weak@example.com', password }), 400, `PasswordStrengthError: ${problem}`, 'invalid_password');
  });

  it('a connection that requires usernames: username required, validated (1–15, Auth0 characters), unique', async () => {
    const conn = await s.storage.connections.getByName(s.tenant.id, DB);
    await s.storage.connections.update(s.tenant.id, conn!.id, { data: { ...conn!.data, options: { ...(conn!.data.options as object), requires_username: true } } });
    try {
      expectMgmtError(await api.post('/users', { connection: DB, email: 'u1@example.com', password: PASSWORD }), 400, "Payload validation error: 'Missing required property: username'.", 'invalid_body');
      expectMgmtError(
        await api.post('/users', { connection: DB, email: 'u1@example.com', password: PASSWORD, username: 'a-very-long-username' }),
        400,
        "Payload validation error: 'String is too long (20 chars), maximum 15' on property username (The user's username).",
        'invalid_body',
      );
      expectMgmtError(
        await api.post('/users', { connection: DB, email: 'u1@example.com', password: PASSWORD, username: 'bad name' }),
        400,
        "Payload validation error: 'Username may contain only letters, digits and _ + - . ! # $ ' ^ ` ~ @' on property username (The user's username).",
        'invalid_body',
      );
      const ok = await api.post('/users', { connection: DB, email: 'u1@example.com', password: PASSWORD, username: 'test-user734' });
      expect([ok.statusCode, ok.json<{ username: string }>().username]).toEqual([201, 'test-user734']);
      expectMgmtError(await api.post('/users', { connection: DB, email: 'u2@example.com', password: PASSWORD, username: 'test-user734' }), 409, 'The username provided is in use already.', 'auth0_idp_error');
    } finally {
      await s.storage.connections.update(s.tenant.id, conn!.id, { data: conn!.data });
    }
  });
});

describe('GET /users/{id}', () => {
  it('404 inexistent_user "The user does not exist." (GO-REC body)', async () => {
    expectMgmtError(await api.get('/users/auth0%7Cmissing'), 404, 'The user does not exist.', 'inexistent_user');
  });

  it('spec §1.2: the id arrives URL-encoded (auth0%7C…) and is decoded once', async () => {
    const user = await seedUser(s, { email: 'encoded@example.com' });
    const res = await api.get(`/users/${encodeURIComponent(user.userId)}`);
    expect([res.statusCode, res.json<{ user_id: string }>().user_id]).toEqual([200, user.userId]);
  });

  it("T-MG-10: another tenant's user is 404 here, and a DELETE from here leaves it alone", async () => {
    const b = await s.addTenant('tenant-b', 'tenant-b.test');
    const template = await seedUser(s, { email: 'template@example.com' });
    await s.storage.users.create({ ...template, tenantId: b.id, userId: 'auth0|only-in-b' });
    expectMgmtError(await api.get('/users/auth0%7Conly-in-b'), 404, 'The user does not exist.', 'inexistent_user');
    expectNoContent(await api.del('/users/auth0%7Conly-in-b'));
    expect(await s.storage.users.get(b.id, 'auth0|only-in-b')).toBeDefined();
  });

  it('fields + include_fields select what is returned', async () => {
    const user = await seedUser(s, { email: 'fields@example.com', name: 'Fields' });
    const id = encodeURIComponent(user.userId);
    expect((await api.get(`/users/${id}?fields=user_id,email`)).json()).toStrictEqual({ email: 'fields@example.com', user_id: user.userId });
    const without = (await api.get(`/users/${id}?fields=identities,created_at,updated_at&include_fields=false`)).json();
    expect(without).toStrictEqual({ name: 'Fields', email: 'fields@example.com', email_verified: false, user_id: user.userId });
  });
});

describe('DELETE /users/{id}', () => {
  it('204 with Auth0 content type; again 204 (idempotent); the user is gone', async () => {
    const user = await seedUser(s, { email: 'gone@example.com' });
    const id = encodeURIComponent(user.userId);
    const first = await api.del(`/users/${id}`);
    expectNoContent(first);
    expect(first.headers['content-type']).toBe(JSON_UTF8);
    expectNoContent(await api.del(`/users/${id}`));
    expectMgmtError(await api.get(`/users/${id}`), 404, 'The user does not exist.', 'inexistent_user');
  });

  it("takes the user's sessions, refresh tokens, device credentials and login blocks with it", async () => {
    const user = await seedUser(s, { email: 'leaves@example.com' });
    const other = await seedUser(s, { email: 'stays@example.com' });
    const spa = (await seedApp(s)).clientId;
    const now = new Date(s.clock.now()).toISOString();
    for (const u of [user, other]) {
      await s.storage.loginSessions.create({ tenantId: s.tenant.id, idHash: `h-${u.userId}`, sid: `sid-${u.userId}`, userId: u.userId, authTime: now, createdAt: now, lastSeenAt: now, expiresAt: '2027-01-01T00:00:00.000Z' });
      await s.storage.refreshTokens.create({
        tenantId: s.tenant.id, id: `dcr_rt${u.userId.slice(-12)}`, tokenHash: `t-${u.userId}`, familyId: `f-${u.userId}`, clientId: spa, userId: u.userId,
        audience: null, scope: 'openid offline_access', sid: null, authTime: now, rotating: false, createdAt: now, expiresAt: null, idleExpiresAt: null, usedAt: null, revokedAt: null,
      });
      await s.storage.deviceCredentials.create({ tenantId: s.tenant.id, id: `dcr_pk${u.userId.slice(-12)}`, userId: u.userId, clientId: spa, deviceName: 'phone', deviceId: 'abc123', type: 'public_key', value: 'AAAA', createdAt: now });
      for (let i = 0; i < 10; i++) await s.storage.loginFailures.recordFailure(s.tenant.id, u.userId, '203.0.113.7', now, 10);
    }
    expectNoContent(await api.del(`/users/${encodeURIComponent(user.userId)}`));
    const state = async (userId: string) => ({
      session: (await s.storage.loginSessions.get(s.tenant.id, `h-${userId}`)) !== undefined,
      refreshTokens: (await s.storage.refreshTokens.list(s.tenant.id, { userId })).length,
      deviceCredentials: (await s.storage.deviceCredentials.list(s.tenant.id, { userId }, { offset: 0, limit: 10, withTotal: false })).items.length,
      blocks: (await s.storage.loginFailures.listBlocked(s.tenant.id, userId)).length,
    });
    expect(await state(user.userId)).toStrictEqual({ session: false, refreshTokens: 0, deviceCredentials: 0, blocks: 0 });
    expect(await state(other.userId)).toStrictEqual({ session: true, refreshTokens: 1, deviceCredentials: 1, blocks: 1 });
  });
});

describe('enrollments and multifactor', () => {
  it('GET /users/{id}/enrollments → [] for a user, 404 for none', async () => {
    const user = await seedUser(s, { email: 'mfa@example.com' });
    const res = await api.get(`/users/${encodeURIComponent(user.userId)}/enrollments`);
    expect([res.statusCode, res.json()]).toEqual([200, []]);
    expectMgmtError(await api.get('/users/auth0%7Cnone/enrollments'), 404, 'The user does not exist.', 'inexistent_user');
  });

  it('DELETE /users/{id}/multifactor/{duo|google-authenticator} → 204; 404 without the user; other providers 400', async () => {
    const user = await seedUser(s, { email: 'mfa2@example.com' });
    expectNoContent(await api.del(`/users/${encodeURIComponent(user.userId)}/multifactor/google-authenticator`));
    expectNoContent(await api.del(`/users/${encodeURIComponent(user.userId)}/multifactor/duo`));
    expectMgmtError(await api.del('/users/auth0%7Cnone/multifactor/duo'), 404, 'The user does not exist.', 'inexistent_user');
    const res = await api.del(`/users/${encodeURIComponent(user.userId)}/multifactor/sms`);
    expect([res.statusCode, res.json<{ errorCode: string }>().errorCode]).toEqual([400, 'invalid_uri']);
  });

  it('POST /users/{id}/multifactor/actions/invalidate-remember-browser → 204 without a body (as SDKs send it)', async () => {
    const user = await seedUser(s, { email: 'remember@example.com' });
    expectNoContent(await s.inject({ method: 'POST', url: `/api/v2/users/${encodeURIComponent(user.userId)}/multifactor/actions/invalidate-remember-browser`, headers: { authorization: api.authorization } }));
  });
});
