// Issue #4 end to end in Chromium: two single-page applications served by the test from their own
// HTTPS origin, one on auth0-js (WebAuth implicit, parseHash, checkSession) and one on
// auth0-spa-js (code + PKCE by redirect, getTokenSilently through a web_message iframe, logout),
// against the real server. A user signs up, logs in, reads and updates only their own profile
// with the browser token, and is refused on another user's (spec §0 rows 8–10, §2.5, §4.2).
// The app (https://localhost:APP) and Scopeward (https://localhost:PORT) are same-site, as an app
// and its Auth0 custom domain are: the SameSite=Lax session cookie reaches the silent-auth iframe.
import { ManagementClient } from 'auth0';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, newBrowserContext, startStaticSite, type StaticSite } from '../helpers/chromium.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { auth0JsPage, spaJsPage } from '../helpers/spa-pages.ts';

// A browser, two servers and several argon2id hashes per test: more than the suite's 30 s default
// on a busy 2-core machine. Every browser step is bounded on its own (STEP_TIMEOUT_MS).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const DB = 'Username-Password-Authentication';
const PASSWORD = 'Correct-Horse-7-battery';
const MISMATCH = { statusCode: 403, error: 'Forbidden', message: 'User to be acted on does not match subject in bearer token.' };

let browser: Browser;
let server: RealServer;
let site: StaticSite;
let mgmt: ManagementClient;
let other: { user_id: string };
let clientId: string;
const email = 'spa-user@e2e.example';

interface Outcome<T> {
  result?: T;
  error?: { error: string; description: string };
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startRealServer();
  site = await startStaticSite('localhost');
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  // The application, registered through the Management API exactly as a user would for Auth0.
  const app = await mgmt.clients.create({
    name: 'Browser SPA',
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    callbacks: [`${site.origin}/auth0-js.html`, `${site.origin}/spa-js.html`],
    web_origins: [site.origin],
    allowed_origins: [site.origin],
    allowed_logout_urls: [`${site.origin}/spa-js.html`],
  });
  clientId = app.client_id!;
  const common = { domain: server.domain, clientId, audience: `${server.baseUrl}/api/v2/` };
  site.route('/auth0-js.html', auth0JsPage({ ...common, scope: 'openid profile email read:current_user update:current_user_metadata', redirectUri: `${site.origin}/auth0-js.html` }));
  site.route('/spa-js.html', spaJsPage({ ...common, scope: 'openid profile email read:current_user', redirectUri: `${site.origin}/spa-js.html` }));
  other = (await mgmt.users.create({ connection: DB, email: 'someone-else@e2e.example', password: PASSWORD, user_metadata: { theme: 'light' } })) as { user_id: string };
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.cleanup();
});

/** The claims of a JWT, unverified (the SDKs and the server verify; the test only reads). */
function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Calls `app.NAME(...args)` in the page and returns what it resolves to. */
function inPage<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate<T>(`app.${name}(...${JSON.stringify(args)})`);
}

/** Starts one of the page's functions that navigate away (their promises never settle here). */
async function navigateBy(page: Page, name: 'login' | 'logout', ...args: unknown[]): Promise<void> {
  await page.evaluate(`void setTimeout(() => app.${name}(...${JSON.stringify(args)}), 0)`);
}

/** Requests the page's frames send to Scopeward's /authorize from now on. */
function watchAuthorize(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${server.baseUrl}/authorize?`)) seen.push(r);
  });
  return seen;
}

async function submitCredentials(page: Page, username: string, password: string, returnsTo: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', password);
  const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${server.baseUrl}/u/`)), page.click('button[type=submit]')]);
  if (answer.status() !== 302) throw new Error(`the login form answered ${answer.status()}: ${(await answer.text()).replace(/\s+/g, ' ').slice(0, 2000)}`);
  await page.waitForURL((url) => url.href.startsWith(returnsTo));
}

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}
/** The page's fetch of /api/v2/users/{id} with a bearer token (cross-origin, as the app makes it). */
const api = (page: Page, method: string, userId: string, token: string, body?: unknown) => inPage<ApiAnswer>(page, 'api', method, userId, token, body);

