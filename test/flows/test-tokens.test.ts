// /api/v2/scopeward/test-tokens (issue #5, decision 0006): the API Explorer tab's test token is a
// real client-credentials token of its application, with exactly the grant's scopes and the
// requested lifetime; every minted token is recorded (never the token itself) and revocable at
// once; legacy HS256 tokens only while the tenant allows them; each route's scope; the tenant log
// holds the calls but no token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE, TEXT } from '../../src/management/errors.ts';
import { LEGACY_TOKEN_WARNING } from '../../src/tokens/legacy.ts';
import { createApi } from '../helpers/apis.ts';
import { jwt } from '../helpers/authorize-flow.ts';
import { seedApp, seedM2M, seedUser, type M2M } from '../helpers/fixtures.ts';
import { globalClient, operatorToken, setLegacy } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { userToken } from '../helpers/user-token.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const AUDIENCE = `https://${DOMAIN}/api/v2/`;
const ISSUER = `https://${DOMAIN}/`;

interface Minted {
  id: string;
  name: string;
  access_token: string;
  token_type: string;
  expires_in: number | null;
  scope: string;
  client_id: string;
  audience: string;
  jti: string;
  legacy: boolean;
  expires_at: string | null;
  created_at: string;
  created_by: string;
}

let s: TestServer;
let operator: MgmtCaller;
let operatorSub: string;
let explorer: M2M;

beforeAll(async () => {
  s = await startTestServer();
  const op = await seedM2M(s, ['read:client_keys', 'blacklist:tokens', 'read:tenant_settings', 'update:tenant_settings'], { audience: AUDIENCE, name: 'operator' });
  operatorSub = `${op.clientId}@clients`;
  operator = mgmt(s, await tokenFor(s, op));
  explorer = await seedM2M(s, ['read:clients', 'read:users'], { audience: AUDIENCE, name: 'API Explorer Application' });
});
afterAll(() => s.close());

const now = () => new Date(s.clock.now()).toISOString();
const mint = async (body: Record<string, unknown>, as = operator): Promise<Minted> => {
  const res = await as.post('/scopeward/test-tokens', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Minted>();
};

describe('minting a test token', () => {
  it('answers 201, no-store, with the record and the token; the token is what /oauth/token gives the application, with the requested lifetime', async () => {
    const res = await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE, expires_in: 3600 });
    expect([res.statusCode, res.headers['content-type'], res.headers['cache-control'], res.headers.pragma]).toStrictEqual([201, JSON_UTF8, 'no-store', 'no-cache']);
    const body = res.json<Minted>();
    const { header, claims } = jwt(body.access_token);
    expect(body).toStrictEqual({
      id: expect.stringMatching(/^mtk_[A-Za-z0-9]{16}$/),
      name: 'Test token for API Explorer Application',
      access_token: body.access_token,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read:clients read:users',
      client_id: explorer.clientId,
      audience: AUDIENCE,
      jti: claims.jti,
      legacy: false,
      expires_at: new Date((claims.exp ?? 0) * 1000).toISOString(),
      created_at: now(),
      created_by: operatorSub,
    });
    const real = jwt(await tokenFor(s, explorer));
    expect(claims).toStrictEqual({ ...real.claims, iat: claims.iat, exp: claims.iat! + 3600, jti: claims.jti });
    expect(claims).toMatchObject({ iss: ISSUER, sub: `${explorer.clientId}@clients`, aud: AUDIENCE, azp: explorer.clientId, gty: 'client-credentials', scope: 'read:clients read:users' });
    expect(header).toStrictEqual(real.header);
  });

  it('the token works on the Management API with exactly the grant\'s scopes', async () => {
    const api = mgmt(s, (await mint({ client_id: explorer.clientId, audience: AUDIENCE })).access_token);
    expect((await api.get('/clients?fields=name')).statusCode).toBe(200);
    expect((await api.get('/users')).statusCode).toBe(200);
    expectMgmtError(await api.post('/clients', { name: 'nope' }), 403, TEXT.insufficientScope(['create:clients']), ERROR_CODE.insufficientScope);
  });

  it('defaults: a day (Auth0\'s API Explorer), and a name; a given name is kept', async () => {
    const body = await mint({ client_id: explorer.clientId, audience: AUDIENCE, name: 'CI pipeline' });
    const { claims } = jwt(body.access_token);
    expect([body.name, body.expires_in, claims.exp! - claims.iat!]).toStrictEqual(['CI pipeline', 86400, 86400]);
  });

  it('an API signing HS256 gets an HS256 token, as from /oauth/token', async () => {
    const api = await createApi(s, { identifier: 'https://hs.example/', name: 'HS', signing_alg: 'HS256', scopes: [{ value: 'read:things' }] });
    const app = await seedM2M(s, ['read:things'], { audience: api.identifier, name: 'hs app' });
    const body = await mint({ client_id: app.clientId, audience: api.identifier });
    expect([jwt(body.access_token).header.alg, body.scope]).toStrictEqual(['HS256', 'read:things']);
    expect(jwt(await tokenFor(s, app, api.identifier)).header.alg).toBe('HS256');
  });

  it('created_by is the admin\'s email when a user (the dashboard) mints it', async () => {
    const user = await seedUser(s, { email: 'ops@example.com' });
    const token = await userToken(s, user.userId, ['read:client_keys']);
    expect((await mint({ client_id: explorer.clientId, audience: AUDIENCE }, mgmt(s, token))).created_by).toBe('ops@example.com');
  });

  it('refuses what /oauth/token would refuse, each with a clear message', async () => {
    const other = await seedM2M(s, ['read:things'], { audience: 'https://hs.example/', name: 'no management grant' });
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: other.clientId, audience: AUDIENCE }), 400, TEXT.testTokenNoGrant(other.clientId, AUDIENCE), 'invalid_body');
    const spa = await seedApp(s, { name: 'spa' });
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: spa.clientId, audience: AUDIENCE }), 400, TEXT.testTokenGrantType(spa.clientId), 'invalid_body');
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: 'nobody', audience: AUDIENCE }), 404, TEXT.clientNotFound, ERROR_CODE.inexistentClient);
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: 'https://nowhere.example/' }), 404, TEXT.resourceServerNotFound, ERROR_CODE.inexistentApi);
    expectMgmtError(await operator.post('/scopeward/test-tokens', { audience: AUDIENCE }), 400, TEXT.missingProperty('client_id'), 'invalid_body');
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId }), 400, TEXT.missingProperty('audience'), 'invalid_body');
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE, expires_in: null }), 400, TEXT.testTokenNeverExpires, 'invalid_body');
    expectMgmtError(await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE, scope: 'read:clients' }), 400, TEXT.testTokenScope, 'invalid_body');
    for (const expires_in of [59, 31_536_001, 1.5, '3600']) {
      expect((await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE, expires_in })).statusCode).toBe(400);
    }
    expect((await operator.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE, extra: 1 })).statusCode).toBe(400);
  });
});

