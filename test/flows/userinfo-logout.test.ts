// /userinfo (spec §2.8, OIDC Core §5.3, RFC 6750 §3), /v2/logout (spec §2.9, T-RU-30) and the
// discovery document (spec §2.7), exactly.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, seedM2M, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectErrorPage, expectPageHeaders, loginThrough, postToken } from '../helpers/authorize-flow.ts';
import { createApi } from '../helpers/apis.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge, verifier } = pkcePair();
const REALM = 'Bearer realm="tenant-a.test"';

let s: TestServer;
let spa: SeededApp;
let user: SeededUser;
let browser: TestBrowser;

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s, { logoutUrls: ['https://app.example.com/bye', 'https://app.example.com/later'] });
  user = await seedLoginUser(s, 'uma@example.com');
  await createApi(s, { identifier: 'https://things.example/', name: 'Things', scopes: [{ value: 'read:things' }] });
  browser = new TestBrowser(s);
  expect((await loginThrough(browser, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, user)).statusCode).toBe(302);
});
afterAll(() => s.close());

/** An access token from the code flow. */
async function accessToken(extra: Record<string, string>, who = browser): Promise<string> {
  const res = await who.get(authorizeUrl({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256', ...extra }));
  const code = locationFields(res).fields.code!;
  const tokens = await postToken(s, { grant_type: 'authorization_code', client_id: spa.clientId, code, code_verifier: verifier, redirect_uri: CB });
  expect(tokens.statusCode, tokens.body).toBe(200);
  return tokens.json<{ access_token: string }>().access_token;
}
const userinfo = (token: string | undefined, options: { method?: 'GET' | 'POST'; query?: string; form?: string } = {}) =>
  s.inject({
    method: options.method ?? 'GET',
    url: `/userinfo${options.query !== undefined ? `?access_token=${options.query}` : ''}`,
    headers: { ...(token !== undefined && { authorization: `Bearer ${token}` }), ...(options.form !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }) },
    ...(options.form !== undefined && { payload: `access_token=${options.form}` }),
  });

function expectUserinfoError(res: LightMyRequestResponse, status: number, error: string, description: string, challenge: string): void {
  expect({ status: res.statusCode, body: res.json<unknown>(), challenge: res.headers['www-authenticate'] }).toStrictEqual({ status, body: { error, error_description: description }, challenge });
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
}
const invalidToken = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`;

describe('spec §2.8: /userinfo', () => {
  it('the claims of the token\'s scopes, no-store JSON', async () => {
    const stored = (await s.storage.users.get(s.tenant.id, user.userId))!;
    const cases: [string, Record<string, unknown>][] = [
      ['openid', { sub: user.userId }],
      ['openid profile', { sub: user.userId, name: 'uma@example.com', nickname: 'uma', picture: 'https://s.gravatar.com/avatar/x?s=480', updated_at: stored.updatedAt }],
      ['openid email', { sub: user.userId, email: 'uma@example.com', email_verified: false }],
    ];
    for (const [scope, claims] of cases) {
      const res = await userinfo(await accessToken({ scope }));
      expect([res.statusCode, res.headers['content-type'], res.headers['cache-control'], res.json()]).toEqual([200, 'application/json; charset=utf-8', 'no-store', claims]);
    }
  });

  it('RFC 6750: the header, the query or a form body (POST), never two of them', async () => {
    const token = await accessToken({ scope: 'openid' });
    for (const res of [await userinfo(undefined, { query: token }), await userinfo(token, { method: 'POST' }), await userinfo(undefined, { method: 'POST', form: token })]) {
      expect([res.statusCode, res.json()]).toEqual([200, { sub: user.userId }]);
    }
    expectUserinfoError(await userinfo(token, { query: token }), 400, 'invalid_request', 'The access token was sent more than one way', `${REALM}, error="invalid_request", error_description="The access token was sent more than one way"`);
  });

  it('RFC 6750 §3.1: no token → 401 with a challenge that carries no error code', async () => {
    expectUserinfoError(await userinfo(undefined), 401, 'invalid_token', 'Missing access token', REALM);
  });

  it('a token that is not ours, not for /userinfo, or expired → 401 invalid_token', async () => {
    expectUserinfoError(await userinfo('not.a.jwt'), 401, 'invalid_token', 'Invalid access token', invalidToken('Invalid access token'));
    const apiOnly = await accessToken({ audience: 'https://things.example/', scope: 'read:things' });
    expectUserinfoError(await userinfo(apiOnly), 401, 'invalid_token', 'Invalid access token', invalidToken('Invalid access token'));
    const m2m = await tokenFor(s, await seedM2M(s, ['read:users']));
    expectUserinfoError(await userinfo(m2m), 401, 'invalid_token', 'Invalid access token', invalidToken('Invalid access token'));
    const soon = await accessToken({ scope: 'openid' });
    s.clock.advance(86_400 + 31);
    expectUserinfoError(await userinfo(soon), 401, 'invalid_token', 'The access token expired', invalidToken('The access token expired'));
  });

  it('a token for /userinfo without openid → 403 insufficient_scope', async () => {
    const res = await browser.get(authorizeUrl({ client_id: spa.clientId, response_type: 'token', redirect_uri: CB, scope: 'profile' }));
    const token = locationFields(res).fields.access_token!;
    expectUserinfoError(await userinfo(token), 403, 'insufficient_scope', 'The access token does not carry the openid scope', `${REALM}, error="insufficient_scope", error_description="The access token does not carry the openid scope", scope="openid"`);
  });

  it('a token revoked by a code replay, or of a user blocked since → 401', async () => {
    const res = await browser.get(authorizeUrl({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }));
    const code = locationFields(res).fields.code!;
    const exchange = () => postToken(s, { grant_type: 'authorization_code', client_id: spa.clientId, code, code_verifier: verifier, redirect_uri: CB });
    const token = (await exchange()).json<{ access_token: string }>().access_token;
    expect((await userinfo(token)).statusCode).toBe(200);
    expect((await exchange()).statusCode).toBe(403);
    await s.registry.settled();
    expectUserinfoError(await userinfo(token), 401, 'invalid_token', 'Invalid access token', invalidToken('Invalid access token'));

    const later = await seedLoginUser(s, 'later-blocked@example.com');
    const other = new TestBrowser(s, '198.51.100.60');
    await loginThrough(other, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, later);
    const theirs = await accessToken({ scope: 'openid' }, other);
    await mgmt(s, await mgmtToken(s, ['update:users'])).patch(`/users/${encodeURIComponent(later.userId)}`, { blocked: true });
    expectUserinfoError(await userinfo(theirs), 401, 'invalid_token', 'Invalid access token', invalidToken('Invalid access token'));
  });
});

describe('spec §2.9: /v2/logout', () => {
  async function session(): Promise<TestBrowser> {
    const b = new TestBrowser(s, '198.51.100.61');
    await loginThrough(b, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, user);
    return b;
  }
  async function loggedIn(b: TestBrowser): Promise<boolean> {
    const res = await b.get(authorizeUrl({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }));
    return String(res.headers.location).startsWith(CB);
  }
  const expectLogoutRedirect = (res: LightMyRequestResponse, location: string) =>
    expect([res.statusCode, res.headers.location, res.headers['cache-control'], res.headers['referrer-policy']]).toEqual([302, location, 'no-store', 'no-referrer']);

  it('returnTo exactly one of the application\'s allowed logout URLs → 302 there; the session is over (spa-js sends a bare &federated)', async () => {
    const b = await session();
    expectLogoutRedirect(await b.get(`/v2/logout?client_id=${spa.clientId}&returnTo=${encodeURIComponent('https://app.example.com/later')}&federated`), 'https://app.example.com/later');
    expect(await loggedIn(b)).toBe(false);
  });

  it('client_id without returnTo → the first allowed logout URL; without either → our logged-out page', async () => {
    expectLogoutRedirect(await (await session()).get(`/v2/logout?client_id=${spa.clientId}`), 'https://app.example.com/bye');
    const page = await (await session()).get('/v2/logout');
    expect(page.statusCode).toBe(200);
    expectPageHeaders(page);
    const none = await seedApp(s, { name: 'no logout urls', logoutUrls: [] });
    expect((await browser.get(`/v2/logout?client_id=${none.clientId}`)).statusCode).toBe(200);
  });

  it('without client_id, returnTo is checked against the tenant\'s allowed_logout_urls', async () => {
    const admin = mgmt(s, await mgmtToken(s, ['update:tenant_settings']));
    expect((await admin.patch('/tenants/settings', { allowed_logout_urls: ['https://tenant.example/bye'] })).statusCode).toBe(200);
    await s.registry.settled();
    expectLogoutRedirect(await (await session()).get(`/v2/logout?returnTo=${encodeURIComponent('https://tenant.example/bye')}`), 'https://tenant.example/bye');
    const refused = await browser.get(`/v2/logout?returnTo=${encodeURIComponent('https://app.example.com/bye')}`);
    expectErrorPage(refused, 400, 'Invalid request', 'The "returnTo" querystring parameter "https://app.example.com/bye" is not defined as a valid URL in "Allowed Logout URLs".');
  });

  it('a refused returnTo or an unknown client still ends the session (and logs slo)', async () => {
    const b = await session();
    const res = await b.get(`/v2/logout?client_id=${spa.clientId}&returnTo=${encodeURIComponent('//evil.com')}`);
    expectErrorPage(res, 400, 'Invalid request', 'The "returnTo" querystring parameter "//evil.com" is not defined as a valid URL in "Allowed Logout URLs".');
    expect(await loggedIn(b)).toBe(false);
    const c = await session();
    expectErrorPage(await c.get('/v2/logout?client_id=nobody'), 400, 'Invalid request', 'Unknown client: nobody');
    expect(await loggedIn(c)).toBe(false);
  });
});

describe('spec §2.7: discovery', () => {
  it('/.well-known/openid-configuration, exactly (D13: S256 only; only what is implemented)', async () => {
    const res = await s.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://anywhere.example' } });
    expect([res.statusCode, res.headers['access-control-allow-origin']]).toEqual([200, '*']);
    const base = 'https://tenant-a.test/';
    expect(res.json()).toStrictEqual({
      issuer: base,
      authorization_endpoint: `${base}authorize`,
      token_endpoint: `${base}oauth/token`,
      userinfo_endpoint: `${base}userinfo`,
      jwks_uri: `${base}.well-known/jwks.json`,
      revocation_endpoint: `${base}oauth/revoke`,
      introspection_endpoint: `${base}oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
      response_types_supported: ['code', 'token', 'id_token', 'token id_token'],
      response_modes_supported: ['query', 'fragment', 'form_post', 'web_message'],
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'PS256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['HS256', 'RS256'],
      claims_supported: ['aud', 'auth_time', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'nickname', 'phone_number', 'picture', 'sid', 'sub', 'updated_at'],
      request_uri_parameter_supported: false,
      request_parameter_supported: false,
    });
  });
});
