// Tenant signing keys: RS256, 2048-bit, each with the self-signed certificate Auth0 publishes.
// States: next (published ahead so verifiers can cache it, D7), current (the only one that signs),
// previous (still verifies until revoked), revoked (gone from the JWKS, its tokens refused).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { certFacts, type CertFacts } from '../crypto/cert-facts.ts';
import { generateRsaKey, selfSignedCert } from '../crypto/certs.ts';
import type { Envelope, SecretLocation } from '../crypto/envelope.ts';
import { newKid } from '../domain/ids.ts';
import type { SigningKeyRecord, SigningKeyState } from '../storage/ports.ts';

export interface PublicJwk {
  kty: 'RSA';
  use: 'sig';
  alg: 'RS256';
  kid: string;
  n: string;
  e: string;
  x5t: string;
  x5c: string[];
}

export interface SigningKey {
  kid: string;
  state: SigningKeyState;
  publicKey: KeyObject;
  /** Decrypted only for the current key: nothing else ever signs. */
  privateKey: KeyObject | undefined;
  jwk: PublicJwk;
  facts: CertFacts;
  record: SigningKeyRecord;
}

export interface KeyRing {
  /** The key that signs; every tenant has exactly one. */
  current: SigningKey;
  /** Keys a token may be verified with: next, current, previous (never revoked ones). */
  verifying: ReadonlyMap<string, SigningKey>;
  /** What /.well-known/jwks.json publishes, current first. */
  jwks: { keys: PublicJwk[] };
  all: SigningKey[];
}

/** RFC 7518 §3.3 and T-JWT-14: an RS256 key is RSA of at least 2048 bits; any other stored key is never published nor used. */
const MIN_RSA_BITS = 2048;
const isRs256Key = (k: SigningKey): boolean =>
  k.record.publicJwk.kty === 'RSA' && k.publicKey.asymmetricKeyType === 'rsa' && (k.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;

const location = (tenantId: string, kid: string): SecretLocation => ({ tenantId, table: 'signing_keys', recordId: kid, field: 'private_key' });

/** Makes a new key record (sealed private key, public JWK, certificate) without storing it. */
export async function createSigningKey(
  envelope: Envelope,
  tenant: { id: string; domain: string },
  state: SigningKeyState,
  now: Date,
): Promise<SigningKeyRecord> {
  const kid = newKid();
  const { keys, privatePem } = await generateRsaKey();
  const cert = await selfSignedCert(keys, tenant.domain, now);
  const jwk = createPublicKey(createPrivateKey(privatePem)).export({ format: 'jwk' });
  const stamp = now.toISOString();
  return {
    tenantId: tenant.id,
    kid,
    alg: 'RS256',
    state,
    privateSealed: envelope.seal(privatePem, location(tenant.id, kid)),
    publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e },
    cert,
    createdAt: stamp,
    currentSince: state === 'current' ? stamp : null,
    currentUntil: null,
    revokedAt: null,
  };
}

export function loadKeyRing(envelope: Envelope, records: SigningKeyRecord[]): KeyRing {
  const all = records.map((record): SigningKey => {
    const facts = certFacts(record.cert);
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: String(record.publicJwk.n), e: String(record.publicJwk.e) }, format: 'jwk' });
    const privateKey =
      record.state === 'current' ? createPrivateKey(envelope.open(record.privateSealed, location(record.tenantId, record.kid))) : undefined;
    const jwk: PublicJwk = {
      kty: 'RSA',
      use: 'sig',
      alg: 'RS256',
      kid: record.kid,
      n: String(record.publicJwk.n),
      e: String(record.publicJwk.e),
      x5t: facts.x5t,
      x5c: [facts.der],
    };
    return { kid: record.kid, state: record.state, publicKey, privateKey, jwk, facts, record };
  });
  const current = all.find((k) => k.state === 'current');
  if (!current) throw new Error(`tenant ${records[0]?.tenantId ?? '?'} has no current signing key`);
  if (!isRs256Key(current)) throw new Error(`tenant ${current.record.tenantId}: the current signing key is not a ${MIN_RSA_BITS}-bit RSA key`);
  const order: Record<SigningKeyState, number> = { current: 0, next: 1, previous: 2, revoked: 3 };
  const published = all.filter((k) => k.state !== 'revoked' && isRs256Key(k)).sort((a, b) => order[a.state] - order[b.state]);
  return {
    current,
    verifying: new Map(published.map((k) => [k.kid, k])),
    jwks: { keys: published.map((k) => k.jwk) },
    all,
  };
}
