// POST /oauth/introspect (RFC 7662): an authenticated client asks whether a token is still good.
// Access tokens go through the Management API's verifier (tokens/verify.ts: keys still published,
// issuer, expiry, nbf/iat) and then every later death: the denylist (revocation.ts), a deleted
// client, a deleted client grant (client-credentials tokens). Refresh tokens are looked up by digest.
// Who may ask about what (decision 0017): the token's own client, or a client granted the token's
// audience; anything else, and anything dead, is answered exactly {"active":false} (§2.2), so the
// answer never tells why. The client authenticates as at /oauth/token (the same function, the same
// failed-authentication brake); a failure is RFC 6749 §5.2's 401 invalid_client (§2.1).
import { createHash } from 'node:crypto';
import type { Registry } from '../cache/registry.ts';
import { nowSeconds } from '../domain/clock.ts';
import { opaqueDigest } from '../domain/opaque.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { Storage } from '../storage/ports.ts';
import { looksLikeJws, parseJws, type JsonObject } from '../tokens/jws.ts';
import { denylistMatch } from '../tokens/revocation.ts';
import { TokenRejected, verifyToken } from '../tokens/verify.ts';
import { invalidRequest, OAuthError, TOKEN_TEXT } from './errors.ts';
import { readParams } from './params.ts';
import { authenticateClient, type ClientAuthDeps } from './token/client-auth.ts';

/** D3: the same 30 s of leeway as the Management API, so both agree on when a token died. */
const LEEWAY_SECONDS = 30;
/** Verified tokens kept at most (the Management API's bound). */
const CACHE_MAX = 10_000;
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

/**
 * One per app (STYLE §6): holds the verified-token cache. A verification is cached until the token
 * expires, keyed by a hash of tenant and token (as the Management API's, DESIGN "Hot paths"); a hit
 * still re-checks expiry and that the signing key is still published, and every later check
 * (visibility, denylist, client, client grant) runs on every request, so a death counts at once.
 */
export class Introspector {
  readonly #deps: IntrospectDeps;
  readonly #verified = new Map<string, { claims: JsonObject; kid: string; exp: number }>();

  constructor(deps: IntrospectDeps) {
    this.#deps = deps;
  }

  async introspect({ tenant, body, authorization, ip }: IntrospectRequest): Promise<Introspection> {
    const deps = this.#deps;
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
    if (!looksLikeJws(token)) return refreshToken(tenant, token, callerId, deps);
    const claims = await this.#verify(tenant, token);
    return claims ? accessToken(tenant, claims, callerId, deps) : INACTIVE;
  }

  /** The token's claims once verified (tokens/verify.ts), or undefined: never one of ours, or dead by its own claims or key. */
  async #verify(tenant: Tenant, token: string): Promise<JsonObject | undefined> {
    const now = nowSeconds(this.#deps.clock);
    const ring = await this.#deps.registry.keys(tenant.id);
    const key = createHash('sha256').update(tenant.id).update('\n').update(token).digest('base64');
    const hit = this.#verified.get(key);
    if (hit) {
      if (now <= hit.exp + LEEWAY_SECONDS && ring.verifying.has(hit.kid)) return hit.claims;
      this.#verified.delete(key);
      return undefined;
    }
    // The audience is checked afterwards against what the caller may see; verifyToken still
    // requires a well-formed one, so it is given the token's first.
    const audience = peekAudience(token);
    if (audience === undefined) return undefined;
    try {
      const { claims, header, exp } = verifyToken(token, { issuer: tenant.issuer, audience, now, leeway: LEEWAY_SECONDS, keys: ring });
      if (exp !== undefined && typeof header.kid === 'string') {
        if (this.#verified.size >= CACHE_MAX) this.#verified.delete(this.#verified.keys().next().value!);
        this.#verified.set(key, { claims, kid: header.kid, exp });
      }
      return claims;
    } catch (error) {
      if (error instanceof TokenRejected) return undefined;
      throw error;
    }
  }
}

const stringClaim = (claims: JsonObject, name: string): string | undefined => (typeof claims[name] === 'string' ? claims[name] : undefined);
const audiencesOf = (aud: unknown): string[] => (typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []);

/** The deaths that come after verification, and the caller's right to know (decision 0017). */
async function accessToken(tenant: Tenant, claims: JsonObject, callerId: string, deps: IntrospectDeps): Promise<Introspection> {
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
  try {
    // The strict parser verification uses too: a token it refuses is inactive either way.
    return audiencesOf(parseJws(token).payload.aud)[0];
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
