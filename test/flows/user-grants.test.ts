// The user grants at /oauth/token (spec §2.4, §0 row 10, RFC 6749 §4.1.3/§6, RFC 7009, RFC 9700
// §4.14.2): code exchange by public and confidential clients, refresh tokens (when they are
// issued, rotation with reuse detection and leeway, idle expiry, narrowing the scope), a blocked
// user, revocation, and an id_token on every answer that has openid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectOAuthError, jwt, loginThrough, postToken } from '../helpers/authorize-flow.ts';
import { createApi } from '../helpers/apis.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { expectTokenError } from '../helpers/token-contract.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge, verifier } = pkcePair();
const INVALID_REFRESH = 'Unknown or invalid refresh token.';
const THINGS = 'https://things.example/';
const DAY = 86_400;

interface Tokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  expires_in: number;
  token_type: string;
}

let s: TestServer;
let spa: SeededApp;
let web: SeededApp;
let user: SeededUser;
let browser: TestBrowser;

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s);
  web = await seedApp(s, { name: 'web app', type: 'regular_web' });
  user = await seedLoginUser(s, 'gus@example.com');
  await createApi(s, { identifier: THINGS, name: 'Things', scopes: [{ value: 'read:things' }, { value: 'write:things' }], allow_offline_access: true, token_lifetime: 3600, token_lifetime_for_web: 900 });
  browser = new TestBrowser(s);
  expect((await loginThrough(browser, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, user)).statusCode).toBe(302);
});
afterAll(() => s.close());

/** A code for `app`, with PKCE for public clients; logs `as` in again when the clock ended the session. */
async function codeFor(app: SeededApp, extra: Record<string, string> = {}, who: TestBrowser = browser, as: SeededUser = user): Promise<string> {
  const pkce: Record<string, string> = app.clientSecret === undefined ? { code_challenge: challenge, code_challenge_method: 'S256' } : {};
  let res = await who.get(authorizeUrl({ client_id: app.clientId, response_type: 'code', redirect_uri: CB, scope: 'openid', ...pkce, ...extra }));
  if (String(res.headers.location).startsWith('/u/login?')) res = await who.post('/u/login', { state: loginState(res), username: as.email, password: as.password });
  expect(res.statusCode, res.body).toBe(302);
  return locationFields(res).fields.code!;
}

function exchange(app: SeededApp, code: string) {
  const auth: Record<string, string> = app.clientSecret === undefined ? { code_verifier: verifier } : { client_secret: app.clientSecret };
  return postToken(s, { grant_type: 'authorization_code', client_id: app.clientId, code, redirect_uri: CB, ...auth });
}

async function tokens(app: SeededApp, extra: Record<string, string> = {}): Promise<Tokens> {
  const res = await exchange(app, await codeFor(app, extra));
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Tokens>();
}

const refresh = (app: SeededApp, token: string, extra: Record<string, string> = {}) =>
  postToken(s, { grant_type: 'refresh_token', client_id: app.clientId, refresh_token: token, ...(app.clientSecret !== undefined && { client_secret: app.clientSecret }), ...extra });

