// Our login pages in-process (security catalogue §4.10; the in-browser parts are in test/e2e):
// T-UI-01 cookie attributes, T-UI-02 session rotation, T-UI-03 logout and timeouts, T-UI-06
// login CSRF, T-UI-07/08/11 the headers of every page, T-UI-10 reflected XSS, T-UI-12 passwords.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectErrorPage, expectPageHeaders, loginThrough, mainOf } from '../helpers/authorize-flow.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SESSION = '__Host-scopeward_session';
const BROWSER = '__Host-scopeward_browser';
const HOUR = 3600;
const EXPIRED = ['Login session expired', 'Your login attempt expired or was started in another browser. Go back to the application and try again.'] as const;
const CROSS_SITE = ['Invalid request', 'This form was submitted from another site; go back to the application and try again.'] as const;
const { challenge } = pkcePair();

let s: TestServer;
let spa: SeededApp;
let user: SeededUser;
let ip = 1;

const params = (extra: Record<string, string> = {}) => ({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, state: 'st', code_challenge: challenge, code_challenge_method: 'S256', ...extra });
const newBrowser = () => new TestBrowser(s, `198.51.100.${ip++}`);
const setCookies = (res: LightMyRequestResponse): string[] => {
  const raw = res.headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
};
/** Whether the browser's session is live: /authorize answers at once instead of asking for a login. */
async function loggedIn(browser: TestBrowser): Promise<boolean> {
  const res = await browser.get(authorizeUrl(params()));
  expect(res.statusCode).toBe(302);
  return String(res.headers.location).startsWith(`${CB}?code=`);
}
async function userRow() {
  return (await s.storage.users.get(s.tenant.id, user.userId))!;
}

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s, { name: 'Pages <app>' });
  user = await seedLoginUser(s, 'lena@example.com');
});
afterAll(() => s.close());

describe('T-UI-01: cookie attributes (exact Set-Cookie)', () => {
  it('the browser-binding cookie, the session cookie, and its deletion at logout', async () => {
    const browser = newBrowser();
    const start = await browser.get(authorizeUrl(params()));
    expect(setCookies(start)).toEqual([`${BROWSER}=${browser.cookies.get(BROWSER)}; Path=/; Secure; HttpOnly; SameSite=Lax`]);
    expect(browser.cookies.get(BROWSER)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const done = await browser.post('/u/login', { state: loginState(start), username: user.email, password: user.password });
    const session = browser.cookies.get(SESSION)!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 7 days: the tenant's absolute session_lifetime (168 h, Auth0's default).
    expect(setCookies(done)).toEqual([`${SESSION}=${session}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=604800`]);
    const out = await browser.get('/v2/logout');
    expect(setCookies(out)).toEqual([`${SESSION}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`]);
  });
});

describe('T-UI-02: a login always starts a new session', () => {
  it('a cookie planted before the login is not the session after it, and is worth nothing', async () => {
    const browser = newBrowser();
    browser.cookies.set(SESSION, 'A'.repeat(43));
    expect(await loggedIn(browser)).toBe(false);
    await loginThrough(browser, params(), user);
    expect(browser.cookies.get(SESSION)).not.toBe('A'.repeat(43));
    expect(await loggedIn(browser)).toBe(true);
  });

  it('logging in again (prompt=login) rotates the value and ends the previous session server-side', async () => {
    const browser = newBrowser();
    await loginThrough(browser, params(), user);
    const before = browser.cookies.get(SESSION)!;
    await loginThrough(browser, params({ prompt: 'login' }), user);
    expect(browser.cookies.get(SESSION)).not.toBe(before);
    const replay = newBrowser();
    replay.cookies.set(SESSION, before);
    expect(await loggedIn(replay)).toBe(false);
  });
});

describe('T-UI-03: logout and session timeouts (frozen clock)', () => {
  it('after logout the old cookie, replayed, leads to the login page again', async () => {
    const browser = newBrowser();
    await loginThrough(browser, params(), user);
    const cookie = browser.cookies.get(SESSION)!;
    expect((await browser.get('/v2/logout')).statusCode).toBe(200);
    const replay = newBrowser();
    replay.cookies.set(SESSION, cookie);
    expect(await loggedIn(replay)).toBe(false);
  });

  it('a user blocked or deleted by an administrator has no session any more', async () => {
    const u = await seedLoginUser(s, 'to-block@example.com');
    const browser = newBrowser();
    await loginThrough(browser, params(), u);
    expect(await loggedIn(browser)).toBe(true);
    await s.storage.users.update(s.tenant.id, u.userId, { blocked: true });
    expect(await loggedIn(browser)).toBe(false);
    const v = await seedLoginUser(s, 'to-delete@example.com');
    const other = newBrowser();
    await loginThrough(other, params(), v);
    await s.storage.users.remove(s.tenant.id, v.userId);
    expect(await loggedIn(other)).toBe(false);
  });

  it('idle timeout: 72 h without use ends the session; use before that keeps it', async () => {
    const browser = newBrowser();
    await loginThrough(browser, params(), user);
    s.clock.advance(72 * HOUR - 60);
    expect(await loggedIn(browser)).toBe(true);
    s.clock.advance(72 * HOUR - 60);
    expect(await loggedIn(browser)).toBe(true);
    s.clock.advance(72 * HOUR);
    expect(await loggedIn(browser)).toBe(false);
  });

  it('absolute timeout: 168 h after the login, however active', async () => {
    const browser = newBrowser();
    await loginThrough(browser, params(), user);
    for (const hours of [60, 60, 47]) {
      s.clock.advance(hours * HOUR);
      expect(await loggedIn(browser)).toBe(true);
    }
    s.clock.advance(HOUR - 1);
    expect(await loggedIn(browser)).toBe(true);
    s.clock.advance(1);
    expect(await loggedIn(browser)).toBe(false);
  });
});

