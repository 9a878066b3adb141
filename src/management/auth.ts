// Bearer authentication for /api/v2, in Auth0's order and with its bodies (spec §3.1). Verified
// tokens are cached until they expire, keyed by a hash of tenant and token (DESIGN "Hot paths");
// a cache hit still re-checks expiry and that the signing key is still published, so revoking a
// key takes effect at once.
import { createHash } from 'node:crypto';
import type { Registry } from '../cache/registry.ts';
import { nowSeconds, type Clock } from '../domain/clock.ts';
import type { Tenant } from '../domain/tenant.ts';
import { looksLikeJws } from '../tokens/jws.ts';
import { TokenRejected, verifyToken, type VerifiedToken } from '../tokens/verify.ts';
import { ManagementError, TEXT } from './errors.ts';
import type { AuthContext } from './route.ts';

/** D3: 30 s of clock leeway. */
export const LEEWAY_SECONDS = 30;
const CACHE_MAX = 10_000;

export interface AuthenticatorDeps {
  registry: Registry;
  clock: Clock;
}

function quoted(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?');
}

export function bearerChallenge(realm: string, error?: { code: string; description?: string; scope?: string }): string {
  const parts = [`realm="${quoted(realm)}"`];
  if (error) {
    parts.push(`error="${error.code}"`);
    if (error.description) parts.push(`error_description="${quoted(error.description)}"`);
    if (error.scope) parts.push(`scope="${quoted(error.scope)}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

function messageFor(rejection: TokenRejected): string {
  switch (rejection.reason) {
    case 'signature':
      return TEXT.invalidSignature;
    case 'expired':
      return TEXT.expiredToken;
    case 'audience':
      return TEXT.badAudience(rejection.detail ?? '');
    case 'not_global':
      return TEXT.notGlobal;
    default:
      return TEXT.invalidToken;
  }
}

export function invalidTokenError(tenant: Tenant, message: string): ManagementError {
  return new ManagementError(401, message, {
    attributes: { error: message },
    headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_token', description: message }) },
  });
}

function contextFor(token: VerifiedToken): AuthContext {
  const scopes = new Set(token.scopes);
  const claims = token.claims;
  const clientId = typeof claims.azp === 'string' ? claims.azp : typeof claims.client_id === 'string' ? claims.client_id : undefined;
  return {
    token,
    scopes,
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    clientId,
    has: (scope) => scopes.has(scope),
  };
}

export class BearerAuthenticator {
  readonly #deps: AuthenticatorDeps;
  readonly #cache = new Map<string, AuthContext>();

  constructor(deps: AuthenticatorDeps) {
    this.#deps = deps;
  }

  async authenticate(tenant: Tenant, authorization: string | undefined): Promise<AuthContext> {
    if (authorization === undefined || authorization.trim() === '') {
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      throw new ManagementError(401, TEXT.missingAuthentication, { headers: { 'www-authenticate': bearerChallenge(tenant.domain) } });
    }
    const parts = authorization.trim().split(/\s+/);
    if (parts.length !== 2) throw new ManagementError(400, TEXT.badHeaderFormat, { headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_request' }) } });
    const [scheme = '', token = ''] = parts;
    if (scheme.toLowerCase() !== 'bearer') {
      throw new ManagementError(401, TEXT.missingAuthentication, { headers: { 'www-authenticate': bearerChallenge(tenant.domain) } });
    }
    // An opaque (non-JWT) token gets Auth0's 400 (node-auth0#118).
    if (!looksLikeJws(token)) throw new ManagementError(400, TEXT.badHeaderFormat, { headers: { 'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_request' }) } });

    const now = nowSeconds(this.#deps.clock);
    const ring = await this.#deps.registry.keys(tenant.id);
    const key = createHash('sha256').update(tenant.id).update('\n').update(token).digest('base64');
    const hit = this.#cache.get(key);
    if (hit) {
      const { exp, alg, header } = hit.token;
      const keyStillPublished = alg !== 'RS256' || ring.verifying.has(String(header.kid));
      if ((exp === undefined || now <= exp + LEEWAY_SECONDS) && keyStillPublished) return hit;
      this.#cache.delete(key);
    }

    let verified: VerifiedToken;
    try {
      verified = verifyToken(token, { issuer: tenant.issuer, audience: tenant.managementAudience, now, leeway: LEEWAY_SECONDS, keys: ring });
    } catch (error) {
      if (error instanceof TokenRejected) throw invalidTokenError(tenant, messageFor(error));
      throw error;
    }
    const context = contextFor(verified);
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, context);
    return context;
  }

  /** Forget every cached verification (after a revocation that the cache cannot see). */
  clear(): void {
    this.#cache.clear();
  }
}
