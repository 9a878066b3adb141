// Issue 14's dashboard items in a real browser, each with an assertion at 375 and 1280 px, in the
// light and the dark colour scheme: a fresh token on each visit to the API Explorer tab, the M2M
// creation flow that authorizes an API, the explorer on an expired token, Auth0's addresses, the
// logs, rotation facts, long names (no page scrolls sideways with 300-character values in every
// field), and the smaller ones (dialogs, tabs and tabpanels, sticky sidebar, session defaults,
// disabled fields, one date format with its zone). One browser, one server, one signed-in page.
// Screenshots go to test-results/ (or $SCOPEWARD_SHOTS_DIR), named dashboard-ux-*.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, signedInDashboard } from '../helpers/chromium.ts';
import { ROOT, startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const SHOTS = process.env.SCOPEWARD_SHOTS_DIR ?? path.join(ROOT, 'test-results');
const MGMT_API = 'Auth0 Management API';
/** The zone the browser runs in: every date on every page must name it. */
const ZONE = 'Europe/Paris';
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (CET|CEST)$/;

type Scheme = 'light' | 'dark';
interface View {
  width: number;
  scheme: Scheme;
}
/** Every combination, for the checks that need no new page load. */
const ALL_VIEWS: View[] = [
  { width: 375, scheme: 'light' },
  { width: 375, scheme: 'dark' },
  { width: 1280, scheme: 'light' },
  { width: 1280, scheme: 'dark' },
];
/** Both widths and both schemes in two passes, for the checks that load pages or create things. */
const TWO_VIEWS: View[] = [
  { width: 375, scheme: 'dark' },
  { width: 1280, scheme: 'light' },
];
const label = (v: View) => `${v.width}-${v.scheme}`;

let browser: Browser;
let server: RealServer;
let page: Page;
let token: string;
const problems: string[] = [];

async function view(v: View): Promise<void> {
  await page.setViewportSize({ width: v.width, height: 900 });
  await page.emulateMedia({ colorScheme: v.scheme });
}
const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `dashboard-ux-${name}.png`), fullPage });

async function mgmtApi<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.baseUrl}/api/v2${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function clientToken(clientId: string, secret: string, audience = server.init.audience): Promise<Response> {
  return fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience }),
  });
}

/** Goes to a dashboard path and waits for its first heading. */
async function open(dashboardPath: string): Promise<void> {
  await page.goto(`${server.baseUrl}/dashboard${dashboardPath}`);
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
  await page.locator('main h1').first().waitFor();
}

