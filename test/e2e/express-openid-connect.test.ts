// express-openid-connect (Auth0's middleware for regular web applications) against the real
// server: an Express app on http://localhost:APP logs a user in through Scopeward's login page
// (walked over HTTP with a cookie jar), reads userinfo, holds an access token for an API, and logs
// out through /v2/logout (issue 12, Build 2). Its settings beyond the domain: `auth0Logout: true`
// (the issuer is not *.auth0.com, so the middleware would otherwise look for end_session_endpoint)
// and `authorizationParams` for the code flow with an audience.
import type { Server } from 'node:http';
// @ts-expect-error -- express 5 ships no type declarations and @types/express is not installed; only use/get/listen are used.
import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpBrowser } from '../helpers/http-browser.ts';
import { createUser, realAdmin } from '../helpers/real-admin.ts';
import { freePort, startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

const API = 'https://orders.eoc.e2e.test/';
const USER = { email: 'eoc-user@e2e.example', password: 'Correct-Horse-7-battery' };

/** What the routes below use of express-openid-connect's request (its types extend express's, absent here). */
interface OidcRequest {
  oidc: { isAuthenticated(): boolean; user?: Record<string, unknown>; accessToken?: { access_token: string }; fetchUserInfo(): Promise<Record<string, unknown>> };
}
interface JsonResponse {
  json(body: unknown): void;
}

let server: RealServer;
let app: Server;
let base: string;
let userId: string;
const browser = new HttpBrowser();

beforeAll(async () => {
  server = await startRealServer();
  const admin = await realAdmin(server);
  const port = await freePort();
  base = `http://localhost:${port}`;
  expect((await admin('POST', '/resource-servers', { identifier: API, name: 'Orders', scopes: [{ value: 'read:orders' }] })).status).toBe(201);
  const web = (await admin<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'eoc web', app_type: 'regular_web', callbacks: [`${base}/callback`], allowed_logout_urls: [base] })).body;
  userId = await createUser(admin, USER.email, USER.password);

  const site = express();
  site.use(
    auth({
      issuerBaseURL: server.baseUrl,
      baseURL: base,
      clientID: web.client_id,
      clientSecret: web.client_secret,
      secret: 'an express-openid-connect cookie secret of 32+ chars',
      authRequired: false,
      auth0Logout: true,
      authorizationParams: { response_type: 'code', response_mode: 'query', audience: API, scope: 'openid profile email read:orders' },
    }),
  );
  site.get('/', (req: OidcRequest, res: JsonResponse) => void res.json({ authenticated: req.oidc.isAuthenticated() }));
  site.get('/me', requiresAuth(), async (req: OidcRequest, res: JsonResponse) => {
    const info = await req.oidc.fetchUserInfo();
    res.json({ user: req.oidc.user, userinfo: info, access_token: req.oidc.accessToken?.access_token });
  });
  app = await new Promise<Server>((resolve) => {
    const listening: Server = site.listen(port, 'localhost', () => resolve(listening));
  });
});
afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  await server?.cleanup();
});

const onApp = (next: string) => new URL(next).origin === base;

describe('express-openid-connect 3 against Scopeward', () => {
  it('login through the login page: the app session holds the user, userinfo answers, and an access token for the API', async () => {
    const callback = await browser.logIn(`${base}/login`, server.baseUrl, USER);
    expect(callback.location!.startsWith(`${base}/callback?`)).toBe(true);
    const landed = await browser.follow(callback.location!, onApp);
    expect([landed.status, JSON.parse(landed.text)]).toEqual([200, { authenticated: true }]);

    const me = await browser.request(`${base}/me`);
    expect(me.status, me.text).toBe(200);
    const body = JSON.parse(me.text) as { user: Record<string, unknown>; userinfo: Record<string, unknown>; access_token: string };
    expect([body.user.sub, body.user.email, body.userinfo.sub, body.userinfo.email]).toEqual([userId, USER.email, userId, USER.email]);
    const access = decodeJwt(body.access_token);
    expect([access.iss, access.sub, access.azp]).toEqual([`${server.baseUrl}/`, userId, expect.any(String)]);
    expect(access.aud).toEqual([API, `${server.baseUrl}/userinfo`]);
    expect(String(access.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'read:orders']));
  });

  it('logout: the app session ends, Scopeward\'s /v2/logout ends its own and returns to the app', async () => {
    const out = await browser.request(`${base}/logout`);
    expect(out.location!.startsWith(`${server.baseUrl}/v2/logout?`)).toBe(true);
    expect(Object.fromEntries(new URL(out.location!).searchParams)).toMatchObject({ returnTo: base });
    const back = await browser.request(out.location!);
    expect([back.status, back.location]).toEqual([302, `${base}/`]);
    expect(JSON.parse((await browser.request(`${base}/`)).text)).toEqual({ authenticated: false });
    // Scopeward's session is gone too: /login asks for the password again.
    const again = await browser.follow(`${base}/login`, (next) => !new URL(next).pathname.startsWith('/u/login'));
    expect(again.location !== undefined && new URL(again.location).pathname).toBe('/u/login');
  });
});
