// Every /authorize answer the server offers (spec §2.5 table, §0 row 9, §2.6, §2.3 "Frontend
// token", §6.3), each with its exact fields: response types × response modes, silent
// authentication, max_age and prompt=login, and the browser token for the Management API.
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectErrorPage, expectPageHeaders, formPostOf, jwt, loginThrough, postToken, webMessageOf } from '../helpers/authorize-flow.ts';
import { createApi } from '../helpers/apis.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ORIGIN = 'https://app.example.com';
const { challenge, verifier } = pkcePair();

let s: TestServer;
let spa: SeededApp;
let user: SeededUser;
let other: SeededUser;
let browser: TestBrowser;
let loginAt: number;

const params = (type: string, mode: string | undefined, extra: Record<string, string> = {}): Record<string, string> => ({
  client_id: spa.clientId,
  response_type: type,
  redirect_uri: CB,
  state: 'st-9',
  nonce: 'n-9',
  scope: 'openid profile email',
  ...(type.includes('code') && { code_challenge: challenge, code_challenge_method: 'S256' }),
  ...(mode !== undefined && { response_mode: mode }),
  ...extra,
});

/** The fields of an answer, whatever its mode. */
function answerOf(res: LightMyRequestResponse, mode: string): Record<string, string> {
  if (mode === 'form_post') {
    expectPageHeaders(res, { formAction: ORIGIN });
    const { action, fields } = formPostOf(res.body);
    expect(action).toBe(CB);
    return fields;
  }
  if (mode === 'web_message') {
    expectPageHeaders(res, { frameAncestor: ORIGIN });
    const { message, targetOrigin } = webMessageOf(res.body);
    expect([message.type, targetOrigin]).toEqual(['authorization_response', ORIGIN]);
    return message.response;
  }
  const { base, part, fields } = locationFields(res);
  expect([res.statusCode, base, part]).toEqual([302, CB, mode]);
  return fields;
}

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s, { webOrigins: [ORIGIN] });
  user = await seedLoginUser(s, 'flo@example.com');
  other = await seedLoginUser(s, 'otto@example.com');
  browser = new TestBrowser(s);
  loginAt = s.clock.now();
  expect((await loginThrough(browser, params('code', undefined), user)).statusCode).toBe(302);
});
afterAll(() => s.close());

const TOKEN_FIELDS = ['access_token', 'expires_in', 'scope', 'state', 'token_type'];
const COMBINATIONS: [string, string | undefined, string, string[]][] = [
  ['code', undefined, 'query', ['code', 'state']],
  ['code', 'query', 'query', ['code', 'state']],
  ['code', 'fragment', 'fragment', ['code', 'state']],
  ['code', 'form_post', 'form_post', ['code', 'state']],
  ['code', 'web_message', 'web_message', ['code', 'state']],
  ['token', undefined, 'fragment', TOKEN_FIELDS],
  ['token', 'form_post', 'form_post', TOKEN_FIELDS],
  ['id_token', undefined, 'fragment', ['id_token', 'state']],
  ['id_token', 'web_message', 'web_message', ['id_token', 'state']],
  ['token id_token', undefined, 'fragment', [...TOKEN_FIELDS, 'id_token'].sort()],
  ['id_token token', 'fragment', 'fragment', [...TOKEN_FIELDS, 'id_token'].sort()],
  ['token id_token', 'form_post', 'form_post', [...TOKEN_FIELDS, 'id_token'].sort()],
  ['token id_token', 'web_message', 'web_message', [...TOKEN_FIELDS, 'id_token'].sort()],
];

