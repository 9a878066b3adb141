// Current-user tokens (spec §4.2; security catalogue T-MG-07, T-MG-08, T-MG-09): a browser token
// for the Management API acts only on the user in its `sub`, compared exactly as the path was
// decoded once; it reaches no list, search or other subresource; a client-credentials token never
// gets current-user rights. The seed table, row by row, is in current-user-seed-table.test.ts.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_USER_SCOPES } from '../../src/domain/scopes.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedApp, seedM2M, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';

const MISMATCH = 'User to be acted on does not match subject in bearer token.';
const OWN = 'auth0|123';
let s: TestServer;
let spa: string;

beforeAll(async () => {
  s = await startTestServer();
  spa = (await seedApp(s)).clientId;
  // The user, and users whose ids differ from it only in the ways T-MG-07 lists.
  for (const userId of [OWN, 'AUTH0|123', 'auth0|1234', 'auth0|456', 'auth0|12', 'auth0%7C123', 'auth0|１２３', 'auth0｜123']) {
    await seedUser(s, { userId, email: `${Buffer.from(userId).toString('hex')}@example.com`, userMetadata: { theme: 'dark' } });
  }
});
afterAll(() => s.close());

const as = async (userId: string, scopes: readonly string[]) => mgmt(s, await userToken(s, userId, scopes, { clientId: spa }));
const refusedOrUnrouted = (res: LightMyRequestResponse) => {
  // A path the router does not match is 404 Not Found; one it matches is the 403 mismatch.
  const body = res.json<{ message: string }>();
  expect([res.statusCode, body.message]).toSatisfy(([status, message]) => (status === 403 && message === MISMATCH) || (status === 404 && message === 'Not Found'));
  expect(res.body).not.toContain('@example.com');
};

describe('T-MG-07: the id must be the token sub exactly, in every encoding', () => {
  const ALLOWED = ['auth0%7C123', 'auth0%7c123', 'auth0|123'];
  const REFUSED: [string, 403 | 404][] = [
    ['auth0%257C123', 403], // double-encoded: decoded once it is "auth0%7C123", another user
    ['AUTH0|123', 403],
    ['AUTH0%7C123', 403],
    ['auth0|1234', 403],
    ['auth0|12', 403],
    ['auth0|123%20', 403],
    ['%20auth0|123', 403],
    ['auth0|123/', 404],
    ['auth0|123/../auth0|456', 403], // dot segments resolved by the client: /users/auth0|456
    ['auth0|123%2F..%2Fauth0|456', 403],
    ['auth0|123%2f..%2fauth0%7C456', 403],
    ['auth0|123%00', 403],
    ['auth0%7C123%C2%A0', 403], // trailing no-break space
    ['auth0%EF%BD%9C123', 403], // FULLWIDTH VERTICAL LINE: NFKC would make it "auth0|123"
    ['auth0|%EF%BC%91%EF%BC%92%EF%BC%93', 403], // fullwidth digits
    ['auth0|1%E2%80%8B23', 403], // zero-width space inside
    ['auth0|123%CC%81', 403], // combining acute accent
    ['auth0%7C123;x', 403],
    ['auth0%7C123%3F', 403],
  ];

  it.each(ALLOWED)('GET /users/%s with read:current_user → 200, the own user', async (id) => {
    const res = await (await as(OWN, ['read:current_user'])).get(`/users/${id}`);
    expect([res.statusCode, res.json<{ user_id: string }>().user_id]).toEqual([200, OWN]);
  });

  it.each(REFUSED)('GET /users/%s → refused (%i), no other user disclosed', async (id, status) => {
    const res = await (await as(OWN, ['read:current_user'])).get(`/users/${id}`);
    refusedOrUnrouted(res);
    expect(res.statusCode).toBe(status);
  });

  it.each(REFUSED.filter(([, status]) => status === 403))('PATCH, DELETE and subresources of /users/%s → 403, nothing changes', async (id) => {
    const api = await as(OWN, CURRENT_USER_SCOPES);
    for (const res of [
      await api.patch(`/users/${id}`, { user_metadata: { theme: 'light' } }),
      await api.del(`/users/${id}`),
      await api.get(`/users/${id}/enrollments`),
      await api.post(`/users/${id}/identities`, { link_with: 'x.y.z' }),
      await api.del(`/users/${id}/identities/auth0/456`),
      await api.del(`/users/${id}/multifactor/duo`),
    ]) {
      expectMgmtError(res, 403, MISMATCH);
    }
    for (const userId of ['AUTH0|123', 'auth0|1234', 'auth0|456', 'auth0%7C123', 'auth0|１２３', 'auth0｜123']) {
      expect((await s.storage.users.get(s.tenant.id, userId))!.userMetadata, userId).toStrictEqual({ theme: 'dark' });
    }
  });

  it('the refusal comes before body validation: an invalid body on another user is still 403', async () => {
    expectMgmtError(await (await as(OWN, ['update:current_user_metadata'])).patch('/users/auth0%7C456', { nonsense: true }), 403, MISMATCH);
  });
});

