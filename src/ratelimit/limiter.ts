// Rate limits (T-RL): per client at /oauth/token, per tenant on the Management API, per tenant on
// signing-key rotation, the failed-client-authentication brake (per client and IP: wrong secrets
// slowed, then refused for the window, a right one never; never affecting other clients or other
// IPs), and the per-address login, sign-up and /authorize limits of the login pages (Auth0's
// suspicious IP throttling). Every API answer carries Auth0's x-ratelimit-* headers; a refusal adds
// Retry-After (spec §3.3).
import { BlockList, isIP } from 'node:net';
import type { Clock } from '../domain/clock.ts';
import { NO_METRICS, type Metrics } from '../observability/metrics.ts';
import type { CounterStore } from './store.ts';

export interface WindowRule {
  limit: number;
  window_seconds: number;
}

/**
 * Auth0's suspicious-IP-throttling stage (`pre-login`, `pre-user-registration`): at most
 * `max_attempts` in a burst, one more granted every `rate` milliseconds.
 */
export interface BucketRule {
  max_attempts: number;
  rate: number;
}

export interface RateLimitSettings {
  /** Token requests per client, counted once the client has authenticated. */
  token_endpoint: WindowRule;
  /** Token requests per client address, counted before anything else (unauthenticated floods). */
  token_endpoint_per_ip: WindowRule;
  /** Management API requests per tenant, counted once the caller has authenticated. */
  management_api: WindowRule;
  /**
   * Management API requests that did not authenticate (no token, a bad one) or named no route,
   * per tenant and client address: never the tenant's bucket (issue 9, S4).
   */
  management_api_unauthenticated_per_ip: WindowRule;
  /** Signing-key rotations per tenant (Auth0: 5 a day). */
  signing_key_rotations: WindowRule;
  /** Failed client authentications per (client, IP): slowed after `slow_after`, refused after `block_after`. */
  failed_client_authentication: { slow_after: number; block_after: number; window_seconds: number };
  /** Failed logins on our login page per address, across accounts (Auth0 `pre-login`: 100 a day). */
  login_per_ip: BucketRule;
  /** Sign-up attempts on our sign-up page per address (Auth0 `pre-user-registration`: 50 a minute). */
  signup_per_ip: BucketRule;
  /** Login transactions /authorize may start per address (each one is a stored row). */
  authorize_per_ip: WindowRule;
  /** Addresses and CIDR ranges the three per-address limits above never apply to (Auth0: up to 100). */
  ip_allowlist: string[];
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  token_endpoint: { limit: 50, window_seconds: 1 },
  token_endpoint_per_ip: { limit: 200, window_seconds: 1 },
  management_api: { limit: 100, window_seconds: 1 },
  management_api_unauthenticated_per_ip: { limit: 20, window_seconds: 1 },
  signing_key_rotations: { limit: 5, window_seconds: 86_400 },
  failed_client_authentication: { slow_after: 5, block_after: 20, window_seconds: 900 },
  // Auth0's defaults: 100 attempts, one back every 864 s (100 a day); 50, one back every 1.2 s.
  login_per_ip: { max_attempts: 100, rate: 864_000 },
  signup_per_ip: { max_attempts: 50, rate: 1_200 },
  authorize_per_ip: { limit: 60, window_seconds: 60 },
  ip_allowlist: [],
};

/** The tenant's `rate_limits` setting over the defaults, key by key (a list replaces the default list). */
export function rateLimitsOf(settings: Record<string, unknown>, defaults: RateLimitSettings = DEFAULT_RATE_LIMITS): RateLimitSettings {
  const given = (settings.rate_limits ?? {}) as Partial<Record<keyof RateLimitSettings, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(defaults) as [keyof RateLimitSettings, unknown][]) {
    const mine = given[k];
    out[k] = Array.isArray(v) ? (Array.isArray(mine) ? mine : v) : { ...(v as object), ...(mine ?? {}) };
  }
  return out as unknown as RateLimitSettings;
}

const allowlists = new WeakMap<readonly string[], BlockList>();

/** Why `entry` is not an IP address or a CIDR range (Auth0's allow-list entries), or undefined. */
export function allowlistEntryProblem(entry: string): string | undefined {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'is not an IPv4 or IPv6 address or CIDR range';
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 6 ? 128 : 32))) return 'has an invalid prefix length';
  return undefined;
}

/** Whether `ip` is one of `list`'s addresses or inside one of its CIDR ranges (IPv4 or IPv6). */
export function inAllowlist(list: readonly string[], ip: string): boolean {
  if (list.length === 0) return false;
  let blocks = allowlists.get(list);
  if (!blocks) {
    blocks = new BlockList();
    for (const entry of list) {
      if (allowlistEntryProblem(entry) !== undefined) continue;
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) blocks.addAddress(address, family);
      else blocks.addSubnet(address, Number(bits), family);
    }
    allowlists.set(list, blocks);
  }
  // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 client.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = isIP(address);
  return family !== 0 && blocks.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export interface LimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window resets, epoch seconds (x-ratelimit-reset). */
  reset: number;
  /** Seconds until a refused caller may retry. */
  retryAfter: number;
  /** This is the first refusal of the window (log it once, not once per refused request). */
  firstRefusal: boolean;
}

export function rateLimitHeaders(r: LimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(r.limit),
    'x-ratelimit-remaining': String(r.remaining),
    'x-ratelimit-reset': String(r.reset),
  };
  if (!r.allowed) headers['retry-after'] = String(r.retryAfter);
  return headers;
}

