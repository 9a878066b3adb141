// crypto/envelope.ts (security catalogue §2.10): AES-256-GCM sealing bound by AAD to tenant, table,
// record and field; key ids; tamper detection; the keyed MAC used for authentication.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEnvelope, DecryptionError, digestsEqual, type SecretLocation } from '../../src/crypto/envelope.ts';

const here: SecretLocation = { tenantId: 'ten_a', table: 'clients', recordId: 'client-1', field: 'client_secret' };
const key = randomBytes(32);
const envelope = createEnvelope(key);

/** Flips one bit of the byte at `index` of a base64url segment. */
function flip(segment: string, index: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('envelope seal/open', () => {
  it('round trip: open(seal(x)) === x, for ASCII, Unicode, empty and long values', () => {
    for (const value of ['s3cret', 'ünïcødé ✓ 秘密', '', 'x'.repeat(10_000), '-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n']) {
      expect(envelope.open(envelope.seal(value, here), here)).toBe(value);
    }
  });

  it('format: v1.<keyId>.<96-bit nonce>.<ciphertext||128-bit tag>, base64url, no plaintext', () => {
    const sealed = envelope.seal('hello world', here);
    const [version, kid, nonce, body, ...rest] = sealed.split('.');
    expect(rest).toEqual([]);
    expect(version).toBe('v1');
    expect(kid).toBe(envelope.keyId);
    expect(envelope.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body!, 'base64url')).toHaveLength('hello world'.length + 16);
    expect(sealed).not.toContain('hello');
  });

  it('a fresh nonce per seal: the same value sealed twice gives different ciphertexts', () => {
    const one = envelope.seal('same', here);
    const two = envelope.seal('same', here);
    expect(one).not.toBe(two);
    expect(one.split('.')[2]).not.toBe(two.split('.')[2]);
  });

  it('the key id depends on the master key only', () => {
    expect(createEnvelope(key).keyId).toBe(envelope.keyId);
    expect(createEnvelope(randomBytes(32)).keyId).not.toBe(envelope.keyId);
  });

  it('a master key that is not 32 bytes is refused', () => {
    expect(() => createEnvelope(randomBytes(16))).toThrow('the master key must be exactly 32 bytes');
    expect(() => createEnvelope(randomBytes(33))).toThrow('the master key must be exactly 32 bytes');
  });

  it('another master key cannot open it (wrong key id)', () => {
    const sealed = envelope.seal('v', here);
    expect(() => createEnvelope(randomBytes(32)).open(sealed, here)).toThrow(new DecryptionError('ciphertext was made with another key or format'));
  });

  it('another master key claiming this key id still fails authentication', () => {
    const other = createEnvelope(randomBytes(32));
    const [v, , nonce, body] = other.seal('v', here).split('.');
    expect(() => envelope.open([v, envelope.keyId, nonce, body].join('.'), here)).toThrow(new DecryptionError('ciphertext does not authenticate for this record'));
  });

  it('AAD binding: a different tenant, table, record or field cannot open it (T-SR-04)', () => {
    const sealed = envelope.seal('v', here);
    for (const elsewhere of [
      { ...here, tenantId: 'ten_b' },
      { ...here, table: 'resource_servers' },
      { ...here, recordId: 'client-2' },
      { ...here, field: 'signing_secret' },
    ]) {
      expect(() => envelope.open(sealed, elsewhere)).toThrow(DecryptionError);
    }
    // Field boundaries are unambiguous: shifting characters between fields changes the AAD.
    const shifted = { ...here, tenantId: 'ten_', table: `a${here.table}` };
    expect(() => envelope.open(sealed, shifted)).toThrow(DecryptionError);
  });

  it('tampering with any byte of nonce, ciphertext or tag is detected', () => {
    const sealed = envelope.seal('a secret of some length', here);
    const [v, kid, nonce, body] = sealed.split('.') as [string, string, string, string];
    const bodyLength = Buffer.from(body, 'base64url').length;
    for (const i of [0, 5, 11]) expect(() => envelope.open([v, kid, flip(nonce, i), body].join('.'), here)).toThrow(DecryptionError);
    for (const i of [0, 10, bodyLength - 17, bodyLength - 16, bodyLength - 1]) {
      expect(() => envelope.open([v, kid, nonce, flip(body, i)].join('.'), here)).toThrow(DecryptionError);
    }
  });

  it('malformed or truncated input throws DecryptionError, never something else', () => {
    const sealed = envelope.seal('v', here);
    const [, kid, nonce, body] = sealed.split('.') as [string, string, string, string];
    for (const bad of ['', 'v1', `v2.${kid}.${nonce}.${body}`, `v1.${kid}.${nonce}`, `v1.${kid}..${body}`, `v1.${kid}.${nonce}.AAAA`, `v1.${kid}.${nonce}.${body.slice(0, 10)}`]) {
      expect(() => envelope.open(bad, here), bad).toThrow(DecryptionError);
    }
  });
});

describe('envelope mac', () => {
  const at = { tenantId: 't1', table: 'clients', recordId: 'c1', field: 'client_secret' };
  it('is deterministic per key: same secret, same 32-byte digest', () => {
    const m = envelope.mac('secret', at);
    expect(m).toHaveLength(32);
    expect(envelope.mac('secret', at).equals(m)).toBe(true);
    expect(createEnvelope(key).mac('secret', at).equals(m)).toBe(true);
  });

  it('differs for another secret and for another master key', () => {
    expect(envelope.mac('secret', at).equals(envelope.mac('secret2', at))).toBe(false);
    expect(createEnvelope(randomBytes(32)).mac('secret', at).equals(envelope.mac('secret', at))).toBe(false);
  });

  it('T-SR-04: is bound to its location — the same secret at another row, field or tenant has another MAC', () => {
    const m = envelope.mac('secret', at);
    expect(envelope.mac('secret', { ...at, recordId: 'c2' }).equals(m)).toBe(false);
    expect(envelope.mac('secret', { ...at, field: 'other' }).equals(m)).toBe(false);
    expect(envelope.mac('secret', { ...at, tenantId: 't2' }).equals(m)).toBe(false);
  });

  it('is keyed: not the plain SHA-256 of the secret', () => {
    expect(envelope.mac('secret', at).equals(createHash('sha256').update('secret').digest())).toBe(false);
  });

  it('digestsEqual compares in constant time and refuses different lengths', () => {
    const m = envelope.mac('x', at);
    expect(digestsEqual(m, Buffer.from(m))).toBe(true);
    expect(digestsEqual(m, envelope.mac('y', at))).toBe(false);
    expect(digestsEqual(m, m.subarray(0, 31))).toBe(false);
  });
});
