// The signature of a Private Key JWT client assertion (RFC 7523 §3, issue 15), over node:crypto
// like the rest of the JWS code (decision 0003). Only the RSA algorithms Auth0 allows for client
// credentials; the algorithm is the credential's, never chosen by the token (RFC 8725 §3.1): a
// header naming none, HS256 or another algorithm never reaches a key.
import { constants, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { ParsedJws } from './jws.ts';

export type AssertionAlg = 'RS256' | 'RS384' | 'PS256';

/** Whether `jws` is signed with `alg` by the private half of `pem` (an RSA SPKI public key). */
export function assertionSignedBy(jws: ParsedJws, alg: AssertionAlg, pem: string): boolean {
  try {
    // Parsed at each check (tens of µs beside the RSA verify); no module-level cache (STYLE §6).
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') return false;
    if (alg === 'PS256') {
      // RFC 7518 §3.5: the salt is as long as the hash (32 bytes), MGF1 with SHA-256.
      return verify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jws.signature);
    }
    return verify(alg === 'RS384' ? 'sha384' : 'sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
  } catch {
    return false;
  }
}

export interface AssertionToSign {
  clientId: string;
  /** The tenant's URL with its trailing slash, https://DOMAIN/ (what the auth0 SDK uses). */
  audience: string;
  /** PKCS#8 or PKCS#1 PEM of the client's private key. */
  privateKeyPem: string;
  alg: AssertionAlg;
  /** Seconds since the epoch. */
  now: number;
  /** A random id (RFC 7519 §4.1.7); the server accepts each once. */
  jti: string;
  /** Seconds; Auth0 accepts at most 300. */
  lifetime?: number;
}

/** A client assertion as an application signs it (`scopeward token --private-key`). */
export function signClientAssertion(a: AssertionToSign): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const input = `${encode({ alg: a.alg, typ: 'JWT' })}.${encode({ iss: a.clientId, sub: a.clientId, aud: a.audience, iat: a.now, exp: a.now + (a.lifetime ?? 60), jti: a.jti })}`;
  const key = createPrivateKey({ key: a.privateKeyPem, format: 'pem' });
  const data = Buffer.from(input, 'ascii');
  const signature =
    a.alg === 'PS256' ? sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) : sign(a.alg === 'RS384' ? 'sha384' : 'sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}
