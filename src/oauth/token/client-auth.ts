// Client authentication for /oauth/token and /oauth/revoke (RFC 6749 §2.3): client_secret_post
// (what the auth0 SDK sends) or client_secret_basic, never both; or a Private Key JWT assertion
// (RFC 7523, client-assertion.ts), never beside a secret. The secret is compared as an HMAC
// in constant time, and an unknown client is compared against a dummy digest, so both failures
// take the same path and give the same answer (D1, T-CA-05/06/07). Every secret check goes through
// the failed-authentication brake here, so no endpoint can check one without it (S6).
import { setTimeout as sleep } from 'node:timers/promises';
import type { CachedClient, Registry } from '../../cache/registry.ts';
import { digestsEqual, type Envelope } from '../../crypto/envelope.ts';
import { clientSecretMac } from '../../domain/secret-locations.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { ipKey, type RateLimiter } from '../../ratelimit/limiter.ts';
import { invalidRequest, OAuthError, TOKEN_TEXT, unauthorizedClient } from '../errors.ts';
import type { Params } from '../params.ts';
import type { Storage } from '../../storage/ports.ts';
import { assertionIssuer, carriesAssertion, checkAssertion } from './client-assertion.ts';

export interface ClientAuthDeps {
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
  limiter: RateLimiter;
  /** Client credentials and used assertion ids (Private Key JWT). */
  storage: Storage;
}

/** What a request that authenticates a client carries. */
export interface ClientAuthRequest {
  tenant: Tenant;
  params: Params;
  authorization: string | undefined;
  /** The caller's address (the peer, or the client a trusted proxy names): the brake counts per address. */
  ip: string;
}

export interface AuthenticatedClient {
  client: CachedClient;
  /** Which secret matched: the current one, or the previous one during a rotation grace period. */
  secret: 'current' | 'previous';
}

export interface IdentifiedClient {
  client: CachedClient;
  /** undefined for a public client, which has no secret (RFC 6749 §2.1). */
  secret: 'current' | 'previous' | undefined;
}

/** The client id a token request names (body, Basic, or an assertion's iss), without validating anything; for limits. */
export function claimedClientId(params: Params, authorization: string | undefined): string | undefined {
  try {
    return parseBasic(authorization, '')?.id ?? params.get('client_id') ?? assertionIssuer(params);
  } catch {
    return params.get('client_id') ?? assertionIssuer(params);
  }
}

interface BasicCredentials {
  id: string;
  secret: string;
}

/** RFC 6749 Appendix B: id and secret are form-urlencoded before Basic encoding. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** undefined: no Basic header. Throws (401 + WWW-Authenticate) when one is present but malformed. */
export function parseBasic(authorization: string | undefined, realm: string): BasicCredentials | undefined {
  if (authorization === undefined) return undefined;
  const match = /^basic(?: (.*))?$/i.exec(authorization.trim());
  if (!match) return undefined;
  const encoded = match[1]?.trim() ?? '';
  const fail = () => unauthorizedClient(realm);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length > 4096) throw fail();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw fail();
  let credentials: BasicCredentials;
  try {
    credentials = { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw fail();
  }
  // `%00` decodes to NUL, which the form parameters refuse (params.ts) and PostgreSQL refuses in a
  // query: an id or secret carrying one is a failed authentication, not a 500.
  if (credentials.id.includes('\u0000') || credentials.secret.includes('\u0000')) throw fail();
  return credentials;
}

/**
 * The failed-authentication brake (T-RL-06, S5, S6), per (tenant, address, claimed client id):
 * `check` runs first, and a right secret is answered at once, never held or refused, without even
 * reading the counter (no round trip to a shared store on the token hot path). A wrong one is
 * counted before it is answered; past `slow_after` failures it is held, past `block_after` refused
 * with 429. An unknown client id is counted like a known one, so the answers name no client.
 * A guesser who stops waiting early learns no more than the status tells; what bounds guessing is
 * the secrets' entropy and the per-address bucket (decision 0004).
 */
