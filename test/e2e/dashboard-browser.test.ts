// The dashboard in a real browser (issue 5; security catalogue §4.10 T-UI): an administrator made
// by `scopeward init` signs in through the tenant's own login page, creates a machine-to-machine
// application, authorizes it for the Management API with two scopes, gets a token for it with the
// CLI, mints, copies, uses and revokes a test token on the API Explorer tab, and rotates a secret.
// Around that: secrets stay out of the page until revealed, stored payloads render as text, an
// attacker page can neither frame the dashboard nor act with the administrator's cookies, and every
// page is photographed (test-results/dashboard-*.png, a CI artifact) at desktop and phone widths.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ManagementClient } from 'auth0';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { html, launchChromium, startStaticSite, STEP_TIMEOUT_MS, type StaticSite } from '../helpers/chromium.ts';
import { ROOT, startRealServer, type RealServer } from '../helpers/real-server.ts';
import { tamper } from '../helpers/tamper.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SHOTS = path.join(ROOT, 'test-results');
const APP_NAME = 'E2E worker';
const MGMT_API = 'Auth0 Management API';
/** Stored-XSS payloads (T-UI-09): one that ran would set window.__xss or open a dialog. */
const PAYLOADS = [
  `<script>window.__xss='script';alert('script')</script>`,
  `"><img src=x onerror="window.__xss='img';alert('img')">`,
  `<svg onload="window.__xss='svg';alert('svg')">`,
  `{{constructor.constructor('window.__xss="tpl";alert("tpl")')()}}`,
  "${window.__xss='literal'}",
];

interface Admin {
  email: string;
  password: string;
}

let browser: Browser;
let server: RealServer;
let attacker: StaticSite;
let context: BrowserContext;
let page: Page;
let mgmt: ManagementClient;
let admin: Admin;
const problems: string[] = [];
const dialogs: string[] = [];

const payloadOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
const callClients = (token: string) => fetch(`${server.baseUrl}/api/v2/clients?fields=client_id`, { headers: { authorization: `Bearer ${token}` } });
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `dashboard-${name}.png`), fullPage: true });

/** A client-credentials token of init's all-scopes application (or an answer for a wrong secret). */
const initToken = (secret = server.init.client_secret) =>
  fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: server.init.client_id, client_secret: secret, audience: server.init.audience }),
  });

