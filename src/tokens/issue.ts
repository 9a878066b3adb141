// Access tokens in Auth0's profile (spec §2.2: iss, sub, aud, iat, exp, scope, gty, azp) plus a
// `jti` on every token so that any token can be revoked (D2), or in the RFC 9068 profile when an
// API asks for it through `token_dialect` (typ at+jwt, client_id instead of azp/gty).
import type { KeyObject } from 'node:crypto';
import { newJti } from '../domain/ids.ts';
import { signHs256, signRs256Async, type JsonObject } from './jws.ts';

export type Signer = { alg: 'RS256'; kid: string; key: KeyObject } | { alg: 'HS256'; secret: Buffer };

export interface AccessTokenInput {
  issuer: string;
  subject: string;
  audience: string | string[];
  clientId: string;
  /** Granted scopes; the claim is omitted when empty (spec §2.2). */
  scopes: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  lifetime: number;
  /** `client-credentials`, or undefined for user tokens. */
  grantType?: string;
  dialect?: string;
  signer: Signer;
}

export interface IssuedToken {
  token: string;
  jti: string;
  iat: number;
  exp: number;
}

export async function issueAccessToken(input: AccessTokenInput): Promise<IssuedToken> {
  const jti = newJti();
  const iat = input.now;
  const exp = iat + input.lifetime;
  const rfc9068 = input.dialect === 'rfc9068_profile' || input.dialect === 'rfc9068_profile_authz';
  const claims: JsonObject = { iss: input.issuer, sub: input.subject, aud: input.audience, iat, exp };
  if (input.scopes.length > 0) claims.scope = input.scopes.join(' ');
  if (rfc9068) {
    claims.client_id = input.clientId;
  } else {
    if (input.grantType) claims.gty = input.grantType;
    claims.azp = input.clientId;
  }
  claims.jti = jti;
  const typ = rfc9068 ? 'at+jwt' : 'JWT';
  const token =
    input.signer.alg === 'RS256'
      ? await signRs256Async({ alg: 'RS256', typ, kid: input.signer.kid }, claims, input.signer.key)
      : signHs256({ alg: 'HS256', typ }, claims, input.signer.secret);
  return { token, jti, iat, exp };
}
