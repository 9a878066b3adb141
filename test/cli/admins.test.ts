// `scopeward admins create|list|remove` against a fresh data directory: new users made with the
// password policy (or a generated password printed once), existing users only with
// --promote-existing (password replaced, sessions ended), memberships per tenant, exit codes and messages; checked in the database itself.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION_NAME } from '../../src/domain/connections.ts';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { runCli } from './run.ts';

describe('scopeward admins', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  const hasher = new PasswordHasher();

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-admins-'));
    env = { SCOPEWARD_DATA_DIR: path.join(dir, 'data') };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const withStorage = async <T>(work: (storage: Storage, tenantId: (domain?: string) => Promise<string>) => Promise<T>): Promise<T> => {
    const storage = await createStorage(`sqlite:${path.join(env.SCOPEWARD_DATA_DIR!, 'scopeward.db')}`);
    try {
      return await work(storage, async (domain = 'localhost:8443') => (await storage.tenants.getByDomain(domain))!.id);
    } finally {
      await storage.close();
    }
  };

  it('create with --password makes a new user of the default connection and an admin (email lower-cased, no password printed)', async () => {
    const r = await runCli(['admins', 'create', '--email', 'Ops@Example.test', '--password', 'Correct-Horse-9', '--json'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(body).toEqual({
      tenant: 'default',
      domain: 'localhost:8443',
      email: 'ops@example.test',
      user_id: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      created_user: true,
      already_admin: false,
      dashboard_url: 'https://localhost:8443/dashboard/',
    });
    await withStorage(async (storage, tenantId) => {
      const id = await tenantId();
      const user = (await storage.users.getByEmail(id, DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      expect([user.userId, user.emailVerified]).toEqual([body.user_id, true]);
      expect((await hasher.verify('Correct-Horse-9', user.passwordHash)).ok).toBe(true);
      expect((await storage.tenantAdmins.list(id)).map((a) => a.userId)).toEqual([body.user_id]);
    });
  });

  it('create without --password generates a strong password, prints it once, and it is the stored one', async () => {
    const r = await runCli(['admins', 'create', '--email', 'second@example.test'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const password = /password: +(\S+)/.exec(r.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}!$/);
    expect(r.stdout).toContain('second@example.test is now an administrator of default (localhost:8443)');
    expect(r.stdout).toContain('shown only this once');
    expect(r.stdout).toContain('dashboard: https://localhost:8443/dashboard/');
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'second@example.test'))!;
      expect((await hasher.verify(password!, user.passwordHash)).ok).toBe(true);
    });
  });

  it('an existing user is never adopted silently: without --promote-existing, exit 2 and nothing changes', async () => {
    const removed = await runCli(['admins', 'remove', '--email', 'OPS@example.test', '--json'], env);
    expect([removed.status, JSON.parse(removed.stdout)]).toEqual([0, { email: 'ops@example.test', tenant: 'default', removed: true }]);
    const refused = await runCli(['admins', 'create', '--email', 'ops@example.test', '--json'], env);
    expect([refused.status, refused.stdout]).toEqual([2, '']);
    expect(refused.stderr).toMatch(/^scopeward: ops@example\.test already exists \(a user since .+\); anyone who can sign up could have registered it\. To make it an administrator anyway, run `scopeward admins create --promote-existing`: its password is replaced and its sessions end\n$/);
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      expect(await storage.tenantAdmins.get(await tenantId(), user.userId)).toBeUndefined();
      expect((await hasher.verify('Correct-Horse-9', user.passwordHash)).ok).toBe(true);
    });
  });

  it('--promote-existing takes the user over: a new password printed once, the old one and its sessions gone; twice is "already"', async () => {
    const promoted = await runCli(['admins', 'create', '--email', 'ops@example.test', '--promote-existing', '--json'], env);
    expect(promoted.status).toBe(0);
    const body = JSON.parse(promoted.stdout);
    expect(body).toMatchObject({ email: 'ops@example.test', created_user: false, already_admin: false, password: expect.stringMatching(/^[A-Za-z0-9_-]{24}!$/) });
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      expect(await storage.tenantAdmins.get(await tenantId(), user.userId)).toBeDefined();
      expect((await hasher.verify('Correct-Horse-9', user.passwordHash)).ok).toBe(false);
      expect((await hasher.verify(body.password, user.passwordHash)).ok).toBe(true);
      expect(user.lastPasswordReset).not.toBeNull();
    });
    const twice = await runCli(['admins', 'create', '--email', 'ops@example.test', '--json'], env);
    expect(JSON.parse(twice.stdout)).toMatchObject({ created_user: false, already_admin: true });
    expect(JSON.parse(twice.stdout)).not.toHaveProperty('password');
    const withPassword = await runCli(['admins', 'create', '--email', 'ops@example.test', '--password', 'Another-Pass-1'], env);
    expect([withPassword.status, withPassword.stdout, withPassword.stderr]).toEqual([2, '', 'scopeward: ops@example.test is an administrator already; its password is not changed here\n']);
  });

  it('init refuses to make an existing user the first administrator, before writing anything', async () => {
    const fresh = { SCOPEWARD_DATA_DIR: path.join(dir, 'init-data') };
    expect((await runCli(['admins', 'create', '--email', 'admin@localhost.local', '--json'], fresh)).status).toBe(0);
    expect((await runCli(['admins', 'remove', '--email', 'admin@localhost.local'], fresh)).status).toBe(0);
    const init = await runCli(['init', '--json'], fresh);
    expect([init.status, init.stdout]).toEqual([2, '']);
    expect(init.stderr).toContain('admin@localhost.local already exists, and anyone who can sign up could have registered it');
    const storage = await createStorage(`sqlite:${path.join(fresh.SCOPEWARD_DATA_DIR, 'scopeward.db')}`);
    try {
      const tenant = (await storage.tenants.getByDomain('localhost:8443'))!;
      const names = (await storage.clients.list(tenant.id, {}, { offset: 0, limit: 100, withTotal: false })).items.map((c) => c.data.name);
      expect(names).not.toContain('Scopeward Management (init)');
    } finally {
      await storage.close();
    }
    const other = await runCli(['init', '--json', '--admin-email', 'first@example.test'], fresh);
    expect(other.status).toBe(0);
    expect(JSON.parse(other.stdout).admin).toMatchObject({ email: 'first@example.test', created_user: true });
  });

  it('a weak password or a bad email exits 2 and creates nothing', async () => {
    const weak = await runCli(['admins', 'create', '--email', 'weak@example.test', '--password', 'password'], env);
    expect([weak.status, weak.stderr]).toEqual([2, 'scopeward: Password is too weak: at least 8 characters with 3 of lower case, upper case, digits and symbols\n']);
    const bad = await runCli(['admins', 'create', '--email', 'not-an-email'], env);
    expect([bad.status, bad.stderr]).toEqual([2, 'scopeward: not-an-email is not a valid email address\n']);
    const missing = await runCli(['admins', 'create'], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '--email <email>' not specified");
    await withStorage(async (storage, tenantId) => {
      expect(await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'weak@example.test')).toBeUndefined();
    });
  });

  it('unblock lifts an administrator\'s login blocks; a non-admin exits 1', async () => {
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      for (let i = 0; i < 10; i++) await storage.loginFailures.recordFailure(await tenantId(), user.userId, '203.0.113.7', new Date().toISOString(), 10);
      expect(await storage.loginFailures.listBlocked(await tenantId(), user.userId)).toHaveLength(1);
    });
    const done = await runCli(['admins', 'unblock', '--email', 'ops@example.test', '--json'], env);
    expect([done.status, JSON.parse(done.stdout)]).toEqual([0, { email: 'ops@example.test', tenant: 'default', unblocked: true }]);
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      expect(await storage.loginFailures.listBlocked(await tenantId(), user.userId)).toStrictEqual([]);
    });
    const nobody = await runCli(['admins', 'unblock', '--email', 'nobody@example.test'], env);
    expect([nobody.status, nobody.stderr]).toEqual([1, 'scopeward: nobody@example.test is not an administrator of default\n']);
  });

  it('list prints the administrators, oldest first (JSON and lines)', async () => {
    const r = await runCli(['admins', 'list', '--json'], env);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { email: string }[];
    expect(rows.map((a) => a.email)).toEqual(['second@example.test', 'ops@example.test']);
    expect(rows[0]).toEqual({ email: 'second@example.test', user_id: expect.stringMatching(/^auth0\|/), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const lines = await runCli(['admins', 'list'], env);
    expect(lines.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['second@example.test', 'ops@example.test']);
  });

  it('remove of a non-admin exits 1; the user itself stays', async () => {
    expect((await runCli(['admins', 'remove', '--email', 'second@example.test'], env)).status).toBe(0);
    const r = await runCli(['admins', 'remove', '--email', 'second@example.test'], env);
    expect([r.status, r.stderr]).toEqual([1, 'scopeward: second@example.test is not an administrator of default\n']);
    const unknown = await runCli(['admins', 'remove', '--email', 'nobody@example.test'], env);
    expect(unknown.status).toBe(1);
    await withStorage(async (storage, tenantId) => {
      expect(await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'second@example.test')).toBeDefined();
    });
  });

  it('--tenant picks a tenant by domain; memberships are per tenant; an unknown domain exits 2', async () => {
    expect((await runCli(['tenants', 'create', 'acme', '--domain', 'acme.localhost:8443'], env)).status).toBe(0);
    const r = await runCli(['admins', 'create', '--email', 'ops@example.test', '--tenant', 'ACME.localhost:8443', '--json'], env);
    expect(r.status).toBe(0);
    // A different user: users belong to one tenant.
    expect(JSON.parse(r.stdout)).toMatchObject({ tenant: 'acme', domain: 'acme.localhost:8443', created_user: true, dashboard_url: 'https://acme.localhost:8443/dashboard/' });
    const acme = JSON.parse((await runCli(['admins', 'list', '--tenant', 'acme.localhost:8443', '--json'], env)).stdout) as { email: string }[];
    expect(acme.map((a) => a.email)).toEqual(['ops@example.test']);
    const unknown = await runCli(['admins', 'list', '--tenant', 'nowhere.test'], env);
    expect([unknown.status, unknown.stderr]).toEqual([2, 'scopeward: no tenant answers nowhere.test (see scopeward tenants list)\n']);
  });

  it('the password never reaches the log or the database in clear', async () => {
    await withStorage(async (storage, tenantId) => {
      const user = (await storage.users.getByEmail(await tenantId(), DEFAULT_CONNECTION_NAME, 'ops@example.test'))!;
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    });
    expect(readFileSync(path.join(env.SCOPEWARD_DATA_DIR!, 'scopeward.db')).includes('Correct-Horse-9')).toBe(false);
  });
});
