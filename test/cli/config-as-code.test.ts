// `scopeward export` and `scopeward import` as a user runs them, over HTTPS against real servers
// (issue 12 item 3), and the cross test with the Auth0 Deploy CLI (auth0-deploy-cli, pinned):
// a file written by `scopeward export` imports with `a0deploy import` into a second server (the
// stand-in for Auth0), and a file written by `a0deploy export` imports with `scopeward import`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE, ROOT, startRealServer, type RealServer } from '../helpers/real-server.ts';
import { cleanEnv, runCli } from './run.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed tenant.yaml files, edited as a person edits them
type Doc = Record<string, any>;
const A0DEPLOY = path.join(ROOT, 'node_modules', 'auth0-deploy-cli', 'lib', 'index.js');
// The resource types Scopeward serves (README: "Using Scopeward with Auth0 tools").
const A0_TYPES = ['tenant', 'clients', 'resourceServers', 'clientGrants'];

let dir: string;
const file = (name: string) => path.join(dir, name);
const as = (server: RealServer) => ['--domain', server.domain, '--data-dir', server.dataDir, '--client-id', server.init.client_id, '--client-secret', server.init.client_secret];

/** Runs `a0deploy` with a config file naming the server and its init application. */
function a0deploy(server: RealServer, args: string[]): Promise<{ status: number | null; output: string }> {
  const config = file(`a0deploy-${server.port}.json`);
  writeFileSync(config, JSON.stringify({ AUTH0_DOMAIN: server.domain, AUTH0_CLIENT_ID: server.init.client_id, AUTH0_CLIENT_SECRET: server.init.client_secret, AUTH0_INCLUDED_ONLY: A0_TYPES }));
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [A0DEPLOY, ...args, '--config_file', config], { cwd: dir, env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

const SETUP = `
tenant:
  support_email: ##SUPPORT##
resourceServers:
  - name: Orders
    identifier: https://orders.example/
    scopes:
      - value: read:orders
        description: Read orders
clients:
  - name: Orders worker
    app_type: non_interactive
    description: runs in ##ENV##
  - name: Shop
    app_type: regular_web
    callbacks: @@CALLBACKS@@
clientGrants:
  - client_id: Orders worker
    audience: https://orders.example/
    scope: [read:orders]
`;

describe('scopeward export / import over HTTPS, and the Deploy CLI both ways', { timeout: 600_000 }, () => {
  let a: RealServer;
  let b: RealServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-cac-'));
    [a, b] = await Promise.all([startRealServer(), startRealServer()]);
    writeFileSync(file('setup.yaml'), SETUP);
    writeFileSync(file('keywords.json'), JSON.stringify({ AUTH0_KEYWORD_REPLACE_MAPPINGS: { SUPPORT: 'ops@acme.example', CALLBACKS: ['https://shop.example/callback'] } }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('import --dry-run prints the plan (keywords from a Deploy CLI config and from --keyword) and changes nothing; the import then lands', async () => {
    const args = ['import', file('setup.yaml'), '--keywords', file('keywords.json'), '--keyword', 'ENV=staging', ...as(a)];
    const dry = await runCli([...args, '--dry-run'], {});
    expect([dry.status, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toBe(
      [
        `Dry run against ${a.domain}: nothing was changed. The import would make these changes:`,
        'tenant:',
        '  ~ update tenant settings: support_email',
        'resourceServers:',
        '  + create https://orders.example/ (Orders)',
        'clients:',
        '  + create Orders worker',
        '  + create Shop',
        'clientGrants:',
        '  + create Orders worker -> https://orders.example/',
        '4 to create, 1 to update, 0 to delete, 0 skipped, 0 unchanged.',
        '',
      ].join('\n'),
    );
    expect((await runCli([...args, '--dry-run'], {})).stdout).toContain('4 to create'); // still: the dry run changed nothing

    const done = await runCli(args, {});
    expect([done.status, done.stderr]).toEqual([0, '']);
    expect(done.stdout.split('\n')[0]).toBe(`Imported ${file('setup.yaml')} into ${a.domain} (5 change(s) made):`);
    const again = await runCli([...args, '--json'], {});
    expect(JSON.parse(again.stdout)).toStrictEqual({ dry_run: false, changes: [], unchanged: 5, kept: [], applied: 0 });
  });

  it('export -o writes the file (0600 with --include-secrets); a bad file exits 2 naming each problem; no credentials exits 2', async () => {
    const plain = await runCli(['export', '-o', file('a.yaml'), ...as(a)], {});
    expect([plain.status, plain.stderr]).toEqual([0, `wrote ${file('a.yaml')}\n`]);
    const doc = load(readFileSync(file('a.yaml'), 'utf8')) as Doc;
    expect(doc.clients.find((c: Doc) => c.name === 'Shop').callbacks).toStrictEqual(['https://shop.example/callback']);
    expect(doc.clients.every((c: Doc) => c.client_secret === undefined)).toBe(true);

    const secret = await runCli(['export', '-o', file('secret.yaml'), '--include-secrets', ...as(a)], {});
    expect(secret.status).toBe(0);
    expect(statSync(file('secret.yaml')).mode & 0o777).toBe(0o600);
    expect((load(readFileSync(file('secret.yaml'), 'utf8')) as Doc).clients.find((c: Doc) => c.name === 'Scopeward Management (init)').client_secret).toBe(a.init.client_secret);

    writeFileSync(file('bad.yaml'), 'clients:\n  - name: Bad\n    callbacks: [not-a-url]\n  - name: Bad\n');
    const bad = await runCli(['import', file('bad.yaml'), ...as(a)], {});
    expect([bad.status, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toBe(
      `scopeward: ${file('bad.yaml')} cannot be imported:\n` +
        "  - clients \"Bad\": Payload validation error: 'Invalid URL: not-a-url is not an absolute URL' on property callbacks[0].\n" +
        '  - clients: "Bad" appears twice (applications are matched by name)\n' +
        'Nothing was changed.\n',
    );
    const anonymous = await runCli(['export', '--domain', a.domain], {});
    expect([anonymous.status, anonymous.stderr]).toEqual([2, 'scopeward: needs --client-id and --client-secret (an application granted the Management API scopes it uses), or --token\n']);
  });

  it('a file written by `scopeward export` imports with `a0deploy import` into another server', async () => {
    const first = await a0deploy(b, ['import', '--input_file', file('a.yaml')]);
    expect(first.output).toContain('Import Successful');
    expect(first.status).toBe(0);
    const exported = await runCli(['export', ...as(b)], {});
    const onB = load(exported.stdout) as Doc;
    expect(onB.resourceServers).toStrictEqual([expect.objectContaining({ identifier: 'https://orders.example/', scopes: [{ description: 'Read orders', value: 'read:orders' }] })]);
    expect(onB.clients.map((c: Doc) => c.name).sort()).toStrictEqual(['Orders worker', 'Scopeward Management (init)', 'Shop']);
    expect(onB.clientGrants).toStrictEqual([{ client_id: 'Orders worker', audience: 'https://orders.example/', scope: ['read:orders'], subject_type: 'client' }]);
    expect(onB.tenant.support_email).toBe('ops@acme.example');
    // Read back by `scopeward import`, the file finds nothing on B to create, update or delete.
    const check = await runCli(['import', file('a.yaml'), '--dry-run', '--json', '--allow-delete', ...as(b)], {});
    expect((JSON.parse(check.stdout) as Doc).changes.filter((c: Doc) => c.kind !== 'skip')).toStrictEqual([]);
  });

  it('a file written by `a0deploy export` imports with `scopeward import`: unchanged it changes nothing, edited it lands', async () => {
    const exported = await a0deploy(b, ['export', '--format', 'yaml', '--output_folder', file('a0')]);
    expect(exported.output).toContain('Export Successful');
    const text = readFileSync(file('a0/tenant.yaml'), 'utf8');
    const unchanged = await runCli(['import', file('a0/tenant.yaml'), '--json', ...as(b)], {});
    expect(unchanged.status).toBe(0);
    expect(JSON.parse(unchanged.stdout).changes).toStrictEqual([]);

    const doc = load(text) as Doc;
    doc.resourceServers.push({ name: 'Billing', identifier: 'https://billing.example/', scopes: [{ value: 'charge', description: 'Charge' }] });
    doc.clients.push({ name: 'Billing job', app_type: 'non_interactive' });
    doc.clientGrants.push({ client_id: 'Billing job', audience: 'https://billing.example/', scope: ['charge'] });
    writeFileSync(file('a0-edited.yaml'), dump(doc));
    const edited = await runCli(['import', file('a0-edited.yaml'), '--json', ...as(a)], {});
    expect(edited.status).toBe(0);
    expect(JSON.parse(edited.stdout).changes).toEqual(
      expect.arrayContaining([
        { type: 'resourceServers', kind: 'create', label: 'https://billing.example/ (Billing)' },
        { type: 'clients', kind: 'create', label: 'Billing job' },
        { type: 'clientGrants', kind: 'create', label: 'Billing job -> https://billing.example/' },
      ]),
    );
    const after = load((await runCli(['export', ...as(a)], {})).stdout) as Doc;
    expect(after.clientGrants).toContainEqual({ client_id: 'Billing job', audience: 'https://billing.example/', scope: ['charge'], subject_type: 'client' });
  });
});
