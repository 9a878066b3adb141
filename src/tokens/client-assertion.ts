// The signature of a Private Key JWT client assertion (RFC 7523 §3, issue 15), over node:crypto
// like the rest of the JWS code (decision 0003). Only the RSA algorithms Auth0 allows for client
// credentials; the algorithm is the credential's, never chosen by the token (RFC 8725 §3.1): a
// header naming none, HS256 or another algorithm never reaches a key.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { ParsedJws } from './jws.ts';

export type AssertionAlg = 'RS256' | 'RS384' | 'PS256';

/** Public keys by PEM: a credential's key is parsed once, not at every assertion. */
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 10_000;

function keyOf(pem: string): KeyObject {
  let key = keys.get(pem);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createPublicKey({ key: pem, format: 'pem' });
    keys.set(pem, key);
  }
  return key;
}

/** Whether `jws` is signed with `alg` by the private half of `pem` (an RSA SPKI public key). */
export function assertionSignedBy(jws: ParsedJws, alg: AssertionAlg, pem: string): boolean {
  const key = keyOf(pem);
  if (key.asymmetricKeyType !== 'rsa') return false;
  try {
    if (alg === 'PS256') {
      // RFC 7518 §3.5: the salt is as long as the hash (32 bytes), MGF1 with SHA-256.
      return verify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jws.signature);
    }
    return verify(alg === 'RS384' ? 'sha384' : 'sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
  } catch {
    return false;
  }
}
