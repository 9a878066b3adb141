// What every grant module declares (one file per grant type, collected in grants/index.ts): its
// grant_type, the parameters it reads, how its client must authenticate and the tenant-log events
// of its exchanges. The token endpoint's steps (../steps.ts) do the rest, the same for every grant.
import type { CachedClient, Registry } from '../../../cache/registry.ts';
import type { Envelope } from '../../../crypto/envelope.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { Tenant } from '../../../domain/tenant.ts';
import type { RateLimiter } from '../../../ratelimit/limiter.ts';
import type { Storage } from '../../../storage/ports.ts';

export interface GrantDeps {
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
  storage: Storage;
  /** The failed-client-authentication brake counts here (client-auth.ts). */
  limiter: RateLimiter;
}

/**
 * How the client proves itself. `secret`: a confidential client, with client_secret_post or
 * client_secret_basic. `secret-or-public`: a public client (token_endpoint_auth_method none) may
 * also name itself with client_id alone (RFC 6749 §2.1, §3.2.1), where something else binds the
 * request to it (PKCE for a code, the token itself for a refresh token).
 */
export type ClientAuthentication = 'secret' | 'secret-or-public';

/** The values of a grant's declared parameters: the required ones are there, the optional may be. */
export type GrantParams<Required extends string, Optional extends string> = Readonly<Record<Required, string>> & Readonly<Partial<Record<Optional, string>>>;

/** What the steps before the grant established, and the grant's own parameters. */
export interface GrantInput<Params> {
  tenant: Tenant;
  client: CachedClient;
  /** Which of the client's secrets authenticated it; undefined for a public client. */
  secret: 'current' | 'previous' | undefined;
  params: Params;
}

export interface TokenSuccess {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** The response body, and facts about the exchange for the tenant log (never the token itself). */
export interface GrantOutcome {
  body: TokenSuccess;
  audience: string;
  scope: string;
  jti: string | undefined;
  /** The user the tokens are for (the user grants). */
  user?: { id: string; name: string };
}

export interface GrantModule<Required extends string, Optional extends string> {
  grantType: string;
  /** What it reads besides grant_type and the client's credentials; a missing required one is a 400 before `handle` runs. */
  params: { required: readonly Required[]; optional: readonly Optional[] };
  clientAuthentication: ClientAuthentication;
  /** Auth0's tenant-log types of a successful and a failed exchange (seccft/feccft ...), and the success's description. */
  log: { success: string; failure: string; description: string };
  /** Issues the tokens, or throws an OAuthError. */
  handle(input: GrantInput<GrantParams<Required, Optional>>, deps: GrantDeps): Promise<GrantOutcome>;
}

/** A grant as the endpoint holds it, whatever its parameters' names. */
export type Grant = GrantModule<string, string>;
