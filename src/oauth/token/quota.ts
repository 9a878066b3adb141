// Token quotas, Auth0's way (issue 15; Auth0 "Fine-grained M2M token quotas"): a client's
// `token_quota.client_credentials`, or else the tenant's `default_token_quota.clients`, caps the
// client-credentials tokens it is issued per UTC hour and per UTC day. Every such token response
// carries Auth0-Client-Quota-Limit (`b=per_hour;q=…;r=…;t=…`, what the Auth0 SDKs parse); past a
// limit an enforced quota refuses with 429 and Retry-After, one that is not enforced only logs. Each
// request over a quota is logged: api_limit when refused, api_limit_warning when let through.
import type { ClientData } from '../../schemas/client.ts';
import type { DefaultTokenQuota } from '../../schemas/token-quota.ts';
import { OAuthError, TOKEN_TEXT } from '../errors.ts';
import type { TokenDeps, TokenExchange } from './exchange.ts';

/** Auth0's response header, parsed by the Auth0 SDKs (HttpResponseHeadersUtils.getClientQuotaLimit). */
export const CLIENT_QUOTA_HEADER = 'auth0-client-quota-limit';

const BUCKETS = [
  { name: 'per_hour', windowMs: 3_600_000 },
  { name: 'per_day', windowMs: 86_400_000 },
] as const;

type BucketName = (typeof BUCKETS)[number]['name'];

export interface EffectiveQuota {
  enforce: boolean;
  per_hour?: number | undefined;
  per_day?: number | undefined;
  /** Where it came from: the client's own setting, or the tenant default. */
  source: 'client' | 'tenant';
}

/**
 * The quota that applies to a client: its own when it has one, else the tenant default (Auth0:
 * "Applied to all clients … unless overridden in individual client … settings"). `enforce` is
 * true unless set false. undefined: no limit, nothing counted.
 */
export function effectiveQuota(client: Pick<ClientData, 'token_quota'>, tenantSettings: Record<string, unknown>): EffectiveQuota | undefined {
  const own = client.token_quota?.client_credentials;
  const defaults = tenantSettings.default_token_quota as DefaultTokenQuota | null | undefined;
  const fallback = defaults?.clients?.client_credentials;
  const chosen = own ?? fallback;
  if (!chosen || (chosen.per_hour === undefined && chosen.per_day === undefined)) return undefined;
  return { enforce: chosen.enforce !== false, per_hour: chosen.per_hour, per_day: chosen.per_day, source: own ? 'client' : 'tenant' };
}

interface BucketUse {
  name: BucketName;
  quota: number;
  count: number;
  /** Seconds until the bucket's window ends. */
  resetAfter: number;
}

/** `b=per_hour;q=10;r=9;t=774,b=per_day;q=100;r=99;t=22374` (Auth0's format). */
export function quotaHeaderValue(uses: readonly BucketUse[]): string {
  return uses.map((u) => `b=${u.name};q=${u.quota};r=${Math.max(0, u.quota - u.count)};t=${u.resetAfter}`).join(',');
}

/**
 * Counts the token just issued against the client's quota (after the grant, so only issued
 * tokens count), sets the header, and refuses or warns past a limit.
 */
export async function applyTokenQuota(exchange: TokenExchange, deps: TokenDeps): Promise<void> {
  if (exchange.grant!.grantType !== 'client_credentials') return;
  const { tenant } = exchange.request;
  const { client } = exchange.client!;
  const quota = effectiveQuota(client.record.data, tenant.settings);
  if (!quota) return;
  const now = deps.clock.now();
  const uses = await Promise.all(
    BUCKETS.filter((b) => quota[b.name] !== undefined).map(async ({ name, windowMs }): Promise<BucketUse> => {
      const { count, resetAt } = await deps.quotas.increment(tenant.id, `client:${client.clientId}:${name}`, windowMs, now);
      return { name, quota: quota[name]!, count, resetAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
    }),
  );
  exchange.headers[CLIENT_QUOTA_HEADER] = quotaHeaderValue(uses);
  const exceeded = uses.filter((u) => u.count > u.quota);
  if (exceeded.length === 0) return;

  const retryAfter = Math.max(...exceeded.map((u) => u.resetAfter));
  deps.audit.record(tenant, exchange.request, {
    type: quota.enforce ? 'api_limit' : 'api_limit_warning',
    description: quota.enforce ? TOKEN_TEXT.quotaExceeded : TOKEN_TEXT.quotaExceededNotEnforced,
    client: { clientId: client.clientId, name: client.name },
    audience: exchange.outcome?.audience,
    details: {
      quota: { source: quota.source, enforce: quota.enforce, exceeded: exceeded.map((u) => ({ bucket: u.name, quota: u.quota, count: u.count, reset_after: u.resetAfter })) },
      ...(quota.enforce && { error: 'too_many_requests', status: 429 }),
    },
  });
  if (quota.enforce) throw new OAuthError(429, 'too_many_requests', TOKEN_TEXT.quotaExceeded, { headers: { 'retry-after': String(retryAfter) } });
}
