// Bearer authentication for /api/v2, in Auth0's order and with its bodies (spec §3.1). Verified
// tokens are cached until they expire, keyed by a hash of tenant and token (DESIGN "Hot paths");
// a cache hit still re-checks expiry and that the signing key is still published, so revoking a
// key takes effect at once.
import { createHash } from 'node:crypto';
import type { Registry } from '../cache/registry.ts';
import { isAdmin } from '../domain/admins.ts';
import { nowSeconds, type Clock } from '../domain/clock.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import type { Tenant } from '../domain/tenant.ts';
import type { Storage } from '../storage/ports.ts';
import { looksLikeJws } from '../tokens/jws.ts';
import { denylistMatch } from '../tokens/revocation.ts';
import { TokenRejected, verifyToken, type VerifiedToken } from '../tokens/verify.ts';
import { ManagementError, TEXT } from './errors.ts';
import type { AuthContext } from './route.ts';

/** D3: 30 s of clock leeway. */
export const LEEWAY_SECONDS = 30;
const CACHE_MAX = 10_000;

export interface AuthenticatorDeps {
  registry: Registry;
  storage: Storage;
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

/**
 * Names the rule, claim and kind of a refused token beside Auth0's message, which often says only
 * "Invalid token": the explorer reads it to say which claim failed (dashboard/src/lib/explain.ts).
 * It tells the caller nothing its own token does not: which claim is wrong, or that the token was
 * revoked or its application deleted.
 */
export const REJECTION_HEADER = 'scopeward-token-rejected';

function rejectionValue({ reason, claim, kind }: TokenRejected): string {
  return `reason=${reason}${claim === undefined ? '' : `; claim=${claim}`}; kind=${kind}`;
}

export function invalidTokenError(tenant: Tenant, message: string, rejection?: TokenRejected): ManagementError {
  return new ManagementError(401, message, {
    attributes: { error: message },
    headers: {
      'www-authenticate': bearerChallenge(tenant.domain, { code: 'invalid_token', description: message }),
      ...(rejection && { [REJECTION_HEADER]: rejectionValue(rejection) }),
    },
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
  readonly #cache = new Map<string, { context: AuthContext; keyTag: string }>();
  readonly #learned = new Set<string>();

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
    const legacy = await this.#deps.registry.legacy(tenant.id);
    const key = createHash('sha256').update(tenant.id).update('\n').update(token).digest('base64');
    const hit = this.#cache.get(key);
    let context: AuthContext | undefined;
    if (hit) {
      const { exp, alg, header } = hit.context.token;
      // A cached verification stands only while its key does: an RS256 key still published, or
      // the same legacy key with legacy tokens still on.
      const keyStands = alg === 'RS256' ? ring.verifying.has(String(header.kid)) : legacy !== null && legacy.tag === hit.keyTag;
      if ((exp === undefined || now <= exp + LEEWAY_SECONDS) && keyStands) context = hit.context;
      else this.#cache.delete(key);
    }

    try {
      if (!context) {
        const verified = verifyToken(token, { issuer: tenant.issuer, audience: tenant.managementAudience, now, leeway: LEEWAY_SECONDS, keys: ring, legacy: legacy ?? undefined });
        context = contextFor(verified);
        if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!);
        this.#cache.set(key, { context, keyTag: verified.alg === 'HS256' ? (legacy?.tag ?? '') : '' });
      }
      await this.#admit(tenant, context);
    } catch (error) {
      if (error instanceof TokenRejected) throw invalidTokenError(tenant, messageFor(error), error);
      throw error;
    }
    return context;
  }

  /**
   * Checks that run on every call, cached verification or not: the token is not on the tenant's
   * denylist (T-LEG-04, T-JWT-24), the client it was issued to still exists (D6: a deleted
   * client cannot act), and a dashboard token's user is still an administrator.
   */
  async #admit(tenant: Tenant, context: AuthContext): Promise<void> {
    const { claims, exp, alg } = context.token;
    if (typeof claims.jti === 'string') {
      const match = denylistMatch((await this.#deps.registry.denylist(tenant.id)).get(claims.jti), claims, context.clientId);
      if (match !== undefined) {
        this.#learnExpiry(tenant.id, claims.jti, match, exp);
        throw new TokenRejected('revoked', 'jti', 'check_failed', 'the token is on the denylist');
      }
    }
    if (alg === 'RS256' && context.clientId !== undefined) {
      const client = await this.#deps.registry.client(tenant.id, context.clientId);
      if (!client) throw new TokenRejected('unknown_client', typeof claims.azp === 'string' ? 'azp' : 'client_id', 'check_failed', 'the client the token was issued to does not exist');
      // Decision 0006: a dashboard token administers only while its user is an administrator, so
      // `scopeward admins remove` takes effect at once (one indexed read, dashboard calls only).
      if (isDashboardClient(client.record.data) && !(context.subject !== undefined && (await isAdmin(this.#deps.storage, tenant.id, context.subject)))) {
        throw invalidTokenError(tenant, TEXT.notAdmin);
      }
    }
  }

  /** A denylist entry can go once the token it names has expired; learn when that is. */
  #learnExpiry(tenantId: string, jti: string, aud: string, exp: number | undefined): void {
    const key = `${tenantId}\n${jti}\n${aud}`;
    if (exp === undefined || this.#learned.has(key)) return;
    this.#learned.add(key);
    if (this.#learned.size > CACHE_MAX) this.#learned.clear();
    const expiresAt = new Date((exp + LEEWAY_SECONDS) * 1000).toISOString();
    this.#deps.storage.denylist.setExpiry(tenantId, jti, aud === '' ? undefined : aud, expiresAt).catch(() => undefined);
  }
}