async function braked<T>(request: ClientAuthRequest, claimedId: string | undefined, deps: ClientAuthDeps, check: () => Promise<T>): Promise<T> {
  let error: OAuthError;
  try {
    return await check();
  } catch (failure) {
    // 400s (two methods, no client_id) test no secret: they pass unbraked.
    if (!(failure instanceof OAuthError) || failure.status !== 401) throw failure;
    error = failure;
  }
  const id = claimedId !== undefined && claimedId.length <= 255 ? claimedId : '';
  const rule = deps.registry.rateLimits(request.tenant.id).failed_client_authentication;
  const verdict = await deps.limiter.failedAuthAttempt(`${request.tenant.id}:authfail:${ipKey(request.ip)}:${id}`, rule);
  if (verdict.holdMs > 0) await sleep(verdict.holdMs);
  if (!verdict.blocked) throw error;
  throw new OAuthError(429, 'too_many_requests', TOKEN_TEXT.tooManyFailures(verdict.retryAfter), { headers: { 'retry-after': String(verdict.retryAfter) } });
}

/** A confidential client proves itself with its secret or a Private Key JWT assertion (through the brake). */
export async function authenticateClient(request: ClientAuthRequest, deps: ClientAuthDeps): Promise<IdentifiedClient> {
  const claimed = claimedClientId(request.params, request.authorization);
  if (carriesAssertion(request.params)) {
    return braked(request, claimed, deps, async () => ({ client: await checkAssertion(request.tenant, request.params, request.authorization, deps), secret: undefined }));
  }
  return braked(request, claimed, deps, () => checkSecret(request, deps));
}

async function checkSecret({ tenant, params, authorization }: ClientAuthRequest, deps: ClientAuthDeps): Promise<AuthenticatedClient> {
  const basic = parseBasic(authorization, tenant.domain);
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (basic && bodySecret !== undefined) throw invalidRequest(TOKEN_TEXT.twoAuthMethods);
  if (basic && bodyId !== undefined && bodyId !== basic.id) throw invalidRequest(TOKEN_TEXT.basicMismatch);
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('client_id'));
  const secret = basic?.secret ?? bodySecret ?? '';

  const client = clientId.length <= 255 ? await deps.registry.client(tenant.id, clientId) : null;
  const presented = clientSecretMac(deps.envelope, tenant.id, clientId, secret);
  // Both comparisons always run (against a dummy when there is nothing to compare with), so the
  // time taken says nothing about which check failed.
  const current = digestsEqual(client?.secretMac ?? DUMMY_MAC, presented);
  const inGrace = client !== null && client.previousSecretMac !== null && deps.clock.now() < client.previousSecretExpiresAt;
  const previous = digestsEqual(inGrace ? client.previousSecretMac! : DUMMY_MAC, presented);
  const matched = client !== null && client.secretMac !== null && (current || (previous && inGrace));
  // A client set to Private Key JWT refuses its secret (issue 15), answered as any wrong secret.
  if (!client || !matched || secret === '' || client.authMethod === 'none' || client.authMethod === 'private_key_jwt') {
    throw unauthorizedClient(basic ? tenant.domain : undefined);
  }
  return { client, secret: current ? 'current' : 'previous' };
}

/** Compared against when the client does not exist, so both failures cost the same. */
const DUMMY_MAC = Buffer.alloc(32, 0x5a);

/**
 * Client identification for the grants public clients use too (authorization_code with PKCE,
 * refresh_token; RFC 6749 §3.2.1): a public client (token_endpoint_auth_method none) names itself
 * with client_id and presents no secret; any other client authenticates as usual.
 */
export async function identifyClient(request: ClientAuthRequest, deps: ClientAuthDeps): Promise<IdentifiedClient> {
  const { tenant, params, authorization } = request;
  // A malformed Basic header is refused inside the brake (authenticateClient), not here.
  const named = claimedClientId(params, authorization);
  const client = named !== undefined && named.length <= 255 ? await deps.registry.client(tenant.id, named) : null;
  if (client?.authMethod !== 'none') return authenticateClient(request, deps);
  // A public client has nothing to authenticate with; one that sends a secret is confused or
  // forged, and is counted by the brake like any other failure.
  if (authorization !== undefined || params.get('client_secret') !== undefined || carriesAssertion(params)) {
    return braked(request, named, deps, () => Promise.reject(unauthorizedClient()));
  }
  return { client, secret: undefined };
}
