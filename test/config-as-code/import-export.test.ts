// Configuration as code (issue 12 item 3), in process: `scopeward export` writes the Deploy CLI's
// tenant.yaml, `scopeward import` applies one through the Management API (inject: the same hooks,
// scope guard, validation, handlers and tenant log as any caller). Round trip of an unchanged file
// changes nothing; a modified one lands and is idempotent; keywords; dry run; deletions only when
// allowed; a bad file is refused whole, before the first write; a refusal mid-import says what ran.
import { dump, load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, managementApi, type ManagementApi, type Send } from '../../src/config-as-code/api.ts';
import { describePlan, planJson } from '../../src/config-as-code/apply.ts';
import { exportYaml } from '../../src/config-as-code/export.ts';
import { importYaml, type ImportOptions } from '../../src/config-as-code/import.ts';
import { readRemote } from '../../src/config-as-code/remote.ts';
import { FileError } from '../../src/config-as-code/tenant-file.ts';
import { injectSend } from '../../src/dev/inject.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed tenant.yaml that the tests edit freely, as a person edits the file
type Doc = Record<string, any>;
const MGMT = `https://${DOMAIN}/api/v2/`;
const SECRET = 'imported-secret-0123456789-abcdefghijklmnop';

let s: TestServer;
let deployer: M2M;
let api: ManagementApi;

async function apiFor(server: TestServer, m2m: M2M, send?: (inner: Send) => Send): Promise<ManagementApi> {
  const inner = injectSend(server.fastify, DOMAIN, await tokenFor(server, m2m));
  return managementApi(send ? send(inner) : inner, { domain: DOMAIN, callerClientId: m2m.clientId });
}

const run = (text: string, options: Partial<ImportOptions> = {}, target = api) => importYaml(target, text, 'tenant.yaml', { mappings: {}, dryRun: false, allowDelete: false, ...options });
const exported = async (): Promise<Doc> => load(await exportYaml(api, { includeSecrets: false })) as Doc;

/** Events of a type in the tenant log so far: sapi, one per successful Management API write; mgmt_api_read, one per answer with a secret. */
async function events(type: 'sapi' | 'mgmt_api_read'): Promise<number> {
  await s.audit.flush();
  const { total } = (await api.get(`/api/v2/logs?q=type:${type}&include_totals=true&per_page=1`)) as { total: number };
  return total;
}
const writes = () => events('sapi');

beforeEach(async () => {
  s = await startTestServer();
  deployer = await seedM2M(s, [...MANAGEMENT_SCOPES], { name: 'deployer' });
  api = await apiFor(s, deployer);
  // Something of each kind to export: an API, an application granted on it, a tenant setting.
  await api.post('/api/v2/resource-servers', { identifier: 'https://orders.example/', name: 'Orders', scopes: [{ value: 'read:orders', description: 'Read orders' }] });
  const app = (await api.post('/api/v2/clients', { name: 'Orders worker', app_type: 'non_interactive' })) as Doc;
  await api.post('/api/v2/client-grants', { client_id: app.client_id, audience: 'https://orders.example/', scope: ['read:orders'] });
  await api.patch('/api/v2/tenants/settings', { friendly_name: 'Acme' });
});
afterEach(() => s.close());

