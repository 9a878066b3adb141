// Auth0's Deploy CLI limited to the resource types Scopeward serves (AUTH0_INCLUDED_ONLY, as the
// README shows): an exported tenant.yaml, edited to add an API with scopes, a machine-to-machine
// application, its grant and a tenant setting, lands on import; the new application gets a token
// carrying the new scope; importing the same file again changes nothing (issue 12, Build 2).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { a0deploy, yaml } from '../helpers/deploy-cli.ts';
import { clientCredentialsToken } from '../helpers/oauth-http.ts';
import { realAdmin, type AdminCall } from '../helpers/real-admin.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

// Two imports of the Deploy CLI (its schema compile alone is ~20-30 s of CPU here).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 90_000 });

/** The configuration the README gives for Scopeward. */
const CONFIG = { AUTH0_INCLUDED_ONLY: ['tenant', 'clients', 'databases', 'resourceServers', 'clientGrants'] };
const INVOICES = 'https://invoices.deploy-cli.e2e.test/';

interface TenantFile {
  resourceServers: Record<string, unknown>[];
  clients: Record<string, unknown>[];
  clientGrants: Record<string, unknown>[];
  tenant: Record<string, unknown>;
  [type: string]: unknown;
}

let server: RealServer;
let admin: AdminCall;
let dir: string;
let file: string;

const counts = async () => ({
  clients: (await admin<unknown[]>('GET', '/clients?per_page=100')).body.length,
  resourceServers: (await admin<unknown[]>('GET', '/resource-servers?per_page=100')).body.length,
  clientGrants: (await admin<unknown[]>('GET', '/client-grants?per_page=100')).body.length,
});

beforeAll(async () => {
  server = await startRealServer();
  admin = await realAdmin(server);
  dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-deploy-cli-'));
  file = path.join(dir, 'tenant.yaml');
});
afterAll(async () => {
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a0deploy with AUTH0_INCLUDED_ONLY: an edited tenant.yaml', () => {
  it('export writes exactly the included types', async () => {
    const run = await a0deploy(server, ['export', '--format', 'yaml', '--output_folder', dir], { dir, config: CONFIG });
    expect(run.status, run.output).toBe(0);
    expect(Object.keys(yaml.load(readFileSync(file, 'utf8')) as object).sort()).toEqual(['clientGrants', 'clients', 'databases', 'resourceServers', 'tenant']);
    expect(run.output).not.toMatch(/missing scopes/);
  });

  it('a new API with scopes, an M2M application, its grant and a tenant setting land; the application gets a token with the new scope', async () => {
    const tenant = yaml.load(readFileSync(file, 'utf8')) as TenantFile;
    tenant.resourceServers.push({ name: 'Invoices', identifier: INVOICES, scopes: [{ value: 'read:invoices', description: 'Read invoices' }, { value: 'write:invoices', description: 'Write invoices' }], token_lifetime: 3600, signing_alg: 'RS256' });
    tenant.clients.push({ name: 'Invoice mailer', app_type: 'non_interactive', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
    tenant.clientGrants.push({ client_id: 'Invoice mailer', audience: INVOICES, scope: ['read:invoices'] });
    tenant.tenant = { ...tenant.tenant, friendly_name: 'Invoices Inc', session_lifetime: 12 };
    writeFileSync(file, yaml.dump(tenant));

    const before = await counts();
    const run = await a0deploy(server, ['import', '--input_file', file], { dir, config: CONFIG });
    expect(run.status, run.output).toBe(0);
    expect(await counts()).toEqual({ clients: before.clients + 1, resourceServers: before.resourceServers + 1, clientGrants: before.clientGrants + 1 });

    const api = (await admin<{ scopes: unknown[]; token_lifetime: number }>('GET', `/resource-servers/${encodeURIComponent(INVOICES)}`)).body;
    expect([api.scopes, api.token_lifetime]).toEqual([[{ value: 'read:invoices', description: 'Read invoices' }, { value: 'write:invoices', description: 'Write invoices' }], 3600]);
    const app = (await admin<{ name: string; client_id: string; client_secret: string }[]>('GET', '/clients?per_page=100')).body.find((c) => c.name === 'Invoice mailer')!;
    const claims = decodeJwt(await clientCredentialsToken(server.baseUrl, app.client_id, app.client_secret, INVOICES));
    expect([claims.aud, claims.scope, claims.sub]).toEqual([INVOICES, 'read:invoices', `${app.client_id}@clients`]);
    const settings = (await admin<{ friendly_name: string; session_lifetime: number }>('GET', '/tenants/settings')).body;
    expect([settings.friendly_name, settings.session_lifetime]).toEqual(['Invoices Inc', 12]);
    console.info(`a0deploy import (changes): ${run.ms} ms`);
  });

  it('importing the same file again succeeds and changes nothing', async () => {
    const snapshot = async () => ({ counts: await counts(), clients: (await admin('GET', '/clients?per_page=100')).body, grants: (await admin('GET', '/client-grants?per_page=100')).body, settings: (await admin('GET', '/tenants/settings')).body });
    const before = await snapshot();
    const run = await a0deploy(server, ['import', '--input_file', file], { dir, config: CONFIG });
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toMatch(/Created \[/);
    expect(await snapshot()).toEqual(before);
    console.info(`a0deploy import (again): ${run.ms} ms`);
  });
});
