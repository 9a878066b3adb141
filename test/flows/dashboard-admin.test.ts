// Administrators and the dashboard application (issue #5, decision 0006): an admin signs in to the
// dashboard through the tenant's own /authorize (code + PKCE) and gets the Management API scopes
// it asked for; a non-admin gets access_denied through the registered redirect; no other
// application ever gets those scopes for a user; a removed admin's token stops at once; the
// dashboard application cannot be changed; administrators are read-only through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdmin } from '../../src/domain/admins.ts';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { ERROR_CODE, TEXT } from '../../src/management/errors.ts';
import { ADMIN_TEXT } from '../../src/oauth/admin-scopes.ts';
import { CB, expectOAuthError, jwt, loginThrough, postToken } from '../helpers/authorize-flow.ts';
import { authorizeUrl, locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededUser } from '../helpers/fixtures.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge, verifier } = pkcePair();
const DASHBOARD = `https://${DOMAIN}/dashboard/`;
const AUDIENCE = `https://${DOMAIN}/api/v2/`;
const ALL = ['openid', 'profile', 'email', ...MANAGEMENT_SCOPES].join(' ');

let s: TestServer;
let dashboardId: string;
let admin: SeededUser;
let other: SeededUser;

beforeAll(async () => {
  s = await startTestServer();
  dashboardId = (await s.inject({ method: 'GET', url: '/dashboard/config.json' })).json<{ client_id: string }>().client_id;
  const made = await makeAdmin(s.storage, new PasswordHasher(), s.clock, s.tenant.id, { email: 'Root@Example.com', password: 'Admin-Pass-42' });
  admin = { userId: made.user.userId, email: 'root@example.com', password: 'Admin-Pass-42' };
  other = await seedLoginUser(s, 'plain@example.com');
});
afterAll(() => s.close());

const dashboardParams = (extra: Record<string, string> = {}) => ({
  client_id: dashboardId,
  response_type: 'code',
  redirect_uri: DASHBOARD,
  audience: AUDIENCE,
  scope: ALL,
  state: 'st-1',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...extra,
});

async function signIn(user: SeededUser, params = dashboardParams(), browser = new TestBrowser(s)) {
  const res = await loginThrough(browser, params, user);
  expect(res.statusCode, res.body).toBe(302);
  return { browser, ...locationFields(res) };
}

const exchange = (clientId: string, code: string, redirectUri = DASHBOARD) =>
  postToken(s, { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier });

describe('signing in to the dashboard', () => {
  it('an admin gets every Management API scope it asked for, as a 7200 s browser token of the dashboard application', async () => {
    const { base, fields } = await signIn(admin);
    expect([base, Object.keys(fields).sort(), fields.state]).toStrictEqual([DASHBOARD, ['code', 'state'], 'st-1']);
    const res = await exchange(dashboardId, fields.code!);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ access_token: string; scope: string; expires_in: number; id_token: string }>();
    expect([body.scope, body.expires_in]).toStrictEqual([ALL, 7200]);
    const { claims } = jwt(body.access_token);
    expect(claims).toMatchObject({ iss: `https://${DOMAIN}/`, sub: admin.userId, aud: [AUDIENCE, `https://${DOMAIN}/userinfo`], azp: dashboardId, scope: ALL });
    expect(claims.gty).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(7200);
    expect(jwt(body.id_token).claims.email).toBe('root@example.com');
    // Not confined to the admin's own user: the token administers the tenant.
    const api = mgmt(s, body.access_token);
    expect((await api.get('/clients?fields=client_id,name')).statusCode).toBe(200);
    expect((await api.get(`/users/${other.userId}`)).statusCode).toBe(200);
    expect((await api.get('/scopeward/tenants')).json()).toStrictEqual([
      { name: 'default', domain: DOMAIN, friendly_name: 'default', dashboard_url: DASHBOARD, current: true },
    ]);
  });

  it('an admin gets only what it asked for (and never a scope outside the catalogue)', async () => {
    const { fields } = await signIn(admin, dashboardParams({ scope: 'openid read:clients read:users read:current_user not:a_scope' }));
    const body = (await exchange(dashboardId, fields.code!)).json<{ scope: string }>();
    expect(body.scope).toBe('openid read:clients read:users read:current_user');
  });

  it('a user who is not an admin gets access_denied through the registered redirect, and no code', async () => {
    const browser = new TestBrowser(s);
    const { base, fields } = await signIn(other, dashboardParams(), browser);
    expect([base, fields]).toStrictEqual([DASHBOARD, { error: 'access_denied', error_description: ADMIN_TEXT.notAdmin, state: 'st-1' }]);
    // Silently, with the session the login made: the same answer.
    const silent = await browser.get(authorizeUrl(dashboardParams({ prompt: 'none', state: 'st-2' })));
    expect(locationFields(silent).fields).toStrictEqual({ error: 'access_denied', error_description: ADMIN_TEXT.notAdmin, state: 'st-2' });
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'f' }, { offset: 0, limit: 10, withTotal: false });
    expect(items.map((l) => [l.event.description, l.event.user_id, l.event.client_id])).toContainEqual([ADMIN_TEXT.notAdmin, other.userId, dashboardId]);
  });

  it('a non-admin may still sign in to the dashboard application for /userinfo only (no Management API audience)', async () => {
    const { fields } = await signIn(other, dashboardParams({ audience: '', scope: 'openid email read:clients' }));
    const body = (await exchange(dashboardId, fields.code!)).json<{ scope: string; access_token: string }>();
    expect(body.scope).toBe('openid email');
    expect(jwt(body.access_token).claims.aud).toBe(`https://${DOMAIN}/userinfo`);
  });

  it('any other application, asking for the Management API for the same admin, gets current-user scopes only', async () => {
    const spa = await seedApp(s, { name: 'look-alike dashboard' });
    const scope = `${ALL} read:current_user update:current_user_metadata`;
    const { fields } = await signIn(admin, { ...dashboardParams({ scope }), client_id: spa.clientId, redirect_uri: CB });
    const body = (await exchange(spa.clientId, fields.code!, CB)).json<{ scope: string }>();
    expect(body.scope).toBe('openid profile email read:current_user update:current_user_metadata');
  });

  it('an admin removed between /authorize and the code exchange gets invalid_grant; a removed admin\'s token stops at once', async () => {
    const { fields } = await signIn(admin);
    const token = (await exchange(dashboardId, fields.code!)).json<{ access_token: string }>().access_token;
    expect((await mgmt(s, token).get('/clients?fields=name')).statusCode).toBe(200);
    const { fields: later } = await signIn(admin);
    expect(await s.storage.tenantAdmins.remove(s.tenant.id, admin.userId)).toBe(true);
    try {
      expectOAuthError(await exchange(dashboardId, later.code!), 403, 'invalid_grant', ADMIN_TEXT.notAdmin);
      const refused = await mgmt(s, token).get('/clients?fields=name');
      expect([refused.statusCode, refused.json()]).toStrictEqual([401, { statusCode: 401, error: 'Unauthorized', message: TEXT.notAdmin, attributes: { error: TEXT.notAdmin } }]);
    } finally {
      await s.storage.tenantAdmins.create({ tenantId: s.tenant.id, userId: admin.userId, createdAt: new Date(s.clock.now()).toISOString() });
    }
    expect((await mgmt(s, token).get('/clients?fields=name')).statusCode).toBe(200);
  });
});

describe('the dashboard application is a system application', () => {
  let api: MgmtCaller;
  beforeAll(async () => {
    api = mgmt(s, await mgmtToken(s, ['read:clients', 'read:client_keys', 'create:clients', 'update:clients', 'update:client_keys', 'delete:clients']));
  });

  it('is listed, public, with exactly the tenant\'s dashboard URLs and no secret', async () => {
    const res = await api.get(`/clients/${dashboardId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      name: 'Scopeward Dashboard',
      app_type: 'spa',
      scopeward_system: 'dashboard',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      callbacks: [DASHBOARD],
      allowed_logout_urls: [DASHBOARD],
      web_origins: [`https://${DOMAIN}`],
      allowed_origins: [],
    });
    expect(body).not.toHaveProperty('client_secret');
  });

  it('cannot be patched, rotated or deleted', async () => {
    for (const res of [
      await api.patch(`/clients/${dashboardId}`, { name: 'mine now' }),
      await api.patch(`/clients/${dashboardId}`, { callbacks: ['https://evil.example/cb'] }),
      await api.patch(`/clients/${dashboardId}`, {}),
      await api.post(`/clients/${dashboardId}/rotate-secret`),
      await api.del(`/clients/${dashboardId}`),
    ]) {
      expectMgmtError(res, 400, TEXT.systemClient, ERROR_CODE.operationNotSupported);
    }
    expect((await s.storage.clients.get(s.tenant.id, dashboardId))?.data.callbacks).toStrictEqual([DASHBOARD]);
  });

  it('its marker cannot be forged on another application, by create or by update', async () => {
    const created = await api.post('/clients', { name: 'forger', app_type: 'spa', scopeward_system: 'dashboard' });
    expect(created.statusCode).toBe(400);
    const plain = (await api.post('/clients', { name: 'plain', app_type: 'spa' })).json<{ client_id: string }>().client_id;
    expect((await api.patch(`/clients/${plain}`, { scopeward_system: 'dashboard' })).statusCode).toBe(400);
    expect((await s.storage.clients.get(s.tenant.id, plain))?.data.scopeward_system).toBeUndefined();
  });

  it('is never given a client grant (no dormant privilege on the application that signs administrators in)', async () => {
    const grants = mgmt(s, await mgmtToken(s, ['create:client_grants', 'read:client_grants']));
    expectMgmtError(await grants.post('/client-grants', { client_id: dashboardId, audience: AUDIENCE, scope: ['read:clients'] }), 400, TEXT.systemClientGrant, ERROR_CODE.operationNotSupported);
    expect((await grants.get(`/client-grants?client_id=${dashboardId}`)).json()).toStrictEqual([]);
  });
});