describe('scopeward export: the Deploy CLI tenant.yaml', () => {
  it('has the Deploy CLI keys; grants name applications by name and APIs by identifier; ids, secrets and Scopeward-only objects are left out (and no secret is even read)', async () => {
    const secretReads = await events('mgmt_api_read');
    const doc = await exported();
    expect(await events('mgmt_api_read')).toBe(secretReads);
    expect(Object.keys(doc)).toStrictEqual(['tenant', 'clients', 'databases', 'connections', 'resourceServers', 'clientGrants']);
    expect(doc.tenant).toMatchObject({ friendly_name: 'Acme' });
    expect(doc.tenant).not.toHaveProperty('rate_limits');
    // Sorted by name, name first; no client_id, secret, signing keys, tenant or global; no dashboard application.
    expect(doc.clients.map((c: Doc) => Object.keys(c)[0])).toStrictEqual(['name', 'name']);
    expect(doc.clients.map((c: Doc) => c.name)).toStrictEqual(['deployer', 'Orders worker']);
    for (const c of doc.clients) for (const f of ['client_id', 'client_secret', 'signing_keys', 'tenant', 'global', 'callback_url_template', 'scopeward_system']) expect(c).not.toHaveProperty(f);
    expect(doc.resourceServers).toStrictEqual([
      expect.objectContaining({ name: 'Orders', identifier: 'https://orders.example/', scopes: [{ description: 'Read orders', value: 'read:orders' }] }),
    ]);
    expect(doc.resourceServers[0]).not.toHaveProperty('id');
    expect(doc.clientGrants).toContainEqual({ client_id: 'Orders worker', audience: 'https://orders.example/', scope: ['read:orders'], subject_type: 'client' });
    // The grants of the application the export runs as stay out, as with a0deploy.
    expect(doc.clientGrants).toHaveLength(1);
    expect(doc.databases).toStrictEqual([expect.objectContaining({ name: 'Username-Password-Authentication', strategy: 'auth0' })]);
    expect(doc.connections).toStrictEqual([]);
  });

  it('--include-secrets adds each client_secret (read with read:client_keys)', async () => {
    const doc = load(await exportYaml(api, { includeSecrets: true })) as Doc;
    expect(doc.clients.find((c: Doc) => c.name === 'deployer').client_secret).toBe(deployer.clientSecret);
  });

  it('two exports of the same tenant are the same text', async () => {
    expect(await exportYaml(api, { includeSecrets: false })).toBe(await exportYaml(api, { includeSecrets: false }));
  });
});