describe('authorization_code', () => {
  it('a public client with PKCE: Auth0\'s body, no-store; an id_token because openid was asked for (spec §0 row 10)', async () => {
    const res = await exchange(spa, await codeFor(spa, { scope: 'openid profile', nonce: 'nn' }));
    expect([res.statusCode, res.headers['cache-control'], res.headers.pragma, res.headers['content-type']]).toEqual([200, 'no-store', 'no-cache', 'application/json; charset=utf-8']);
    const body = res.json<Tokens>();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
    expect([body.scope, body.expires_in, body.token_type]).toEqual(['openid profile', DAY, 'Bearer']);
    expect(jwt(body.id_token!).claims).toMatchObject({ aud: spa.clientId, sub: user.userId, nonce: 'nn', name: 'gus@example.com' });
  });

  it('without openid: no id_token', async () => {
    expect(Object.keys(await tokens(spa, { scope: 'read:things', audience: THINGS })).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
  });

  it('a public client may not present a secret; a confidential one must present its own (D1)', async () => {
    expectOAuthError(await postToken(s, { grant_type: 'authorization_code', client_id: spa.clientId, client_secret: 'x', code: await codeFor(spa), code_verifier: verifier, redirect_uri: CB }), 401, 'access_denied', 'Unauthorized');
    expectOAuthError(await postToken(s, { grant_type: 'authorization_code', client_id: web.clientId, code: await codeFor(web), redirect_uri: CB }), 401, 'access_denied', 'Unauthorized');
    expectOAuthError(await postToken(s, { grant_type: 'authorization_code', client_id: web.clientId, client_secret: 'wrong', code: await codeFor(web), redirect_uri: CB }), 401, 'access_denied', 'Unauthorized');
    const basic = `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}`;
    const viaBasic = await postToken(s, { grant_type: 'authorization_code', code: await codeFor(web), redirect_uri: CB }, { authorization: basic });
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
  });

  it('lifetimes: a confidential client gets the API\'s token_lifetime, a public one its token_lifetime_for_web (decision 0005)', async () => {
    expect((await tokens(web, { audience: THINGS, scope: 'read:things' })).expires_in).toBe(3600);
    expect((await tokens(spa, { audience: THINGS, scope: 'read:things' })).expires_in).toBe(900);
    const mgmtToken = await tokens(spa, { audience: s.tenant.managementAudience, scope: 'openid read:current_user read:users' });
    expect([mgmtToken.expires_in, mgmtToken.scope]).toEqual([7200, 'openid read:current_user']);
  });

  it('a user blocked after the code was issued → 403 invalid_grant "user is blocked"', async () => {
    const blockedUser = await seedLoginUser(s, 'soon-blocked@example.com');
    const other = new TestBrowser(s, '198.51.100.40');
    const res = await loginThrough(other, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, blockedUser);
    await s.storage.users.update(s.tenant.id, blockedUser.userId, { blocked: true });
    expectOAuthError(await exchange(spa, locationFields(res).fields.code!), 403, 'invalid_grant', 'user is blocked');
  });
});

describe('refresh tokens: when they are issued', () => {
  it('offline_access + the client\'s refresh_token grant + an API allowing offline access (or no API) → a refresh token', async () => {
    expect((await tokens(spa, { scope: 'openid offline_access' })).refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const withApi = await tokens(spa, { scope: 'openid read:things offline_access', audience: THINGS });
    expect([withApi.scope, typeof withApi.refresh_token]).toEqual(['openid read:things offline_access', 'string']);
  });

  it('not without offline_access, not for a client without the grant, not for an API that does not allow it', async () => {
    expect((await tokens(spa, { scope: 'openid' })).refresh_token).toBeUndefined();
    const noGrant = await seedApp(s, { name: 'no refresh', grantTypes: ['authorization_code'] });
    const a = await tokens(noGrant, { scope: 'openid offline_access' });
    expect([a.refresh_token, a.scope]).toEqual([undefined, 'openid']);
    const b = await tokens(spa, { scope: 'openid read:current_user offline_access', audience: s.tenant.managementAudience });
    expect([b.refresh_token, b.scope]).toEqual([undefined, 'openid read:current_user']);
    expectTokenError(await refresh(noGrant, 'x'.repeat(43)), 403, 'unauthorized_client', "Grant type 'refresh_token' not allowed for the client.", 'https://auth0.com/docs/clients/client-grant-types');
  });

  it('every refresh answer carries an id_token when openid was granted (spa-js), none otherwise', async () => {
    const withOpenid = (await tokens(spa, { scope: 'openid profile offline_access' })).refresh_token!;
    const res = await refresh(spa, withOpenid);
    expect(Object.keys(res.json<object>()).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
    expect(jwt(res.json<Tokens>().id_token!).claims).toMatchObject({ aud: spa.clientId, sub: user.userId, name: 'gus@example.com' });
    const withoutOpenid = (await tokens(spa, { scope: 'read:things offline_access', audience: THINGS })).refresh_token!;
    expect(Object.keys((await refresh(spa, withoutOpenid)).json<object>()).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
  });

  it('another client cannot use it; an unknown one is refused the same way', async () => {
    const token = (await tokens(spa, { scope: 'openid offline_access' })).refresh_token!;
    expectOAuthError(await refresh(await seedApp(s, { name: 'thief' }), token), 403, 'invalid_grant', INVALID_REFRESH);
    expectOAuthError(await refresh(spa, 'not-a-refresh-token'), 403, 'invalid_grant', INVALID_REFRESH);
    expect((await refresh(spa, token)).statusCode).toBe(200);
  });
});

describe('RFC 9700 §4.14.2: rotation and reuse detection', () => {
  const ROTATING = { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 30 * DAY, idle_token_lifetime: 15 * DAY, infinite_token_lifetime: false, infinite_idle_token_lifetime: false };

  it('each use gives a successor; reusing a spent token revokes the whole family', async () => {
    const app = await seedApp(s, { name: 'rotating', refreshToken: { ...ROTATING, leeway: 0 } });
    const rt1 = (await tokens(app, { scope: 'openid offline_access' })).refresh_token!;
    const second = (await refresh(app, rt1)).json<Tokens>();
    const rt2 = second.refresh_token!;
    expect(rt2).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rt2).not.toBe(rt1);
    const rt3 = (await refresh(app, rt2)).json<Tokens>().refresh_token!;
    expectOAuthError(await refresh(app, rt1), 403, 'invalid_grant', INVALID_REFRESH);
    expectOAuthError(await refresh(app, rt3), 403, 'invalid_grant', INVALID_REFRESH);
  });

  it('within the client\'s leeway a spent token still works; after it, reuse revokes the family', async () => {
    const app = await seedApp(s, { name: 'rotating with leeway', refreshToken: { ...ROTATING, leeway: 30 } });
    const rt1 = (await tokens(app, { scope: 'openid offline_access' })).refresh_token!;
    const rt2 = (await refresh(app, rt1)).json<Tokens>().refresh_token!;
    s.clock.advance(30);
    const retry = await refresh(app, rt1);
    expect(retry.statusCode, retry.body).toBe(200);
    const rt2b = retry.json<Tokens>().refresh_token!;
    s.clock.advance(1);
    expectOAuthError(await refresh(app, rt1), 403, 'invalid_grant', INVALID_REFRESH);
    for (const t of [rt2, rt2b]) expectOAuthError(await refresh(app, t), 403, 'invalid_grant', INVALID_REFRESH);
  });

  it('non-rotating expiring tokens: each use pushes the idle end; idle past it, or past the absolute end, they die', async () => {
    const app = await seedApp(s, { name: 'idle', refreshToken: { rotation_type: 'non-rotating', expiration_type: 'expiring', token_lifetime: 3 * DAY, idle_token_lifetime: DAY, infinite_token_lifetime: false, infinite_idle_token_lifetime: false, leeway: 0 } });
    const rt = (await tokens(app, { scope: 'openid offline_access' })).refresh_token!;
    for (let i = 0; i < 2; i++) {
      s.clock.advance(DAY - 1);
      const res = await refresh(app, rt);
      expect([res.statusCode, res.json<Tokens>().refresh_token]).toEqual([200, undefined]);
    }
    s.clock.advance(DAY);
    expectOAuthError(await refresh(app, rt), 403, 'invalid_grant', INVALID_REFRESH);

    const again = (await tokens(app, { scope: 'openid offline_access' })).refresh_token!;
    for (let i = 0; i < 3; i++) {
      s.clock.advance(DAY - 60);
      expect((await refresh(app, again)).statusCode).toBe(200);
    }
    s.clock.advance(180);
    expectOAuthError(await refresh(app, again), 403, 'invalid_grant', INVALID_REFRESH);
  });
});

describe('refresh: scope, blocked user, revocation', () => {
  it('scope narrows (RFC 6749 §6), never widens', async () => {
    const rt = (await tokens(spa, { scope: 'openid profile read:things write:things offline_access', audience: THINGS })).refresh_token!;
    const narrowed = await refresh(spa, rt, { scope: 'read:things' });
    expect([narrowed.statusCode, narrowed.json<Tokens>().scope, narrowed.json<Tokens>().id_token]).toEqual([200, 'read:things', undefined]);
    expect(jwt(narrowed.json<Tokens>().access_token).claims.scope).toBe('read:things');
    expectOAuthError(await refresh(spa, rt, { scope: 'read:things delete:things' }), 403, 'invalid_scope', 'The requested scope exceeds the scope granted to the refresh token');
    expectOAuthError(await refresh(spa, rt, { scope: 'read:things "x"' }), 400, 'invalid_scope', 'The scope parameter is not a space-delimited list of scope tokens');
    expect((await refresh(spa, rt)).json<Tokens>().scope).toBe('openid profile read:things write:things offline_access');
  });

  it('a user blocked by an administrator → 403 invalid_grant "user is blocked" (spa-js logs out on it)', async () => {
    const u = await seedLoginUser(s, 'blocked-later@example.com');
    const rt = (await exchange(spa, await codeFor(spa, { scope: 'openid offline_access' }, new TestBrowser(s, '198.51.100.41'), u))).json<Tokens>().refresh_token!;
    const admin = mgmt(s, await mgmtToken(s, ['update:users']));
    expect((await admin.patch(`/users/${encodeURIComponent(u.userId)}`, { blocked: true })).statusCode).toBe(200);
    expectOAuthError(await refresh(spa, rt), 403, 'invalid_grant', 'user is blocked');
  });

  it('RFC 7009: /oauth/revoke answers 200 with an empty body; the token then fails; another client\'s revoke changes nothing', async () => {
    const rt = (await tokens(spa, { scope: 'openid offline_access' })).refresh_token!;
    const revoke = (clientId: string, token: string, extra: Record<string, string> = {}) => s.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: clientId, token, ...extra } });
    const foreign = await revoke((await seedApp(s, { name: 'other' })).clientId, rt);
    expect([foreign.statusCode, foreign.body]).toEqual([200, '']);
    expect((await refresh(spa, rt)).statusCode).toBe(200);
    const unknown = await revoke(spa.clientId, 'nothing-like-a-token');
    expect([unknown.statusCode, unknown.body]).toEqual([200, '']);
    const res = await revoke(spa.clientId, rt);
    expect([res.statusCode, res.body, res.headers['cache-control']]).toEqual([200, '', 'no-store']);
    expectOAuthError(await refresh(spa, rt), 403, 'invalid_grant', INVALID_REFRESH);
    expectOAuthError(await revoke(web.clientId, rt), 401, 'access_denied', 'Unauthorized');
    expectOAuthError(await s.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: spa.clientId } }), 400, 'invalid_request', 'Missing required parameter: token');
  });
});
