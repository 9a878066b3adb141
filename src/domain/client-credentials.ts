// Public-key credentials for Private Key JWT (issue 15), as Auth0 takes them: a PEM public key
// (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY") or an X.509 certificate, RSA of 2048 to 4096
// bits, used with RS256, RS384 or PS256. The key is stored as SPKI PEM whatever form it came in.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { randomString } from './ids.ts';

export const CREDENTIAL_ALGS = ['RS256', 'RS384', 'PS256'] as const;
export type CredentialAlg = (typeof CREDENTIAL_ALGS)[number];

/** Auth0: "a minimum RSA key size of 2048 bits and a maximum key size of 4096 bits". */
export const MIN_KEY_BITS = 2048;
export const MAX_KEY_BITS = 4096;

/** `cred_` + 22 alphanumerics, like Auth0 credential ids. */
export const newCredentialId = (): string => `cred_${randomString(22)}`;

export interface ParsedPublicKey {
  key: KeyObject;
  /** SPKI PEM, what is stored. */
  spki: string;
  bits: number;
  /** The certificate's notAfter when the PEM was a certificate. */
  certificateExpiry: Date | undefined;
}

/** Why a PEM cannot be a credential (a sentence for the 400), or the key. */
export function parsePublicKeyPem(pem: string): ParsedPublicKey | string {
  const text = pem.trim();
  let key: KeyObject;
  let certificateExpiry: Date | undefined;
  try {
    if (/^-----BEGIN CERTIFICATE-----/.test(text)) {
      const cert = new X509Certificate(text);
      key = cert.publicKey;
      certificateExpiry = new Date(cert.validTo);
    } else if (/^-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
      key = createPublicKey({ key: text, format: 'pem' });
    } else {
      return 'pem must be a PEM-encoded public key (SPKI or PKCS#1) or X.509 certificate';
    }
  } catch {
    return 'pem could not be parsed as a public key or certificate';
  }
  if (key.asymmetricKeyType !== 'rsa') return 'pem must hold an RSA public key';
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_KEY_BITS || bits > MAX_KEY_BITS) return `the RSA key must be between ${MIN_KEY_BITS} and ${MAX_KEY_BITS} bits (this one has ${bits})`;
  return { key, spki: key.export({ type: 'spki', format: 'pem' }).toString(), bits, certificateExpiry };
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA key: the kid Scopeward generates. */
export function keyThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
}

/** Whether the credential has expired at `nowMs` (null: never). */
export const credentialExpired = (expiresAt: string | null, nowMs: number): boolean => expiresAt !== null && Date.parse(expiresAt) <= nowMs;