describe('scopeward import', () => {
  it('round trip: importing an unchanged export changes nothing and writes nothing', async () => {
    const text = await exportYaml(api, { includeSecrets: true });
    const before = await readRemote(api, { secrets: true });
    const count = await writes();
    const result = await run(text, { allowDelete: true });
    expect(planJson(result.plan)).toStrictEqual({ changes: [], unchanged: 6, kept: [] });
    expect(result.applied).toBe(0);
    expect(await readRemote(api, { secrets: true })).toStrictEqual(before);
    expect(await writes()).toBe(count);
    expect(describePlan(result.plan)).toStrictEqual(['Nothing to change: the tenant already matches the file.', '0 to create, 0 to update, 0 to delete, 0 skipped, 6 unchanged.']);
  });

  it('a modified file lands (new API with scopes, M2M application with its secret, its grant, a tenant setting, a changed application), each write a sapi event; the new application gets a token with the new scope; a second import changes nothing', async () => {
    const doc = await exported();
    doc.resourceServers.push({ name: 'Billing', identifier: 'https://billing.example/', scopes: [{ value: 'charge', description: 'Charge a card' }], token_lifetime: 3600 });
    doc.clients.push({ name: 'Billing job', app_type: 'non_interactive', client_secret: SECRET });
    doc.clientGrants.push({ client_id: 'Billing job', audience: 'https://billing.example/', scope: ['charge'] });
    doc.clients.find((c: Doc) => c.name === 'Orders worker').description = 'Reads orders nightly';
    doc.tenant.support_email = 'support@acme.example';
    const count = await writes();

    const result = await run(dump(doc));
    expect(planJson(result.plan).changes).toStrictEqual([
      { type: 'resourceServers', kind: 'create', label: 'https://billing.example/ (Billing)' },
      { type: 'clients', kind: 'update', label: 'Orders worker', fields: ['description'] },
      { type: 'clients', kind: 'create', label: 'Billing job', fields: ['client_secret'] },
      { type: 'clientGrants', kind: 'create', label: 'Billing job -> https://billing.example/' },
      { type: 'tenant', kind: 'update', label: 'tenant settings', fields: ['support_email'] },
    ]);
    // The application's POST and the PATCH of its secret are two calls: six writes.
    expect(result.applied).toBe(5);
    expect(await writes()).toBe(count + 6);

    const job = ((await api.list('/api/v2/clients?is_global=false', 'clients')) as Doc[]).find((c) => c.name === 'Billing job')!;
    const token = await tokenFor(s, { clientId: job.client_id, clientSecret: SECRET }, 'https://billing.example/');
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ aud: 'https://billing.example/', scope: 'charge' });
    expect(((await api.get('/api/v2/tenants/settings')) as Doc).support_email).toBe('support@acme.example');

    const again = await run(dump(doc));
    expect([again.plan.changes, again.applied]).toStrictEqual([[], 0]);
    expect(await writes()).toBe(count + 6);
  });

  it('keywords: ##KEY## becomes text, @@KEY@@ (quoted or not) a JSON value; a marker left without a value refuses the file', async () => {
    const text = [
      'clients:',
      '  - name: ##APP_NAME##',
      '    app_type: regular_web',
      '    callbacks: @@CALLBACKS@@',
      "    allowed_logout_urls: '@@LOGOUT@@'",
      '    description: "for ##ENV##"',
    ].join('\n');
    const mappings = { APP_NAME: 'Storefront', CALLBACKS: ['https://shop.example/cb', 'http://localhost:3000/cb'], LOGOUT: ['https://shop.example/'], ENV: 'staging' };
    await run(text, { mappings });
    const shop = ((await api.list('/api/v2/clients?is_global=false', 'clients')) as Doc[]).find((c) => c.name === 'Storefront')!;
    expect([shop.callbacks, shop.allowed_logout_urls, shop.description]).toStrictEqual([mappings.CALLBACKS, mappings.LOGOUT, 'for staging']);

    const error = await run(text, { mappings: { APP_NAME: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).problems).toStrictEqual([
      'keyword @@CALLBACKS@@ has no value: give it with --keyword CALLBACKS=VALUE or in the --keywords file',
      'keyword @@LOGOUT@@ has no value: give it with --keyword LOGOUT=VALUE or in the --keywords file',
      'keyword ##ENV## has no value: give it with --keyword ENV=VALUE or in the --keywords file',
    ]);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const doc = await exported();
    doc.clients = doc.clients.filter((c: Doc) => c.name !== 'Orders worker');
    doc.clientGrants = doc.clientGrants.filter((g: Doc) => g.client_id !== 'Orders worker');
    doc.clients.push({ name: 'New app', app_type: 'spa', callbacks: ['https://spa.example/'] });
    doc.tenant.friendly_name = 'Acme staging';
    const before = await readRemote(api, { secrets: true });
    const count = await writes();
    const secretReads = await events('mgmt_api_read');
    const result = await run(dump(doc), { dryRun: true, allowDelete: true });
    // The file has no secret, so none was read to compare it.
    expect(await events('mgmt_api_read')).toBe(secretReads);
    expect(result.applied).toBe(0);
    expect(describePlan(result.plan)).toStrictEqual([
      'tenant:',
      '  ~ update tenant settings: friendly_name',
      'clients:',
      '  + create New app',
      '  - delete Orders worker',
      'clientGrants:',
      '  - delete Orders worker -> https://orders.example/',
      '1 to create, 1 to update, 2 to delete, 0 skipped, 3 unchanged.',
    ]);
    expect(await readRemote(api, { secrets: true })).toStrictEqual(before);
    expect(await writes()).toBe(count);
  });

  it('deletes only with --allow-delete, only types the file lists, never the application it runs as, the dashboard application or the Management API', async () => {
    const doc: Doc = { clients: [], resourceServers: [], clientGrants: [] };
    const kept = await run(dump(doc));
    expect(kept.plan.changes).toStrictEqual([]);
    expect(kept.plan.kept).toStrictEqual([
      { type: 'resourceServers', label: 'https://orders.example/' },
      { type: 'clients', label: 'Orders worker' },
      { type: 'clientGrants', label: 'Orders worker -> https://orders.example/' },
    ]);
    expect(((await api.list('/api/v2/clients?is_global=false', 'clients')) as Doc[]).map((c) => c.name).sort()).toStrictEqual(['Orders worker', 'Scopeward Dashboard', 'deployer']);

    // A grant naming an application the same import deletes is a contradiction, refused.
    const contradiction = { clients: [], clientGrants: [{ client_id: 'deployer', audience: MGMT, scope: ['read:clients'] }, { client_id: 'Orders worker', audience: 'https://orders.example/' }] };
    expect(((await run(dump(contradiction), { allowDelete: true }).catch((e: unknown) => e)) as FileError).problems).toStrictEqual([
      'clientGrants "Orders worker -> https://orders.example/": its application is deleted by this import (it is not under clients:)',
    ]);

    const deleted = await run(dump(doc), { allowDelete: true });
    expect(planJson(deleted.plan).changes).toStrictEqual([
      { type: 'clientGrants', kind: 'delete', label: 'Orders worker -> https://orders.example/' },
      { type: 'clients', kind: 'delete', label: 'Orders worker' },
      { type: 'resourceServers', kind: 'delete', label: 'https://orders.example/' },
    ]);
    expect(((await api.list('/api/v2/clients?is_global=false', 'clients')) as Doc[]).map((c) => c.name).sort()).toStrictEqual(['Scopeward Dashboard', 'deployer']);
    expect(((await api.list('/api/v2/resource-servers', 'resource_servers')) as Doc[]).map((r) => r.identifier)).toStrictEqual([MGMT]);
    // The deployer's own grant is still there: it can still read the tenant.
    expect(((await api.list('/api/v2/client-grants', 'client_grants')) as Doc[]).map((g) => g.client_id)).toStrictEqual([deployer.clientId]);

    // A file without the tenant key leaves the tenant settings alone, whatever --allow-delete says.
    expect(((await api.get('/api/v2/tenants/settings')) as Doc).friendly_name).toBe('Acme');
  });

  it('a bad file is refused whole, with every problem named, and nothing is written', async () => {
    const doc = await exported();
    doc.clients.push({ name: 'Bad URL', app_type: 'spa', callbacks: ['javascript:alert(1)'] });
    doc.clients.push({ name: 'Unknown field', colour: 'red' });
    doc.clients.push({ app_type: 'spa' });
    doc.resourceServers.push({ identifier: `https://${DOMAIN}/mine`, name: 'Reserved' });
    doc.clientGrants.push({ client_id: 'Nobody', audience: 'https://orders.example/', scope: [] });
    doc.clientGrants.push({ client_id: 'Orders worker', audience: 'https://nowhere.example/' });
    doc.clientGrants.push({ client_id: 'Orders worker', audience: MGMT, scope: ['read:clients', 'read:everything'] });
    doc.tenant.support_url = 'http://support.example/';
    const before = await readRemote(api, { secrets: true });
    const count = await writes();
    const error = await run(dump(doc), { allowDelete: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).problems).toStrictEqual([
      `resourceServers "https://${DOMAIN}/mine": The selected identifier is reserved.`,
      "clients \"Bad URL\": Payload validation error: 'Invalid URL: javascript:alert(1) javascript: URLs are not allowed' on property callbacks[0].",
      "clients \"Unknown field\": Payload validation error: 'Additional properties not allowed: colour'.",
      'clients[4]: every application needs a name',
      'clientGrants "Nobody -> https://orders.example/": application "Nobody" is neither in the file nor on the server',
      'clientGrants "Orders worker -> https://nowhere.example/": no API has the identifier https://nowhere.example/ (neither in the file nor on the server)',
      `clientGrants "Orders worker -> ${MGMT}": Payload validation error: 'Unknown Management API scopes: read:everything' on property scope.`,
      "tenant: Payload validation error: 'Invalid URL: http://support.example/ http is only allowed for localhost; use https' on property support_url.",
    ]);
    expect((error as Error).message).toMatch(/^tenant\.yaml cannot be imported:\n {2}- resourceServers/);
    expect(await readRemote(api, { secrets: true })).toStrictEqual(before);
    expect(await writes()).toBe(count);
  });

  it('a file that is not YAML, or not shaped as tenant.yaml, names where', async () => {
    const problems = async (text: string) => ((await run(text).catch((e: unknown) => e)) as FileError).problems;
    expect(await problems('clients:\n  - name: [unclosed\n')).toStrictEqual([expect.stringMatching(/^not valid YAML: line 3, column 1: /)]);
    expect(await problems('- just a list\n')).toStrictEqual(['expected a mapping of resource types (clients:, resourceServers:, ...) at the top level']);
    expect(await problems('clients: {name: x}\ntenant: [1]\nclientGrants: [3]\n')).toStrictEqual(['clients: expected a list', 'tenant: expected a mapping of tenant settings', 'clientGrants[0]: expected a mapping']);
  });

  it('resource types Scopeward does not serve are reported and left alone; connections it cannot change are skipped, not refused', async () => {
    const doc = await exported();
    doc.rules = [{ name: 'a rule', script: 'function (u, c, cb) { cb(null, u, c); }' }];
    doc.roles = [];
    doc.connections.push({ name: 'google-oauth2', strategy: 'google-oauth2' });
    doc.databases[0].options.passwordPolicy = 'fair';
    const result = await run(dump(doc));
    expect(result.ignored).toStrictEqual(['rules']);
    expect(planJson(result.plan).changes).toStrictEqual([
      { type: 'databases', kind: 'skip', label: 'Username-Password-Authentication', fields: ['options'], note: "differs, and Scopeward's connections cannot be changed through the Management API" },
      { type: 'connections', kind: 'skip', label: 'google-oauth2', note: 'not on this tenant, and Scopeward makes no connections through the Management API (only its database connection exists)' },
    ]);
  });

  it("the application the import runs as, the dashboard application and the Management API (another tenant's, in its export) are never changed", async () => {
    const doc = await exported();
    doc.clients.find((c: Doc) => c.name === 'deployer').description = 'changed';
    doc.clients.push({ name: 'Scopeward Dashboard', app_type: 'spa', callbacks: ['https://other-tenant.example/dashboard/'] });
    doc.resourceServers.push({ name: 'Auth0 Management API', identifier: 'https://other-tenant.example/api/v2/' }, { name: 'Auth0 Management API', identifier: MGMT, token_lifetime: 60 });
    const result = await run(dump(doc));
    expect(planJson(result.plan).changes).toStrictEqual([
      { type: 'resourceServers', kind: 'skip', label: 'https://other-tenant.example/api/v2/ (Auth0 Management API)', note: "the Auth0 Management API is each tenant's own and is never changed" },
      { type: 'resourceServers', kind: 'skip', label: `${MGMT} (Auth0 Management API)`, fields: ['token_lifetime'], note: "the Auth0 Management API is each tenant's own and is never changed" },
      { type: 'clients', kind: 'skip', label: 'deployer', fields: ['description'], note: 'the application this import runs as is never changed by it (as with the Deploy CLI)' },
      { type: 'clients', kind: 'skip', label: 'Scopeward Dashboard', fields: ['callbacks'], note: "Scopeward's dashboard application, made for each tenant, is never changed" },
    ]);
    expect(((await api.get(`/api/v2/clients/${deployer.clientId}`)) as Doc).description).toBeUndefined();
  });

  it('a refusal mid-import stops it, says what ran before; running it again finishes the rest', async () => {
    let posts = 0;
    // The server refuses the second creation (as it might on a rule the file could not be checked against).
    const flaky = await apiFor(s, deployer, (inner) => async (req) => (req.method === 'POST' && ++posts === 2 ? { status: 409, body: { statusCode: 409, error: 'Conflict', message: 'Try again', errorCode: 'conflict' } } : inner(req)));
    const doc = await exported();
    doc.clients.push({ name: 'First', app_type: 'spa' }, { name: 'Second', app_type: 'spa' });
    const error = await run(dump(doc), {}, flaky).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'import stopped at "create clients Second": POST /api/v2/clients: 409 Try again [conflict]\n' +
        '1 change(s) before it were applied and stay; fix the cause and run the import again: what already matches the file is skipped.',
    );
    expect((error as { cause: unknown }).cause).toBeInstanceOf(ApiError);
    const again = await run(dump(doc));
    expect(planJson(again.plan).changes).toStrictEqual([{ type: 'clients', kind: 'create', label: 'Second' }]);
  });
});
