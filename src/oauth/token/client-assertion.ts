// Private Key JWT client authentication (RFC 7523 §2.2, §3; OIDC Core §9), Auth0's way (issue 15):
// client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a
// client_assertion signed with one of the client's enabled, unexpired credentials, in that
// credential's algorithm (RS256, RS384 or PS256). iss = sub = the client id; aud the tenant
// (https://DOMAIN/, or its token endpoint); exp required, at most 5 minutes after iat; iat and nbf
// no more than 10 s ahead; a jti used once only, on every instance (the database decides).
import { credentialExpired } from '../../domain/client-credentials.ts';
import type { Tenant } from '../../domain/tenant.ts';
import type { Storage } from '../../storage/ports.ts';
import type { CachedClient, Registry } from '../../cache/registry.ts';
import type { Clock } from '../../domain/clock.ts';
import { assertionSignedBy, type AssertionAlg } from '../../tokens/client-assertion.ts';
import { MalformedToken, parseJws, type ParsedJws } from '../../tokens/jws.ts';
import { echo, invalidRequest, OAuthError, TOKEN_TEXT } from '../errors.ts';
import type { Params } from '../params.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Auth0: "A clock skew of up to 10 seconds is allowed for iat and nbf". */
export const ASSERTION_SKEW_SECONDS = 10;
/** Auth0: "a maximum of 5 minutes for the lifetime" of an assertion. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Auth0's limits on the claims (iss, sub, jti: 64 characters; alg: 16). */
const MAX_CLAIM_LENGTH = 64;
const ALGS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'PS256']);

/**
 * The fixed texts. The response's error_description says what was wrong with the assertion (the
 * caller holds the key, the reason helps it); the tenant log records it as Auth0 does, as the
 * client_authentication_error of a feccft "Failed client authentication". An unknown client, a
 * client not set to Private Key JWT, and a signature no enabled credential verifies answer alike.
 */
export const ASSERTION_TEXT = {
  logDescription: 'Failed client authentication',
  unsupportedType: (value: string) => `Unsupported client_assertion_type: ${echo(value)}`,
  malformed: 'The client assertion is not a valid compact JWS',
  alg: "The client assertion's 'alg' must be RS256, RS384 or PS256",
  issSub: "'iss' and 'sub' claims must both be the client id",
  tooLong: "'iss', 'sub' and 'jti' claims must not be longer than 64 characters",
  clientIdMismatch: "client_id does not match the client assertion's 'iss' and 'sub' claims",
  notVerified: 'The client assertion is not signed by an enabled credential of the client',
  aud: (domain: string) => `'aud' claim must be https://${echo(domain)}/ (or https://${echo(domain)}/oauth/token)`,
  expRequired: "'exp' claim is required",
  expired: "'exp' claim is in the past: the client assertion has expired",
  lifetime: "'exp' claim must specify a time that is no more than 5 minutes after 'iat'",
  iatFuture: "'iat' claim must not be in the future",
  nbfFuture: "'nbf' claim must not be in the future",
  numeric: (claim: string) => `'${claim}' claim must be a number`,
  jtiRequired: "'jti' claim is required",
  replay: "'jti' claim has already been used: a client assertion is accepted once only",
} as const;

/** A refused assertion: 401 invalid_client (RFC 6749 §5.2), logged as Auth0's client_authentication_error. */
export class ClientAssertionError extends OAuthError {
  override name = 'ClientAssertionError';
  constructor(reason: string) {
    super(401, 'invalid_client', reason);
  }
}

export interface AssertionDeps {
  registry: Registry;
  storage: Storage;
  clock: Clock;
}

/** Whether the request authenticates with an assertion (either parameter names the method). */
export const carriesAssertion = (params: Params): boolean => params.get('client_assertion') !== undefined || params.get('client_assertion_type') !== undefined;

/** The iss an assertion names, unverified (for the brake's key and the log), or undefined. */
export function assertionIssuer(params: Params): string | undefined {
  const assertion = params.get('client_assertion');
  if (assertion === undefined) return undefined;
  try {
    const iss = parseJws(assertion).payload.iss;
    return typeof iss === 'string' && iss.length <= MAX_CLAIM_LENGTH && !iss.includes('\u0000') ? iss : undefined;
  } catch {
    return undefined;
  }
}

const fail = (reason: string): ClientAssertionError => new ClientAssertionError(reason);

function numericClaim(payload: Record<string, unknown>, claim: string): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw fail(ASSERTION_TEXT.numeric(claim));
  return value;
}