/** A Management API read with init's all-scopes application, over real HTTPS. */
async function asInit<T>(pathAndQuery: string): Promise<T> {
  const token = ((await (await initToken()).json()) as { access_token: string }).access_token;
  const response = await fetch(`${server.baseUrl}/api/v2${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}
const clientTotal = async () => (await asInit<{ total: number }>('/clients?include_totals=true&per_page=1')).total;

function cliToken(clientId: string, secret: string): { status: number | null; token?: string; stderr: string } {
  const run = server.cli(['token', '--client-id', clientId, '--client-secret', secret, '--audience', server.init.audience, '--json']);
  if (run.status !== 0) return { status: run.status, stderr: run.stderr };
  return { status: run.status, token: (JSON.parse(run.stdout) as { access_token: string }).access_token, stderr: run.stderr };
}

async function signIn(): Promise<void> {
  await page.goto(`${server.baseUrl}/dashboard/`);
  await page.locator('#username').fill(admin.email);
  await page.locator('#password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
}

async function openManagementApi(tab: string): Promise<void> {
  await page.getByRole('link', { name: 'APIs', exact: true }).click();
  await page.getByRole('link', { name: MGMT_API }).click();
  await page.getByRole('tab', { name: tab }).click();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startRealServer();
  admin = (server.init as unknown as { admin: Admin }).admin;
  attacker = await startStaticSite('attacker.localhost');
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.includes('favicon')) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await attacker?.close();
  await server?.cleanup();
});

describe('an administrator at the dashboard', () => {
  let clientId: string;
  let secret: string;

  it('signs in through the tenant’s own /authorize, with the dashboard application, code and PKCE S256', async () => {
    const authorize: URL[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/authorize') authorize.push(url);
    });
    await signIn();
    const config = (await (await fetch(`${server.baseUrl}/dashboard/config.json`)).json()) as { client_id: string };
    expect(authorize.length).toBeGreaterThan(0);
    const first = authorize[0]!;
    expect(first.origin).toBe(server.baseUrl);
    expect(first.searchParams.get('client_id')).toBe(config.client_id);
    expect(first.searchParams.get('response_type')).toBe('code');
    expect(first.searchParams.get('code_challenge_method')).toBe('S256');
    expect(first.searchParams.get('audience')).toBe(server.init.audience);
    expect(await page.locator('.account-email').textContent()).toBe(admin.email);
    await shot('applications');
  });

  it('creates an M2M application and authorizes it for the Management API with two scopes; the CLI token carries exactly those', async () => {
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('button', { name: 'Create Application' }).click();
    await page.getByLabel('Name').fill(APP_NAME);
    await page.getByLabel('Machine to Machine').check();
    // Authorized below from the API's own tab (the creation flow's grant: dashboard-ux-browser.test.ts).
    await page.getByLabel('API', { exact: true }).selectOption({ label: 'None for now (authorize later)' });
    await shot('application-create');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: APP_NAME }).waitFor();
    clientId = (await page.getByTestId('client-id').textContent())!.trim();
    expect(clientId).toMatch(/^[A-Za-z0-9]{32}$/);

    await openManagementApi('Machine to Machine Applications');
    const row = page.getByRole('region', { name: APP_NAME });
    await row.getByRole('switch', { name: `Authorize ${APP_NAME}` }).check();
    await row.getByRole('checkbox', { name: 'read:clients', exact: true }).check();
    await row.getByRole('checkbox', { name: 'read:users', exact: true }).check();
    await row.getByRole('button', { name: 'Update' }).click();
    await row.getByText('Saved: 2 permissions granted.').waitFor();
    await shot('api-m2m');

    const grants = await asInit<{ audience: string; scope: string[] }[]>(`/client-grants?client_id=${clientId}`);
    expect(grants.map((g) => [g.audience, [...g.scope].sort()])).toStrictEqual([[server.init.audience, ['read:clients', 'read:users']]]);
  });

  it('keeps the secret out of the page and out of every answer until Reveal; the CLI token has exactly the two scopes', async () => {
    const bodies: string[] = [];
    const collect = (r: import('playwright-core').Response) => {
      if (r.url().includes('/api/v2/')) void r.text().then((t) => bodies.push(t), () => undefined);
    };
    page.on('response', collect);
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('link', { name: APP_NAME }).click();
    await page.getByRole('button', { name: 'Reveal' }).waitFor();
    await page.waitForLoadState('networkidle');
    const before = await page.content();
    const seenBefore = [...bodies];
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    secret = (await page.getByLabel('Client secret').locator('code').textContent())!.trim();
    page.off('response', collect);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(before).not.toContain(secret);
    expect(seenBefore.length).toBeGreaterThan(0);
    expect(seenBefore.filter((b) => b.includes(secret))).toStrictEqual([]);
    await shot('application-revealed');
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await page.content()).not.toContain(secret);

    const issued = cliToken(clientId, secret);
    expect(issued.status).toBe(0);
    const claims = payloadOf(issued.token!);
    expect(claims).toMatchObject({ sub: `${clientId}@clients`, aud: server.init.audience, gty: 'client-credentials' });
    expect((claims.scope as string).split(' ').sort()).toStrictEqual(['read:clients', 'read:users']);
  });

  it('rotates the secret after a confirmation; the old secret is refused at once', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await shot('application-rotate-confirm');
    await page.getByRole('dialog', { name: 'Rotate the client secret?' }).getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('Secret rotated.').waitFor();
    const old = cliToken(clientId, secret);
    expect(old.status).not.toBe(0);
    expect(old.token).toBeUndefined();
  });

  it('API Explorer tab: sets an expiration, regenerates, copies, and the copied token reads /api/v2/clients; revoking it refuses it at once', async () => {
    await openManagementApi('API Explorer');
    const create = page.getByRole('button', { name: 'Create & Authorize Test Application' });
    const regenerate = page.getByRole('button', { name: 'Update & Regenerate Token' });
    await create.waitFor();
    await create.click();
    await page.getByText(/New token generated/).waitFor();
    await page.getByLabel('Token Expiration (Seconds)').fill('900');
    await regenerate.click();
    await page.getByText('New token generated; it expires in 900 seconds.').waitFor();
    await page.getByRole('button', { name: 'Copy token' }).click();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toBe(await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue());
    const claims = payloadOf(copied);
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(claims.aud).toBe(server.init.audience);
    expect((await callClients(copied)).status).toBe(200);
    await shot('api-explorer');

    const row = page.locator('table.test-tokens tbody tr', { has: page.getByText('shown above') });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await row.getByText('Revoked').waitFor();
    const refused = await callClients(copied);
    expect(refused.status).toBe(401);
    await shot('api-explorer-revoked');
  });
});

describe('tenant settings, logs and the token debugger', () => {
  it('Advanced: the Global Client Secret is out of the page until Reveal; the legacy switch asks first, warns while on, and sets the flag', async () => {
    const [global] = await asInit<{ client_id: string; client_secret: string }[]>('/clients?is_global=true&fields=client_id,client_secret');
    await page.goto(`${server.baseUrl}/dashboard/settings`);
    const secretBox = page.locator('[aria-label="Global Client Secret"]');
    await secretBox.getByRole('button', { name: 'Reveal' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.content()).not.toContain(global!.client_secret);
    expect(await page.locator('code.global-client-id').textContent()).toBe(global!.client_id);
    await secretBox.getByRole('button', { name: 'Reveal' }).click();
    await secretBox.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await secretBox.locator('.secret-value').textContent()).toBe(global!.client_secret);
    await secretBox.getByRole('button', { name: 'Hide' }).click();

    const flag = async () => (await asInit<{ flags?: Record<string, boolean> }>('/tenants/settings')).flags?.enable_legacy_management_tokens === true;
    expect(await flag()).toBe(false);
    await page.getByRole('switch', { name: /legacy/i }).click();
    const ask = page.getByRole('dialog', { name: 'Accept legacy tokens?' });
    await ask.waitFor();
    expect(await flag()).toBe(false);
    await ask.getByRole('button', { name: 'Accept legacy tokens' }).click();
    await page.locator('.legacy-warning').waitFor();
    expect(await flag()).toBe(true);
    await shot('settings-legacy-on');
    await page.getByRole('switch', { name: /legacy/i }).click();
    await page.locator('.legacy-warning').waitFor({ state: 'detached' });
    expect(await flag()).toBe(false);
  });

  it('Logs: live tail shows a new failed exchange without a reload', async () => {
    await page.goto(`${server.baseUrl}/dashboard/logs`);
    const rows = page.locator('table[aria-label="Log events"] tbody tr');
    await rows.first().waitFor();
    await page.locator('.tail-toggle').click();
    expect(await page.locator('.tail-toggle').getAttribute('aria-pressed')).toBe('true');
    const failed = () => rows.filter({ hasText: 'feccft' }).or(rows.filter({ hasText: 'Failed Exchange' }));
    const before = await failed().count();
    expect((await initToken('not-the-secret')).status).toBe(401);
    await expect.poll(() => failed().count(), { timeout: 15_000, interval: 500 }).toBeGreaterThan(before);
    await page.locator('.tail-toggle').click();
  });

  it('Debugger: a token of this tenant verifies, with its key state, application and denylist status; a tampered one does not', async () => {
    const token = ((await (await initToken()).json()) as { access_token: string }).access_token;
    await page.goto(`${server.baseUrl}/dashboard/debugger`);
    await page.locator('#debugger-token').fill(token);
    await page.locator('[data-verdict="valid"]').waitFor();
    expect(await page.locator('.key-state').textContent()).toBe('current');
    await page.locator('.denylist-status').waitFor();
    expect(await page.locator('.denylist-status').textContent()).toBe('not denylisted');
    expect(await page.locator('a.debugger-client-name').textContent()).toBe('Scopeward Management (init)');
    await shot('debugger');
    const tampered = tamper(token);
    await page.locator('#debugger-token').fill(tampered);
    await page.locator('[data-verdict="invalid"]').waitFor();
  });
});

describe('the keyboard alone', () => {
  it('reaches the skip link, every section of the navigation and the page’s actions, and Enter opens them', async () => {
    await page.goto(`${server.baseUrl}/dashboard/applications`);
    await page.getByRole('button', { name: 'Create Application' }).waitFor();
    const reached: string[] = [];
    for (let i = 0; i < 25 && !reached.includes('Create Application'); i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate<string>('(document.activeElement && document.activeElement.textContent || "").trim()'));
    }
    expect(reached[0]).toBe('Skip to content');
    for (const label of ['Applications', 'APIs', 'Users', 'Logs', 'Tenant settings', 'Signing keys', 'Token debugger', 'API explorer', 'Create Application']) expect(reached).toContain(label);
    await page.keyboard.press('Enter');
    await page.getByLabel('Machine to Machine').waitFor();
  });
});

describe('deleting an application', () => {
  it('asks for the exact name first; the confirm button stays off until it is typed', async () => {
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('link', { name: APP_NAME }).click();
    await page.getByRole('button', { name: 'Delete application' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete application?' });
    const confirm = dialog.getByRole('button', { name: 'Delete', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the application name to confirm').fill(`${APP_NAME} `);
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the application name to confirm').fill(APP_NAME);
    await confirm.click();
    await page.getByRole('button', { name: 'Create Application' }).waitFor();
    const names = (await asInit<{ name: string }[]>('/clients?fields=name')).map((c) => c.name);
    expect(names).not.toContain(APP_NAME);
  });
});

describe('users', () => {
  it('searches, creates, edits metadata as JSON (invalid JSON cannot be saved) and blocks after a confirmation', async () => {
    await page.goto(`${server.baseUrl}/dashboard/users`);
    await page.locator('#user-search').fill(`email:"${admin.email}"`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const rows = page.locator('table[aria-label="Users"] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(admin.email);

    await page.getByRole('button', { name: 'Create user' }).click();
    const form = page.locator('form[aria-labelledby=create-user-title]');
    await form.locator('input[name=email]').fill('made-in-dashboard@e2e.example');
    await form.locator('input[name=password]').fill('weak');
    const before = problems.length;
    await form.locator('button[type=submit]').click();
    await form.locator('.error-banner').waitFor();
    // Chromium reports the refused request in the console; expected here, and only that.
    await expect.poll(() => problems.length, { timeout: 15_000 }).toBeGreaterThan(before);
    expect(problems.splice(before).every((p) => p.includes('status of 400') && p.includes('/api/v2/users'))).toBe(true);
    await form.locator('input[name=password]').fill('Correct-Horse-7-battery');
    await form.locator('button[type=submit]').click();
    await page.locator('#profile-title').waitFor();
    const userId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(userId).toMatch(/^auth0\|/);

    const editor = page.getByLabel('user_metadata (JSON)');
    const save = page.getByRole('button', { name: 'Save user_metadata' });
    await editor.fill('{"plan": "pro",');
    await page.locator('.metadata-editor .field-error').first().waitFor();
    expect(await save.isDisabled()).toBe(true);
    await editor.fill('{"plan": "pro", "seats": 3}');
    expect(await save.isDisabled()).toBe(false);
    await save.click();
    await page.locator('.metadata-editor .notice').first().waitFor();
    expect((await asInit<{ user_metadata: unknown }>(`/users/${encodeURIComponent(userId)}`)).user_metadata).toStrictEqual({ plan: 'pro', seats: 3 });

    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Block', exact: true }).click();
    // The dialog closes once the change is saved (its own button is relabelled meanwhile).
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Unblock', exact: true }).waitFor();
    expect((await asInit<{ blocked: boolean }>(`/users/${encodeURIComponent(userId)}`)).blocked).toBe(true);
  });
});

describe('a user who is not an administrator', () => {
  it('is refused with access_denied, and can end the session to sign in as someone else', async () => {
    await mgmt.users.create({ connection: 'Username-Password-Authentication', email: 'plain@e2e.example', password: 'Correct-Horse-7-battery' });
    const other = await browser.newContext({ ignoreHTTPSErrors: true });
    other.setDefaultTimeout(STEP_TIMEOUT_MS);
    const p = await other.newPage();
    await p.goto(`${server.baseUrl}/dashboard/`);
    await p.locator('#username').fill('plain@e2e.example');
    await p.locator('#password').fill('Correct-Horse-7-battery');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'The dashboard could not start' }).waitFor();
    expect(await p.getByRole('alert').textContent()).toBe('This user is not an administrator of this tenant.');
    expect(await p.getByRole('navigation', { name: 'Dashboard' }).count()).toBe(0);
    await p.getByRole('link', { name: 'Sign in as someone else' }).click();
    await p.locator('#username').waitFor();
    expect(new URL(p.url()).pathname).toBe('/u/login');
    await other.close();
  });
});

describe('stored payloads render as text (T-UI-09)', () => {
  it('application names and descriptions, user names, nicknames and metadata keys and values never run', async () => {
    for (const [i, p] of PAYLOADS.entries()) {
      // Application names refuse < and > (Auth0's rule); what is left of the payload still goes in.
      await mgmt.clients.create({ name: `xss ${i} ${p.replace(/[<>]/g, '')}`, description: p, app_type: 'non_interactive' });
      await mgmt.users.create({
        connection: 'Username-Password-Authentication',
        email: `xss${i}@e2e.example`,
        password: 'Correct-Horse-7-battery',
        name: p,
        nickname: p,
        // Metadata field names refuse "." and "$" (Auth0's rule); the rest of the payload still goes in.
        user_metadata: { [p.replace(/[.$]/g, '_')]: p, note: p },
      });
    }
    await page.goto(`${server.baseUrl}/dashboard/applications`);
    await page.getByRole('link', { name: /^xss 1 / }).waitFor();
    await shot('applications-xss');
    await page.getByRole('link', { name: /^xss 1 / }).click();
    await page.getByRole('heading', { name: /^xss 1 / }).waitFor();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.locator('a.user-name').first().waitFor();
    await shot('users');
    await page.locator('a.user-name', { hasText: 'onerror' }).first().click();
    await page.getByLabel('user_metadata (JSON)').waitFor();
    await shot('user');
    // The payload is on the page as text: in the title, and (JSON-escaped) in the metadata editor.
    expect(await page.locator('.user-title').first().textContent()).toBe(PAYLOADS[1]);
    expect(await page.getByLabel('user_metadata (JSON)').inputValue()).toContain(JSON.stringify(PAYLOADS[1]));
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.locator('table[aria-label="Log events"] tbody tr').first().waitFor();
    await shot('logs');
    expect(await page.evaluate<unknown>('window.__xss')).toBeUndefined();
    expect(dialogs).toStrictEqual([]);
  });
});

describe('another site and the administrator’s browser (T-UI-04, T-UI-07)', () => {
  it('cannot frame the dashboard', async () => {
    attacker.route('/frame.html', html(`<!doctype html><title>frame</title><iframe id="f" src="${server.baseUrl}/dashboard/applications"></iframe>`));
    const evil = await context.newPage();
    const blocked: string[] = [];
    evil.on('console', (m) => blocked.push(m.text()));
    await evil.goto(`${attacker.origin}/frame.html`);
    await evil.waitForTimeout(1000);
    const frame = evil.frames().find((f) => f.url().includes('/dashboard/'));
    // Chromium replaces a refused frame with an error page: no dashboard DOM inside it.
    const inside = frame ? await frame.evaluate<boolean>("document.querySelector('#root') !== null").catch(() => false) : false;
    expect(inside).toBe(false);
    expect(blocked.some((t) => /frame-ancestors|X-Frame-Options|refused to connect|Refused to display/i.test(t))).toBe(true);
    await evil.close();
  });

  it('cannot act with the administrator’s cookies: a cross-site form POST to the Management API is refused and creates nothing', async () => {
    const before = await clientTotal();
    attacker.route(
      '/post.html',
      html(`<!doctype html><title>post</title><form id="f" method="post" action="${server.baseUrl}/api/v2/clients" enctype="text/plain"><input name='{"name":"csrf","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`),
    );
    const evil = await context.newPage();
    const answer = evil.waitForResponse((r) => r.url() === `${server.baseUrl}/api/v2/clients`);
    await evil.goto(`${attacker.origin}/post.html`);
    const response = await answer;
    expect((await response.request().allHeaders())['sec-fetch-site']).toBe('cross-site');
    expect(response.status()).toBe(401);
    await evil.close();
    expect(await clientTotal()).toBe(before);
  });
});