describe('auth0-js WebAuth (implicit) in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let sub: string;

  beforeAll(async () => {
    context = await newBrowserContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => context?.close());

  it('§2.5: authorize() → our login page → sign up → back with the fragment; parseHash verifies the id_token (JWKS over CORS)', async () => {
    const jwks: { status: number; cors: string | undefined }[] = [];
    page.on('response', (r) => {
      if (r.url() === `${server.baseUrl}/.well-known/jwks.json`) jwks.push({ status: r.status(), cors: r.headers()['access-control-allow-origin'] });
    });
    await page.goto(`${site.origin}/auth0-js.html`);
    await navigateBy(page, 'login');
    await page.waitForURL(/\/u\/login\?state=/);
    expect(new URL(page.url()).origin).toBe(server.baseUrl);
    await Promise.all([page.waitForURL(/\/u\/signup\?state=/), page.getByRole('link', { name: 'Sign up' }).click()]);
    await submitCredentials(page, email, PASSWORD, `${site.origin}/auth0-js.html#`);

    const parsed = await inPage<Outcome<Record<string, unknown>>>(page, 'parsed');
    expect(parsed.error).toBeUndefined();
    const result = parsed.result!;
    expect({ tokenType: result.tokenType, expiresIn: result.expiresIn, scope: result.scope }).toEqual({
      tokenType: 'Bearer',
      expiresIn: 7200,
      scope: 'openid profile email read:current_user update:current_user_metadata',
    });
    const idToken = result.idTokenPayload as Record<string, unknown>;
    sub = idToken.sub as string;
    expect(sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect({ iss: idToken.iss, aud: idToken.aud, email: idToken.email }).toEqual({ iss: `${server.baseUrl}/`, aud: clientId, email });
    // parseHash fetched the signing keys from the app's origin (spec §0 rows 3 and 8).
    expect(jwks).toEqual([{ status: 200, cors: '*' }]);
    token = result.accessToken as string;
    const access = claims(token);
    expect({ sub: access.sub, aud: access.aud, scope: access.scope }).toEqual({
      sub,
      aud: [`${server.baseUrl}/api/v2/`, `${server.baseUrl}/userinfo`],
      scope: 'openid profile email read:current_user update:current_user_metadata',
    });
  });

  it('§4.2: the page PATCHes its own user_metadata with the browser token (CORS on /api/v2) and reads it back', async () => {
    const patched = await api(page, 'PATCH', sub, token, { user_metadata: { theme: 'dark', lang: 'fr' } });
    expect({ status: patched.status, metadata: patched.body.user_metadata, id: patched.body.user_id }).toEqual({
      status: 200,
      metadata: { theme: 'dark', lang: 'fr' },
      id: sub,
    });
    const read = await api(page, 'GET', sub, token);
    expect({ status: read.status, metadata: read.body.user_metadata, email: read.body.email }).toEqual({
      status: 200,
      metadata: { theme: 'dark', lang: 'fr' },
      email,
    });
  });

  it('§4.2 T-MG current user: the same token on another user → 403 "User to be acted on does not match subject in bearer token."', async () => {
    const patched = await api(page, 'PATCH', other.user_id, token, { user_metadata: { theme: 'pwned' } });
    expect(patched).toEqual({ status: 403, body: MISMATCH });
    const read = await api(page, 'GET', other.user_id, token);
    expect(read).toEqual({ status: 403, body: MISMATCH });
    expect((await mgmt.users.get(other.user_id)).user_metadata).toEqual({ theme: 'light' });
  });

  it('§0 row 9: checkSession (prompt=none, response_mode=web_message in an iframe) returns a fresh token for the same user', async () => {
    const authorize = watchAuthorize(page);
    const renewed = await inPage<Outcome<Record<string, unknown>>>(page, 'checkSession');
    expect(renewed.error).toBeUndefined();
    const fresh = renewed.result!.accessToken as string;
    expect(fresh).not.toBe(token);
    expect((renewed.result!.idTokenPayload as Record<string, unknown>).sub).toBe(sub);
    expect(authorize.map((r) => [new URL(r.url()).searchParams.get('prompt'), new URL(r.url()).searchParams.get('response_mode'), r.frame() === page.mainFrame()])).toEqual([
      ['none', 'web_message', false],
    ]);
    expect((await api(page, 'GET', sub, fresh)).status).toBe(200);
  });
});

describe('auth0-spa-js (code + PKCE) in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let sub: string;

  beforeAll(async () => {
    context = await newBrowserContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => context?.close());

  it('§2.5: loginWithRedirect → our login page → log in → handleRedirectCallback; getUser returns the profile', async () => {
    await page.goto(`${site.origin}/spa-js.html`);
    await navigateBy(page, 'login');
    await page.waitForURL(/\/u\/login\?state=/);
    await submitCredentials(page, email, PASSWORD, `${site.origin}/spa-js.html?`);
    const callback = await inPage<Outcome<unknown>>(page, 'callback');
    expect(callback).toEqual({ result: { response_type: 'code' } });
    const user = await inPage<Record<string, unknown>>(page, 'getUser');
    sub = user.sub as string;
    expect(user).toEqual({
      sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      email,
      email_verified: false,
      name: email,
      nickname: email.split('@')[0],
      picture: expect.stringMatching(/^https:\/\//),
      updated_at: expect.any(String),
    });
  });

  it('§0 row 9: getTokenSilently({cacheMode: "off"}) runs /authorize?prompt=none&response_mode=web_message in an iframe; the token reads only its own user', async () => {
    const authorize = watchAuthorize(page);
    const silent = await inPage<Outcome<string>>(page, 'getTokenSilently', { cacheMode: 'off' });
    expect(silent.error).toBeUndefined();
    expect(authorize.map((r) => [new URL(r.url()).searchParams.get('prompt'), new URL(r.url()).searchParams.get('response_mode'), r.frame() === page.mainFrame()])).toEqual([
      ['none', 'web_message', false],
    ]);
    const token = silent.result!;
    const access = claims(token);
    expect({ sub: access.sub, aud: access.aud, scope: access.scope }).toEqual({
      sub,
      aud: [`${server.baseUrl}/api/v2/`, `${server.baseUrl}/userinfo`],
      scope: 'openid profile email read:current_user',
    });
    const own = await api(page, 'GET', sub, token);
    expect({ status: own.status, id: own.body.user_id, metadata: own.body.user_metadata }).toEqual({
      status: 200,
      id: sub,
      metadata: { theme: 'dark', lang: 'fr' },
    });
    expect(await api(page, 'GET', other.user_id, token)).toEqual({ status: 403, body: MISMATCH });
  });

  it('§2.9: logout({logoutParams: {returnTo}}) ends the session; a new getTokenSilently fails with login_required', async () => {
    const returnTo = `${site.origin}/spa-js.html`;
    const logouts: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${server.baseUrl}/v2/logout?`)) logouts.push(r.url());
    });
    await navigateBy(page, 'logout', returnTo);
    await page.waitForURL((url) => url.href === returnTo && logouts.length === 1);
    expect(new URL(logouts[0]!).searchParams.get('returnTo')).toBe(returnTo);
    const silent = await inPage<Outcome<string>>(page, 'getTokenSilently', { cacheMode: 'off' });
    expect(silent).toEqual({ error: { error: 'login_required', description: 'Login required' } });
    expect(await inPage<boolean>(page, 'isAuthenticated')).toBe(false);
  });
});
