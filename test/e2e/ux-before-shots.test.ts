// TEMPORARY (not committed): "before" screenshots of issue 14's dashboard items on the current build.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, it, vi } from 'vitest';
import { launchChromium, STEP_TIMEOUT_MS } from '../helpers/chromium.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const DIR = '/work/notes/shots/dashboard-ux';
const TAG = process.env.SHOTS_TAG ?? 'before';
let browser: Browser;
let server: RealServer;
let page: Page;
const shot = (name: string) => page.screenshot({ path: path.join(DIR, `${TAG}-${name}.png`), fullPage: true });

beforeAll(async () => {
  browser = await launchChromium();
  server = await startRealServer();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

it('takes the shots', async () => {
  const admin = (server.init as unknown as { admin: { email: string; password: string } }).admin;
  await page.goto(`${server.baseUrl}/dashboard/`);
  await page.locator('#username').fill(admin.email);
  await page.locator('#password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
  // M2M creation
  await page.getByRole('button', { name: 'Create Application' }).click();
  await page.getByLabel('Name').fill('Worker');
  await page.getByLabel('Machine to Machine').check();
  await shot('m2m-create-form-1280');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('heading', { name: 'Worker' }).waitFor();
  await page.waitForTimeout(1500);
  await shot('m2m-created-1280');
  // long name
  const tok = (await (await fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: server.init.client_id, client_secret: server.init.client_secret, audience: server.init.audience }) })).json()) as { access_token: string };
  const long = 'L'.repeat(40) + ' ' + 'x'.repeat(214);
  const made = (await (await fetch(`${server.baseUrl}/api/v2/clients`, { method: 'POST', headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: long, description: 'd'.repeat(140), app_type: 'non_interactive' }) })).json()) as { client_id: string };
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${server.baseUrl}/dashboard/applications/${made.client_id}`);
  await page.locator('main h1').first().waitFor();
  await page.waitForTimeout(1500);
  await shot('application-long-name-375');
  await page.goto(`${server.baseUrl}/dashboard/applications`);
  await page.locator('main h1').first().waitFor();
  await page.waitForTimeout(1500);
  await shot('applications-long-name-375');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.baseUrl}/dashboard/applications`);
  await page.waitForTimeout(1500);
  await shot('applications-long-name-1280');
  // logs
  await page.goto(`${server.baseUrl}/dashboard/logs`);
  await page.locator('table[aria-label="Log events"] tbody tr').first().waitFor();
  await page.waitForTimeout(1000);
  await shot('logs-1280');
  // explorer expired
  const [h, p, s] = tok.access_token.split('.');
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, number>;
  const now = Math.floor(Date.now() / 1000);
  claims.iat = now - 7200; claims.exp = now - 3600;
  const expired = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  await page.goto(`${server.baseUrl}/explorer`);
  await page.getByLabel('Token', { exact: true }).fill(expired);
  await page.getByRole('button', { name: 'Set API Token' }).click();
  await page.locator('.scope-badges').first().waitFor();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(DIR, `${TAG}-explorer-expired-1280.png`) });
  // management explorer path
  await page.goto(`${server.baseUrl}/dashboard/apis/management/explorer`);
  await page.locator('main h1, main h2').first().waitFor().catch(() => undefined);
  await page.waitForTimeout(1000);
  await shot('apis-management-explorer-1280');
  // settings
  await page.goto(`${server.baseUrl}/dashboard/settings`);
  await page.locator('main h1').first().waitFor();
  await page.waitForTimeout(1000);
  await shot('settings-1280');
});