describe('every page, photographed (desktop and 375 px)', () => {
  const PAGES: [string, string][] = [
    ['applications', '/dashboard/applications'],
    ['apis', '/dashboard/apis'],
    ['users', '/dashboard/users'],
    ['logs', '/dashboard/logs'],
    ['settings', '/dashboard/settings'],
    ['keys', '/dashboard/keys'],
    ['debugger', '/dashboard/debugger'],
  ];

  it('renders each page with a heading, no page errors and no horizontal overflow at 375 px', async () => {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, url] of PAGES) {
        await page.goto(`${server.baseUrl}${url}`);
        await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: path.join(SHOTS, `dashboard-page-${name}-${width}.png`), fullPage: true });
        if (width === 375) {
          const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
          expect.soft(overflow, `${name} overflows at 375 px`).toBeLessThanOrEqual(0);
        }
      }
    }
    expect(problems).toStrictEqual([]);
  });

  it('follows the system’s dark mode', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${server.baseUrl}/dashboard/applications`);
    await page.locator('main h1').first().waitFor();
    expect(await background()).toBe('rgb(247, 247, 248)');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(20, 21, 23)');
    await shot('applications-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('several tenants', () => {
  it('the tenant switcher lists them and goes to the other tenant’s own dashboard (its own sign-in)', async () => {
    const beta = `beta.localhost:${server.port}`;
    const created = server.cli(['tenants', 'create', 'beta', '--domain', beta, '--json']);
    expect(created.status).toBe(0);
    // The switcher lists the tenants the same person administers (issue 9, S12): the same email,
    // made an administrator of beta too.
    const made = server.cli(['admins', 'create', '--email', admin.email, '--tenant', beta, '--json']);
    expect(made.status, made.stderr).toBe(0);
    // The server loads tenants at start (on SQLite a running one would wait for its 30 s resync).
    await server.restart();
    await page.goto(`${server.baseUrl}/dashboard/applications`);
    const switcher = page.getByLabel('Tenant', { exact: true });
    await switcher.waitFor();
    await shot('tenant-switcher');
    await switcher.selectOption('beta');
    await page.waitForURL(`https://${beta}/**`);
    await page.locator('#username').waitFor();
    // Another tenant: its own login page, reached through its own /authorize and dashboard client.
    const tab = await context.newPage();
    const config = (await (await tab.goto(`https://${beta}/dashboard/config.json`))!.json()) as { client_id: string; issuer: string };
    await tab.close();
    expect(config.issuer).toBe(`https://${beta}/`);
    expect(new URL(page.url()).host).toBe(beta);
    const home = (await (await fetch(`${server.baseUrl}/dashboard/config.json`)).json()) as { client_id: string };
    expect(config.client_id).not.toBe(home.client_id);
  });
});
