// The steps of POST /oauth/token, in order, the same for every grant; a grant module declares what
// differs (its parameters, its client authentication, its log types) and issues the tokens.
import { rateLimitHeaders } from '../../ratelimit/limiter.ts';
import { invalidRequest, NO_STORE, OAuthError, TOKEN_TEXT } from '../errors.ts';
import { readParams, type Params } from '../params.ts';
import { ASSERTION_TEXT, ClientAssertionError } from './client-assertion.ts';
import { authenticateClient, claimedClientId, identifyClient } from './client-auth.ts';
import type { TokenDeps, TokenExchange, TokenStep } from './exchange.ts';
import type { Grant } from './grants/grant.ts';
import { GRANTS } from './grants/index.ts';
import { applyTokenQuota } from './quota.ts';

/** The parameters strictly (RFC 6749 §3.1, §3.2: each once, strings only). */
const readParameters: TokenStep = {
  name: 'read-parameters',
  logsRefusal: false,
  run(exchange) {
    exchange.params = readParams(exchange.request.body, exchange.request.query);
  },
};

/** grant_type names a grant this server has (RFC 6749 §5.2 unsupported_grant_type). */
const chooseGrant: TokenStep = {
  name: 'choose-grant',
  logsRefusal: false,
  run(exchange) {
    const grantType = exchange.params!.get('grant_type');
    if (grantType === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('grant_type'));
    const grant = GRANTS.get(grantType);
    if (!grant) throw new OAuthError(400, 'unsupported_grant_type', TOKEN_TEXT.unsupportedGrantType(grantType));
    exchange.grant = grant;
  },
};

/** The client proves itself as the grant requires, through the failed-authentication brake (client-auth.ts). */
const authenticate: TokenStep = {
  name: 'authenticate-client',
  logsRefusal: true,
  async run(exchange, deps) {
    const { tenant, authorization, ip } = exchange.request;
    const request = { tenant, params: exchange.params!, authorization, ip };
    exchange.client = exchange.grant!.clientAuthentication === 'secret-or-public' ? await identifyClient(request, deps) : await authenticateClient(request, deps);
  },
};

/**
 * The second bucket (T-RL-06): a client's own counts only requests it authenticated, so nobody
 * can spend a client's quota by naming it. A refusal is logged as api_limit, once per window (a
 * flood must not flood the log).
 */
const limitClient: TokenStep = {
  name: 'limit-client',
  logsRefusal: false,
  async run(exchange, deps) {
    const { tenant } = exchange.request;
    const limit = await deps.limiter.consume(`${tenant.id}:token:client:${exchange.client!.client.clientId}`, deps.registry.rateLimits(tenant.id).token_endpoint);
    exchange.headers = rateLimitHeaders(limit);
    if (limit.allowed) return;
    const refusal = new OAuthError(429, 'too_many_requests', TOKEN_TEXT.rateLimited);
    if (limit.firstRefusal) await recordRefusal(exchange, deps, refusal, 'api_limit');
    throw refusal;
  },
};

/** The client may use this grant (its grant_types; Auth0's 403 unauthorized_client with error_uri). */
const checkGrantType: TokenStep = {
  name: 'check-grant-type',
  logsRefusal: true,
  run(exchange) {
    const { grantType } = exchange.grant!;
    if (!exchange.client!.client.grantTypes.has(grantType)) {
      throw new OAuthError(403, 'unauthorized_client', TOKEN_TEXT.grantTypeNotAllowed(grantType), { errorUri: TOKEN_TEXT.grantTypeUri });
    }
  },
};

/** The grant's declared parameters (a missing required one is a 400), and nothing else, reach it. */
export function grantParams(grant: Grant, params: Params): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of grant.params.required) {
    const value = params.get(name);
    if (value === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter(name));
    values[name] = value;
  }
  for (const name of grant.params.optional) {
    const value = params.get(name);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

const runGrant: TokenStep = {
  name: 'grant',
  logsRefusal: true,
  async run(exchange, deps) {
    const grant = exchange.grant!;
    const { client, secret } = exchange.client!;
    exchange.outcome = await grant.handle({ tenant: exchange.request.tenant, client, secret, params: grantParams(grant, exchange.params!) }, deps);
  },
};

/** Auth0's token quotas on client-credentials tokens (quota.ts): counted once issued; logs its own refusals. */
const tokenQuota: TokenStep = {
  name: 'token-quota',
  logsRefusal: false,
  run: applyTokenQuota,
};

/** RFC 6749 §5.1: never cached; the client's x-ratelimit-* replace the address bucket's. */
const answer: TokenStep = {
  name: 'answer',
  logsRefusal: false,
  run(exchange) {
    exchange.answer = { body: exchange.outcome!.body, headers: { ...NO_STORE, ...exchange.headers } };
  },
};

/** The success in the tenant log (queued, never awaited), and which secret the client used. */
const record: TokenStep = {
  name: 'record',
  logsRefusal: false,
  run(exchange, deps) {
    const { request } = exchange;
    const { client, secret } = exchange.client!;
    const { log } = exchange.grant!;
    const outcome = exchange.outcome!;
    if (secret) deps.secretUsage.note(request.tenant.id, client, secret, new Date(deps.clock.now()));
    deps.audit.record(request.tenant, request, {
      type: log.success,
      description: log.description,
      ...(outcome.user !== undefined && { user_id: outcome.user.id, user_name: outcome.user.name }),
      client: { clientId: client.clientId, name: client.name },
      audience: outcome.audience,
      scope: outcome.scope,
      ...(outcome.jti !== undefined && { details: { access_token_jti: outcome.jti } }),
    });
  },
};

export const TOKEN_STEPS: readonly TokenStep[] = [readParameters, chooseGrant, authenticate, limitClient, checkGrantType, runGrant, tokenQuota, answer, record];

/**
 * A refusal in the tenant log. The client id is logged only when it names a client of this tenant:
 * a caller who swapped id and secret would otherwise leave the secret in the log (T-LOG-01). The
 * lookup was made (and cached, hit or miss) while authenticating.
 */
export async function recordRefusal(exchange: TokenExchange, deps: TokenDeps, error: OAuthError, type: string): Promise<void> {
  const { request, params } = exchange;
  const claimed = params && claimedClientId(params, request.authorization);
  const known = claimed !== undefined && claimed.length <= 255 && (await deps.registry.client(request.tenant.id, claimed).catch(() => null)) !== null;
  // A refused client assertion is logged as Auth0 logs it: "Failed client authentication", the reason in details.
  const assertion = error instanceof ClientAssertionError;
  deps.audit.record(request.tenant, request, {
    type,
    description: assertion ? ASSERTION_TEXT.logDescription : error.description,
    client: known ? { clientId: claimed } : undefined,
    ...(params?.get('audience') !== undefined && { audience: params.get('audience') }),
    details: { error: error.error, status: error.status, ...(assertion && { client_authentication_error: error.description }) },
  });
}
