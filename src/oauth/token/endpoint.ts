// POST /oauth/token: count the request against its address (before the body is even read), read
// the parameters strictly, pick the grant, let it authenticate the client (through the
// failed-authentication brake, in client-auth.ts) and answer under the per-client rate limit, and
// record the exchange in the tenant log (seccft / feccft) without waiting for the write.
// Framework-free: http/app.ts adapts the request and renders the result (RFC 6749 §5.1 headers).
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { ipKey, rateLimitHeaders, type RateLimiter } from '../../ratelimit/limiter.ts';
import { invalidRequest, OAuthError, TOKEN_TEXT } from '../errors.ts';
import { readParams, type Params } from '../params.ts';
import { claimedClientId } from './client-auth.ts';
import type { GrantDeps, TokenOutcome } from './grants/grant.ts';
import { GRANTS } from './grants/index.ts';
import type { SecretUsage } from './secret-usage.ts';

export interface TokenRequest {
  tenant: Tenant;
  body: unknown;
  query: Record<string, unknown>;
  authorization: string | undefined;
  ip: string;
  userAgent: string | undefined;
}

export interface TokenDeps extends GrantDeps {
  limiter: RateLimiter;
  audit: AuditLog;
  secretUsage: SecretUsage;
}

export interface TokenResult {
  outcome: TokenOutcome;
  /** x-ratelimit-* for this client's bucket. */
  headers: Record<string, string>;
}

export interface AddressRequest {
  tenant: Tenant;
  ip: string;
  userAgent: string | undefined;
}

/**
 * The first of the two buckets (T-RL-06): every request to the token endpoint counts against its
 * address before its body is read, so floods of unreadable or unauthenticated requests stop here.
 * Returns the x-ratelimit-* headers; past the limit throws 429 carrying them.
 */
export async function admitAddress(request: AddressRequest, deps: Pick<TokenDeps, 'limiter' | 'registry' | 'audit'>): Promise<Record<string, string>> {
  const { tenant } = request;
  const limit = await deps.limiter.consume(`${tenant.id}:token:ip:${ipKey(request.ip)}`, deps.registry.rateLimits(tenant.id).token_endpoint_per_ip);
  const headers = rateLimitHeaders(limit);
  if (limit.allowed) return headers;
  if (limit.firstRefusal) {
    // Logged once per window: a flood must not flood the log.
    deps.audit.record(tenant, request, { type: 'api_limit', description: TOKEN_TEXT.rateLimited, details: { error: 'too_many_requests', status: 429 } });
  }
  throw new OAuthError(429, 'too_many_requests', TOKEN_TEXT.rateLimited, { headers });
}

/**
 * The client id a failure is logged under: only one naming a client of this tenant. A caller who
 * swapped id and secret would otherwise leave the secret in the tenant log (T-LOG-01). The lookup
 * was made (and cached, hit or miss) while authenticating.
 */
async function knownClientId(deps: TokenDeps, tenant: Tenant, claimed: string | undefined): Promise<string> {
  if (claimed === undefined || claimed.length > 255) return '';
  const client = await deps.registry.client(tenant.id, claimed).catch(() => null);
  return client ? claimed : '';
}

export async function handleTokenRequest(request: TokenRequest, deps: TokenDeps): Promise<TokenResult> {
  const { tenant } = request;
  const limits = deps.registry.rateLimits(tenant.id);
  let params: Params | undefined;
  let headers: Record<string, string> = {};
  // A refusal beyond the first of its window is not logged again (a flood must not flood the log).
  let unlogged: OAuthError | undefined;
  // The second bucket (T-RL-06): a client's own counts only requests it authenticated, so nobody
  // can spend a client's quota by naming it. Its headers replace the address bucket's.
  const admit = async (clientId: string): Promise<void> => {
    const limit = await deps.limiter.consume(`${tenant.id}:token:client:${clientId}`, limits.token_endpoint);
    headers = rateLimitHeaders(limit);
    if (!limit.allowed) {
      const refusal = new OAuthError(429, 'too_many_requests', TOKEN_TEXT.rateLimited);
      if (!limit.firstRefusal) unlogged = refusal;
      throw refusal;
    }
  };
  try {
    params = readParams(request.body, request.query);
    const grantType = params.get('grant_type');
    if (grantType === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('grant_type'));
    const grant = GRANTS.get(grantType);
    if (!grant) throw new OAuthError(400, 'unsupported_grant_type', TOKEN_TEXT.unsupportedGrantType(grantType));
    const outcome = await grant.handle({ tenant, params, authorization: request.authorization, ip: request.ip, deps, admit });
    if (outcome.secretUsed) deps.secretUsage.note(tenant.id, outcome.clientId, outcome.secretUsed, new Date(deps.clock.now()));
    deps.audit.record(tenant, request, {
      type: outcome.log.type,
      description: outcome.log.description,
      ...(outcome.log.userId !== undefined && { user_id: outcome.log.userId }),
      ...(outcome.log.userName !== undefined && { user_name: outcome.log.userName }),
      client: { clientId: outcome.clientId, name: outcome.clientName },
      audience: outcome.audience,
      scope: outcome.scope,
      ...(outcome.jti !== undefined && { details: { access_token_jti: outcome.jti } }),
    });
    return { outcome, headers };
  } catch (error) {
    if (error instanceof OAuthError) {
      Object.assign(error.headers, headers);
      const failureLog = GRANTS.get(params?.get('grant_type') ?? '')?.failureLog;
      if (error !== unlogged && (failureLog !== undefined || error.status === 429)) {
        const clientId = await knownClientId(deps, tenant, params && claimedClientId(params, request.authorization));
        deps.audit.record(tenant, request, {
          type: error.status === 429 && error.description === TOKEN_TEXT.rateLimited ? 'api_limit' : (failureLog?.type ?? 'feccft'),
          description: error.description,
          client: clientId === '' ? undefined : { clientId },
          ...(params?.get('audience') !== undefined && { audience: params.get('audience') }),
          details: { error: error.error, status: error.status },
        });
      }
    }
    throw error;
  }
}
