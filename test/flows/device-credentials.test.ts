// /api/v2/device-credentials (spec §3.5.5): public keys created by a user's own token (for its
// sub and azp) or by an administrator, listed without their value; a user's live refresh tokens
// listed as refresh_token / rotating_refresh_token and revoked through DELETE by their id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshTokenRecord, UserRecord } from '../../src/storage/ports.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedApp, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';

let s: TestServer;
let admin: MgmtCaller;
let spa: string;
let alice: UserRecord;
let bob: UserRecord;

const KEY = { device_name: "Alice's phone", type: 'public_key', value: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', device_id: '550e8400-e29b-41d4-a716-446655440000' };

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await mgmtToken(s, ['read:device_credentials', 'create:device_credentials', 'delete:device_credentials']));
  spa = (await seedApp(s)).clientId;
  alice = await seedUser(s, { email: 'alice@example.com' });
  bob = await seedUser(s, { email: 'bob@example.com' });
});
afterAll(() => s.close());

let serial = 0;
async function refreshToken(userId: string, rotating: boolean): Promise<RefreshTokenRecord> {
  const now = new Date(s.clock.now()).toISOString();
  serial++;
  const record: RefreshTokenRecord = {
    tenantId: s.tenant.id, id: `dcr_refresh${String(serial).padStart(7, '0')}`, tokenHash: `hash-${serial}`, familyId: `family-${serial}`, clientId: spa, userId,
    audience: null, scope: 'openid offline_access', sid: null, authTime: now, rotating, createdAt: now, expiresAt: null, idleExpiresAt: null, usedAt: null, revokedAt: null,
  };
  await s.storage.refreshTokens.create(record);
  return record;
}

const asUser = async (user: UserRecord, scopes: string[]) => mgmt(s, await userToken(s, user.userId, scopes, { clientId: spa }));

describe('POST /device-credentials', () => {
  it('a user token creates a key for its own sub and its azp: 201 {id: dcr_…}; the list never shows the value', async () => {
    const own = await asUser(alice, ['create:current_user_device_credentials']);
    const res = await own.post('/device-credentials', KEY);
    expect([res.statusCode, res.headers['content-type']]).toEqual([201, JSON_UTF8]);
    const { id } = res.json<{ id: string }>();
    expect(res.json()).toStrictEqual({ id: expect.stringMatching(/^dcr_[A-Za-z0-9]{16}$/) });
    const list = await admin.get(`/device-credentials?type=public_key&user_id=${encodeURIComponent(alice.userId)}`);
    expect(list.json()).toStrictEqual([{ id, device_name: "Alice's phone", device_id: KEY.device_id, type: 'public_key', user_id: alice.userId, client_id: spa }]);
  });

  it('409 "A public key already exists for the device." for the same user, device and client', async () => {
    const own = await asUser(alice, ['create:current_user_device_credentials']);
    const again = await own.post('/device-credentials', KEY);
    expect([again.statusCode, again.json()]).toStrictEqual([409, { statusCode: 409, error: 'Conflict', message: 'A public key already exists for the device.' }]);
  });

  it('a user token names neither another user nor another application', async () => {
    const own = await asUser(bob, ['create:current_user_device_credentials']);
    expectMgmtError(await own.post('/device-credentials', { ...KEY, user_id: alice.userId }), 403, 'User to be acted on does not match subject in bearer token.');
    const other = (await seedApp(s, { name: 'other' })).clientId;
    expectMgmtError(await own.post('/device-credentials', { ...KEY, client_id: other }), 403, 'Cannot create device credentials for that client.');
    expect((await s.storage.deviceCredentials.list(s.tenant.id, { userId: bob.userId }, { offset: 0, limit: 10, withTotal: false })).items).toStrictEqual([]);
  });

  it('an administrator (create:device_credentials) names the user and the client; both must exist', async () => {
    const res = await admin.post('/device-credentials', { ...KEY, device_id: 'abcdef', user_id: bob.userId, client_id: spa });
    expect(res.statusCode).toBe(201);
    expectMgmtError(await admin.post('/device-credentials', { ...KEY, client_id: spa }), 400, "Payload validation error: 'Missing required property: user_id'.", 'invalid_body');
    expectMgmtError(await admin.post('/device-credentials', { ...KEY, user_id: bob.userId }), 400, "Payload validation error: 'Missing required property: client_id'.", 'invalid_body');
    expectMgmtError(await admin.post('/device-credentials', { ...KEY, user_id: 'auth0|nobody', client_id: spa }), 403, 'Cannot create device credentials for that user.');
    expectMgmtError(await admin.post('/device-credentials', { ...KEY, user_id: bob.userId, client_id: 'no-such-client' }), 403, 'Cannot create device credentials for that client.');
  });

  it.each([
    [{ ...KEY, type: 'refresh_token' }, "Payload validation error: 'No enum match for: \"refresh_token\"' on property type."],
    [{ ...KEY, device_id: 'not hex!' }, "Payload validation error: 'String does not match pattern ^[-A-Fa-f0-9]+$: not hex!' on property device_id."],
    [{ ...KEY, device_name: undefined }, "Payload validation error: 'Missing required property: device_name'."],
  ])('400 for a malformed body: %j', async (body, message) => {
    const own = await asUser(alice, ['create:current_user_device_credentials']);
    expectMgmtError(await own.post('/device-credentials', body), 400, message, 'invalid_body');
  });
});

