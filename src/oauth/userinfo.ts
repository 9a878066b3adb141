// GET|POST /userinfo (OIDC Core §5.3, spec §2.8): the bearer token must be one of ours for
// https://DOMAIN/userinfo (as an audience of it), carry openid, not be revoked, and name a user
// who still exists and is not blocked. The answer is `sub` plus the claims of the token's scopes.
import type { Registry } from '../cache/registry.ts';
import { nowSeconds, type Clock } from '../domain/clock.ts';
import type { Tenant } from '../domain/tenant.ts';
import { userClaims } from '../domain/user-claims.ts';
import type { Storage } from '../storage/ports.ts';
import { denylistMatch } from '../tokens/revocation.ts';
import { TokenRejected, verifyToken } from '../tokens/verify.ts';
import { userinfoAudience } from './user-tokens.ts';

/** D3: 30 s of clock leeway, as for the Management API. */
const LEEWAY_SECONDS = 30;

export class UserinfoError extends Error {
  override name = 'UserinfoError';
  readonly status: number;
  readonly error: string;
  /** RFC 6750 §3.1: no token at all is answered with a bare challenge (no error code). */
  readonly tokenMissing: boolean;
  /** RFC 6750 §3.1: the scope an insufficient_scope answer names. */
  readonly scope: string | undefined;
  constructor(status: number, error: string, description: string, options: { tokenMissing?: boolean; scope?: string } = {}) {
    super(description);
    this.status = status;
    this.error = error;
    this.tokenMissing = options.tokenMissing ?? false;
    this.scope = options.scope;
  }
}

export interface UserinfoDeps {
  registry: Registry;
  storage: Storage;
  clock: Clock;
}

const invalidToken = (description: string) => new UserinfoError(401, 'invalid_token', description);

/** RFC 6750 §2.1 (header) and §2.3 (query; accepted as Auth0's simulators do), never both. */
export function bearerFrom(authorization: string | undefined, query: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^bearer +([^\s]+) *$/i.exec(authorization);
  if (authorization !== undefined && query !== undefined) throw new UserinfoError(400, 'invalid_request', 'The access token was sent more than one way');
  return match?.[1] ?? query;
}

export async function userinfo(tenant: Tenant, token: string | undefined, deps: UserinfoDeps): Promise<Record<string, unknown>> {
  if (token === undefined) throw new UserinfoError(401, 'invalid_token', 'Missing access token', { tokenMissing: true });
  let verified;
  try {
    verified = verifyToken(token, { issuer: tenant.issuer, audience: userinfoAudience(tenant), now: nowSeconds(deps.clock), leeway: LEEWAY_SECONDS, keys: await deps.registry.keys(tenant.id) });
  } catch (error) {
    if (error instanceof TokenRejected) throw invalidToken(error.reason === 'expired' ? 'The access token expired' : 'Invalid access token');
    throw error;
  }
  const { claims } = verified;
  if (!verified.scopes.includes('openid')) throw new UserinfoError(403, 'insufficient_scope', 'The access token does not carry the openid scope', { scope: 'openid' });
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  if (typeof claims.jti === 'string' && denylistMatch((await deps.registry.denylist(tenant.id)).get(claims.jti), claims, azp) !== undefined) {
    throw invalidToken('Invalid access token');
  }
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const user = sub.endsWith('@clients') ? undefined : await deps.storage.users.get(tenant.id, sub);
  if (!user || user.blocked) throw invalidToken('Invalid access token');
  return { sub: user.userId, ...userClaims(user, verified.scopes) };
}
