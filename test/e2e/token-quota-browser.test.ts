// The dashboard's token quota sections in a real browser (issue 15): an administrator sets an
// application's quota on its page and the tenant default in Tenant settings; what they saved is
// what the Management API answers, and the token endpoint enforces it (429 and Auth0's header).
import { ManagementClient } from 'auth0';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, signedInDashboard } from '../helpers/chromium.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let browser: Browser;
let server: RealServer;
let page: Page;
let mgmt: ManagementClient;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  server = await startRealServer();
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  ({ page } = await signedInDashboard(browser, server, problems));
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
  expect(problems).toEqual([]);
});

const token = (clientId: string, clientSecret: string) =>
  fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: server.init.audience }),
  });

describe('issue 15: token quotas in the dashboard', () => {
  it("an application's Token quota section saves Auth0's token_quota, and the token endpoint enforces it", async () => {
    const created = await mgmt.clients.create({ name: 'Quota app', app_type: 'non_interactive', grant_types: ['client_credentials'] });
    const app = (created as unknown as { data?: { client_id: string; client_secret: string } }).data ?? (created as unknown as { client_id: string; client_secret: string });
    await mgmt.clientGrants.create({ client_id: app.client_id, audience: server.init.audience, scope: ['read:clients'] });

    await page.goto(`${server.baseUrl}/dashboard/applications/${encodeURIComponent(app.client_id)}`);
    const section = page.getByRole('form', { name: 'Token quota' });
    await section.getByText('No quota').waitFor();
    await section.getByLabel('Tokens per hour').fill('0');
    await section.getByRole('button', { name: 'Save quota' }).click();
    await section.getByText('A whole number from 1 to 2,147,483,647.').waitFor();
    await section.getByLabel('Tokens per hour').fill('1');
    await section.getByLabel('Tokens per day').fill('100');
    await section.getByRole('button', { name: 'Save quota' }).click();
    await section.getByText('Token quota saved.').waitFor();
    await section.getByText('1 an hour, 100 a day, enforced').waitFor();

    const stored = await (await fetch(`${server.baseUrl}/api/v2/clients/${encodeURIComponent(app.client_id)}?fields=token_quota`, { headers: { authorization: `Bearer ${await adminToken()}` } })).json();
    expect(stored).toEqual({ token_quota: { client_credentials: { enforce: true, per_hour: 1, per_day: 100 } } });
    expect((await token(app.client_id, app.client_secret)).status).toBe(200);
    const refused = await token(app.client_id, app.client_secret);
    expect([refused.status, refused.headers.get('auth0-client-quota-limit')?.startsWith('b=per_hour;q=1;r=0;')]).toEqual([429, true]);

    await section.getByRole('button', { name: 'Remove quota' }).click();
    await section.getByText('Token quota removed.').waitFor();
    expect((await token(app.client_id, app.client_secret)).status).toBe(200);
  });

  it("Tenant settings' Default token quota saves default_token_quota.clients", async () => {
    await page.getByRole('link', { name: 'Tenant settings', exact: true }).click();
    const section = page.getByRole('form', { name: 'Default token quota' });
    await section.getByLabel('Tokens per day').fill('5000');
    await section.getByRole('checkbox').uncheck();
    await section.getByRole('button', { name: 'Save quota' }).click();
    await section.getByText('Token quota saved.').waitFor();
    await section.getByText('5,000 a day, not enforced (logged only)').waitFor();
    const settings = (await (await fetch(`${server.baseUrl}/api/v2/tenants/settings`, { headers: { authorization: `Bearer ${await adminToken()}` } })).json()) as Record<string, unknown>;
    expect(settings.default_token_quota).toEqual({ clients: { client_credentials: { enforce: false, per_day: 5000 } } });
  });
});

async function adminToken(): Promise<string> {
  return ((await (await token(server.init.client_id, server.init.client_secret)).json()) as { access_token: string }).access_token;
}