describe('T-UI-06 (CVE-2018-6874): login CSRF', () => {
  /** A transaction started by `browser`, and the user's state, for "nothing changed". */
  async function setup(browser: TestBrowser): Promise<{ state: string; logins: number }> {
    return { state: loginState(await browser.get(authorizeUrl(params()))), logins: (await userRow()).loginsCount };
  }
  async function expectNothingChanged(browser: TestBrowser, logins: number): Promise<void> {
    expect(browser.cookies.has(SESSION)).toBe(false);
    expect((await userRow()).loginsCount).toBe(logins);
    expect(await s.storage.loginFailures.get(s.tenant.id, user.userId, '198.51.100.250')).toBeUndefined();
  }

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['Origin: https://evil.com', { origin: 'https://evil.com' }],
    ['Origin: null', { origin: 'null' }],
    ['Origin: https://app.example.com (the application itself)', { origin: 'https://app.example.com' }],
  ])('a login form posted with %s → 403, nothing changes', async (_name, headers) => {
    const victim = new TestBrowser(s, '198.51.100.250');
    const { state, logins } = await setup(victim);
    for (const password of [user.password, 'wrong']) {
      const res = await victim.post('/u/login', { state, username: user.email, password }, headers);
      expectErrorPage(res, 403, ...CROSS_SITE);
    }
    await expectNothingChanged(victim, logins);
  });

  it('a cross-site sign-up → 403, and no user is made', async () => {
    const victim = newBrowser();
    const { state } = await setup(victim);
    expectErrorPage(await victim.post('/u/signup', { state, username: 'csrf@example.com', password: 'Str0ng-Passw0rd!' }, { 'sec-fetch-site': 'cross-site' }), 403, ...CROSS_SITE);
    expect(await s.storage.users.getByEmail(s.tenant.id, 'Username-Password-Authentication', 'csrf@example.com')).toBeUndefined();
  });

  it('a form without the browser cookie, or with another browser\'s → the expired page, nothing changes', async () => {
    const attacker = newBrowser();
    const { state, logins } = await setup(attacker);
    const victim = new TestBrowser(s, '198.51.100.250');
    expectErrorPage(await victim.post('/u/login', { state, username: user.email, password: user.password }), 400, ...EXPIRED);
    await victim.get(authorizeUrl(params()));
    expect(victim.cookies.get(BROWSER)).not.toBe(attacker.cookies.get(BROWSER));
    expectErrorPage(await victim.post('/u/login', { state, username: user.email, password: user.password }), 400, ...EXPIRED);
    await expectNothingChanged(victim, logins);
    // The attacker's own browser still holds a usable transaction: the refusal was the binding.
    expect((await attacker.post('/u/login', { state, username: user.email, password: user.password })).statusCode).toBe(302);
  });

  it('a login transaction is used once, and lives 30 minutes', async () => {
    const browser = newBrowser();
    const { state } = await setup(browser);
    expect((await browser.post('/u/login', { state, username: user.email, password: user.password })).statusCode).toBe(302);
    expectErrorPage(await browser.post('/u/login', { state, username: user.email, password: user.password }), 400, ...EXPIRED);
    const late = newBrowser();
    const old = await setup(late);
    s.clock.advance(30 * 60);
    expectErrorPage(await late.get(`/u/login?state=${encodeURIComponent(old.state)}`), 400, ...EXPIRED);
  });

  it('the same-origin form (Origin of our domain, Sec-Fetch-Site same-origin) is accepted', async () => {
    const browser = newBrowser();
    const { state } = await setup(browser);
    const res = await browser.post('/u/login', { state, username: user.email, password: user.password }, { origin: `https://${s.tenant.domain}`, 'sec-fetch-site': 'same-origin' });
    expect(res.statusCode).toBe(302);
  });

  it('what Chromium sends for our own form under Referrer-Policy no-referrer (Origin: null, Sec-Fetch-Site: same-origin) is accepted', async () => {
    const browser = newBrowser();
    const { state } = await setup(browser);
    const res = await browser.post('/u/login', { state, username: user.email, password: user.password }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(res.statusCode).toBe(302);
  });
});

