// openid-client (v6, panva) against the real server over HTTPS, configured as for any OpenID
// provider: discovery from the issuer, client credentials for an API, and the authorization code
// flow with PKCE through Scopeward's login page (driven over HTTP), with openid-client's own strict
// ID token checks (issuer, audience, nonce-less code flow with state, signature from the JWKS),
// then userinfo (issue 12, Build 2).
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { createUser, realAdmin, type AdminCall } from '../helpers/real-admin.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

const API = 'https://orders.oidc-client.e2e.test/';
const CALLBACK = 'https://app.oidc-client.e2e.test/callback';
const USER = { email: 'oidc-client@e2e.example', password: 'Correct-Horse-7-battery' };

let server: RealServer;
let admin: AdminCall;
let m2m: { client_id: string; client_secret: string };
let web: { client_id: string; client_secret: string };
let userId: string;

beforeAll(async () => {
  server = await startRealServer();
  admin = await realAdmin(server);
  expect((await admin('POST', '/resource-servers', { identifier: API, name: 'Orders', scopes: [{ value: 'read:orders' }, { value: 'write:orders' }] })).status).toBe(201);
  m2m = (await admin<typeof m2m>('POST', '/clients', { name: 'oidc-client m2m', app_type: 'non_interactive' })).body;
  expect((await admin('POST', '/client-grants', { client_id: m2m.client_id, audience: API, scope: ['read:orders'] })).status).toBe(201);
  web = (await admin<typeof web>('POST', '/clients', { name: 'oidc-client web', app_type: 'regular_web', callbacks: [CALLBACK] })).body;
  userId = await createUser(admin, USER.email, USER.password);
});
afterAll(async () => {
  await server?.cleanup();
});

describe('openid-client 6 against Scopeward', () => {
  it('discovery: the issuer\'s metadata, as published', async () => {
    const config = await oidc.discovery(new URL(server.baseUrl), m2m.client_id, m2m.client_secret);
    const meta = config.serverMetadata();
    expect([meta.issuer, meta.token_endpoint, meta.jwks_uri, meta.userinfo_endpoint]).toEqual([`${server.baseUrl}/`, `${server.baseUrl}/oauth/token`, `${server.baseUrl}/.well-known/jwks.json`, `${server.baseUrl}/userinfo`]);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('client credentials with an audience: a token for the API with the granted scope', async () => {
    const config = await oidc.discovery(new URL(server.baseUrl), m2m.client_id, m2m.client_secret);
    const tokens = await oidc.clientCredentialsGrant(config, { audience: API });
    const claims = decodeJwt(tokens.access_token);
    expect([tokens.token_type.toLowerCase(), claims.aud, claims.sub, claims.scope, claims.iss]).toEqual(['bearer', API, `${m2m.client_id}@clients`, 'read:orders', `${server.baseUrl}/`]);
  });

  it('code + PKCE through the login page: strict ID token checks pass, userinfo answers the user', async () => {
    const config = await oidc.discovery(new URL(server.baseUrl), web.client_id, web.client_secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email read:orders',
      audience: API,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await new HttpBrowser().logIn(url.toString(), server.baseUrl, USER);
    expect(callback.location!.startsWith(`${CALLBACK}?`)).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.location!), { pkceCodeVerifier: verifier, expectedState: state });
    const idClaims = tokens.claims()!;
    expect([idClaims.iss, idClaims.aud, idClaims.sub]).toEqual([`${server.baseUrl}/`, web.client_id, userId]);
    const access = decodeJwt(tokens.access_token);
    expect(access.aud).toEqual([API, `${server.baseUrl}/userinfo`]);
    expect(String(access.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'read:orders']));

    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect([info.sub, info.email]).toEqual([userId, USER.email]);
  });
});
