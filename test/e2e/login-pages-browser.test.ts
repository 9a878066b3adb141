// Our login pages in a real browser (security catalogue §4.10, T-UI-06/07/09; §5.4): an attacker
// on another site (https://attacker.localhost:P, cross-site to https://localhost:PORT) cannot frame
// the login or error pages, cannot log a victim in by posting the login form, and stored payloads
// in client and user fields render as text and never run. In each cross-site test the browser's own
// request headers are checked for `Sec-Fetch-Site: cross-site`, so the refusal is not a false pass.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Management, ManagementClient } from 'auth0';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { html, launchChromium, newBrowserContext, startStaticSite, type StaticSite } from '../helpers/chromium.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

// A browser, two servers, a restart and many argon2id hashes: more than the suite's 30 s default
// on a busy 2-core machine. Every browser step is bounded on its own (STEP_TIMEOUT_MS).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const DB = 'Username-Password-Authentication';
const PASSWORD = 'Correct-Horse-7-battery';
const SESSION_COOKIE = '__Host-scopeward_session';
const FORBIDDEN_ORIGIN = 'This form was submitted from another site; go back to the application and try again.';
/** Stored-XSS payloads (T-UI-09); each one that ran would set window.__xss or open a dialog. */
const PAYLOADS = [
  `<script>window.__xss='script';alert('script')</script>`,
  `"><img src=x onerror="window.__xss='img';alert('img')">`,
  `</script><script>window.__xss='close';alert('close')</script>`,
  `<svg onload="window.__xss='svg';alert('svg')">`,
  `{{constructor.constructor('window.__xss="tpl";alert("tpl")')()}}`,
  "${window.__xss='literal'}",
  `javascript:window.__xss='url';alert('url')`,
];

let browser: Browser;
let server: RealServer;
let app: StaticSite;
let attacker: StaticSite;
let mgmt: ManagementClient;
let clientId: string;
let context: BrowserContext;
let page: Page;
const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');

beforeAll(async () => {
  browser = await launchChromium();
  server = await startRealServer();
  app = await startStaticSite('localhost');
  attacker = await startStaticSite('attacker.localhost');
  app.route('/cb.html', html('<!doctype html><title>callback</title><p>signed in</p>'));
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  clientId = (await createApp('Login pages app')).client_id!;
  await mgmt.users.create({ connection: DB, email: 'attacker@e2e.example', password: PASSWORD });
});

afterAll(async () => {
  await browser?.close();
  await attacker?.close();
  await app?.close();
  await server?.cleanup();
});

beforeEach(async () => {
  await context?.close();
  context = await newBrowserContext(browser);
  page = await context.newPage();
});

function createApp(name: string) {
  return mgmt.clients.create({ name, app_type: 'spa', token_endpoint_auth_method: 'none', callbacks: [`${app.origin}/cb.html`], web_origins: [app.origin] });
}

function authorizeUrl(params: Record<string, string> = {}): string {
  const query = { client_id: clientId, response_type: 'code', redirect_uri: `${app.origin}/cb.html`, code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...params };
  return `${server.baseUrl}/authorize?${new URLSearchParams(query).toString()}`;
}

/** Opens /authorize in the page and returns the login transaction it was sent to. */
async function openLogin(params: Record<string, string> = {}): Promise<string> {
  await page.goto(authorizeUrl(params));
  const url = new URL(page.url());
  expect(`${url.origin}${url.pathname}`).toBe(`${server.baseUrl}/u/login`);
  return url.searchParams.get('state')!;
}

const sessionCookies = async () => (await context.cookies(server.baseUrl)).filter((c) => c.name === SESSION_COOKIE);

