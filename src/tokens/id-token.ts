// ID tokens (OIDC Core §2, spec §2.6): RS256 with the tenant's current key and its kid, iss =
// https://DOMAIN/, aud = the client, the nonce sent, auth_time and sid, at_hash beside an access
// token from /authorize (OIDC Core §3.2.2.10), and the user's claims for the granted scopes.
import { createHash, type KeyObject } from 'node:crypto';
import { signRs256Async, type JsonObject } from './jws.ts';

export interface IdTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  /** Seconds since the epoch. */
  now: number;
  lifetime: number;
  nonce: string | undefined;
  /** Seconds since the epoch. */
  authTime: number;
  sid: string | undefined;
  /** The access token issued with it from /authorize, for at_hash. */
  accessToken?: string;
  claims: Record<string, unknown>;
  signer: { kid: string; key: KeyObject };
}

/** base64url of the left half of SHA-256 of the token's ASCII octets (RS256 → SHA-256). */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

export function issueIdToken(input: IdTokenInput): Promise<string> {
  const payload: JsonObject = {
    ...input.claims,
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    iat: input.now,
    exp: input.now + input.lifetime,
    auth_time: input.authTime,
  };
  if (input.sid !== undefined) payload.sid = input.sid;
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  if (input.accessToken !== undefined) payload.at_hash = atHash(input.accessToken);
  return signRs256Async({ alg: 'RS256', typ: 'JWT', kid: input.signer.kid }, payload, input.signer.key);
}