describe('spec §2.5: response_type × response_mode', () => {
  it.each(COMBINATIONS)('response_type=%s response_mode=%s → %s with exactly %j', async (type, mode, delivered, keys) => {
    const fields = answerOf(await browser.get(authorizeUrl(params(type, mode))), delivered);
    expect(Object.keys(fields).sort()).toEqual(keys);
    expect(fields.state).toBe('st-9');
    if (fields.code !== undefined) {
      expect(fields.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const res = await postToken(s, { grant_type: 'authorization_code', client_id: spa.clientId, code: fields.code, code_verifier: verifier, redirect_uri: CB });
      expect(res.statusCode, res.body).toBe(200);
    }
    if (fields.access_token !== undefined) {
      expect([fields.token_type, fields.expires_in, fields.scope]).toEqual(['Bearer', '86400', 'openid profile email']);
      expect(jwt(fields.access_token).claims.aud).toBe(`${s.tenant.issuer}userinfo`);
    }
    if (fields.id_token !== undefined) expect(jwt(fields.id_token).claims.nonce).toBe('n-9');
  });

  it('web_message answers only an origin in Allowed Web Origins (spec §2.5), however it was written there', async () => {
    const noOrigin = await seedApp(s, { webOrigins: [] });
    expectErrorPage(
      await browser.get(authorizeUrl({ ...params('code', 'web_message'), client_id: noOrigin.clientId })),
      400,
      'Invalid request',
      'The origin of redirect_uri is not in the list of Allowed Web Origins of the application (needed for response_mode=web_message).',
    );
    // Registration accepts an origin with a trailing slash or the default port (clients-urls.test.ts).
    for (const written of [`${ORIGIN}/`, `${ORIGIN}:443`]) {
      const app = await seedApp(s, { webOrigins: [written] });
      const res = await browser.get(authorizeUrl({ ...params('code', 'web_message'), client_id: app.clientId }));
      expect(res.statusCode, res.body).toBe(200);
      expect(webMessageOf(res.body).targetOrigin).toBe(ORIGIN);
    }
  });
});

describe('spec §6.3: silent authentication (prompt=none, web_message)', () => {
  it('with a session → the code, posted to exactly the redirect origin', async () => {
    const res = await browser.get(authorizeUrl(params('code', 'web_message', { prompt: 'none', redirect_uri: ORIGIN })));
    expect(res.statusCode).toBe(400); // the origin alone is not a registered callback
    const app = await seedApp(s, { callbacks: [ORIGIN], webOrigins: [ORIGIN] });
    const ok = await browser.get(authorizeUrl({ ...params('code', 'web_message', { prompt: 'none', redirect_uri: ORIGIN }), client_id: app.clientId }));
    const { message, targetOrigin } = webMessageOf(ok.body);
    expect(targetOrigin).toBe(ORIGIN);
    expect(Object.keys(message.response).sort()).toEqual(['code', 'state']);
  });

  it('without a session → {error: "login_required", error_description: "Login required", state}', async () => {
    const res = await new TestBrowser(s, '198.51.100.20').get(authorizeUrl(params('code', 'web_message', { prompt: 'none' })));
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res, { frameAncestor: ORIGIN });
    expect(webMessageOf(res.body)).toStrictEqual({
      message: { type: 'authorization_response', response: { error: 'login_required', error_description: 'Login required', state: 'st-9' } },
      targetOrigin: ORIGIN,
    });
  });
});

describe('OIDC Core §3.1.2.1: max_age and prompt=login', () => {
  it('an older login than max_age sends the user to the login page; a recent enough one is answered, with auth_time', async () => {
    s.clock.advance(120);
    expect(loginState(await browser.get(authorizeUrl(params('id_token', undefined, { max_age: '60' }))))).toMatch(/^[A-Za-z0-9_-]+$/);
    const fields = answerOf(await browser.get(authorizeUrl(params('id_token', undefined, { max_age: '3600' }))), 'fragment');
    expect(jwt(fields.id_token!).claims.auth_time).toBe(Math.floor(loginAt / 1000));
  });

  it('max_age=0 is prompt=login, even in the second of the login', async () => {
    const fresh = new TestBrowser(s, '198.51.100.21');
    expect((await loginThrough(fresh, params('code', undefined), user)).statusCode).toBe(302);
    expect(loginState(await fresh.get(authorizeUrl(params('id_token', undefined, { max_age: '0' }))))).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('prompt=login asks again even with a session; the new login has a new auth_time and sid', async () => {
    const before = jwt(answerOf(await browser.get(authorizeUrl(params('id_token', undefined))), 'fragment').id_token!).claims;
    s.clock.advance(30);
    const res = await loginThrough(browser, params('id_token', undefined, { prompt: 'login' }), user);
    const after = jwt(answerOf(res, 'fragment').id_token!).claims;
    expect(after.auth_time).toBe(Math.floor(s.clock.now() / 1000));
    expect(after.sid).not.toBe(before.sid);
  });
});

describe('spec §2.6: the id_token', () => {
  it('RS256 with a kid of the JWKS, iss with trailing slash, aud the client, nonce, at_hash, auth_time, sid, profile and email claims', async () => {
    const fields = answerOf(await browser.get(authorizeUrl(params('token id_token', undefined))), 'fragment');
    const jwks = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: { kid: string }[] }>();
    const { payload, protectedHeader } = await jwtVerify(fields.id_token!, createLocalJWKSet(jwks as never), {
      issuer: `https://${s.tenant.domain}/`,
      audience: spa.clientId,
      algorithms: ['RS256'],
      currentDate: new Date(s.clock.now()),
    });
    expect(protectedHeader).toStrictEqual({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]!.kid });
    const iat = Math.floor(s.clock.now() / 1000);
    const atHash = createHash('sha256').update(fields.access_token!).digest().subarray(0, 16).toString('base64url');
    expect(payload).toStrictEqual({
      iss: 'https://tenant-a.test/',
      sub: user.userId,
      aud: spa.clientId,
      iat,
      exp: iat + 36000,
      auth_time: expect.any(Number),
      sid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      nonce: 'n-9',
      at_hash: atHash,
      name: 'flo@example.com',
      nickname: 'flo',
      picture: 'https://s.gravatar.com/avatar/x?s=480',
      // Logging in updates the user (last_login, logins_count), as in Auth0.
      updated_at: (await s.storage.users.get(s.tenant.id, user.userId))!.updatedAt,
      email: 'flo@example.com',
      email_verified: false,
    });
  });

  it('scope openid alone: no profile or email claims; no at_hash without an access token', async () => {
    const fields = answerOf(await browser.get(authorizeUrl(params('id_token', undefined, { scope: 'openid' }))), 'fragment');
    expect(Object.keys(jwt(fields.id_token!).claims).sort()).toEqual(['aud', 'auth_time', 'exp', 'iat', 'iss', 'nonce', 'sid', 'sub']);
  });
});