/** IPv6 clients are counted per /64 (one host usually owns the whole prefix, T-RL-08). */
export function ipKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = ''] = ip.toLowerCase().split('%');
  // A trailing dotted IPv4 part stands for the last two groups.
  const width = (part: string[]): number => part.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = head.includes('::')
    ? (() => {
        const [l = '', r = ''] = head.split('::');
        const left = l ? l.split(':') : [];
        const right = r ? r.split(':') : [];
        return [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
      })()
    : head.split(':');
  const short = groups.map((g) => g.replace(/^0+(?=.)/, ''));
  // IPv4-mapped (::ffff:a.b.c.d in any spelling) is the IPv4 client it maps.
  const last = short[short.length - 1] ?? '';
  if (last.includes('.') && short.length === 7 && short.slice(0, 5).every((g) => g === '0') && short[5] === 'ffff') return last;
  return `${short.slice(0, 4).join(':')}::/64`;
}

export interface BucketResult {
  allowed: boolean;
  /** Attempts left after this one. */
  remaining: number;
  /** Seconds until a refused caller may try again (1 at least). */
  retryAfter: number;
}

/**
 * The brake's verdict on one failed client authentication (S5): how long to hold its answer, and
 * whether the wrong secret is refused with 429 instead of 401.
 */
export interface BrakeVerdict {
  holdMs: number;
  /** Past block_after: a wrong secret is refused for the rest of the window (a right one still passes). */
  blocked: boolean;
  retryAfter: number;
}

/** The longest hold; reached at the 12th failure past slow_after, and kept while blocked. */
const MAX_HOLD_MS = 3000;

/** 250 ms more for each failure counted past `slow_after`, up to 3 s. */
function holdFor(prior: number, rule: RateLimitSettings['failed_client_authentication']): number {
  const over = prior - rule.slow_after + 1;
  return over > 0 ? Math.min(MAX_HOLD_MS, 250 * over) : 0;
}

/**
 * The metrics label of a counter key (`${tenantId}:${bucket}…`): the name of its rule, from a
 * fixed set, never the address or client the key also holds. undefined for counters that are no
 * caller's limit (the throttle on logging refused Management API calls).
 */
export function bucketOf(key: string): { tenantId: string; bucket: string } | undefined {
  const [tenantId = '', kind = '', sub = ''] = key.split(':', 3);
  const bucket = BUCKETS.get(`${kind}:${sub}`) ?? BUCKETS.get(kind);
  return bucket === null ? undefined : { tenantId, bucket: bucket ?? 'other' };
}

const BUCKETS = new Map<string, string | null>(Object.entries({
  'token:ip': 'token_endpoint_per_ip',
  'token:client': 'token_endpoint',
  authfail: 'failed_client_authentication',
  'login:ip': 'login_per_ip',
  'signup:ip': 'signup_per_ip',
  'authorize:ip': 'authorize_per_ip',
  key_rotation: 'signing_key_rotations',
  'mgmt:': 'management_api',
  'mgmt:anon': 'management_api_unauthenticated_per_ip',
  public: 'public_documents_per_ip',
  fapi: null,
}));

export class RateLimiter {
  readonly #store: CounterStore;
  readonly #clock: Clock;
  readonly #metrics: Metrics;

  constructor(store: CounterStore, clock: Clock, metrics: Metrics = NO_METRICS) {
    this.#store = store;
    this.#clock = clock;
    this.#metrics = metrics;
  }

  /** A refusal, counted in the metrics under its bucket's name. */
  #hit(key: string): void {
    const named = this.#metrics.enabled ? bucketOf(key) : undefined;
    if (named) this.#metrics.rateLimitHit(named.tenantId, named.bucket);
  }

  /** Counts one request against `rule` for `key` (already namespaced by tenant and bucket). */
  async consume(key: string, rule: WindowRule): Promise<LimitResult> {
    const now = this.#clock.now();
    const { count, resetAt } = await this.#store.increment(key, rule.window_seconds * 1000, now);
    const allowed = count <= rule.limit;
    if (!allowed) this.#hit(key);
    return {
      allowed,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - count),
      reset: Math.ceil(resetAt / 1000),
      retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)),
      firstRefusal: count === rule.limit + 1,
    };
  }

  /**
   * The verdict on one failed client authentication, from the failures its (tenant, address,
   * client) counted before it. The failure is counted first, atomically, so parallel guesses each
   * see their own place in the count and a burst gets no more 401 answers than a sequence would.
   */
  async failedAuthAttempt(key: string, rule: RateLimitSettings['failed_client_authentication']): Promise<BrakeVerdict> {
    const now = this.#clock.now();
    const { count, resetAt } = await this.#store.increment(key, rule.window_seconds * 1000, now);
    const prior = count - 1;
    if (prior >= rule.block_after) this.#hit(key);
    return { holdMs: holdFor(prior, rule), blocked: prior >= rule.block_after, retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
  }

  /** Takes one attempt from `key`'s bucket (already namespaced by tenant and purpose). */
  async take(key: string, rule: BucketRule): Promise<BucketResult> {
    const interval = Math.max(1, Math.round(rule.rate));
    const { allowed, debtMs } = await this.#store.take(key, interval, rule.max_attempts, 1, this.#clock.now());
    if (!allowed) this.#hit(key);
    if (!allowed) return { allowed, remaining: 0, retryAfter: Math.max(1, Math.ceil((debtMs + interval - rule.max_attempts * interval) / 1000)) };
    return { allowed, remaining: Math.max(0, Math.floor((rule.max_attempts * interval - debtMs) / interval)), retryAfter: 0 };
  }

  /** Gives back an attempt taken by `take` that turned out not to count (a success, a refusal before any work). */
  async giveBack(key: string, rule: BucketRule): Promise<void> {
    await this.#store.take(key, Math.max(1, Math.round(rule.rate)), rule.max_attempts, -1, this.#clock.now());
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
