// `scopeward quota set|clear|default` against a fresh data directory (issue 15): what they store
// (read back from the database itself, in Auth0's field names), what they print, and the usage
// errors for a bad number, no limit at all, and an unknown client.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { clientRecord } from '../storage/records.ts';
import { runCli } from './run.ts';

describe('scopeward quota', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let clientId: string;

  const withDb = async <T>(work: (storage: Storage, tenantId: string) => Promise<T>): Promise<T> => {
    const storage = await createStorage(`sqlite:${path.join(env.SCOPEWARD_DATA_DIR!, 'scopeward.db')}`);
    try {
      const tenant = (await storage.tenants.list()).find((t) => t.name === 'default')!;
      return await work(storage, tenant.id);
    } finally {
      await storage.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-cli-quota-'));
    env = { SCOPEWARD_DATA_DIR: path.join(dir, 'data') };
    const r = await runCli(['init', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    clientId = await withDb(async (storage, tenantId) => {
      const record = clientRecord(tenantId);
      await storage.clients.create(record);
      return record.clientId;
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('set → the client stores Auth0\'s token_quota; --no-enforce stores enforce: false; clear removes it', async () => {
    const set = await runCli(['quota', 'set', clientId, '--per-hour', '10', '--per-day', '100', '--json'], env);
    expect([set.status, set.stderr]).toEqual([0, '']);
    expect(JSON.parse(set.stdout)).toEqual({ client_id: clientId, token_quota: { client_credentials: { enforce: true, per_hour: 10, per_day: 100 } } });
    expect(await withDb(async (s, t) => (await s.clients.get(t, clientId))?.data.token_quota)).toEqual({ client_credentials: { enforce: true, per_hour: 10, per_day: 100 } });

    const report = await runCli(['quota', 'set', clientId, '--per-day', '5', '--no-enforce'], env);
    expect([report.status, report.stdout]).toEqual([0, `${clientId}: token quota 5 a day (not enforced: logged only)\n`]);
    expect(await withDb(async (s, t) => (await s.clients.get(t, clientId))?.data.token_quota)).toEqual({ client_credentials: { enforce: false, per_day: 5 } });

    const clear = await runCli(['quota', 'clear', clientId], env);
    expect([clear.status, clear.stdout]).toEqual([0, `${clientId}: token quota none\n`]);
    expect(await withDb(async (s, t) => 'token_quota' in (await s.clients.get(t, clientId))!.data)).toBe(false);
  });

  it('default → the tenant\'s default_token_quota.clients; --clear removes it', async () => {
    const set = await runCli(['quota', 'default', '--per-hour', '50', '--json'], env);
    expect([set.status, JSON.parse(set.stdout)]).toEqual([0, { tenant: 'default', default_token_quota: { clients: { client_credentials: { enforce: true, per_hour: 50 } } } }]);
    expect(await withDb(async (s) => (await s.tenants.list()).find((t) => t.name === 'default')!.settings.default_token_quota)).toEqual({
      clients: { client_credentials: { enforce: true, per_hour: 50 } },
    });
    expect((await runCli(['quota', 'default', '--clear'], env)).status).toBe(0);
    expect(await withDb(async (s) => 'default_token_quota' in (await s.tenants.list()).find((t) => t.name === 'default')!.settings)).toBe(false);
  });

  it.each([
    [['quota', 'set', 'CLIENT', '--per-hour', '0'], 'scopeward: --per-hour must be a whole number from 1 to 2147483647\n'],
    [['quota', 'set', 'CLIENT', '--per-day', '2.5'], 'scopeward: --per-day must be a whole number from 1 to 2147483647\n'],
    [['quota', 'set', 'CLIENT'], 'scopeward: give --per-hour, --per-day or both\n'],
    [['quota', 'set', 'nobody', '--per-hour', '1'], 'scopeward: no client nobody in tenant default\n'],
  ])('%j → exit 2 with its reason', async (args, message) => {
    const r = await runCli(args.map((a) => (a === 'CLIENT' ? clientId : a)), env);
    expect([r.status, r.stderr]).toEqual([2, message]);
  });
});
