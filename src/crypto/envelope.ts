// Secrets at rest (security catalogue §2.10): AES-256-GCM under purpose keys derived with HKDF from
// one master key that never touches the database. The AAD binds every ciphertext to the tenant,
// table, record and field it belongs to, so a ciphertext copied onto another row fails to decrypt.
// Client secrets are also stored as an HMAC, bound to the same location, so authentication never
// needs the plaintext and a MAC copied onto another row matches nothing there.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

export interface SecretLocation {
  tenantId: string;
  table: string;
  recordId: string;
  field: string;
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export interface Envelope {
  /** Encrypts `plaintext` for one field of one record. */
  seal(plaintext: string, at: SecretLocation): string;
  /** Decrypts; throws DecryptionError when the key, the location or the bytes do not match. */
  open(sealed: string, at: SecretLocation): string;
  /** Keyed digest of a secret at a location, for constant-time comparison without decrypting. */
  mac(secret: string, at: SecretLocation): Buffer;
  /** The key id written into ciphertexts (first 8 hex chars of a hash of the master key). */
  readonly keyId: string;
}

export function createEnvelope(masterKey: Buffer): Envelope {
  if (masterKey.length !== 32) throw new Error('the master key must be exactly 32 bytes');
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  const encKey = derive('scopeward secret encryption');
  // A KeyObject made once: passing raw bytes would re-import the key on every MAC (hot path).
  const macKey = createSecretKey(derive('scopeward secret mac'));
  const keyId = createHmac('sha256', derive('scopeward key id')).update('id').digest('hex').slice(0, 8);

  const aad = (at: SecretLocation): Buffer =>
    Buffer.from(JSON.stringify([VERSION, at.tenantId, at.table, at.recordId, at.field]));

  return {
    keyId,
    seal(plaintext, at) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, nonce);
      cipher.setAAD(aad(at));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, keyId, nonce.toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, at) {
      const [version, kid, nonceText, bodyText] = sealed.split('.');
      if (version !== VERSION || kid !== keyId || !nonceText || !bodyText) {
        throw new DecryptionError('ciphertext was made with another key or format');
      }
      const body = Buffer.from(bodyText, 'base64url');
      if (body.length < 16) throw new DecryptionError('ciphertext is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(nonceText, 'base64url'));
        decipher.setAAD(aad(at));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw new DecryptionError('ciphertext does not authenticate for this record');
      }
    },
    mac(secret, at) {
      return createHmac('sha256', macKey).update(aad(at)).update('\n').update(secret, 'utf8').digest();
    },
  };
}

/** Constant-time equality of two digests of equal length (callers always pass HMAC-SHA256 outputs). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
