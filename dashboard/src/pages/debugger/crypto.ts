// The debugger's cryptography, in the browser with jose: signature checks against the tenant's
// JWKS (RS256) or an HMAC key (HS256), and HS256 signing. Secrets are used here and dropped;
// nothing is sent anywhere but the tenant's own JWKS request.
import { CompactSign, compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';

export type Verdict = { ok: true; text: string } | { ok: false; text: string };

let jwks: Promise<JSONWebKeySet> | undefined;

/** The tenant's /.well-known/jwks.json, fetched once a page load (a failure is retried next time). */
function tenantJwks(): Promise<JSONWebKeySet> {
  jwks ??= fetch('/.well-known/jwks.json', { credentials: 'omit' }).then(async (r) => {
    if (!r.ok) throw new Error(`The JWKS could not be read (${r.status}).`);
    return (await r.json()) as JSONWebKeySet;
  });
  jwks.catch(() => (jwks = undefined));
  return jwks;
}

function explain(error: unknown, what: string): Verdict {
  if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, text: `The signature does not verify ${what}.` };
  if (error instanceof errors.JWKSNoMatchingKey) return { ok: false, text: "No key of the tenant's JWKS has this kid: the key was revoked, or another issuer signed the token." };
  if (error instanceof errors.JWKSMultipleMatchingKeys) return { ok: false, text: 'Several JWKS keys match and none verifies.' };
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return { ok: false, text: `The token's algorithm cannot be verified ${what}.` };
  return { ok: false, text: error instanceof Error ? error.message : String(error) };
}

export async function verifyWithJwks(token: string): Promise<Verdict> {
  try {
    const keys = createLocalJWKSet(await tenantJwks());
    const { protectedHeader } = await compactVerify(token, keys, { algorithms: ['RS256'] });
    return { ok: true, text: `Signature verified with key ${String(protectedHeader.kid ?? '(no kid)')} of the tenant's JWKS.` };
  } catch (error) {
    return explain(error, "with the tenant's keys");
  }
}

export async function verifyWithSecret(token: string, key: Uint8Array, what: string): Promise<Verdict> {
  try {
    await compactVerify(token, key, { algorithms: ['HS256'] });
    return { ok: true, text: `Signature verified with ${what}.` };
  } catch (error) {
    return explain(error, `with ${what}`);
  }
}

/** header.payload.signature, HS256, over exactly the JSON given (no claims added). */
export async function signHs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: Uint8Array): Promise<string> {
  if (header.alg !== 'HS256') throw new Error('The header must say "alg": "HS256": only HS256 tokens are signed here.');
  if (key.length === 0) throw new Error('Enter a secret.');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'HS256' }).sign(key);
}
