// POST /oauth/introspect (RFC 7662): an authenticated client asks whether a token is still good.
// Access tokens go through the Management API's verifier (tokens/verify.ts: keys still published,
// issuer, expiry, nbf/iat) and then every later death: the denylist (revocation.ts), a deleted
// client, a deleted client grant (client-credentials tokens). Refresh tokens are looked up by digest.
// Who may ask about what (decision 0017): the token's own client, or a client granted the token's
// audience; anything else, and anything dead, is answered exactly {"active":false} (§2.2), so the
// answer never tells why. The client authenticates as at /oauth/token (the same function, the same
// failed-authentication brake); a failure is RFC 6749 §5.2's 401 invalid_client (§2.1).
import type { Registry } from '../cache/registry.ts';
import { nowSeconds } from '../domain/clock.ts';
import { opaqueDigest } from '../domain/opaque.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { Storage } from '../storage/ports.ts';
import { looksLikeJws, type JsonObject } from '../tokens/jws.ts';
import { denylistMatch } from '../tokens/revocation.ts';
import { TokenRejected, verifyToken } from '../tokens/verify.ts';
import { invalidRequest, OAuthError, TOKEN_TEXT } from './errors.ts';
import { readParams } from './params.ts';
import { authenticateClient, type ClientAuthDeps } from './token/client-auth.ts';

/** D3: the same 30 s of leeway as the Management API, so both agree on when a token died. */
const LEEWAY_SECONDS = 30;
/** Longer than any token we issue: longer ones are answered inactive without parsing. */
const MAX_TOKEN_LENGTH = 8 * 1024;

export const INTROSPECT_TEXT = {
  invalidClient: 'Client authentication failed',
} as const;

export interface IntrospectDeps extends ClientAuthDeps {
  registry: Registry;
  storage: Storage;
}

export interface IntrospectRequest {
  tenant: Tenant;
  body: unknown;
  authorization: string | undefined;
  ip: string;
}

/** RFC 7662 §2.2: the members of an active token's answer (undefined members are left out). */
export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: Introspection = { active: false };

export async function introspect({ tenant, body, authorization, ip }: IntrospectRequest, deps: IntrospectDeps): Promise<Introspection> {
  const params = readParams(body, {});
  let callerId: string;
  try {
    callerId = (await authenticateClient({ tenant, params, authorization, ip }, deps)).client.clientId;
  } catch (error) {
    // The token endpoint answers a failed authentication with Auth0's 401 access_denied; RFC 7662
    // §2.1 points at RFC 6749 §5.2, whose answer is invalid_client (same headers, same brake).
    if (error instanceof OAuthError && error.status === 401) throw new OAuthError(401, 'invalid_client', INTROSPECT_TEXT.invalidClient, { headers: error.headers });
    throw error;
  }
  const token = params.get('token');
  if (token === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('token'));
  // §2.1: token_type_hint is only a hint; an unknown value is not an error, and both kinds are tried.
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return INACTIVE;
  if (looksLikeJws(token)) return accessToken(tenant, token, callerId, deps);
  return refreshToken(tenant, token, callerId, deps);
}

const stringClaim = (claims: JsonObject, name: string): string | undefined => (typeof claims[name] === 'string' ? claims[name] : undefined);
const audiencesOf = (aud: unknown): string[] => (typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []);

async function accessToken(tenant: Tenant, token: string, callerId: string, deps: IntrospectDeps): Promise<Introspection> {
  const now = nowSeconds(deps.clock);
  let claims: JsonObject;
  try {
    // The audience is checked below against what the caller may see; verifyToken still requires a
    // well-formed one, so it is given the token's first.
    const ring = await deps.registry.keys(tenant.id);
    const unverifiedAud = peekAudience(token);
    if (unverifiedAud === undefined) return INACTIVE;
    ({ claims } = verifyToken(token, { issuer: tenant.issuer, audience: unverifiedAud, now, leeway: LEEWAY_SECONDS, keys: ring }));
  } catch (error) {
    if (error instanceof TokenRejected) return INACTIVE;
    throw error;
  }
  const clientId = stringClaim(claims, 'azp') ?? stringClaim(claims, 'client_id');
  const audiences = audiencesOf(claims.aud);
  if (!(await mayIntrospect(tenant, callerId, clientId, audiences, deps))) return INACTIVE;

  const jti = stringClaim(claims, 'jti');
  if (jti !== undefined && denylistMatch((await deps.registry.denylist(tenant.id)).get(jti), claims, clientId) !== undefined) return INACTIVE;
  // D6: a token outlives neither its client nor, for a client-credentials token, its client grant.
  if (clientId !== undefined && (await deps.registry.client(tenant.id, clientId)) === null) return INACTIVE;
  const sub = stringClaim(claims, 'sub');
  if (clientId !== undefined && sub === `${clientId}@clients`) {
    for (const audience of audiences) if ((await deps.registry.grant(tenant.id, clientId, audience)) === null) return INACTIVE;
  }
  return {
    active: true,
    scope: stringClaim(claims, 'scope'),
    client_id: clientId,
    token_type: 'Bearer',
    exp: claims.exp,
    iat: claims.iat,
    nbf: claims.nbf,
    sub,
    aud: claims.aud,
    iss: claims.iss,
    jti,
  };
}

/** The first audience a token names, read before verification (verification then checks it). */
function peekAudience(token: string): string | undefined {
  const payload = token.split('.')[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) return undefined;
    return audiencesOf((claims as JsonObject).aud)[0];
  } catch {
    return undefined;
  }
}

/**
 * Decision 0017: a client may learn about a token it was issued, or one for an API it holds a
 * client grant for (it is, or acts for, that API). Any other client is told only "inactive".
 */
async function mayIntrospect(tenant: Tenant, callerId: string, tokenClientId: string | undefined, audiences: readonly string[], deps: IntrospectDeps): Promise<boolean> {
  if (tokenClientId === callerId) return true;
  for (const audience of audiences) if ((await deps.registry.grant(tenant.id, callerId, audience)) !== null) return true;
  return false;
}

/** Refresh tokens are opaque; only the client they were issued to may ask about them (as at /oauth/revoke). */
async function refreshToken(tenant: Tenant, token: string, callerId: string, deps: IntrospectDeps): Promise<Introspection> {
  if (token.length > 128) return INACTIVE;
  const record = await deps.storage.refreshTokens.getByHash(tenant.id, opaqueDigest(token));
  if (!record || record.clientId !== callerId) return INACTIVE;
  const now = deps.clock.now();
  const ended = (at: string | null) => at !== null && Date.parse(at) <= now;
  if (record.revokedAt !== null || record.usedAt !== null || ended(record.expiresAt) || ended(record.idleExpiresAt)) return INACTIVE;
  if ((await deps.registry.client(tenant.id, record.clientId)) === null) return INACTIVE;
  const seconds = (at: string) => Math.floor(Date.parse(at) / 1000);
  return {
    active: true,
    scope: record.scope === '' ? undefined : record.scope,
    client_id: record.clientId,
    exp: record.expiresAt === null ? undefined : seconds(record.expiresAt),
    iat: seconds(record.createdAt),
    sub: record.userId,
    aud: record.audience ?? undefined,
    iss: tenant.issuer,
  };
}
