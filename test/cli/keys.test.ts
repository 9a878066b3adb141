// `scopeward keys list|rotate` against a fresh data directory (spec §3.5.8, T-KR-02): what they
// print (JSON for scripts, one line per key for people), what a rotation stores (checked in the
// database itself), --tenant, and the exit code for an unknown tenant.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { SigningKeyRecord } from '../../src/storage/ports.ts';
import { runCli } from './run.ts';

interface KeyJson {
  kid: string;
  cert: string;
  current: boolean;
  next: boolean;
  previous: boolean;
  revoked: boolean;
  fingerprint: string;
  thumbprint: string;
  current_since?: string;
  current_until?: string;
  [member: string]: unknown;
}

describe('scopeward keys list / rotate', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-cli-keys-'));
    env = { SCOPEWARD_DATA_DIR: path.join(dir, 'data') };
    const r = await runCli(['init', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The signing keys as stored, by tenant name (read with the data dir's own master key). */
  const stored = async (tenantName = 'default'): Promise<SigningKeyRecord[]> => {
    const storage = await createStorage(`sqlite:${path.join(env.SCOPEWARD_DATA_DIR!, 'scopeward.db')}`);
    try {
      const tenant = (await storage.tenants.list()).find((t) => t.name === tenantName)!;
      return await storage.signingKeys.list(tenant.id);
    } finally {
      await storage.close();
    }
  };
  const kidOf = (keys: SigningKeyRecord[], state: SigningKeyRecord['state']) => keys.filter((k) => k.state === state).map((k) => k.kid);

  const listJson = async (extra: string[] = []): Promise<KeyJson[]> => {
    const r = await runCli(['keys', 'list', '--json', ...extra], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    return JSON.parse(r.stdout) as KeyJson[];
  };

  it('keys list --json prints every stored key with its state, certificate and SHA-1 fingerprints', async () => {
    const keys = await stored();
    const listed = await listJson();
    expect(listed.map((k) => k.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
    for (const k of listed) {
      const record = keys.find((r) => r.kid === k.kid)!;
      expect([k.current, k.next, k.previous, k.revoked]).toEqual([record.state === 'current', record.state === 'next', false, false]);
      const x509 = new X509Certificate(k.cert);
      expect(x509.raw.equals(new X509Certificate(record.cert).raw)).toBe(true);
      expect([k.fingerprint, k.thumbprint]).toEqual([x509.fingerprint, x509.fingerprint.replace(/:/g, '')]);
      expect(k.cert).toContain('\r\n');
      expect(JSON.stringify(k)).not.toMatch(/PRIVATE|"d":/);
    }
    expect(kidOf(keys, 'current')).toHaveLength(1);
    expect(kidOf(keys, 'next')).toHaveLength(1);
  });

  it('keys list prints one line per key: state, kid, thumbprint', async () => {
    const listed = await listJson();
    const r = await runCli(['keys', 'list'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const state = (k: KeyJson) => (k.current ? 'current' : 'next');
    expect(r.stdout).toBe(listed.map((k) => `${state(k).padEnd(9)} ${k.kid}  ${k.thumbprint}\n`).join(''));
  });

  it('keys rotate --json: the next key becomes current (printed), the old current previous, a new next is stored', async () => {
    const before = await stored();
    const r = await runCli(['keys', 'rotate', '--json'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const printed = JSON.parse(r.stdout) as KeyJson;
    const [oldCurrent] = kidOf(before, 'current');
    const [oldNext] = kidOf(before, 'next');
    expect(printed).toMatchObject({ kid: oldNext, current: true, next: false, previous: false, revoked: false });
    expect(Date.parse(printed.current_since!)).toBeGreaterThan(Date.now() - 60_000);

    const after = await stored();
    expect(kidOf(after, 'current')).toEqual([oldNext]);
    expect(kidOf(after, 'previous')).toEqual([oldCurrent]);
    const [newNext] = kidOf(after, 'next');
    expect([oldCurrent, oldNext]).not.toContain(newNext);
    expect(after).toHaveLength(3);
    expect(after.find((k) => k.kid === oldCurrent)!.currentUntil).toBe(printed.current_since);
    expect((await listJson()).find((k) => k.kid === printed.kid)).toEqual(printed);
  });

  it('keys rotate without --json says what happened and what the previous key still does', async () => {
    const before = await stored();
    const r = await runCli(['keys', 'rotate'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const [promoted] = kidOf(before, 'next');
    expect(r.stdout.split('\n')).toEqual([
      `rotated: ${promoted!} now signs for localhost:8443`,
      'tokens signed by the previous key stay valid until you revoke it (PUT /api/v2/keys/signing/{kid}/revoke)',
      'a running server on SQLite picks the new key up within its cache resync interval (30 s by default)',
      '',
    ]);
    expect(kidOf(await stored(), 'current')).toEqual([promoted]);
  });

  it('--tenant NAME lists and rotates that tenant only', async () => {
    const dataDir = env.SCOPEWARD_DATA_DIR!;
    const storage = await createStorage(`sqlite:${path.join(dataDir, 'scopeward.db')}`);
    try {
      const envelope = createEnvelope(Buffer.from(readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim(), 'base64'));
      await createTenant(storage, envelope, systemClock, { name: 'acme', domain: 'acme.localhost:8443' });
    } finally {
      await storage.close();
    }
    const defaultBefore = await stored();
    const acmeBefore = await stored('acme');
    expect((await listJson(['--tenant', 'acme'])).map((k) => k.kid).sort()).toEqual(acmeBefore.map((k) => k.kid).sort());

    const r = await runCli(['keys', 'rotate', '--tenant', 'acme', '--json'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect((JSON.parse(r.stdout) as KeyJson).kid).toBe(kidOf(acmeBefore, 'next')[0]);
    expect(kidOf(await stored('acme'), 'current')).toEqual(kidOf(acmeBefore, 'next'));
    expect(await stored()).toEqual(defaultBefore);
  });

  it('an unknown --tenant exits 2 with a clear message and rotates nothing', async () => {
    const before = await stored();
    for (const command of ['list', 'rotate']) {
      const r = await runCli(['keys', command, '--tenant', 'nope', '--json'], env);
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'scopeward: no tenant named "nope"\n']);
    }
    expect(await stored()).toEqual(before);
  });
});