describe('listing and revoking', () => {
  it('lists newest first, without the token, filtered by client and audience', async () => {
    s.clock.advance(1);
    const a = await mint({ client_id: explorer.clientId, audience: AUDIENCE, name: 'first' });
    s.clock.advance(1);
    const b = await mint({ client_id: explorer.clientId, audience: AUDIENCE, name: 'second' });
    const res = await operator.get(`/scopeward/test-tokens?client_id=${explorer.clientId}&audience=${encodeURIComponent(AUDIENCE)}`);
    expect(res.statusCode).toBe(200);
    const list = res.json<Record<string, unknown>[]>();
    expect(list.slice(0, 2).map((t) => t.id)).toStrictEqual([b.id, a.id]);
    const { access_token: _t, ...record } = b;
    expect(list[0]).toStrictEqual({ ...record, revoked_at: null });
    expect(res.body).not.toContain(a.access_token.split('.')[2]);
    expect(list.every((t) => t.client_id === explorer.clientId && !('access_token' in t))).toBe(true);
    expect((await operator.get('/scopeward/test-tokens?client_id=nobody')).json()).toStrictEqual([]);
    expect((await operator.get('/scopeward/test-tokens?limit=1')).json<unknown[]>()).toHaveLength(1);
  });

  it('revoking puts the jti on the denylist: the token is refused at once; idempotent; unknown ids are 404', async () => {
    const minted = await mint({ client_id: explorer.clientId, audience: AUDIENCE, expires_in: 600 });
    const api = mgmt(s, minted.access_token);
    expect((await api.get('/clients?fields=name')).statusCode).toBe(200);
    const res = await operator.del(`/scopeward/test-tokens/${minted.id}`);
    expect([res.statusCode, res.body]).toStrictEqual([204, '']);
    const refused = await api.get('/clients?fields=name');
    expect([refused.statusCode, refused.json()]).toStrictEqual([401, { statusCode: 401, error: 'Unauthorized', message: TEXT.invalidToken, attributes: { error: TEXT.invalidToken } }]);
    const entry = (await s.storage.denylist.list(s.tenant.id)).find((e) => e.jti === minted.jti);
    expect(entry).toMatchObject({ aud: AUDIENCE, expiresAt: new Date(Date.parse(minted.expires_at!) + 30_000).toISOString() });
    const listed = (await operator.get('/scopeward/test-tokens')).json<{ id: string; revoked_at: string | null }[]>().find((t) => t.id === minted.id);
    expect(listed?.revoked_at).toBe(now());
    s.clock.advance(5);
    expect((await operator.del(`/scopeward/test-tokens/${minted.id}`)).statusCode).toBe(204);
    expect((await s.storage.mintedTokens.get(s.tenant.id, minted.id))?.revokedAt).toBe(listed?.revoked_at);
    expectMgmtError(await operator.del('/scopeward/test-tokens/mtk_nothing'), 404, TEXT.testTokenNotFound, ERROR_CODE.inexistentTestToken);
  });
});

