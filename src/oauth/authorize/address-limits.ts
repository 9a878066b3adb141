// Per-address limits of the login pages, after Auth0's suspicious IP throttling: failed logins
// across accounts (100 at once, one more every 864 s: 100 a day) and sign-up attempts (50 at once,
// one more every 1.2 s), counted separately, so an address refused one can still try the other;
// and how many login transactions /authorize may start (each is a stored row, T-OUT-08). Counted
// in the shared rate-limit store (Redis when configured), so they hold across instances; the
// tenant's `rate_limits.ip_allowlist` is exempt. IPv6 clients count per /64 (T-RL-08).
import type { Registry } from '../../cache/registry.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { inAllowlist, ipKey, type LimitResult, type RateLimiter } from '../../ratelimit/limiter.ts';

export interface AddressLimitDeps {
  limiter: RateLimiter;
  registry: Registry;
}

/** An attempt admitted (or not) by the address's bucket. */
export interface Admission {
  allowed: boolean;
  /** Seconds until a refused address may try again. */
  retryAfter: number;
  /** This attempt took the address's last one: Auth0 logs the address as blocked (limit_mu). */
  last: boolean;
  /** Returns the attempt: it turned out not to count (a success, or a refusal before any check). */
  giveBack(): Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

/** Takes one login (`pre-login`) or sign-up (`pre-user-registration`) attempt from the address. */
export async function admitAttempt(tenant: Tenant, stage: 'login' | 'signup', ip: string, deps: AddressLimitDeps): Promise<Admission> {
  const limits = deps.registry.rateLimits(tenant.id);
  if (inAllowlist(limits.ip_allowlist, ip)) return { allowed: true, retryAfter: 0, last: false, giveBack: nothing };
  const rule = stage === 'login' ? limits.login_per_ip : limits.signup_per_ip;
  const key = `${tenant.id}:${stage}:ip:${ipKey(ip)}`;
  const taken = await deps.limiter.take(key, rule);
  return {
    allowed: taken.allowed,
    retryAfter: taken.retryAfter,
    last: taken.allowed && taken.remaining === 0,
    giveBack: taken.allowed ? () => deps.limiter.giveBack(key, rule) : nothing,
  };
}

/** Counts one login transaction started by the address; undefined when the address is exempt. */
export async function admitTransaction(tenant: Tenant, ip: string, deps: AddressLimitDeps): Promise<LimitResult | undefined> {
  const limits = deps.registry.rateLimits(tenant.id);
  if (inAllowlist(limits.ip_allowlist, ip)) return undefined;
  return deps.limiter.consume(`${tenant.id}:authorize:ip:${ipKey(ip)}`, limits.authorize_per_ip);
}

/** "45 seconds", "15 minutes", "2 hours": how long a refused address waits, for the page. */
export function waitText(seconds: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (seconds < 120) return unit(seconds, 'second');
  if (seconds < 7200) return unit(Math.ceil(seconds / 60), 'minute');
  return unit(Math.ceil(seconds / 3600), 'hour');
}

export const ADDRESS_LIMIT_TEXT = {
  login: (seconds: number) => `Too many failed logins from your network. Try again in ${waitText(seconds)}.`,
  signup: (seconds: number) => `Too many sign-ups from your network. Try again in ${waitText(seconds)}.`,
  transactions: (seconds: number) => `Too many logins were started from your network. Try again in ${waitText(seconds)}.`,
  transactionsLogged: 'Too many login transactions started from one address (rate_limits.authorize_per_ip)',
  /** Auth0's log filter name for limit_mu. */
  blocked: 'Blocked IP Address',
} as const;
