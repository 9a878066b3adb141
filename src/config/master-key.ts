// The master key that seals secrets at rest. From SCOPEWARD_MASTER_KEY, from --master-key-file, or
// (development only) from DATA_DIR/master.key, made on first run with mode 0600. It never enters
// the database; a canary sealed with it proves at start that it is the key the data was written
// with (T-FLT-08): a wrong key stops the server instead of failing every request.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEnvelope, DecryptionError, type Envelope } from '../crypto/envelope.ts';
import type { MetaStore } from '../storage/ports.ts';
import type { Config } from './schema.ts';

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${where} does not hold base64 of 32 bytes`);
  return key;
}

export interface MasterKeySource {
  key: Buffer;
  /** Where it came from, for the start-up message (never the key itself). */
  origin: string;
  created: boolean;
}

/** With `create: false` a missing key file is an error even in development (restore must not make a key). */
export function loadMasterKey(config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'dataDir' | 'production'>, options: { create?: boolean } = {}): MasterKeySource {
  if (config.masterKey) return { key: decode(config.masterKey, 'SCOPEWARD_MASTER_KEY'), origin: 'SCOPEWARD_MASTER_KEY', created: false };
  const file = config.masterKeyFile ?? path.join(config.dataDir, 'master.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) throw new MasterKeyError(`${file} is readable by group or others; run: chmod 600 ${file}`);
    return { key: decode(readFileSync(file, 'utf8'), file), origin: file, created: false };
  }
  if (config.masterKeyFile || config.production || options.create === false) throw new MasterKeyError(`master key file ${file} does not exist`);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, origin: file, created: true };
}

const CANARY_KEY = 'master_key_canary';
const CANARY = { tenantId: '-', table: 'meta', recordId: CANARY_KEY, field: 'value' };

/** Whether the database's canary opens with this key; undefined when it has none yet. */
export async function canaryMatches(meta: MetaStore, envelope: Envelope): Promise<boolean | undefined> {
  const sealed = await meta.get(CANARY_KEY);
  if (sealed === undefined) return undefined;
  try {
    return envelope.open(sealed, CANARY) === 'scopeward';
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    return false;
  }
}

/** Seals a canary on first use; afterwards refuses any other key. */
export async function checkCanary(meta: MetaStore, envelope: Envelope): Promise<void> {
  const matches = await canaryMatches(meta, envelope);
  if (matches === undefined) {
    await meta.set(CANARY_KEY, envelope.seal('scopeward', CANARY));
    return;
  }
  if (!matches) throw new MasterKeyError('the master key does not match the one this database was written with; refusing to start');
}

export { createEnvelope };