describe('T-UI-07 clickjacking: an attacker page on another site framing our pages gets blocked frames', () => {
  it('RFC 9700 §4.16: the login page, a bad-transaction page and /authorize error pages are refused inside a cross-site frame', async () => {
    const targets = {
      login: authorizeUrl(),
      transaction: `${server.baseUrl}/u/login?state=forged`,
      unknownClient: `${server.baseUrl}/authorize?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(`${app.origin}/cb.html`)}`,
      badRedirect: authorizeUrl({ redirect_uri: `${attacker.origin}/steal` }),
      webMessage: authorizeUrl({ response_mode: 'web_message', prompt: 'none' }),
    };
    attacker.route('/frames.html', html(`<!doctype html><title>win a prize</title>
<script>window.__messages = []; addEventListener('message', (e) => window.__messages.push(e.origin));</script>
${Object.entries(targets).map(([id, src]) => `<iframe id="${id}" src="${src.replace(/&/g, '&amp;')}"></iframe>`).join('\n')}
<iframe id="control" src="/inner.html"></iframe>`));
    attacker.route('/inner.html', html('<!doctype html><p id="inner">the attacker can frame its own pages</p>'));
    const navigations: Promise<{ url: string; site: string | undefined; dest: string | undefined }>[] = [];
    const answers = new Map<string, Record<string, string>>();
    page.on('request', (r) => {
      if (r.url().startsWith(server.baseUrl) && r.isNavigationRequest()) navigations.push(r.allHeaders().then((h) => ({ url: r.url(), site: h['sec-fetch-site'], dest: h['sec-fetch-dest'] })));
    });
    page.on('response', (r) => {
      if (r.url().startsWith(server.baseUrl)) answers.set(r.url(), r.headers());
    });
    await page.goto(`${attacker.origin}/frames.html`, { waitUntil: 'load' });

    const control = page.frameLocator('#control').locator('#inner');
    expect(await control.textContent()).toBe('the attacker can frame its own pages');
    for (const id of Object.keys(targets)) {
      const frame = await (await page.$(`#${id}`))!.contentFrame();
      expect([id, frame!.url()]).toEqual([id, 'chrome-error://chromewebdata/']);
      expect([id, await frame!.locator('input[name=password], input[name=state]').count()]).toEqual([id, 0]);
    }
    // The browser really sent these as cross-site frame navigations, and every page said no.
    expect(navigations.length).toBeGreaterThanOrEqual(Object.keys(targets).length);
    for (const n of await Promise.all(navigations)) expect([n.url, n.site, n.dest]).toEqual([n.url, 'cross-site', 'iframe']);
    const pages = [...answers].filter(([, h]) => (h['content-type'] ?? '').startsWith('text/html'));
    expect(pages.map(([url]) => new URL(url).pathname).sort()).toEqual(['/authorize', '/authorize', '/authorize', '/u/login', '/u/login']);
    for (const [url, headers] of pages) {
      // The web_message page may be framed by its application's origin only (not the attacker's).
      const webMessage = new URL(url).searchParams.get('response_mode') === 'web_message';
      const ancestors = headers['content-security-policy']?.match(/frame-ancestors ([^;]+)/)?.[1];
      expect([url, ancestors, headers['x-frame-options']]).toEqual([url, webMessage ? app.origin : "'none'", webMessage ? undefined : 'DENY']);
    }
    expect(await page.evaluate<string[]>('window.__messages')).toEqual([]);
  });
});

describe('T-UI-06 login CSRF (CVE-2018-6874): a login form posted from another site is refused', () => {
  it.each([
    ['cross-site', () => attacker],
    ['same-site', () => app],
  ] as const)('a form auto-submitted to /u/login from a %s page → 403 page, no session; our own page logs in with the same fields', async (siteName, from) => {
    const state = await openLogin(); // the victim's live login transaction, even known to the attacker
    const evil = from();
    evil.route('/csrf.html', html(`<!doctype html><title>loading…</title>
<form method="post" action="${server.baseUrl}/u/login">
<input name="state" value="${state}"><input name="username" value="attacker@e2e.example"><input name="password" value="${PASSWORD}">
</form><script>document.forms[0].submit();</script>`));
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${server.baseUrl}/u/login`);
    await page.goto(`${evil.origin}/csrf.html`);
    const answer = await posted;
    const sent = await answer.request().allHeaders();
    expect({ site: sent['sec-fetch-site'], origin: sent.origin }).toEqual({ site: siteName, origin: evil.origin });
    expect(answer.status()).toBe(403);
    await page.waitForURL(`${server.baseUrl}/u/login`);
    expect(await page.locator('p.sub').textContent()).toBe(FORBIDDEN_ORIGIN);
    expect(await sessionCookies()).toEqual([]);

    // Control: the same transaction and credentials, submitted from our own login page, log in.
    await page.goto(`${server.baseUrl}/u/login?state=${encodeURIComponent(state)}`);
    await page.fill('#username', 'attacker@e2e.example');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${app.origin}/cb.html?code=`)), page.click('button[type=submit]')]);
    expect((await sessionCookies()).map((c) => [c.name, c.secure, c.httpOnly, c.sameSite])).toEqual([[SESSION_COOKIE, true, true, 'Lax']]);
  });
});

