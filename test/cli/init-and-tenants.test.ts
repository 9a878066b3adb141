// `scopeward init`, `tenants create|list` and `migrate` against a fresh data directory: what they
// print, what they store (checked in the database with the data dir's master key), exit codes.
import { readFileSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { clientSecretLocation, clientSecretMac } from '../../src/domain/secret-locations.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import { runCli } from './run.ts';

describe('scopeward init / tenants / migrate', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let init: Record<string, string> & { admin?: Record<string, unknown> };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-cli-'));
    env = { SCOPEWARD_DATA_DIR: path.join(dir, 'data') };
    const r = await runCli(['init', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    init = JSON.parse(r.stdout) as Record<string, string>;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async () => {
    const dataDir = env.SCOPEWARD_DATA_DIR!;
    const storage = await createStorage(`sqlite:${path.join(dataDir, 'scopeward.db')}`);
    const envelope = createEnvelope(Buffer.from(readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim(), 'base64'));
    return { storage, envelope };
  };

  it('init --json prints the default tenant, a new M2M application and the first administrator', () => {
    expect(init).toEqual({
      domain: 'localhost:8443',
      issuer: 'https://localhost:8443/',
      audience: 'https://localhost:8443/api/v2/',
      client_id: init.client_id,
      client_secret: init.client_secret,
      token_endpoint: 'https://localhost:8443/oauth/token',
      created: true,
      admin: {
        email: 'admin@localhost.local',
        user_id: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
        created_user: true,
        already_admin: false,
        password: expect.stringMatching(/^[A-Za-z0-9_-]{24}!$/),
        dashboard_url: 'https://localhost:8443/dashboard/',
      },
    });
    expect(init.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(init.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('init stores the default tenant and an M2M app granted every Management API scope, its secret sealed', async () => {
    const { storage, envelope } = await open();
    try {
      const tenants = await storage.tenants.list();
      expect(tenants.map((t) => [t.name, t.domain, t.isDefault])).toEqual([['default', 'localhost:8443', true]]);
      const tenantId = tenants[0]!.id;
      const client = (await storage.clients.get(tenantId, init.client_id!))!;
      expect([client.data.name, client.data.app_type, client.data.grant_types]).toEqual(['Scopeward Management (init)', 'non_interactive', ['client_credentials']]);
      expect(envelope.open(client.secretSealed!, clientSecretLocation(tenantId, init.client_id!))).toBe(init.client_secret);
      expect(client.secretMac).toBe(clientSecretMac(envelope, tenantId, init.client_id!, init.client_secret!).toString('base64'));
      const { items } = await storage.grants.list(tenantId, { clientId: init.client_id! }, { offset: 0, limit: 10, withTotal: false });
      expect(items.map((g) => [g.audience, g.subjectType])).toEqual([['https://localhost:8443/api/v2/', 'client']]);
      expect([...items[0]!.scope].sort()).toEqual([...MANAGEMENT_SCOPES].sort());
      expect(items[0]!.scope.length).toBeGreaterThan(50);
    } finally {
      await storage.close();
    }
  });

  it('init leaves the master key, the database and the data dir private (0600 / 0700)', () => {
    const dataDir = env.SCOPEWARD_DATA_DIR!;
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'scopeward.db')).mode & 0o777).toBe(0o600);
  });

  const managementApps = async (): Promise<string[]> => {
    const { storage } = await open();
    try {
      const tenantId = (await storage.tenants.list())[0]!.id;
      const { items } = await storage.grants.list(tenantId, { audience: 'https://localhost:8443/api/v2/' }, { offset: 0, limit: 100, withTotal: false });
      return items.filter((g) => g.scope.length === MANAGEMENT_SCOPES.length).map((g) => g.clientId);
    } finally {
      await storage.close();
    }
  };

  it('init run again reuses the application: its client id, its secret only with --show-secret, no second all-scope application', async () => {
    const again = await runCli(['init', '--json'], env);
    expect([again.status, again.stderr]).toEqual([0, '']);
    expect(JSON.parse(again.stdout)).toEqual({
      domain: 'localhost:8443',
      issuer: 'https://localhost:8443/',
      audience: 'https://localhost:8443/api/v2/',
      client_id: init.client_id,
      token_endpoint: 'https://localhost:8443/oauth/token',
      created: false,
    });
    const text = await runCli(['init'], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`client_id:     ${init.client_id}   (the existing application "Scopeward Management (init)": init reuses it)\n`);
    expect(text.stdout).toContain('client_secret: (not shown: add --show-secret to print it, or --new to make another application)\n');
    expect(text.stdout).not.toContain(init.client_secret);
    const shown = await runCli(['init', '--json', '--show-secret'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: init.client_id, client_secret: init.client_secret, created: false });
    expect(await managementApps()).toEqual([init.client_id]);
  });

  it('init --new adds another application to the same default tenant', async () => {
    const r = await runCli(['init', '--json', '--new', '--name', 'second'], env);
    expect(r.status).toBe(0);
    const second = JSON.parse(r.stdout) as Record<string, string>;
    expect(second.client_id).not.toBe(init.client_id);
    expect(second.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(second).toMatchObject({ created: true });
    // The tenant has an administrator now: no second one, no password printed.
    expect(second).not.toHaveProperty('admin');
    const { storage } = await open();
    try {
      const tenants = await storage.tenants.list();
      expect(tenants).toHaveLength(1);
      expect((await storage.clients.get(tenants[0]!.id, second.client_id!))?.data.name).toBe('second');
    } finally {
      await storage.close();
    }
    expect((await managementApps()).sort()).toEqual([init.client_id, second.client_id].sort());
    // Reuse picks the first one made.
    expect(JSON.parse((await runCli(['init', '--json'], env)).stdout)).toMatchObject({ client_id: init.client_id, created: false });
  });

  it('tenants create NAME --domain HOST --json creates it; tenants list --json lists both', async () => {
    const created = await runCli(['tenants', 'create', 'acme', '--domain', 'Acme.Localhost:8443', '--json'], env);
    expect([created.status, created.stderr]).toEqual([0, '']);
    const t = JSON.parse(created.stdout) as Record<string, string>;
    expect(t).toEqual({ id: t.id, name: 'acme', domain: 'acme.localhost:8443', issuer: 'https://acme.localhost:8443/' });

    const listed = await runCli(['tenants', 'list', '--json'], env);
    expect(listed.status).toBe(0);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(rows.map(({ id: _id, ...rest }) => rest)).toEqual([
      { name: 'default', domain: 'localhost:8443', default: true, issuer: 'https://localhost:8443/' },
      { name: 'acme', domain: 'acme.localhost:8443', default: false, issuer: 'https://acme.localhost:8443/' },
    ]);
    expect(rows[1]!.id).toBe(t.id);
  });

  it('tenants list without --json prints one line per tenant, the default marked with *', async () => {
    const r = await runCli(['tenants', 'list'], env);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).filter(Boolean))).toEqual([
      ['*', 'default', 'localhost:8443', 'https://localhost:8443/'],
      ['acme', 'acme.localhost:8443', 'https://acme.localhost:8443/'],
    ]);
  });

  it('a duplicate tenant name or domain exits 1 with a clear message and creates nothing', async () => {
    const byName = await runCli(['tenants', 'create', 'acme', '--domain', 'other.localhost'], env);
    expect([byName.status, byName.stdout, byName.stderr]).toEqual([1, '', 'scopeward: a tenant named "acme" already exists\n']);
    const byDomain = await runCli(['tenants', 'create', 'acme2', '--domain', 'ACME.localhost:8443'], env);
    expect([byDomain.status, byDomain.stdout, byDomain.stderr]).toEqual([1, '', 'scopeward: a tenant already answers acme.localhost:8443\n']);
    const listed = JSON.parse((await runCli(['tenants', 'list', '--json'], env)).stdout) as unknown[];
    expect(listed).toHaveLength(2);
  });

  it('a bad --domain or tenant name exits 2 (usage) before touching the database', async () => {
    const scheme = await runCli(['tenants', 'create', 'x', '--domain', 'https://x.example/'], env);
    expect([scheme.status, scheme.stderr]).toEqual([2, 'scopeward: --domain https://x.example/: expected host[:port] without scheme or path\n']);
    const port = await runCli(['tenants', 'create', 'x', '--domain', 'x.example:99999'], env);
    expect([port.status, port.stderr]).toEqual([2, 'scopeward: --domain x.example:99999: expected host[:port] without scheme or path\n']);
    const name = await runCli(['tenants', 'create', 'bad/name', '--domain', 'x.example'], env);
    expect([name.status, name.stderr]).toEqual([2, 'scopeward: tenant name: letters, digits, space, _ . - (up to 63 characters)\n']);
    const missing = await runCli(['tenants', 'create', 'x'], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '--domain <host>' not specified");
  });

  it('migrate creates the schema in a new data dir, and is a no-op the second time', async () => {
    const other = { SCOPEWARD_DATA_DIR: path.join(dir, 'migrated') };
    const file = path.join(other.SCOPEWARD_DATA_DIR, 'scopeward.db');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['migrate'], other);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `database is up to date (sqlite:${file})\n`, '']);
    }
    expect(existsSync(file)).toBe(true);
    const storage = await createStorage(`sqlite:${file}`, { migrate: false });
    try {
      expect(await storage.tenants.list()).toEqual([]);
      await expect(storage.meta.get('anything')).resolves.toBeUndefined();
    } finally {
      await storage.close();
    }
  });

  it('a command run with a master key other than the one the database was written with exits 2', async () => {
    const r = await runCli(['tenants', 'list'], { ...env, SCOPEWARD_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') });
    expect([r.status, r.stderr]).toEqual([2, 'scopeward: the master key does not match the one this database was written with; refusing to start\n']);
  });
});
