// What the token endpoint's steps share (steps.ts): the request, what each step establishes for the
// next, and what they depend on. oidc-provider's shape: an ordered list of small named steps over
// one context, run the same for every grant.
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Tenant } from '../../domain/tenant.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { RateLimiter } from '../../ratelimit/limiter.ts';
import type { TokenQuotaCounter } from '../../ratelimit/token-quota-counter.ts';
import type { Params } from '../params.ts';
import type { IdentifiedClient } from './client-auth.ts';
import type { Grant, GrantDeps, GrantOutcome, TokenSuccess } from './grants/grant.ts';
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
  /** Token quotas (quota.ts), counted across instances. */
  quotas: TokenQuotaCounter;
  audit: AuditLog;
  secretUsage: SecretUsage;
  /** Tokens issued and refusals by reason (absent: off). */
  metrics?: Metrics;
}

/** The success response: its body, and its headers (RFC 6749 §5.1 no-store, the client's x-ratelimit-*). */
export interface TokenAnswer {
  body: TokenSuccess;
  headers: Record<string, string>;
}

/** One token request on its way through the steps; each field is set by the step named beside it. */
export interface TokenExchange {
  readonly request: TokenRequest;
  /** read-parameters */
  params?: Params;
  /** choose-grant */
  grant?: Grant;
  /** authenticate-client */
  client?: IdentifiedClient;
  /** limit-client: x-ratelimit-* of the client's bucket, which replace the address bucket's on every answer from then on; token-quota adds Auth0-Client-Quota-Limit. */
  headers: Record<string, string>;
  /** grant */
  outcome?: GrantOutcome;
  /** answer */
  answer?: TokenAnswer;
}

export interface TokenStep {
  name: string;
  /**
   * A refusal here is the grant's failed exchange in the tenant log (feccft, feacft, fertft).
   * Refusals before the grant is known are not logged; the per-client limit logs its own.
   */
  logsRefusal: boolean;
  run(exchange: TokenExchange, deps: TokenDeps): void | Promise<void>;
}