describe('T-UI-09 stored XSS: payloads in client and user fields render as text and never run', () => {
  let dialogs: string[];
  let violations: string[];

  beforeEach(() => {
    dialogs = [];
    violations = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Our pages cause no CSP report of their own: one would mean markup was injected and blocked.
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
  });

  const sentinel = (target: Page | Frame) => target.evaluate<unknown>('window.__xss');

  it('the Management API refuses client names with < or > (Auth0\'s pattern), the first line of defence', async () => {
    for (const payload of PAYLOADS.filter((p) => /[<>]/.test(p))) {
      const error: unknown = await createApp(payload).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Management.BadRequestError);
      expect((error as Management.BadRequestError).body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: `Payload validation error: 'String does not match pattern ^[^<>]+$: ${payload}' on property name.`,
        errorCode: 'invalid_body',
      });
    }
  });

  it('client names the API accepts (quotes, template syntax, javascript:, entities) are shown verbatim on the login page', async () => {
    const accepted = [...PAYLOADS.filter((p) => !/[<>]/.test(p)), `" autofocus onfocus="window.__xss='attr'`, `&lt;script&gt;window.__xss='entity'&lt;/script&gt;`];
    for (const payload of accepted) {
      const client = await createApp(payload);
      await openLogin({ client_id: client.client_id! });
      expect(await page.locator('p.sub strong').textContent()).toBe(payload);
      expect(await sentinel(page)).toBeUndefined();
    }
    expect({ dialogs, violations }).toEqual({ dialogs: [], violations: [] });
  });

  it('client names holding markup that reached the database another way (an import, an older version) still render as text', async () => {
    const clients = await Promise.all(PAYLOADS.map((_, i) => createApp(`stored markup ${i}`)));
    await server.stop();
    const db = new DatabaseSync(path.join(server.dataDir, 'scopeward.db'));
    const update = db.prepare(`UPDATE clients SET name = ?, data = json_set(data, '$.name', ?) WHERE client_id = ?`);
    PAYLOADS.forEach((payload, i) => update.run(payload, payload, clients[i]!.client_id!));
    db.close();
    await server.restart();
    for (const [i, payload] of PAYLOADS.entries()) {
      await openLogin({ client_id: clients[i]!.client_id! });
      expect(await page.locator('p.sub strong').textContent()).toBe(payload);
      expect(await sentinel(page)).toBeUndefined();
    }
    expect({ dialogs, violations }).toEqual({ dialogs: [], violations: [] });
  });

  it('a typed username holding each payload is given back as the field value after a failed login', async () => {
    await openLogin();
    for (const payload of PAYLOADS) {
      await page.fill('#username', payload);
      await page.fill('#password', 'not the password');
      // The answer is a new document (not the form still holding what was typed).
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.waitForEvent('framenavigated', (f) => f === page.mainFrame()),
        page.click('button[type=submit]'),
      ]);
      expect(answer.status()).toBe(400);
      await page.waitForLoadState('load');
      expect(await page.inputValue('#username')).toBe(payload);
      expect(await page.locator('p.error').count()).toBe(1);
      expect(await sentinel(page)).toBeUndefined();
    }
    expect({ dialogs, violations }).toEqual({ dialogs: [], violations: [] });
  });

  it('a payload-named user logs in to a payload-named client; form_post and web_message carry the payload state as data', async () => {
    const all = PAYLOADS.join(' ');
    const client = await createApp(PAYLOADS.filter((p) => !/[<>]/.test(p)).join(' '));
    // Metadata field names refuse "." and "$" (Auth0's rule); the rest of the payload still goes in.
    const metadata = Object.fromEntries(PAYLOADS.map((p) => [p.replace(/[.$]/g, '_'), p]));
    await mgmt.users.create({ connection: DB, email: 'xss-user@e2e.example', password: PASSWORD, name: PAYLOADS[2]!, nickname: PAYLOADS[3]!, user_metadata: metadata });

    await openLogin({ client_id: client.client_id!, response_mode: 'form_post', state: all });
    expect(await page.locator('p.sub strong').textContent()).toBe(client.name);
    await page.fill('#username', 'xss-user@e2e.example');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${app.origin}/cb.html`), page.click('button[type=submit]')]);
    const post = app.requests.findLast((r) => r.method === 'POST' && r.url === '/cb.html')!;
    const fields = Object.fromEntries(new URLSearchParams(post.body));
    expect({ keys: Object.keys(fields).sort(), state: fields.state }).toEqual({ keys: ['code', 'state'], state: all });

    // Silent authentication from the application's page: the web_message page hands the state back.
    app.route('/listen.html', html(`<!doctype html><title>app</title><script>window.__messages = []; addEventListener('message', (e) => window.__messages.push({ origin: e.origin, data: e.data }));</script>`));
    await page.goto(`${app.origin}/listen.html`);
    const src = authorizeUrl({ client_id: client.client_id!, response_mode: 'web_message', prompt: 'none', state: all });
    await page.evaluate(`void document.body.appendChild(Object.assign(document.createElement('iframe'), { src: ${JSON.stringify(src)} }))`);
    await page.waitForFunction('window.__messages.length > 0');
    const [message] = await page.evaluate<{ origin: string; data: { type: string; response: Record<string, string> } }[]>('window.__messages');
    expect({ origin: message!.origin, type: message!.data.type, keys: Object.keys(message!.data.response).sort(), state: message!.data.response.state }).toEqual({
      origin: server.baseUrl,
      type: 'authorization_response',
      keys: ['code', 'state'],
      state: all,
    });
    for (const frame of page.frames()) expect(await sentinel(frame)).toBeUndefined();
    expect({ dialogs, violations }).toEqual({ dialogs: [], violations: [] });
  });
});