describe('T-UI-07/08/11: the headers of every page', () => {
  it('login, sign-up, failed login, error, expired and logged-out pages: CSP frame-ancestors none, X-Frame-Options DENY, nonces, nosniff, no-store', async () => {
    const browser = newBrowser();
    const state = loginState(await browser.get(authorizeUrl(params())));
    const pages = {
      login: await browser.get(`/u/login?state=${encodeURIComponent(state)}`),
      signup: await browser.get(`/u/signup?state=${encodeURIComponent(state)}`),
      failed: await browser.post('/u/login', { state, username: user.email, password: 'nope' }),
      error: await browser.get(authorizeUrl(params({ redirect_uri: 'https://evil.com/' }))),
      expired: await browser.get('/u/login?state=nope'),
      method: await s.inject({ method: 'POST', url: '/authorize' }),
      loggedOut: await browser.get('/v2/logout'),
    };
    expect(Object.values(pages).map((r) => r.statusCode)).toEqual([200, 200, 400, 400, 400, 405, 200]);
    for (const [name, res] of Object.entries(pages)) {
      const withForm = name === 'login' || name === 'signup' || name === 'failed';
      expectPageHeaders(res, withForm ? { formAction: 'https://app.example.com' } : {});
    }
  });

  it('JSON answers are never text/html and carry nosniff too', async () => {
    const answers = [
      await s.inject({ method: 'GET', url: '/userinfo' }),
      await s.inject({ method: 'POST', url: '/oauth/token', payload: {} }),
      await s.inject({ method: 'GET', url: '/.well-known/openid-configuration' }),
      await s.inject({ method: 'GET', url: '/u/nothing-here' }),
    ];
    for (const res of answers) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('T-UI-10: reflected values are escaped', () => {
  const XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const ESCAPED = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';

  it('login_hint, the posted username and the application name are rendered as text', async () => {
    const browser = newBrowser();
    const state = loginState(await browser.get(authorizeUrl(params({ login_hint: XSS, ui_locales: XSS }))));
    const page = await browser.get(`/u/login?state=${encodeURIComponent(state)}`);
    expect(mainOf(page.body)).toContain(`autocomplete="username" required autofocus value="${ESCAPED}">`);
    expect(mainOf(page.body)).toContain('continue to <strong>Pages &lt;app&gt;</strong>.');
    const failed = await browser.post('/u/login', { state, username: XSS, password: 'x' });
    expect(mainOf(failed.body)).toContain(`<p class="error" role="alert">Wrong email or password.</p>`);
    expect(mainOf(failed.body)).toContain(`value="${ESCAPED}">`);
    for (const res of [page, failed]) expect(res.body).not.toContain('<script>alert');
  });

  it('state, client_id and returnTo on error pages are escaped or not reflected at all', async () => {
    const browser = newBrowser();
    expectErrorPage(await browser.get(`/u/login?state=${encodeURIComponent(XSS)}`), 400, ...EXPIRED);
    expectErrorPage(await browser.get(authorizeUrl(params({ client_id: XSS }))), 400, 'Invalid request', `Unknown client: ${XSS.replace(/"/g, '?')}`);
    const logout = await browser.get(`/v2/logout?${new URLSearchParams({ returnTo: XSS }).toString()}`);
    expect(logout.statusCode).toBe(400);
    expect(logout.body).not.toContain('<script>alert');
  });
});

describe('T-UI-12: passwords', () => {
  it('the fields are type=password in a POST form, with the right autocomplete', async () => {
    const browser = newBrowser();
    const state = loginState(await browser.get(authorizeUrl(params())));
    const login = mainOf((await browser.get(`/u/login?state=${encodeURIComponent(state)}`)).body);
    expect(login).toContain('<form method="post" action="/u/login" autocomplete="on">');
    expect(login).toContain('<input id="password" name="password" type="password" autocomplete="current-password" required>');
    const signup = mainOf((await browser.get(`/u/signup?state=${encodeURIComponent(state)}`)).body);
    expect(signup).toContain('<form method="post" action="/u/signup" autocomplete="on">');
    expect(signup).toContain('<input id="password" name="password" type="password" autocomplete="new-password" required>');
  });

  it('never echoed in a page, a URL, the server log or the tenant log', async () => {
    const browser = newBrowser();
    const wrong = 'Wrong-Secret-Pass-42';
    const fresh = 'Brand-New-Secret-99';
    const state = loginState(await browser.get(authorizeUrl(params())));
    const failed = await browser.post('/u/login', { state, username: user.email, password: wrong });
    expect(failed.body).not.toContain(wrong);
    const ok = await browser.post('/u/login', { state, username: user.email, password: user.password });
    expect(String(ok.headers.location)).not.toContain(user.password);
    const other = newBrowser();
    const signupState = loginState(await other.get(authorizeUrl(params())));
    expect((await other.post('/u/signup', { state: signupState, username: 'pw-check@example.com', password: fresh })).statusCode).toBe(302);
    await s.audit.flush();
    const tenantLog = JSON.stringify((await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 1000, withTotal: false })).items);
    for (const secret of [wrong, user.password, fresh]) {
      expect(s.logs.join('\n')).not.toContain(secret);
      expect(tenantLog).not.toContain(secret);
    }
  });
});
