// The application page's Authentication method and Credentials section (issue 15) in a real
// browser: an administrator pastes a public key, sees it listed, switches the application to
// Private Key JWT (the auth0 SDK then authenticates with the private key, the secret is refused),
// sets an expiry, deletes the credential, and switches back to the client secret. Each step is
// checked through the Management API and at /oauth/token, not only on the page.
import { AuthenticationClient } from 'auth0/legacy';
import { ManagementClient } from 'auth0';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, signedInDashboard } from '../helpers/chromium.ts';
import { postToken } from '../helpers/oauth-http.ts';
import { rsaKeyPair, type KeyPair } from '../helpers/private-key-jwt.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let browser: Browser;
let server: RealServer;
let page: Page;
let mgmt: ManagementClient;
let keys: KeyPair;
let clientId: string;
let clientSecret: string;
const problems: string[] = [];

const assertionGrant = () => new AuthenticationClient({ domain: server.domain, clientId, clientAssertionSigningKey: keys.privatePem }).oauth.clientCredentialsGrant({ audience: server.init.audience });
const secretGrant = () => postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: server.init.audience });
const section = () => page.getByRole('region', { name: 'Authentication method' });

beforeAll(async () => {
  browser = await launchChromium();
  server = await startRealServer();
  keys = rsaKeyPair();
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  const app = await mgmt.clients.create({ name: 'Keyed worker', app_type: 'non_interactive' });
  clientId = app.client_id!;
  clientSecret = app.client_secret!;
  await mgmt.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients'] });
  ({ page } = await signedInDashboard(browser, server, problems));
  await page.getByRole('link', { name: 'Applications', exact: true }).click();
  await page.getByRole('link', { name: 'Keyed worker' }).click();
  await section().waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('the application page: credentials and the authentication method', () => {
  it('adds a credential from a pasted PEM; it is listed on the page and through the API', async () => {
    await expect(section().getByTestId('auth-method').textContent()).resolves.toBe('Client Secret (Post)');
    await section().getByLabel('Credential name').fill('build server');
    await section().getByLabel('Public key (PEM)').fill(keys.publicPem);
    await section().getByLabel('Algorithm').selectOption('RS256');
    await section().getByRole('button', { name: 'Add credential' }).click();
    await section().getByRole('table', { name: 'Credentials' }).getByRole('cell', { name: 'build server', exact: true }).waitFor();
    const listed = await mgmt.clients.credentials.list(clientId);
    expect(listed.map((c) => [c.name, c.alg, c.credential_type])).toEqual([['build server', 'RS256', 'public_key']]);
  });

  it('switches to Private Key JWT: the SDK authenticates with the private key and the secret is refused', async () => {
    await section().getByLabel('Private Key JWT').check();
    await section().getByRole('button', { name: 'Save method' }).click();
    await section().getByText('Authentication method: Private Key JWT.').waitFor();
    await expect(section().getByTestId('auth-method').textContent()).resolves.toBe('Private Key JWT');
    const client = await mgmt.clients.get(clientId);
    const [credential] = await mgmt.clients.credentials.list(clientId);
    expect(client.client_authentication_methods).toEqual({ private_key_jwt: { credentials: [{ id: credential!.id }] } });
    expect((await assertionGrant()).status).toBe(200);
    expect((await secretGrant()).status).toBe(401);
  });

  it('sets an expiry on the credential', async () => {
    await section().getByLabel('New expiry for build server').fill('2031-02-03T04:05');
    await section().getByRole('button', { name: 'Set expiry' }).click();
    await section().getByText('Expiry set.').waitFor();
    const [credential] = await mgmt.clients.credentials.list(clientId);
    expect(credential!.expires_at).toMatch(/^2031-02-0[23]T/);
  });

  it('deletes the credential after a confirmation; the key is refused at once', async () => {
    await section().getByRole('button', { name: 'Delete build server' }).click();
    await page.getByRole('dialog', { name: 'Delete the credential?' }).getByRole('button', { name: 'Delete' }).click();
    await section().getByText('No credentials yet.').waitFor();
    expect(await mgmt.clients.credentials.list(clientId)).toEqual([]);
    await expect(assertionGrant()).rejects.toMatchObject({ statusCode: 401 });
  });

  it('switches back to Client Secret (Post): the secret works again', async () => {
    await section().getByLabel('Client Secret (Post)').check();
    await section().getByRole('button', { name: 'Save method' }).click();
    await section().getByText('Authentication method: Client Secret (Post).').waitFor();
    expect((await mgmt.clients.get(clientId)).token_endpoint_auth_method).toBe('client_secret_post');
    expect((await secretGrant()).status).toBe(200);
    expect(problems).toEqual([]);
  });
});