/** The claims other than iss and sub (RFC 7523 §3 items 3-7), once the signature holds. */
function checkClaims(jws: ParsedJws, tenant: Tenant, nowSeconds: number): { jti: string; exp: number } {
  const { payload } = jws;
  const accepted = [`https://${tenant.domain}/`, `https://${tenant.domain}/oauth/token`];
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => typeof a === 'string' && accepted.includes(a))) throw fail(ASSERTION_TEXT.aud(tenant.domain));
  const exp = numericClaim(payload, 'exp');
  const iat = numericClaim(payload, 'iat');
  const nbf = numericClaim(payload, 'nbf');
  if (exp === undefined) throw fail(ASSERTION_TEXT.expRequired);
  if (exp <= nowSeconds - ASSERTION_SKEW_SECONDS) throw fail(ASSERTION_TEXT.expired);
  if (iat !== undefined && iat > nowSeconds + ASSERTION_SKEW_SECONDS) throw fail(ASSERTION_TEXT.iatFuture);
  if (nbf !== undefined && nbf > nowSeconds + ASSERTION_SKEW_SECONDS) throw fail(ASSERTION_TEXT.nbfFuture);
  // Without iat the lifetime left is what counts: an assertion must never be good for longer.
  if (exp - (iat ?? nowSeconds) > MAX_ASSERTION_LIFETIME_SECONDS + (iat === undefined ? ASSERTION_SKEW_SECONDS : 0)) throw fail(ASSERTION_TEXT.lifetime);
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.includes('\u0000')) throw fail(ASSERTION_TEXT.jtiRequired);
  if (jti.length > MAX_CLAIM_LENGTH) throw fail(ASSERTION_TEXT.tooLong);
  return { jti, exp };
}

/**
 * Authenticates the client a Private Key JWT assertion names. 400s (a second method, a missing or
 * unknown parameter) test no key; every 401 is counted by the caller's brake.
 */
export async function checkAssertion(tenant: Tenant, params: Params, authorization: string | undefined, deps: AssertionDeps): Promise<CachedClient> {
  const type = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (params.get('client_secret') !== undefined || (authorization !== undefined && /^basic\b/i.test(authorization.trim()))) throw invalidRequest(TOKEN_TEXT.twoAuthMethods);
  if (type === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('client_assertion_type'));
  if (type !== JWT_BEARER) throw invalidRequest(ASSERTION_TEXT.unsupportedType(type));
  if (assertion === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('client_assertion'));

  let jws: ParsedJws;
  try {
    jws = parseJws(assertion);
  } catch (error) {
    if (error instanceof MalformedToken) throw fail(ASSERTION_TEXT.malformed);
    throw error;
  }
  const alg = jws.header.alg;
  if (typeof alg !== 'string' || !ALGS.has(alg)) throw fail(ASSERTION_TEXT.alg);
  const { iss, sub } = jws.payload;
  // NUL never names a client, and PostgreSQL refuses it in a query (form parameters are refused
  // with it already, params.ts; these come from the assertion's JSON).
  if (typeof iss !== 'string' || iss === '' || iss !== sub || iss.includes('\u0000')) throw fail(ASSERTION_TEXT.issSub);
  if (iss.length > MAX_CLAIM_LENGTH) throw fail(ASSERTION_TEXT.tooLong);
  const named = params.get('client_id');
  if (named !== undefined && named !== iss) throw fail(ASSERTION_TEXT.clientIdMismatch);

  const client = await deps.registry.client(tenant.id, iss);
  const enabled = new Set(client?.authMethod === 'private_key_jwt' ? (client.record.data.client_authentication_methods?.private_key_jwt?.credentials ?? []).map((c) => c.id) : []);
  const now = deps.clock.now();
  const kid = jws.header.kid;
  // Read at each assertion (never cached): a credential deleted or expired on any instance is refused at once.
  const candidates = enabled.size === 0 ? [] : (await deps.storage.clientCredentials.list(tenant.id, iss)).filter(
    (c) => enabled.has(c.id) && c.alg === alg && !credentialExpired(c.expiresAt, now) && (typeof kid !== 'string' || c.kid === kid),
  );
  if (!client || !candidates.some((c) => assertionSignedBy(jws, alg as AssertionAlg, c.pem))) throw fail(ASSERTION_TEXT.notVerified);

  const { jti, exp } = checkClaims(jws, tenant, Math.floor(now / 1000));
  // Kept until it could no longer pass the exp check, then pruned (runtime.ts).
  const keepUntil = new Date((exp + ASSERTION_SKEW_SECONDS) * 1000).toISOString();
  if (!(await deps.storage.assertionJtis.claim(tenant.id, client.clientId, jti, keepUntil))) throw fail(ASSERTION_TEXT.replay);
  return client;
}
