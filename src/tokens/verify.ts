// The one verifier for every bearer token the Management API sees. One key, one algorithm
// (RFC 8725 §3.1): an RS256 token is checked only against the tenant's published RSA keys, found
// by `kid`; an HS256 token only against the Global Client Secret, and only when the tenant has
// legacy tokens on (D8). The algorithm comes from the key record, never from the header alone.
import { createHmac, timingSafeEqual, verify as rsaVerify } from 'node:crypto';
import { MalformedToken, parseJws, type JsonObject } from './jws.ts';
import type { KeyRing } from './keys.ts';

/** Which rule refused a token: a stable code (management/auth.ts picks Auth0's message by it). */
export type RejectReason =
  | 'malformed'
  | 'unsupported_header'
  | 'not_access_token'
  | 'unknown_key'
  | 'algorithm'
  | 'signature'
  | 'not_global'
  | 'missing_claim'
  | 'invalid_claim'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'id_token'
  | 'revoked'
  | 'unknown_client';

/** The header parameter or claim a rejection is about. */
export type RejectedClaim = 'crit' | 'b64' | 'typ' | 'alg' | 'kid' | 'exp' | 'nbf' | 'iat' | 'iss' | 'aud' | 'nonce' | 'scope' | 'sub' | 'jti' | 'azp' | 'client_id';

/**
 * How it failed (jose's JWTClaimValidationFailed reasons): the claim is missing, is not of its
 * type, or is well formed and its check failed.
 */
export type RejectKind = 'missing' | 'invalid' | 'check_failed';

export class TokenRejected extends Error {
  override name = 'TokenRejected';
  readonly reason: RejectReason;
  /** undefined when the rejection is about the token as a whole (its form, its signature). */
  readonly claim: RejectedClaim | undefined;
  readonly kind: RejectKind;
  /** The offending value where it helps (the token's `aud` for 'audience'). */
  readonly detail: string | undefined;
  constructor(reason: RejectReason, claim: RejectedClaim | undefined, kind: RejectKind, message: string, detail?: string) {
    super(message);
    this.reason = reason;
    this.claim = claim;
    this.kind = kind;
    this.detail = detail;
  }
}

export interface LegacyKey {
  globalClientId: string;
  /** The base64-decoded Global Client Secret (seed: "check the secret base64 encoded flag"). */
  secret: Buffer;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  /** D3: 30 s for exp/nbf; an iat further than this in the future is refused. */
  leeway: number;
  keys: KeyRing;
  /** Present only when the tenant accepts legacy HS256 tokens. */
  legacy?: LegacyKey | undefined;
}

export interface VerifiedToken {
  header: JsonObject;
  claims: JsonObject;
  alg: 'RS256' | 'HS256';
  scopes: string[];
  /** undefined for a legacy token minted without expiry. */
  exp: number | undefined;
}

const ALLOWED_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e11;

function macEquals(expected: Buffer, actual: Buffer): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A header parameter or claim that fails its check: 'missing' when absent, else 'invalid' (of the wrong type). */
const absentOr = (value: unknown): RejectKind => (value === undefined ? 'missing' : 'invalid');

export function verifyToken(token: string, options: VerifyOptions): VerifiedToken {
  let parsed;
  try {
    parsed = parseJws(token);
  } catch (error) {
    if (error instanceof MalformedToken) throw new TokenRejected('malformed', undefined, 'invalid', error.message);
    throw error;
  }
  const { header, payload, signingInput, signature } = parsed;

  // RFC 7515 §4.1.11: we understand no critical extensions, so any `crit` (and `b64`, RFC 7797)
  // makes the token unverifiable. `jku`/`x5u`/`jwk`/`x5c` are never followed: keys come only from
  // the tenant's own key store (ASVS 9.1.3).
  for (const name of ['crit', 'b64'] as const) {
    if (name in header) throw new TokenRejected('unsupported_header', name, 'check_failed', 'critical header parameters are not supported');
  }
  if (header.typ !== undefined && (typeof header.typ !== 'string' || !ALLOWED_TYP.has(header.typ.toLowerCase()))) {
    throw new TokenRejected('not_access_token', 'typ', typeof header.typ === 'string' ? 'check_failed' : 'invalid', 'not an access token type');
  }

  let alg: VerifiedToken['alg'];
  if (header.alg === 'RS256') {
    const key = typeof header.kid === 'string' ? options.keys.verifying.get(header.kid) : undefined;
    if (!key) throw new TokenRejected('unknown_key', 'kid', typeof header.kid === 'string' ? 'check_failed' : absentOr(header.kid), 'no published key has this kid');
    if (!rsaVerify('sha256', signingInput, key.publicKey, signature)) throw new TokenRejected('signature', undefined, 'check_failed', 'RS256 signature does not verify');
    alg = 'RS256';
  } else if (header.alg === 'HS256' && options.legacy) {
    if (payload.aud !== options.legacy.globalClientId) throw new TokenRejected('not_global', 'aud', 'check_failed', 'HS256 token whose aud is not the global client');
    const expected = createHmac('sha256', options.legacy.secret).update(signingInput).digest();
    if (!macEquals(expected, signature)) throw new TokenRejected('signature', undefined, 'check_failed', 'HS256 signature does not verify');
    alg = 'HS256';
  } else {
    throw new TokenRejected('algorithm', 'alg', typeof header.alg === 'string' ? 'check_failed' : absentOr(header.alg), `alg ${JSON.stringify(header.alg)} is not accepted here`);
  }

  const { now, leeway } = options;
  const { exp, nbf, iat } = payload;
  if (exp === undefined) {
    if (alg !== 'HS256') throw new TokenRejected('missing_claim', 'exp', 'missing', 'exp is required');
  } else if (!isNumericDate(exp)) {
    throw new TokenRejected('invalid_claim', 'exp', 'invalid', 'exp is not a NumericDate');
  } else if (now > exp + leeway) {
    throw new TokenRejected('expired', 'exp', 'check_failed', 'token has expired');
  }
  for (const [name, value] of [['nbf', nbf], ['iat', iat]] as const) {
    if (value === undefined) continue;
    if (!isNumericDate(value)) throw new TokenRejected('invalid_claim', name, 'invalid', `${name} is not a NumericDate`);
    if (value > now + leeway) throw new TokenRejected('not_yet_valid', name, 'check_failed', `${name} is in the future`);
  }

  if (payload.iss !== options.issuer) throw new TokenRejected('issuer', 'iss', payload.iss === undefined ? 'missing' : 'check_failed', 'issuer does not match this tenant');

  if (alg !== 'HS256') {
    // RFC 8725 §3.9: aud is required. A missing or malformed one is an invalid token, not a
    // "Bad audience: undefined".
    const aud = payload.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? aud : undefined;
    if (!audiences) throw new TokenRejected(aud === undefined ? 'missing_claim' : 'invalid_claim', 'aud', absentOr(aud), 'aud is missing or not a string or array of strings');
    if (!audiences.includes(options.audience)) throw new TokenRejected('audience', 'aud', 'check_failed', 'audience does not match', audiences.join(' '));
  }

  // An ID token is never an access token (CVE-2025-68129): it carries a nonce or is for a client.
  if ('nonce' in payload) throw new TokenRejected('id_token', 'nonce', 'check_failed', 'an ID token is not an access token');
  for (const name of ['scope', 'sub'] as const) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') throw new TokenRejected('invalid_claim', name, 'invalid', `${name} is not a string`);
  }

  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  return { header, claims: payload, alg, scopes, exp: exp };
}
