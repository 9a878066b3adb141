// What every grant module exports (one file per grant type, collected in grants/index.ts).
import type { Registry } from '../../../cache/registry.ts';
import type { Envelope } from '../../../crypto/envelope.ts';
import type { Clock } from '../../../domain/clock.ts';
import type { RateLimiter } from '../../../ratelimit/limiter.ts';
import type { Storage } from '../../../storage/ports.ts';
import type { ClientAuthRequest } from '../client-auth.ts';

export interface GrantDeps {
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
  storage: Storage;
  /** The failed-client-authentication brake counts here (client-auth.ts). */
  limiter: RateLimiter;
}

/** The request (tenant, parameters, credentials, address) and what a grant may use. */
export interface GrantContext extends ClientAuthRequest {
  deps: GrantDeps;
  /** Counts the request against an authenticated client's rate limit (throws 429 past it). */
  admit: (clientId: string) => Promise<void>;
}

export interface TokenSuccess {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** Facts about the exchange for the audit log (never the token itself). */
export interface TokenOutcome {
  body: TokenSuccess;
  clientId: string;
  clientName: string;
  /** Which of the client's secrets authenticated it; undefined for a public client. */
  secretUsed: 'current' | 'previous' | undefined;
  audience: string;
  scope: string;
  jti: string | undefined;
  /** The tenant-log event of the success (Auth0 types: seccft, seacft, sertft). */
  log: { type: string; description: string; userId?: string; userName?: string };
}

export interface Grant {
  grantType: string;
  /** Tenant-log type of a failed exchange (feccft, feacft, fertft). */
  failureLog: { type: string };
  handle(ctx: GrantContext): Promise<TokenOutcome>;
}