describe('T-MG-08: a current-user token reaches nothing but its own user', () => {
  it.each([
    ['GET', '/users', 'Insufficient scope, expected any of: read:users,read:user_idp_tokens'],
    ['GET', '/users?q=email%3A*', 'Insufficient scope, expected any of: read:users,read:user_idp_tokens'],
    ['GET', '/user-blocks/auth0%7C123', 'Insufficient scope, expected any of: read:users'],
    ['GET', '/device-credentials?user_id=auth0%7C123', 'Insufficient scope, expected any of: read:device_credentials'],
    ['GET', '/connections', 'Insufficient scope, expected any of: read:connections'],
    ['GET', '/logs', 'Insufficient scope, expected any of: read:logs,read:logs_users'],
    ['GET', '/clients', 'Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary'],
    ['POST', '/users', 'Insufficient scope, expected any of: create:users'],
    ['POST', '/users/auth0%7C123/multifactor/actions/invalidate-remember-browser', 'Insufficient scope, expected any of: update:users'],
  ])('%s %s → 403 insufficient_scope, whatever current-user scopes it holds', async (method, url, message) => {
    const res = await s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${await userToken(s, OWN, CURRENT_USER_SCOPES, { clientId: spa })}` }, ...(method === 'POST' && { payload: {} }) });
    expectMgmtError(res, 403, message, 'insufficient_scope');
  });

  it.each([
    [{ app_metadata: { role: 'admin' } }, 'app_metadata'],
    [{ password: 'N3w-Password!' }, 'password'],
    [{ email: 'new@example.com' }, 'email'],
    [{ email_verified: true }, 'email_verified'],
    [{ blocked: false }, 'blocked'],
    [{ name: 'x', user_metadata: { a: 1 } }, 'name'],
    [{ username: 'x' }, 'username'],
    [{ connection: 'Username-Password-Authentication' }, 'connection'],
  ])('a confined PATCH of %j → 403, nothing changes', async (body, fields) => {
    const before = await s.storage.users.get(s.tenant.id, OWN);
    const res = await (await as(OWN, CURRENT_USER_SCOPES)).patch('/users/auth0%7C123', body);
    expectMgmtError(res, 403, `Some fields cannot be updated with the permissions granted by the bearer token scopes: ${fields}.`, 'insufficient_scope');
    expect(await s.storage.users.get(s.tenant.id, OWN)).toStrictEqual(before);
  });

  it('linking by provider and user_id (not proving the account) is refused to a confined token', async () => {
    const api = await as(OWN, ['update:current_user_identities']);
    const res = await api.post('/users/auth0%7C123/identities', { provider: 'auth0', user_id: 'auth0|456' });
    expectMgmtError(res, 403, 'A token acting for the current user can link an account only with link_with (an ID token of that account).', 'insufficient_scope');
    expect(await s.storage.users.get(s.tenant.id, 'auth0|456')).toBeDefined();
  });
});

describe('T-MG-09 (RFC 9700 §4.15): a client-credentials token never acts as a user', () => {
  it('a real client-credentials token holding current-user scopes gets nothing from them', async () => {
    const m2m = await seedM2M(s, [...CURRENT_USER_SCOPES], { name: 'cc with user scopes' });
    const api = mgmt(s, await tokenFor(s, m2m));
    for (const id of [`${m2m.clientId}@clients`, encodeURIComponent(`${m2m.clientId}@clients`), 'auth0%7C123']) {
      expectMgmtError(await api.get(`/users/${id}`), 403, 'Insufficient scope, expected any of: read:users,read:user_idp_tokens', 'insufficient_scope');
      expectMgmtError(await api.patch(`/users/${id}`, { user_metadata: { x: 1 } }), 403, 'Insufficient scope, expected any of: update:users,update:users_app_metadata', 'insufficient_scope');
      expectMgmtError(await api.del(`/users/${id}`), 403, 'Insufficient scope, expected any of: delete:users', 'insufficient_scope');
    }
    expectMgmtError(await api.post('/device-credentials', { device_name: 'd', type: 'public_key', value: 'v', device_id: 'ab' }), 403, 'Insufficient scope, expected any of: create:device_credentials', 'insufficient_scope');
  });

  it('gty client-credentials with a user sub, or a sub ending in @clients without gty: no current-user rights', async () => {
    const withGty = mgmt(s, await userToken(s, OWN, ['read:current_user'], { clientId: spa, grantType: 'client-credentials' }));
    expectMgmtError(await withGty.get('/users/auth0%7C123'), 403, 'Insufficient scope, expected any of: read:users,read:user_idp_tokens', 'insufficient_scope');
    const clientSub = `${spa}@clients`;
    await seedUser(s, { userId: clientSub, email: 'client-named@example.com' });
    const noGty = mgmt(s, await userToken(s, clientSub, ['read:current_user'], { clientId: spa }));
    expectMgmtError(await noGty.get(`/users/${encodeURIComponent(clientSub)}`), 403, 'Insufficient scope, expected any of: read:users,read:user_idp_tokens', 'insufficient_scope');
  });
});