describe('legacy tokens', () => {
  it('are refused while the tenant has legacy tokens off', async () => {
    expectMgmtError(await operator.post('/scopeward/test-tokens', { legacy: true, scope: 'read:clients' }), 400, TEXT.legacyOff, 'invalid_body');
  });

  it('with the switch on: HS256 with the Global Client Secret, aud the Global Client Id, optionally never expiring, with the warning; revocable', async () => {
    const op = await operatorToken(s);
    await setLegacy(s, op, true);
    try {
      const global = await globalClient(s, op);
      const res = await operator.post('/scopeward/test-tokens', { legacy: true, scope: 'read:clients read:users', expires_in: null });
      expect([res.statusCode, res.headers.warning, res.headers['cache-control']]).toStrictEqual([201, `299 - "${LEGACY_TOKEN_WARNING}"`, 'no-store']);
      const body = res.json<Minted>();
      const { header, claims } = jwt(body.access_token);
      expect(header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
      expect(claims).toStrictEqual({ iss: ISSUER, aud: global.clientId, scope: 'read:clients read:users', iat: claims.iat, jti: body.jti });
      expect(body).toMatchObject({ legacy: true, client_id: global.clientId, audience: AUDIENCE, expires_in: null, expires_at: null, name: 'Legacy Management API token' });
      const api = mgmt(s, body.access_token);
      expect((await api.get('/clients?fields=name')).statusCode).toBe(200);
      expect((await operator.del(`/scopeward/test-tokens/${body.id}`)).statusCode).toBe(204);
      expect((await api.get('/clients?fields=name')).statusCode).toBe(401);
      expect((await s.storage.denylist.list(s.tenant.id)).find((e) => e.jti === body.jti)).toMatchObject({ aud: global.clientId, expiresAt: null });

      const timed = await mint({ legacy: true, scope: 'read:clients', expires_in: 120 });
      expect(jwt(timed.access_token).claims.exp).toBe(jwt(timed.access_token).claims.iat! + 120);
      expectMgmtError(await operator.post('/scopeward/test-tokens', { legacy: true }), 400, TEXT.missingProperty('scope'), 'invalid_body');
      expectMgmtError(await operator.post('/scopeward/test-tokens', { legacy: true, scope: 'read:clients fly:away' }), 400, TEXT.legacyScope('fly:away'), 'invalid_body');
      expectMgmtError(await operator.post('/scopeward/test-tokens', { legacy: true, scope: 'read:clients', client_id: explorer.clientId }), 400, TEXT.legacyTarget, 'invalid_body');
    } finally {
      await setLegacy(s, op, false);
    }
  });
});

describe('scopes and the tenant log', () => {
  it('each route names its scope: minting and listing read:client_keys, revoking blacklist:tokens, tenants read:tenant_settings', async () => {
    const weak = mgmt(s, await mgmtToken(s, ['read:clients']));
    expectMgmtError(await weak.post('/scopeward/test-tokens', { client_id: explorer.clientId, audience: AUDIENCE }), 403, TEXT.insufficientScope(['read:client_keys']), ERROR_CODE.insufficientScope);
    expectMgmtError(await weak.get('/scopeward/test-tokens'), 403, TEXT.insufficientScope(['read:client_keys']), ERROR_CODE.insufficientScope);
    expectMgmtError(await weak.del('/scopeward/test-tokens/mtk_x'), 403, TEXT.insufficientScope(['blacklist:tokens']), ERROR_CODE.insufficientScope);
    expectMgmtError(await weak.get('/scopeward/tenants'), 403, TEXT.insufficientScope(['read:tenant_settings']), ERROR_CODE.insufficientScope);
    expect((await s.inject({ method: 'GET', url: '/api/v2/scopeward/test-tokens' })).statusCode).toBe(401);
  });

  it('the tenants list of an application token names its own tenant only, marked current (issue 9, S12)', async () => {
    await s.addTenant('second', 'tenant-b.test');
    expect((await operator.get('/scopeward/tenants')).json()).toStrictEqual([
      { name: 'default', domain: DOMAIN, friendly_name: 'default', dashboard_url: `https://${DOMAIN}/dashboard/`, current: true },
    ]);
  });

  it('mint and revoke are logged as sapi; no token is in the tenant log or the server log', async () => {
    const minted = await mint({ client_id: explorer.clientId, audience: AUDIENCE, name: 'audited' });
    expect((await operator.del(`/scopeward/test-tokens/${minted.id}`)).statusCode).toBe(204);
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'sapi' }, { offset: 0, limit: 100, withTotal: false });
    const descriptions = items.map((l) => l.event.description);
    expect(descriptions).toContain('Mint a test token (Scopeward extension)');
    expect(descriptions).toContain('Revoke a token minted from the dashboard (Scopeward extension)');
    const revoke = items.find((l) => (l.event.details as { request: { path: string } }).request.path === `/api/v2/scopeward/test-tokens/${minted.id}`);
    expect(revoke?.event.type).toBe('sapi');
    const signature = minted.access_token.split('.')[2]!;
    const all = await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 1000, withTotal: false });
    expect(JSON.stringify(all.items)).not.toContain(signature);
    expect(s.logs.join('\n')).not.toContain(signature);
  });
});