describe('administrators are read-only through the Management API', () => {
  let api: MgmtCaller;
  beforeAll(async () => {
    api = mgmt(s, await mgmtToken(s, ['read:users', 'update:users', 'delete:users', 'update:users_app_metadata', 'create:device_credentials', 'read:clients']));
  });
  const refused = (res: Awaited<ReturnType<MgmtCaller['get']>>) => expectMgmtError(res, 403, TEXT.adminReadOnly, ERROR_CODE.operationNotSupported);

  it('reading is allowed', async () => {
    const res = await api.get(`/users/${admin.userId}`);
    expect([res.statusCode, res.json<{ email: string }>().email]).toStrictEqual([200, 'root@example.com']);
  });

  it('no change of password, email, metadata or blocked; no delete; no MFA reset', async () => {
    refused(await api.patch(`/users/${admin.userId}`, { password: 'Taken-Over-99' }));
    refused(await api.patch(`/users/${admin.userId}`, { email: 'attacker@example.com' }));
    refused(await api.patch(`/users/${admin.userId}`, { app_metadata: { role: 'x' } }));
    refused(await api.patch(`/users/${admin.userId}`, { blocked: true }));
    refused(await api.del(`/users/${admin.userId}`));
    refused(await api.del(`/users/${admin.userId}/multifactor/duo`));
    refused(await api.post(`/users/${admin.userId}/multifactor/actions/invalidate-remember-browser`));
    const user = (await s.storage.users.get(s.tenant.id, admin.userId))!;
    expect([user.email, user.blocked, user.appMetadata]).toStrictEqual(['root@example.com', false, {}]);
  });

  it('an administrator\'s brute-force block is not lifted through the API (only `scopeward admins unblock`)', async () => {
    const at = new Date(s.clock.now()).toISOString();
    for (let i = 0; i < 10; i++) await s.storage.loginFailures.recordFailure(s.tenant.id, admin.userId, '203.0.113.9', at, 10);
    refused(await api.del(`/user-blocks/${admin.userId}`));
    expect((await api.get(`/user-blocks/${admin.userId}`)).json()).toStrictEqual({ blocked_for: [{ identifier: 'root@example.com', ip: '203.0.113.9' }] });
    await s.storage.loginFailures.clearForUser(s.tenant.id, admin.userId);
  });

  it('no linking into or away from an administrator, no unlinking, no device keys', async () => {
    refused(await api.post(`/users/${other.userId}/identities`, { provider: 'auth0', user_id: admin.userId }));
    refused(await api.post(`/users/${admin.userId}/identities`, { provider: 'auth0', user_id: other.userId }));
    refused(await api.del(`/users/${admin.userId}/identities/auth0/abc`));
    const spa = await seedApp(s, { name: 'device app' });
    refused(await api.post('/device-credentials', { device_name: 'd', type: 'public_key', value: 'v'.repeat(40), device_id: 'abc-123', client_id: spa.clientId, user_id: admin.userId }));
    const key = { tenantId: s.tenant.id, id: 'dcr_adminkey00000000', userId: admin.userId, clientId: spa.clientId, deviceName: 'd', deviceId: 'abc', type: 'public_key' as const, value: 'v', createdAt: new Date(s.clock.now()).toISOString() };
    await s.storage.deviceCredentials.create(key);
    refused(await mgmt(s, await mgmtToken(s, ['delete:device_credentials'])).del(`/device-credentials/${key.id}`));
    expect(await s.storage.deviceCredentials.get(s.tenant.id, key.id)).toBeDefined();
    expect(await s.storage.users.get(s.tenant.id, admin.userId)).toBeDefined();
    expect(await s.storage.users.get(s.tenant.id, other.userId)).toBeDefined();
  });

  it('the same changes to a user who is not an administrator go through (and again once the admin is removed)', async () => {
    expect((await api.patch(`/users/${other.userId}`, { app_metadata: { team: 'ops' } })).statusCode).toBe(200);
    await s.storage.tenantAdmins.remove(s.tenant.id, admin.userId);
    try {
      expect((await api.patch(`/users/${admin.userId}`, { app_metadata: { team: 'ops' } })).statusCode).toBe(200);
    } finally {
      await s.storage.tenantAdmins.create({ tenantId: s.tenant.id, userId: admin.userId, createdAt: new Date(s.clock.now()).toISOString() });
    }
  });
});