describe('GET /device-credentials', () => {
  it("type=refresh_token / rotating_refresh_token list the user's live refresh tokens", async () => {
    const plain = await refreshToken(alice.userId, false);
    const rotating = await refreshToken(alice.userId, true);
    await refreshToken(bob.userId, false);
    const user = encodeURIComponent(alice.userId);
    expect((await admin.get(`/device-credentials?type=refresh_token&user_id=${user}`)).json()).toStrictEqual([{ id: plain.id, type: 'refresh_token', user_id: alice.userId, client_id: spa }]);
    expect((await admin.get(`/device-credentials?type=rotating_refresh_token&user_id=${user}`)).json()).toStrictEqual([{ id: rotating.id, type: 'rotating_refresh_token', user_id: alice.userId, client_id: spa }]);
    // With paging and no type, Auth0 lists refresh tokens; include_totals gives the object form.
    expect((await admin.get(`/device-credentials?user_id=${user}&page=0&per_page=50&include_totals=true`)).json()).toStrictEqual({
      start: 0,
      limit: 50,
      total: 1,
      device_credentials: [{ id: plain.id, type: 'refresh_token', user_id: alice.userId, client_id: spa }],
    });
    // Without paging or type: public keys, then refresh tokens, then rotating ones.
    const all = (await admin.get(`/device-credentials?user_id=${user}`)).json<{ type: string }[]>();
    expect(all.map((c) => c.type)).toEqual(['public_key', 'refresh_token', 'rotating_refresh_token']);
  });

  it('403 for a user or a client that does not exist', async () => {
    expectMgmtError(await admin.get('/device-credentials?user_id=auth0%7Cnobody'), 403, 'Cannot retrieve device credentials for that user.');
    expectMgmtError(await admin.get('/device-credentials?client_id=nope'), 403, 'Cannot retrieve device credentials for that client.');
  });

  it('T-MG-08: a user token cannot list device credentials, not even its own', async () => {
    const own = await asUser(alice, ['read:current_user', 'create:current_user_device_credentials', 'delete:current_user_device_credentials']);
    const res = await own.get(`/device-credentials?user_id=${encodeURIComponent(alice.userId)}`);
    expectMgmtError(res, 403, 'Insufficient scope, expected any of: read:device_credentials', 'insufficient_scope');
  });
});

describe('DELETE /device-credentials/{id}', () => {
  it('a public key → 204 and gone; a refresh token id → 204 and revoked; an unknown id → 204', async () => {
    const key = (await admin.post('/device-credentials', { ...KEY, device_id: 'dd01', user_id: bob.userId, client_id: spa })).json<{ id: string }>();
    const token = await refreshToken(bob.userId, true);
    expectNoContent(await admin.del(`/device-credentials/${key.id}`));
    expectNoContent(await admin.del(`/device-credentials/${token.id}`));
    expectNoContent(await admin.del('/device-credentials/dcr_0000000000000000'));
    expect(await s.storage.deviceCredentials.get(s.tenant.id, key.id)).toBeUndefined();
    expect((await s.storage.refreshTokens.list(s.tenant.id, { userId: bob.userId })).map((t) => t.id)).not.toContain(token.id);
  });

  it("a user token deletes its own key and refresh token; another user's → 403 and nothing changes", async () => {
    const aliceKey = (await admin.post('/device-credentials', { ...KEY, device_id: 'dd02', user_id: alice.userId, client_id: spa })).json<{ id: string }>();
    const bobKey = (await admin.post('/device-credentials', { ...KEY, device_id: 'dd03', user_id: bob.userId, client_id: spa })).json<{ id: string }>();
    const aliceToken = await refreshToken(alice.userId, false);
    const bobToken = await refreshToken(bob.userId, false);
    const own = await asUser(alice, ['delete:current_user_device_credentials']);
    const mismatch = 'User to be acted on does not match subject in bearer token.';
    expectMgmtError(await own.del(`/device-credentials/${bobKey.id}`), 403, mismatch);
    expectMgmtError(await own.del(`/device-credentials/${bobToken.id}`), 403, mismatch);
    expectMgmtError(await own.del('/device-credentials/dcr_0000000000000000'), 403, mismatch);
    expect(await s.storage.deviceCredentials.get(s.tenant.id, bobKey.id)).toBeDefined();
    expect((await s.storage.refreshTokens.list(s.tenant.id, { userId: bob.userId })).map((t) => t.id)).toContain(bobToken.id);
    expectNoContent(await own.del(`/device-credentials/${aliceKey.id}`));
    expectNoContent(await own.del(`/device-credentials/${aliceToken.id}`));
    expect(await s.storage.deviceCredentials.get(s.tenant.id, aliceKey.id)).toBeUndefined();
    expect((await s.storage.refreshTokens.list(s.tenant.id, { userId: alice.userId })).map((t) => t.id)).not.toContain(aliceToken.id);
  });
});
