// Issue 12, E3 and E5: what configuration-as-code tools (Auth0's Deploy CLI) read and write back.
// Auth0-shaped answers carry no Scopeward field; Scopeward's system objects (the dashboard
// application, the global client, the default connection) take a write that changes nothing and
// refuse a real change as before; an Auth0 resource Scopeward does not serve answers 403
// insufficient scope (tools skip the type), any other unknown path 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE, TEXT } from '../../src/management/errors.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

type Client = Record<string, unknown> & { client_id: string; name: string; global?: boolean; client_secret?: string };

let s: TestServer;
let api: MgmtCaller;
let clients: Client[];
const byName = (name: string) => clients.find((c) => c.name === name)!;

/** What the Deploy CLI sends back for a client it exported: the object less the fields it strips. */
function writeBack({ client_id: _id, tenant: _t, global: _g, callback_url_template: _c, signing_keys: _k, client_secret: _s, ...rest }: Client): Record<string, unknown> {
  const jwt = rest.jwt_configuration as Record<string, unknown> | undefined;
  if (jwt) {
    const { secret_encoded: _e, ...kept } = jwt;
    rest.jwt_configuration = kept;
  }
  return rest;
}

beforeAll(async () => {
  s = await startTestServer();
  const admin = await seedM2M(s, ['read:clients', 'read:client_keys', 'update:clients', 'update:client_keys', 'read:connections', 'update:connections'], { name: 'admin' });
  api = mgmt(s, await tokenFor(s, admin));
  // A token request records which secret the client used: Scopeward's client_secret_rotation.
  await s.secretUsage.flush();
  clients = (await api.get('/clients?per_page=100')).json<Client[]>();
});
afterAll(() => s.close());

describe('E3: GET /clients is Auth0-shaped', () => {
  it('no scopeward_system (the dashboard app included) and no client_secret_rotation, though the admin app has used its secret', async () => {
    expect(clients.map((c) => c.name).sort()).toEqual(['All Applications', 'Scopeward Dashboard', 'admin']);
    for (const c of clients) expect(Object.keys(c).filter((k) => k === 'scopeward_system' || k === 'client_secret_rotation')).toEqual([]);
    const single = (await api.get(`/clients/${byName('admin').client_id}`)).json<Client>();
    expect(single.client_secret_rotation).toMatchObject({ last_used_secret: 'current' });
    const asked = (await api.get('/clients?fields=name,client_secret_rotation')).json<Client[]>();
    expect(asked.find((c) => c.name === 'admin')).toStrictEqual({ name: 'admin', client_secret_rotation: single.client_secret_rotation });
  });

  it('the dashboard finds its application by the client_id of /dashboard/config.json', async () => {
    const config = (await s.inject({ method: 'GET', url: '/dashboard/config.json' })).json<{ client_id: string }>();
    expect(config.client_id).toBe(byName('Scopeward Dashboard').client_id);
  });
});

