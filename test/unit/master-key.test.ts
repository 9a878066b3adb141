// config/master-key.ts (§2.10, T-FLT-08 / T-SEC-06): the key file is made once with mode 0600, a
// key file others can read is refused, and the canary refuses a database sealed with another key.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCanary, createEnvelope, loadMasterKey, MasterKeyError } from '../../src/config/master-key.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { tamper } from '../helpers/tamper.ts';

const config = (dataDir: string, extra: Partial<Parameters<typeof loadMasterKey>[0]> = {}) => ({
  dataDir,
  masterKey: undefined,
  masterKeyFile: undefined,
  production: false,
  ...extra,
});

describe('loadMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-mk-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('first run makes DATA_DIR/master.key: 32 random bytes in base64, mode 0600', () => {
    const dataDir = path.join(dir, 'data');
    const made = loadMasterKey(config(dataDir));
    const file = path.join(dataDir, 'master.key');
    expect([made.created, made.origin, made.key.length]).toEqual([true, file, 32]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${made.key.toString('base64')}\n`);
  });

  it('later runs read the same key and create nothing', () => {
    const first = loadMasterKey(config(dir));
    const again = loadMasterKey(config(dir));
    expect([again.created, again.key.equals(first.key)]).toEqual([false, true]);
  });

  it('two data directories get two different keys', () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'scopeward-mk-'));
    try {
      expect(loadMasterKey(config(dir)).key.equals(loadMasterKey(config(other)).key)).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a key file readable by group or others is refused with the chmod to run', () => {
    const file = path.join(dir, 'master.key');
    loadMasterKey(config(dir));
    for (const mode of [0o640, 0o604, 0o660]) {
      chmodSync(file, mode);
      expect(() => loadMasterKey(config(dir))).toThrow(new MasterKeyError(`${file} is readable by group or others; run: chmod 600 ${file}`));
    }
    chmodSync(file, 0o400);
    expect(loadMasterKey(config(dir)).created).toBe(false);
  });

  it('a key file that is not base64 of 32 bytes is refused', () => {
    const file = path.join(dir, 'master.key');
    writeFileSync(file, `${randomBytes(16).toString('base64')}\n`, { mode: 0o600 });
    expect(() => loadMasterKey(config(dir))).toThrow(new MasterKeyError(`${file} does not hold base64 of 32 bytes`));
  });

  it('SCOPEWARD_MASTER_KEY wins over any file and creates none', () => {
    const key = randomBytes(32);
    const got = loadMasterKey(config(dir, { masterKey: key.toString('base64') }));
    expect([got.key.equals(key), got.origin, got.created]).toEqual([true, 'SCOPEWARD_MASTER_KEY', false]);
    expect(() => statSync(path.join(dir, 'master.key'))).toThrow();
    expect(() => loadMasterKey(config(dir, { masterKey: 'dG9vIHNob3J0' }))).toThrow(new MasterKeyError('SCOPEWARD_MASTER_KEY does not hold base64 of 32 bytes'));
  });

  it('--master-key-file is read as given, and never created when missing', () => {
    const file = path.join(dir, 'given.key');
    expect(() => loadMasterKey(config(dir, { masterKeyFile: file }))).toThrow(new MasterKeyError(`master key file ${file} does not exist`));
    const key = randomBytes(32);
    writeFileSync(file, key.toString('base64'), { mode: 0o600 });
    expect(loadMasterKey(config(dir, { masterKeyFile: file })).key.equals(key)).toBe(true);
  });

  it('production mode never generates a key file', () => {
    const file = path.join(dir, 'master.key');
    expect(() => loadMasterKey(config(dir, { production: true }))).toThrow(new MasterKeyError(`master key file ${file} does not exist`));
    expect(() => statSync(file)).toThrow();
  });
});

describe('checkCanary (T-FLT-08, T-SEC-06)', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await createStorage('sqlite::memory:');
  });
  afterEach(async () => {
    await storage.close();
  });

  it('the first start seals a canary; the same key passes afterwards', async () => {
    const envelope = createEnvelope(randomBytes(32));
    expect(await storage.meta.get('master_key_canary')).toBeUndefined();
    await checkCanary(storage.meta, envelope);
    const sealed = await storage.meta.get('master_key_canary');
    expect(sealed).toMatch(new RegExp(`^v1\\.${envelope.keyId}\\.`));
    await expect(checkCanary(storage.meta, envelope)).resolves.toBeUndefined();
    expect(await storage.meta.get('master_key_canary')).toBe(sealed);
  });

  it('a different key is refused with a clear error, and the canary is left as it was', async () => {
    await checkCanary(storage.meta, createEnvelope(randomBytes(32)));
    const sealed = await storage.meta.get('master_key_canary');
    await expect(checkCanary(storage.meta, createEnvelope(randomBytes(32)))).rejects.toThrow(
      new MasterKeyError('the master key does not match the one this database was written with; refusing to start'),
    );
    expect(await storage.meta.get('master_key_canary')).toBe(sealed);
  });

  it('a tampered canary is refused too', async () => {
    const envelope = createEnvelope(randomBytes(32));
    await checkCanary(storage.meta, envelope);
    const sealed = (await storage.meta.get('master_key_canary'))!;
    await storage.meta.set('master_key_canary', tamper(sealed));
    await expect(checkCanary(storage.meta, envelope)).rejects.toBeInstanceOf(MasterKeyError);
  });
});
