// Issue 12, E1: on the Authentication API a JSON null for a parameter means the parameter was not
// sent (Auth0 reads it so). Auth0's Python SDK always sends `"organization": null` with client
// credentials; a required parameter sent as null is refused exactly as a missing one.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { CB, loginThrough } from '../helpers/authorize-flow.ts';
import { createApi } from '../helpers/apis.ts';
import { seedApp, seedLoginUser, seedM2M, type M2M, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { callToken, issued } from '../helpers/token-contract.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge, verifier } = pkcePair();
const THINGS = 'https://things.example/';

let s: TestServer;
let m2m: M2M;
let spa: SeededApp;
let user: SeededUser;
let browser: TestBrowser;

beforeAll(async () => {
  s = await startTestServer();
  m2m = await seedM2M(s, ['read:clients', 'read:users']);
  spa = await seedApp(s);
  user = await seedLoginUser(s, 'nell@example.com');
  await createApi(s, { identifier: THINGS, name: 'Things', scopes: [{ value: 'read:things' }], allow_offline_access: true });
  browser = new TestBrowser(s);
  expect((await loginThrough(browser, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: challenge, code_challenge_method: 'S256' }, user)).statusCode).toBe(302);
});
afterAll(() => s.close());

/** What a caller can see of an answer, minus what differs between two tokens (jti, iat). */
function answer(res: LightMyRequestResponse): unknown {
  if (res.statusCode !== 200) return { status: res.statusCode, body: res.body };
  const { claims, body } = issued(res);
  return { status: 200, scope: body.scope, aud: claims.aud, sub: claims.sub, gty: claims.gty };
}

const without = (body: Record<string, unknown>, name: string): Record<string, unknown> => Object.fromEntries(Object.entries(body).filter(([key]) => key !== name));

describe('E1: the Python SDK\'s client-credentials request', () => {
  it('GetToken.client_credentials() body, byte for byte (json.dumps, "organization": null) → 200 with a token', async () => {
    // auth0-python builds {client_id, grant_type, audience, organization} and adds client_secret.
    const raw = `{"client_id": "${m2m.clientId}", "grant_type": "client_credentials", "audience": "${s.tenant.managementAudience}", "organization": null, "client_secret": "${m2m.clientSecret}"}`;
    const res = await callToken(s, { raw, headers: { 'content-type': 'application/json', 'user-agent': 'Python/3.12 auth0-python/4.13.0' } });
    const { claims, body } = issued(res);
    expect({ aud: claims.aud, sub: claims.sub, scope: body.scope }).toEqual({ aud: s.tenant.managementAudience, sub: `${m2m.clientId}@clients`, scope: 'read:clients read:users' });
  });
});

describe('E1: /oauth/token, null is the same answer as absent', () => {
  const valid = () => ({ grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: s.tenant.managementAudience, scope: 'read:clients' });

  it.each(['organization', 'scope', 'audience', 'client_assertion', 'client_assertion_type', 'redirect_uri'])('client_credentials, optional %s: null → the token an absent one gets', async (name) => {
    const body = { ...valid(), [name]: null };
    const plain = name in valid() ? without(valid(), name) : valid();
    expect(answer(await callToken(s, { json: body }))).toEqual(answer(await callToken(s, { json: plain })));
  });

  it.each(['grant_type', 'client_id', 'client_secret'])('client_credentials, required %s: null → the refusal an absent one gets', async (name) => {
    const nulled = await callToken(s, { json: { ...valid(), [name]: null } });
    expect(nulled.statusCode).not.toBe(200);
    expect(answer(nulled)).toEqual(answer(await callToken(s, { json: without(valid(), name) })));
  });

  it('authorization_code: null client_secret, organization and audience are absent (a public client gets its tokens)', async () => {
    const res = await browser.get(authorizeUrl({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, scope: 'openid offline_access', audience: THINGS, code_challenge: challenge, code_challenge_method: 'S256' }));
    const code = locationFields(res).fields.code!;
    const exchange = await s.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code', client_id: spa.clientId, code, code_verifier: verifier, redirect_uri: CB, client_secret: null, organization: null },
    });
    expect(exchange.statusCode, exchange.body).toBe(200);
    const { refresh_token: refreshToken } = exchange.json<{ refresh_token: string }>();
    expect(typeof refreshToken).toBe('string');

    // refresh_token: a null scope keeps the granted scope, as an absent one does.
    const refreshed = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: refreshToken, scope: null, audience: null } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json<{ scope: string }>().scope).toBe('openid offline_access');

    // /oauth/revoke: a null token_type_hint is absent; a null token is the missing-token refusal.
    // A rotating refresh token answers with its successor; a non-rotating one is reused.
    const token = refreshed.json<{ refresh_token?: string }>().refresh_token ?? refreshToken;
    const revoke = (payload: Record<string, unknown>) => s.inject({ method: 'POST', url: '/oauth/revoke', payload });
    const missing = await revoke({ client_id: spa.clientId });
    const nulled = await revoke({ client_id: spa.clientId, token: null, client_secret: null });
    expect([nulled.statusCode, nulled.json<unknown>()]).toEqual([missing.statusCode, missing.json<unknown>()]);
    expect(nulled.json<unknown>()).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: token' });
    const done = await revoke({ client_id: spa.clientId, token, token_type_hint: null, client_secret: null });
    expect([done.statusCode, done.body]).toEqual([200, '']);
    const after = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: token } });
    expect(after.statusCode).toBe(403);
  });

  it.each(['code', 'code_verifier', 'redirect_uri'])('authorization_code, %s: null → the refusal an absent one gets', async (name) => {
    const body = { grant_type: 'authorization_code', client_id: spa.clientId, code: 'not-a-code', code_verifier: verifier, redirect_uri: CB };
    const nulled = await callToken(s, { json: { ...body, [name]: null } });
    expect(nulled.statusCode).not.toBe(200);
    expect(answer(nulled)).toEqual(answer(await callToken(s, { json: without(body, name) })));
  });

  it('refresh_token: a null refresh_token is the missing-parameter refusal', async () => {
    const body = { grant_type: 'refresh_token', client_id: spa.clientId };
    const nulled = await callToken(s, { json: { ...body, refresh_token: null } });
    expect(answer(nulled)).toEqual(answer(await callToken(s, { json: body })));
    expect(nulled.json<unknown>()).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: refresh_token' });
  });
});

describe('E1: /userinfo', () => {
  it('POST with {"access_token": null} and a bearer header: the header\'s token answers', async () => {
    const token = (await callToken(s, { json: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: s.tenant.managementAudience } })).json<{ access_token: string }>().access_token;
    const withNull = await s.inject({ method: 'POST', url: '/userinfo', headers: { authorization: `Bearer ${token}` }, payload: { access_token: null } });
    const withNone = await s.inject({ method: 'POST', url: '/userinfo', headers: { authorization: `Bearer ${token}` } });
    expect([withNull.statusCode, withNull.body, withNull.headers['www-authenticate']]).toEqual([withNone.statusCode, withNone.body, withNone.headers['www-authenticate']]);
  });
});