describe('E3: the dashboard application takes a write that changes nothing', () => {
  it('its exported object written back → 200, the unchanged application; {} → 200', async () => {
    const dashboard = byName('Scopeward Dashboard');
    const before = await s.storage.clients.get(s.tenant.id, dashboard.client_id);
    for (const body of [writeBack(dashboard), {}, { name: dashboard.name, callbacks: dashboard.callbacks }]) {
      const res = await api.patch(`/clients/${dashboard.client_id}`, body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toStrictEqual(dashboard);
    }
    expect(await s.storage.clients.get(s.tenant.id, dashboard.client_id)).toStrictEqual(before);
  });

  it.each([
    ['a new name', { name: 'mine now' }],
    ['another callback', { callbacks: ['https://evil.example/cb'] }],
    ['an added grant type', { grant_types: ['authorization_code', 'client_credentials'] }],
    ['refresh_token: null (reset to defaults it does not have)', { refresh_token: null }],
    ['a secret', { client_secret: 'x'.repeat(48) }],
    ['the exported object with one change', { description: 'changed' }],
  ])('%s → 400 operation_not_supported, nothing changed', async (_l, change) => {
    const dashboard = byName('Scopeward Dashboard');
    const body = { ...writeBack(dashboard), ...change };
    expectMgmtError(await api.patch(`/clients/${dashboard.client_id}`, body), 400, TEXT.systemClient, ERROR_CODE.operationNotSupported);
    expect((await api.get(`/clients/${dashboard.client_id}`)).json()).toStrictEqual(dashboard);
  });
});

describe('E3: any application written back as the Deploy CLI sends it', () => {
  it('→ 200 and nothing changes, jwt_configuration.secret_encoded (left out by the CLI) included', async () => {
    const app = byName('admin');
    const res = await api.patch(`/clients/${app.client_id}`, writeBack(app));
    expect(res.statusCode, res.body).toBe(200);
    const after = (await api.get('/clients?per_page=100')).json<Client[]>().find((c) => c.name === 'admin');
    expect(after).toStrictEqual(app);
  });
});

describe('E3: the global client', () => {
  it('its exported object written back (no secret) → 200 unchanged; any client_secret, even its own, → 400 as before (T-LEG-09)', async () => {
    const global = byName('All Applications');
    const res = await api.patch(`/clients/${global.client_id}`, writeBack(global));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toStrictEqual(global);
    expect(typeof global.client_secret).toBe('string');
    for (const client_secret of [global.client_secret, 'y'.repeat(48)]) {
      expectMgmtError(await api.patch(`/clients/${global.client_id}`, { ...writeBack(global), client_secret }), 400, TEXT.globalSecretNotSettable, ERROR_CODE.operationNotSupported);
    }
    expect((await api.get(`/clients/${global.client_id}`)).json()).toStrictEqual(global);
  });
});

describe('E3: the default connection', () => {
  it('its object written back (whole, or a part) → 200 unchanged; a change → 400; an unknown id → 404', async () => {
    const [connection] = (await api.get('/connections')).json<Record<string, unknown>[]>();
    const { id, ...body } = connection!;
    // The Deploy CLI adds Auth0's default for an option the connection was made without.
    const deployCli = { ...body, options: { ...(body.options as object), disable_self_service_change_password: false } };
    for (const write of [body, deployCli, {}, { options: { brute_force_protection: true } }, { realms: body.realms }]) {
      const res = await api.patch(`/connections/${String(id)}`, write);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toStrictEqual(connection);
    }
    for (const change of [{ options: { disable_signup: true } }, { options: { disable_self_service_change_password: true } }, { display_name: 'Mine' }, { realms: [] }, { enabled_clients: [] }]) {
      expectMgmtError(await api.patch(`/connections/${String(id)}`, { ...body, ...change }), 400, TEXT.connectionUnchangeable, ERROR_CODE.operationNotSupported);
    }
    expect((await api.get(`/connections/${String(id)}`)).json()).toStrictEqual(connection);
    expectMgmtError(await api.patch('/connections/con_nope', {}), 404, TEXT.connectionNotFound, ERROR_CODE.inexistentConnection);
  });

  it('needs update:connections', async () => {
    const reader = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:connections'])));
    const [connection] = (await reader.get('/connections')).json<{ id: string }[]>();
    expectMgmtError(await reader.patch(`/connections/${connection!.id}`, {}), 403, TEXT.insufficientScope(['update:connections']), ERROR_CODE.insufficientScope);
  });
});

describe('E5: Auth0 resources Scopeward does not serve', () => {
  it.each([
    ['GET', '/rules?page=0&per_page=100&include_totals=true', 'read:rules'],
    ['GET', '/rules-configs', 'read:rules_configs'],
    ['GET', '/guardian/factors/sms/templates', 'read:guardian_factors'],
    ['GET', '/guardian/policies', 'read:mfa_policies'],
    ['GET', '/branding/phone/providers', 'read:phone_providers'],
    ['GET', '/emails/provider?fields=name', 'read:email_provider'],
    ['PATCH', '/attack-protection/brute-force-protection', 'update:attack_protection'],
    ['POST', '/actions/actions', 'create:actions'],
    ['DELETE', '/roles/rol_1', 'delete:roles'],
  ])('%s %s → 403 insufficient scope naming %s', async (method, path, scope) => {
    const res = await s.inject({ method: method, url: `/api/v2${path}`, headers: { authorization: api.authorization }, ...(method !== 'GET' && method !== 'DELETE' && { payload: {} }) });
    expectMgmtError(res, 403, `Insufficient scope, expected any of: ${scope} (Scopeward does not serve this Auth0 resource)`, ERROR_CODE.insufficientScope);
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('without a valid token → the refusal every route gives (401 without a token)', async () => {
    for (const headers of [{}, { authorization: 'Bearer nonsense' }, { authorization: 'Bearer a.b.c' }]) {
      const unserved = await s.inject({ method: 'GET', url: '/api/v2/rules', headers });
      const served = await s.inject({ method: 'GET', url: '/api/v2/clients', headers });
      expect([unserved.statusCode, unserved.json<unknown>()]).toStrictEqual([served.statusCode, served.json<unknown>()]);
    }
    expect((await s.inject({ method: 'GET', url: '/api/v2/rules' })).statusCode).toBe(401);
  });

  it('any other unknown path → 404 Not Found, as before', async () => {
    for (const path of ['/nothing-here', '/rulesx', '/clients/x/keys', '/users-by-email']) {
      expectMgmtError(await s.inject({ method: 'GET', url: `/api/v2${path}`, headers: { authorization: api.authorization } }), 404, TEXT.notFoundRoute);
    }
  });

  it('GET /actions/actions → always an empty page (the Deploy CLI reads it to export database connections)', async () => {
    const reader = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:actions'])));
    const res = await reader.get('/actions/actions?page=0&per_page=100&include_totals=true');
    expect([res.statusCode, res.json()]).toStrictEqual([200, { actions: [], total: 0, page: 0, per_page: 100 }]);
  });
});
