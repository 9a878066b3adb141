// POST /oauth/token: count the request against its address (before the body is even read), then
// run the steps (steps.ts) in order: read the parameters, choose the grant, authenticate the client
// as the grant requires, count it against the client's own limit, check that it may use the grant,
// let the grant issue the tokens, count them against the client's token quota, answer, and record the exchange in the tenant log (seccft /
// feccft ...) without waiting for the write. Framework-free: http/auth-api.ts adapts the request and
// sends the answer; http/errors.ts renders a refusal.
import { ipKey, rateLimitHeaders } from '../../ratelimit/limiter.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { OAuthError, TOKEN_TEXT } from '../errors.ts';
import type { TokenAnswer, TokenDeps, TokenExchange, TokenRequest, TokenStep } from './exchange.ts';
import { refusalReason } from './refusal-reason.ts';
import { recordRefusal, TOKEN_STEPS } from './steps.ts';

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
export async function admitAddress(request: AddressRequest, deps: Pick<TokenDeps, 'limiter' | 'registry' | 'audit' | 'metrics'>): Promise<Record<string, string>> {
  const { tenant } = request;
  const limit = await deps.limiter.consume(`${tenant.id}:token:ip:${ipKey(request.ip)}`, deps.registry.rateLimits(tenant.id).token_endpoint_per_ip);
  const headers = rateLimitHeaders(limit);
  if (limit.allowed) return headers;
  deps.metrics?.refused('authentication', 'rate_limited', tenant.id);
  if (limit.firstRefusal) {
    // Logged once per window: a flood must not flood the log.
    deps.audit.record(tenant, request, { type: 'api_limit', description: TOKEN_TEXT.rateLimited, details: { error: 'too_many_requests', status: 429 } });
  }
  throw new OAuthError(429, 'too_many_requests', TOKEN_TEXT.rateLimited, { headers });
}

export async function handleTokenRequest(request: TokenRequest, deps: TokenDeps): Promise<TokenAnswer> {
  const exchange = await runSteps(TOKEN_STEPS, { request, headers: {} }, deps);
  deps.metrics?.tokenIssued(request.tenant.id, exchange.grant!.grantType, exchange.outcome!.audience, exchange.client!.client.clientId);
  return exchange.answer!;
}

/**
 * Runs `steps` in order; the first refusal ends the exchange. A refusal carries the client's
 * x-ratelimit-* once they are known, and is logged as the grant's failure when its step says so.
 */
export async function runSteps(steps: readonly TokenStep[], exchange: TokenExchange, deps: TokenDeps): Promise<TokenExchange> {
  for (const step of steps) {
    try {
      await step.run(exchange, deps);
    } catch (error) {
      if (error instanceof OAuthError) {
        Object.assign(error.headers, exchange.headers);
        // The client id only once it authenticated: a claimed one is the caller's to choose.
        deps.metrics?.refused('authentication', refusalReason(step.name, error), exchange.request.tenant.id, exchange.client?.client.clientId);
        if (step.logsRefusal) await recordRefusal(exchange, deps, error, exchange.grant!.log.failure);
      }
      throw error;
    }
  }
  return exchange;
}
