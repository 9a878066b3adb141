// Client authentication at /oauth/token (RFC 6749 §2.3): client_secret_post (what the auth0 SDK
// sends) or client_secret_basic, never both. The secret is compared as an HMAC in constant time,
// and an unknown client is compared against a dummy digest, so both failures take the same path
// and give the same answer (D1, T-CA-05/06/07).
import type { CachedClient, Registry } from '../../cache/registry.ts';
import { digestsEqual, type Envelope } from '../../crypto/envelope.ts';
import { clientSecretMac } from '../../domain/secret-locations.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { invalidRequest, TOKEN_TEXT, unauthorizedClient } from '../errors.ts';
import type { Params } from '../params.ts';

export interface ClientAuthDeps {
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
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

/** The client id a token request names (body or Basic), without validating anything; for limits. */
export function claimedClientId(params: Params, authorization: string | undefined): string | undefined {
  try {
    return parseBasic(authorization, '')?.id ?? params.get('client_id');
  } catch {
    return params.get('client_id');
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
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw fail();
  }
}

export async function authenticateClient(
  tenant: Tenant,
  params: Params,
  authorization: string | undefined,
  deps: ClientAuthDeps,
): Promise<AuthenticatedClient> {
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
  if (!client || !matched || secret === '' || client.authMethod === 'none') {
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
export async function identifyClient(
  tenant: Tenant,
  params: Params,
  authorization: string | undefined,
  deps: ClientAuthDeps,
): Promise<IdentifiedClient> {
  const named = parseBasic(authorization, tenant.domain)?.id ?? params.get('client_id');
  const client = named !== undefined && named.length <= 255 ? await deps.registry.client(tenant.id, named) : null;
  if (client?.authMethod !== 'none') return authenticateClient(tenant, params, authorization, deps);
  // A public client has nothing to authenticate with; one that sends a secret is confused or forged.
  if (authorization !== undefined || params.get('client_secret') !== undefined) throw unauthorizedClient();
  return { client, secret: undefined };
}
