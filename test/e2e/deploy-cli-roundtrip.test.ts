// Auth0's Deploy CLI, its documented workflow, with no configuration beyond credentials: `a0deploy
// export` of a tenant, then `a0deploy import` of the unchanged file, which succeeds and changes
// nothing (issue 12, E3, E5, Build 2). Every resource type the CLI walks and Scopeward does not
// serve answers 403 insufficient scope, which the CLI reports and skips; Scopeward's system
// objects (the dashboard application, the default connection) take the CLI's write-back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { a0deploy, yaml } from '../helpers/deploy-cli.ts';
import { clientCredentialsToken } from '../helpers/oauth-http.ts';
import { realAdmin, type AdminCall } from '../helpers/real-admin.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

// One export and one import of the Deploy CLI (its schema compile alone is ~20-30 s of CPU here).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 90_000 });

const API = 'https://ledger.deploy-cli.e2e.test/';

let server: RealServer;
let admin: AdminCall;
let dir: string;

/** Everything the import could touch, as the Management API shows it. */
async function snapshot(): Promise<Record<string, unknown>> {
  const byName = (list: { name?: string }[]) => [...list].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return {
    clients: byName((await admin<{ name: string }[]>('GET', '/clients?per_page=100')).body),
    resourceServers: byName((await admin<{ name: string }[]>('GET', '/resource-servers?per_page=100')).body),
    clientGrants: (await admin<{ id: string }[]>('GET', '/client-grants?per_page=100')).body.sort((a, b) => a.id.localeCompare(b.id)),
    connections: (await admin('GET', '/connections')).body,
    tenant: (await admin('GET', '/tenants/settings')).body,
  };
}

beforeAll(async () => {
  server = await startRealServer();
  admin = await realAdmin(server);
  dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-deploy-cli-'));
  expect((await admin('POST', '/resource-servers', { identifier: API, name: 'Ledger', scopes: [{ value: 'read:ledger', description: 'Read the ledger' }] })).status).toBe(201);
  const app = (await admin<{ client_id: string; client_secret: string }>('POST', '/clients', { name: 'Ledger sync', app_type: 'non_interactive' })).body;
  expect((await admin('POST', '/client-grants', { client_id: app.client_id, audience: API, scope: ['read:ledger'] })).status).toBe(201);
  // The app has used its secret: Scopeward notes which one (client_secret_rotation, not exported).
  await clientCredentialsToken(server.baseUrl, app.client_id, app.client_secret, API);
});
afterAll(async () => {
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a0deploy export, then import of the unchanged file', () => {
  it('export succeeds and writes only Auth0 fields', async () => {
    const run = await a0deploy(server, ['export', '--format', 'yaml', '--output_folder', dir], { dir });
    expect(run.status, run.output).toBe(0);
    const text = readFileSync(path.join(dir, 'tenant.yaml'), 'utf8');
    expect(text).not.toMatch(/scopeward_system|client_secret_rotation/);
    const file = yaml.load(text) as { clients: { name: string }[]; resourceServers: { identifier: string }[]; clientGrants: { client_id: string }[]; databases: { name: string }[]; tenant: { flags: Record<string, boolean> } };
    expect(file.clients.map((c) => c.name).sort()).toEqual(['Ledger sync', 'Scopeward Dashboard', 'Scopeward Management (init)']);
    expect(file.resourceServers.map((r) => r.identifier)).toEqual([API]);
    expect(file.clientGrants).toEqual([expect.objectContaining({ client_id: 'Ledger sync', audience: API, scope: ['read:ledger'] })]);
    expect(file.databases.map((d) => d.name)).toEqual(['Username-Password-Authentication']);
    expect(file.tenant.flags).toBeDefined();
    // Types Scopeward does not serve were skipped with the CLI's missing-scope warning.
    expect(run.output).toMatch(/Cannot retrieve roles due to missing scopes: read:roles \(Scopeward does not serve this Auth0 resource\)/);
    console.info(`a0deploy export: ${run.ms} ms`);
  });

  it('import of the unchanged file succeeds, creates nothing and changes nothing', async () => {
    const before = await snapshot();
    const run = await a0deploy(server, ['import', '--input_file', path.join(dir, 'tenant.yaml')], { dir });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/Import Successful/);
    expect(run.output).not.toMatch(/Created \[/);
    expect(await snapshot()).toEqual(before);
    console.info(`a0deploy import: ${run.ms} ms`);
  });
});