describe('spec §2.3 "Frontend token": the browser token for the Management API (issue #4)', () => {
  const MGMT_SCOPES = 'openid read:current_user update:current_user_metadata read:users delete:clients create:current_user_device_credentials offline_access';

  it('carries only the current-user scopes asked for (others dropped) and lives token_lifetime_for_web (7200 s)', async () => {
    const fields = answerOf(await browser.get(authorizeUrl(params('token id_token', undefined, { audience: s.tenant.managementAudience, scope: MGMT_SCOPES }))), 'fragment');
    const granted = 'openid read:current_user update:current_user_metadata create:current_user_device_credentials';
    expect([fields.scope, fields.expires_in, fields.token_type]).toEqual([granted, '7200', 'Bearer']);
    const { header, claims } = jwt(fields.access_token!);
    expect(header.alg).toBe('RS256');
    expect(claims).toStrictEqual({
      iss: 'https://tenant-a.test/',
      sub: user.userId,
      aud: [s.tenant.managementAudience, 'https://tenant-a.test/userinfo'],
      iat: Math.floor(s.clock.now() / 1000),
      exp: Math.floor(s.clock.now() / 1000) + 7200,
      scope: granted,
      azp: spa.clientId,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('works on /api/v2/users/{own id} and is refused on another user\'s id', async () => {
    const fields = answerOf(await browser.get(authorizeUrl(params('token', undefined, { audience: s.tenant.managementAudience, scope: MGMT_SCOPES }))), 'fragment');
    const api = mgmt(s, fields.access_token!);
    const own = await api.get(`/users/${encodeURIComponent(user.userId)}`);
    expect([own.statusCode, own.json<{ user_id: string }>().user_id]).toEqual([200, user.userId]);
    const patched = await api.patch(`/users/${encodeURIComponent(user.userId)}`, { user_metadata: { theme: 'dark' } });
    expect([patched.statusCode, patched.json<{ user_metadata: unknown }>().user_metadata]).toEqual([200, { theme: 'dark' }]);
    const refused = await api.get(`/users/${encodeURIComponent(other.userId)}`);
    expect({ status: refused.statusCode, body: refused.json<unknown>() }).toStrictEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'User to be acted on does not match subject in bearer token.' },
    });
    const listing = await api.get('/users');
    expect(listing.statusCode).toBe(403);
  });

  it('an API of the tenant: only its own scopes, and its token_lifetime_for_web', async () => {
    const created = await createApi(s, { identifier: 'https://things.example/', name: 'Things', scopes: [{ value: 'read:things' }], token_lifetime: 3600, token_lifetime_for_web: 900 });
    const fields = answerOf(await browser.get(authorizeUrl(params('token', undefined, { audience: created.identifier, scope: 'openid read:things write:things read:current_user' }))), 'fragment');
    expect([fields.scope, fields.expires_in]).toEqual(['openid read:things', '900']);
    expect(jwt(fields.access_token!).claims.aud).toEqual(['https://things.example/', 'https://tenant-a.test/userinfo']);
  });
});