/** What the callbacks run in the page use (this project's tsconfig has no DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fontSize: string; whiteSpace: string; borderTopStyle: string; backgroundColor: string; cursor: string };
  document: { createRange(): { selectNodeContents(node: unknown): void; getClientRects(): ArrayLike<{ top: number }> & Iterable<{ top: number }> } };
}
const horizontalOverflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
const payloadOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
/** The same token with its iat and exp moved an hour and more into the past (the explorer decodes, it does not verify). */
function expiredCopy(jwt: string): string {
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  claims.iat = now - 7200;
  claims.exp = now - 3600;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startRealServer();
  token = ((await (await clientToken(server.init.client_id, server.init.client_secret)).json()) as { access_token: string }).access_token;
  ({ page } = await signedInDashboard(browser, server, problems, { timezoneId: ZONE }));
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('API Explorer tab', () => {
  it('shows a fresh token on every visit, at /dashboard/apis/management/explorer', async () => {
    const box = () => page.getByRole('textbox', { name: 'Token', exact: true });
    const shownToken = async () => {
      await expect.poll(() => box().inputValue(), { timeout: 20_000 }).toMatch(/^ey/);
      return box().inputValue();
    };
    const seen: string[] = [];
    for (const [i, v] of TWO_VIEWS.entries()) {
      await view(v);
      await open('/apis/management/explorer');
      if (i === 0) await page.getByRole('button', { name: 'Create & Authorize Test Application' }).click();
      seen.push(await shownToken());
      // Leave the tab and come back: a new token, never "No token yet".
      await page.getByRole('tab', { name: 'Settings' }).click();
      expect(new URL(page.url()).pathname).toBe('/dashboard/apis/management');
      await page.getByRole('tab', { name: 'API Explorer' }).click();
      expect(new URL(page.url()).pathname).toBe('/dashboard/apis/management/explorer');
      seen.push(await shownToken());
      await shot(`api-explorer-revisit-${label(v)}`);
    }
    expect(new Set(seen.map((t) => payloadOf(t).jti)).size).toBe(seen.length);
    for (const t of seen) expect(payloadOf(t).aud).toBe(server.init.audience);
  });
});

describe('creating a Machine to Machine application', () => {
  it('asks which API and which permissions, and creates the client grant with it', async () => {
    for (const v of TWO_VIEWS) {
      await view(v);
      const name = `Worker ${label(v)}`;
      await open('/applications');
      await page.getByRole('button', { name: 'Create Application' }).click();
      const form = page.getByRole('form', { name: 'Create application' });
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByRole('radio', { name: /Machine to Machine/ }).check();
      const apiSelect = form.getByLabel('API', { exact: true });
      await apiSelect.waitFor();
      expect(await apiSelect.locator('option:checked').textContent()).toBe(`${MGMT_API} (System API)`);
      const permissions = form.getByRole('group', { name: `Permissions for ${MGMT_API}` });
      await permissions.getByLabel('Filter permissions').fill('clients');
      await permissions.getByRole('checkbox', { name: 'read:clients', exact: true }).check();
      await permissions.getByRole('checkbox', { name: 'create:clients', exact: true }).check();
      await expect.poll(() => permissions.getByText(/^2 of \d+ selected$/).count()).toBe(1);
      await shot(`m2m-create-${label(v)}`);
      await form.getByRole('button', { name: 'Create and authorize' }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      const clientId = (await page.getByTestId('client-id').textContent())!.trim();
      const authorized = page.getByRole('region', { name: 'Authorized APIs' });
      await authorized.getByRole('link', { name: MGMT_API }).waitFor();
      expect(await authorized.textContent()).toContain('2 scopes');
      expect(await authorized.getByText('Not authorized for any API.').count()).toBe(0);
      await shot(`m2m-created-${label(v)}`);
      const grants = await mgmtApi<{ audience: string; scope: string[] }[]>('GET', `/client-grants?client_id=${clientId}`);
      expect(grants.map((g) => [g.audience, [...g.scope].sort()])).toStrictEqual([[server.init.audience, ['create:clients', 'read:clients']]]);
    }
  });
});

describe('the explorer and an expired token', () => {
  it('says it is expired, colours nothing green and says where to get a token; a valid one still shows green', async () => {
    await page.goto(`${server.baseUrl}/explorer`);
    const tokenField = page.getByLabel('Token', { exact: true });
    const set = async (value: string) => {
      await tokenField.fill(value);
      await page.getByRole('button', { name: 'Set API Token' }).click();
    };
    await set(token);
    await page.locator('.scope-badges').first().waitFor();
    expect(await page.locator('.scope-badges .scope-ok').count()).toBeGreaterThan(0);

    await set(expiredCopy(token));
    const alert = page.locator('.token-expired');
    await alert.waitFor();
    for (const v of ALL_VIEWS) {
      await view(v);
      expect(await alert.textContent()).toMatch(/^This token has expired \(at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (CET|CEST), (\d+ minutes|1 hour) ago\): the Management API refuses it with 401/);
      expect(await alert.getByRole('link', { name: 'API Explorer tab of the Management API' }).getAttribute('href')).toBe('/dashboard/apis/management/explorer');
      expect(await alert.locator('code').textContent()).toBe('scopeward token');
      expect(await page.locator('.scope-ok').count()).toBe(0);
      expect(await page.locator('.scope-badges[data-access="allowed"]').count()).toBe(0);
      expect(await page.locator('.scope-badges[data-access="expired"]').count()).toBeGreaterThan(10);
      // Nothing on the page is drawn in the "granted" green of this scheme.
      const greens = await page.evaluate<number>(`(() => {
        const probe = document.createElement('span'); probe.className = 'badge scope-ok'; document.querySelector('.token-panel').append(probe);
        const green = getComputedStyle(probe).color; probe.remove();
        return [...document.querySelectorAll('.badge')].filter((b) => getComputedStyle(b).color === green).length;
      })()`);
      expect(greens).toBe(0);
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
      await shot(`explorer-expired-${label(v)}`, false);
    }
    // The link leads to a token.
    await view({ width: 1280, scheme: 'light' });
    await alert.getByRole('link', { name: 'API Explorer tab of the Management API' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Token', exact: true }).inputValue(), { timeout: 20_000 }).toMatch(/^ey/);
  });
});

describe("Auth0's addresses", () => {
  it('the server serves the dashboard at the seeds’ paths', async () => {
    for (const p of ['/dashboard/apis/management/explorer', '/dashboard/apis/management/authorized-applications', '/dashboard/account/advanced', '/dashboard/applications/abc/settings']) {
      const response = await fetch(`${server.baseUrl}${p}`);
      expect(response.status, p).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
  });

  it('open the Management API tabs, an application and the tenant’s advanced settings; Auth0’s hash addresses too', async () => {
    const app = await mgmtApi<{ client_id: string }>('POST', '/clients', { name: 'Seed path app', app_type: 'non_interactive' });
    for (const v of TWO_VIEWS) {
      await view(v);
      const selectedTab = async () => {
        const tab = page.locator('[role=tab][aria-selected=true]');
        const id = await tab.getAttribute('id');
        const panel = page.getByRole('tabpanel');
        expect(await panel.getAttribute('aria-labelledby')).toBe(id);
        expect(await tab.getAttribute('aria-controls')).toBe(await panel.getAttribute('id'));
        return tab.textContent();
      };
      await open('/apis/management/explorer');
      await page.getByRole('heading', { level: 1, name: MGMT_API }).waitFor();
      expect(await selectedTab()).toBe('API Explorer');
      await open('/apis/management/authorized-applications');
      await page.getByRole('heading', { level: 1, name: MGMT_API }).waitFor();
      expect(await selectedTab()).toBe('Machine to Machine Applications');
      await page.getByRole('tab', { name: 'Permissions' }).click();
      expect(new URL(page.url()).pathname).toBe('/dashboard/apis/management/permissions');
      await open('/apis');
      expect(await page.getByRole('link', { name: MGMT_API }).getAttribute('href')).toBe('/dashboard/apis/management');
      await page.goto(`${server.baseUrl}/dashboard/#/apis/management/explorer`);
      await page.getByRole('tab', { name: 'API Explorer', selected: true }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/apis/management/explorer');
      await open(`/applications/${app.client_id}/settings`);
      await page.getByRole('heading', { level: 1, name: 'Seed path app' }).waitFor();
      await open('/account/advanced');
      await page.getByRole('heading', { name: 'Advanced' }).waitFor();
      expect(await page.locator('main h1').textContent()).toBe('Tenant settings');
      expect(await page.getByText('There is no page here.').count()).toBe(0);
    }
  });
});

describe('logs', () => {
  it('fit at 1280 px, name every client, label mgmt_api_read and hide the dashboard’s own sign-in unless asked', async () => {
    // A Management API call (sapi, with mgmt_api_read: its answer holds a secret) and a failed exchange.
    await mgmtApi('POST', '/clients', { name: 'Log subject', app_type: 'non_interactive' });
    expect((await clientToken(server.init.client_id, 'not-the-secret')).status).toBe(401);
    expect((await clientToken(server.init.client_id, server.init.client_secret)).status).toBe(200);
    // Long values in the Client column: an application with a 255-character name, a 300-character unknown client id.
    const longApp = await mgmtApi<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'L'.repeat(255), app_type: 'non_interactive' });
    await mgmtApi('POST', '/client-grants', { client_id: longApp.client_id, audience: server.init.audience, scope: ['read:clients'] });
    expect((await clientToken(longApp.client_id, longApp.client_secret)).status).toBe(200);
    expect((await clientToken('c'.repeat(300), 'secret')).status).toBe(401);
    const config = (await (await fetch(`${server.baseUrl}/dashboard/config.json`)).json()) as { client_id: string };
    const initName = 'Scopeward Management (init)';
    for (const v of ALL_VIEWS) {
      await view(v);
      await open('/logs');
      const table = page.getByRole('table', { name: 'Log events' });
      const rows = table.locator('tbody tr');
      await rows.first().waitFor();
      const cells = (type: string, n: number) => rows.filter({ has: page.locator('.badge', { hasText: new RegExp(`^${type}$`) }) }).locator(`td:nth-child(${n})`);
      // The client's name, never its id, for every kind of event that has one (the cell's title holds the id).
      for (const type of ['sapi', 'feccft', 'seccft']) {
        await expect.poll(() => cells(type, 4).count(), { message: type }).toBeGreaterThan(0);
        const shown = await cells(type, 4).evaluateAll((tds) => tds.map((td) => [(td as unknown as { innerText: string }).innerText, td.getAttribute('title')]));
        for (const [text, id] of shown) expect(text, `${type} row shows ${text} for ${id}`).not.toBe(id);
        expect(shown.map(([text]) => text), type).toContain(initName);
      }
      expect(await cells('mgmt_api_read', 2).first().innerText()).toContain('Management API Read Operation');
      // The dashboard's silent auth and code exchange: hidden, then shown on request.
      const own = () => rows.filter({ has: page.locator(`td[title="${config.client_id}"]`) }).filter({ has: page.locator('.badge', { hasText: /^(ssa|seacft|fsa)$/ }) });
      expect(await own().count()).toBe(0);
      if (v.width === 1280) await shot(`logs-${label(v)}`);
      const toggle = page.getByLabel(/Show the dashboard’s own sign-in|Show the dashboard's own sign-in/);
      await toggle.check();
      await expect.poll(() => own().count()).toBeGreaterThan(0);
      // Dates in the one format, with the zone.
      expect(await rows.first().locator('td:first-child').innerText()).toMatch(DATE);
      if (v.width === 1280) {
        for (const header of ['User', 'IP']) {
          const box = (await table.getByRole('columnheader', { name: header, exact: true }).boundingBox())!;
          expect(box.x + box.width, `${header} column on screen`).toBeLessThanOrEqual(1280);
        }
        // Nothing hidden to the right inside the table's own scroller either.
        expect(await page.locator('.table-wrap').evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
        await shot(`logs-with-own-sign-in-${label(v)}`);
      }
      await toggle.uncheck();
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
    }
  });
});

describe('rotation facts', () => {
  it('say which secret last authenticated, and when, in the one date format', async () => {
    const app = await mgmtApi<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'Rotation facts', app_type: 'non_interactive' });
    await mgmtApi('POST', '/client-grants', { client_id: app.client_id, audience: server.init.audience, scope: ['read:clients'] });
    expect((await clientToken(app.client_id, app.client_secret)).status).toBe(200);
    // Recorded every few seconds (src/oauth/token/secret-usage.ts).
    await expect
      .poll(async () => (await mgmtApi<{ client_secret_rotation?: { last_used_secret?: string } }>('GET', `/clients/${app.client_id}?fields=client_secret_rotation`)).client_secret_rotation?.last_used_secret, { timeout: 30_000, interval: 1000 })
      .toBe('current');
    for (const v of TWO_VIEWS) {
      await view(v);
      await open(`/applications/${app.client_id}`);
      const fact = page.locator('.rotation-fact');
      await fact.first().waitFor();
      expect(await fact.first().innerText()).toMatch(/^Last authenticated with the current secret on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (CET|CEST)\.$/);
    }
  });
});

describe('long names', () => {
  const long = (n: number, c: string) => c.repeat(n);
  let appId: string;
  let apiId: string;
  let userId: string;

  beforeAll(async () => {
    // As long as each field takes (up to 300 characters), unbroken: the worst case for a layout.
    const app = await mgmtApi<{ client_id: string }>('POST', '/clients', { name: long(255, 'N'), description: long(140, 'D'), app_type: 'non_interactive' });
    appId = app.client_id;
    const rs = await mgmtApi<{ id: string; identifier: string }>('POST', '/resource-servers', {
      name: long(200, 'A'),
      identifier: `https://${long(292, 'i')}`,
      scopes: [{ value: `read:${long(275, 'p')}`, description: long(300, 'S') }],
    });
    apiId = rs.id;
    await mgmtApi('POST', '/client-grants', { client_id: appId, audience: rs.identifier, scope: [`read:${long(275, 'p')}`] });
    const user = await mgmtApi<{ user_id: string }>('POST', '/users', {
      connection: 'Username-Password-Authentication',
      email: `${long(64, 'e')}@${long(60, 'd')}.${long(60, 'o')}.example`,
      password: 'Correct-Horse-7-battery',
      name: long(150, 'U'),
      nickname: long(150, 'K'),
      user_metadata: { [long(100, 'k')]: long(300, 'v') },
    });
    userId = user.user_id;
    await mgmtApi('PATCH', '/tenants/settings', { friendly_name: long(255, 'F'), support_url: `https://${long(280, 's')}.example/` });
    // A log event whose client id and description are long: a failed exchange for an unknown client.
    await clientToken(long(300, 'c'), 'secret');
  });

  it('say so when a pasted name is over the limit, instead of silently cutting it', async () => {
    for (const v of TWO_VIEWS) {
      await view(v);
      await open('/applications');
      await page.getByRole('button', { name: 'Create Application' }).click();
      const form = page.getByRole('form', { name: 'Create application' });
      const name = form.getByLabel('Name', { exact: true });
      await name.fill(long(301, 'x'));
      expect((await name.inputValue()).length).toBe(301);
      expect(await form.locator('.length-count[data-over]').innerText()).toBe('301 characters: 46 over the limit of 255. Shorten it to save.');
      expect(await name.getAttribute('aria-invalid')).toBe('true');
      await form.getByLabel('API', { exact: true }).selectOption({ label: 'None for now (authorize later)' });
      const before = (await mgmtApi<{ total: number }>('GET', '/clients?include_totals=true&per_page=1')).total;
      await form.getByRole('button', { name: 'Create', exact: true }).click();
      expect(await name.evaluate((e) => (e as unknown as { validationMessage: string }).validationMessage)).toContain('over the limit of 255');
      expect((await mgmtApi<{ total: number }>('GET', '/clients?include_totals=true&per_page=1')).total).toBe(before);
      await name.fill(long(255, 'x'));
      expect(await form.locator('.length-count').innerText()).toBe('255/255');
      await form.getByRole('button', { name: 'Cancel' }).click();
    }
  });

  it('wrap or are clamped with a title: the heading stays on screen and the Type column reads “Machine to Machine”', async () => {
    for (const v of ALL_VIEWS) {
      await view(v);
      if (v.scheme === 'light') await open(`/applications/${appId}`);
      const heading = page.locator('main h1');
      const box = (await heading.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(v.width);
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
      if (v.width === 375) await shot(`application-long-name-${label(v)}`);
    }
    for (const v of ALL_VIEWS) {
      await view(v);
      if (v.scheme === 'light') await open('/applications');
      const link = page.getByRole('link', { name: long(255, 'N') });
      expect(await link.getAttribute('title')).toBe(long(255, 'N'));
      const types = page.locator('table.apps-list td[data-label="Type"]');
      // One line each: "Machine to Machine" never broken between letters.
      const lines = await types.evaluateAll((tds) =>
        tds.map((td) => {
          const range = (globalThis as unknown as BrowserWindow).document.createRange();
          range.selectNodeContents(td);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        }),
      );
      if (v.width === 1280) expect(lines.every((n) => n === 1)).toBe(true);
      expect(await page.locator('table.apps-list tbody tr', { has: link }).locator('td[data-label="Type"]').innerText()).toBe('Machine to Machine');
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
      await shot(`applications-long-name-${label(v)}`);
    }
  });

  it('no dashboard page scrolls sideways with 300-character values in every field, at 375 and 1280 px', async () => {
    const pages = [
      '/applications',
      `/applications/${appId}`,
      '/apis',
      `/apis/${apiId}`,
      `/apis/${apiId}/permissions`,
      `/apis/${apiId}/authorized-applications`,
      `/apis/${apiId}/explorer`,
      '/apis/management/authorized-applications',
      '/users',
      `/users/${encodeURIComponent(userId)}`,
      '/logs',
      '/settings',
      '/keys',
      '/debugger',
    ];
    const wide: string[] = [];
    for (const v of TWO_VIEWS) {
      await view(v);
      for (const p of pages) {
        await open(p);
        await page.waitForLoadState('networkidle');
        if (p === '/logs') await page.getByLabel(/own sign-in/).check();
        if (p === '/debugger') {
          await page.locator('#debugger-token').fill(token);
          await page.locator('[data-verdict]').first().waitFor();
        }
        const overflow = await horizontalOverflow();
        if (overflow > 0) {
          wide.push(`${p} at ${v.width}: ${overflow} px`);
          await shot(`overflow-${v.width}-${p.replace(/[^a-z0-9]+/gi, '_')}`);
        }
      }
    }
    expect(wide).toStrictEqual([]);
  });
});

describe('the smaller items', () => {
  it('dialogs: the revoke text is whole, the deauthorize heading is the size of the others', async () => {
    for (const v of TWO_VIEWS) {
      await view(v);
      await open('/apis/management/explorer');
      await expect.poll(() => page.getByRole('textbox', { name: 'Token', exact: true }).inputValue(), { timeout: 20_000 }).toMatch(/^ey/);
      const row = page.locator('table.test-tokens tbody tr', { has: page.getByText('shown above') });
      await row.getByRole('button', { name: 'Revoke' }).click();
      const revoke = page.getByRole('dialog');
      const text = revoke.getByText('Requests made with this token are refused from now on. This cannot be undone.');
      await text.waitFor();
      const fits = await text.evaluate((p) => p.scrollWidth <= p.clientWidth && (globalThis as unknown as BrowserWindow).getComputedStyle(p).whiteSpace === 'normal');
      expect(fits).toBe(true);
      const textBox = (await text.boundingBox())!;
      const dialogBox = (await revoke.boundingBox())!;
      expect(textBox.x + textBox.width).toBeLessThanOrEqual(dialogBox.x + dialogBox.width);
      const revokeHeading = await revoke.locator('h2').evaluate((h) => (globalThis as unknown as BrowserWindow).getComputedStyle(h).fontSize);
      await shot(`revoke-dialog-${label(v)}`, false);
      await revoke.getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('tab', { name: 'Machine to Machine Applications' }).click();
      const testApp = page.getByRole('region', { name: `${MGMT_API} (Test Application)` });
      await testApp.getByRole('switch').click();
      const deauthorize = page.getByRole('dialog', { name: /^Deauthorize/ });
      await deauthorize.waitFor();
      expect(await deauthorize.locator('h2').evaluate((h) => (globalThis as unknown as BrowserWindow).getComputedStyle(h).fontSize)).toBe(revokeHeading);
      expect(revokeHeading).toBe('17px');
      await deauthorize.getByRole('button', { name: 'Cancel' }).click();
    }
  });

  it('the debugger’s tabs have tabpanels; the legacy template button does not touch the text above', async () => {
    for (const v of TWO_VIEWS) {
      await view(v);
      await open('/debugger');
      const tablist = page.getByRole('tablist');
      for (const name of ['Inspect', 'Sign (HS256)']) {
        await tablist.getByRole('tab', { name }).click();
        const tab = tablist.getByRole('tab', { name, selected: true });
        const panel = page.getByRole('tabpanel');
        expect(await panel.getAttribute('id')).toBe(await tab.getAttribute('aria-controls'));
        expect(await panel.getAttribute('aria-labelledby')).toBe(await tab.getAttribute('id'));
      }
      const button = page.getByRole('button', { name: 'Fill in a legacy token template' });
      const gap = await button.evaluate((b) => {
        const above = b.parentElement!.previousElementSibling!;
        return b.getBoundingClientRect().top - above.getBoundingClientRect().bottom;
      });
      expect(gap).toBeGreaterThanOrEqual(6);
    }
  });

  it('the sidebar stays in view on a long page (desktop); tenant settings show 168 and 72; the Management API’s disabled fields look disabled', async () => {
    for (const v of ALL_VIEWS) {
      await view(v);
      if (v.width === 1280) {
        await open('/apis/management/permissions');
        await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
        await expect.poll(() => page.evaluate<number>('window.scrollY')).toBeGreaterThan(500);
        const nav = (await page.getByRole('navigation', { name: 'Dashboard' }).boundingBox())!;
        expect(Math.abs(nav.y)).toBeLessThan(1);
        expect(await page.getByRole('link', { name: 'Logs', exact: true }).isVisible()).toBe(true);
      }
      await open('/settings');
      expect(await page.getByLabel('Session lifetime (hours)', { exact: true }).inputValue()).toBe('168');
      expect(await page.getByLabel('Idle session lifetime (hours)').inputValue()).toBe('72');

      await open('/apis/management');
      const name = page.getByRole('form', { name: 'API settings' }).getByLabel('Name', { exact: true });
      expect(await name.isDisabled()).toBe(true);
      const style = await name.evaluate((e) => {
        const css = (globalThis as unknown as BrowserWindow).getComputedStyle(e);
        return { border: css.borderTopStyle, bg: css.backgroundColor, cursor: css.cursor };
      });
      const panelBg = await page.locator('fieldset.panel').first().evaluate((e) => (globalThis as unknown as BrowserWindow).getComputedStyle(e).backgroundColor);
      expect(style.border).toBe('dashed');
      expect(style.cursor).toBe('not-allowed');
      expect(style.bg).not.toBe(panelBg);
      if (v.width === 1280) await shot(`management-api-disabled-${label(v)}`, false);
    }
  });

  it('one date format, with the zone, on the dashboard and in the explorer', async () => {
    for (const v of TWO_VIEWS) {
      await view(v);
      await open('/apis/management/explorer');
      const expires = page.locator('table.test-tokens tbody tr').first().locator('td[data-label="Expires"] time');
      await expires.waitFor();
      expect(await expires.innerText()).toMatch(DATE);
      await page.goto(`${server.baseUrl}/explorer`);
      await page.getByLabel('Token', { exact: true }).fill(token);
      await page.getByRole('button', { name: 'Set API Token' }).click();
      const dd = page.locator('.token-facts dt', { hasText: 'Expires' }).locator('xpath=following-sibling::dd[1]');
      expect((await dd.innerText()).replace(/ \(in .*\)$/, '')).toMatch(DATE);
    }
    expect(problems).toStrictEqual([]);
  });
});
