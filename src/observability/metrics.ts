// The metrics facade (issue 13): what the other layers call to count things, without knowing
// Prometheus. `NO_METRICS` is the default everywhere: with no --metrics-port every call is an
// empty function, no registry exists and no listener opens (decision 0012). prometheus.ts
// implements it with prom-client.

/**
 * Why a token (Authentication API) or a bearer token (Management API) was refused. A fixed set:
 * refusal labels never carry a value the caller chose.
 */
export type RefusalReason =
  /** Wrong or missing client secret, unknown client (indistinguishable on purpose, D1). */
  | 'bad_secret'
  /** No client grant (or no API) for the audience asked for. */
  | 'no_grant'
  /** A scope asked for and not granted; a Management API call without the route's scope. */
  | 'scope'
  /** A bearer token past its exp. */
  | 'expired'
  /** A denylisted token, or one whose key or client is gone. */
  | 'revoked'
  /** A bearer token that fails any other check (signature, issuer, audience, form). */
  | 'invalid_token'
  /** A code, refresh token or PKCE verifier that does not hold (invalid_grant). */
  | 'invalid_grant'
  /** The client may not use the grant type. */
  | 'grant_type'
  /** Malformed request: missing or repeated parameter, unsupported grant, two auth methods. */
  | 'invalid_request'
  /** A per-address, per-client or per-tenant bucket is empty (429). */
  | 'rate_limited'
  /** The failed-authentication brake refused a wrong secret (429, T-RL-06). */
  | 'brute_force';

/** Which API refused: the token endpoint or the Management API's bearer check. */
export type RefusingApi = 'authentication' | 'management';

/** One cache's hits and misses (cache/loading-cache.ts reads through it). */
export interface CacheCounter {
  hit(): void;
  miss(): void;
}

/** The database pool as it stands at a scrape (PostgreSQL; SQLite has no pool). */
export interface PoolStats {
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
}

/** The change-notification channel as it stands at a scrape (cache/bus.ts NotificationStatus). */
export interface NotificationStats {
  state: 'local' | 'listening' | 'reconnecting';
  /** Times the channel was lost since start. */
  losses: number;
}

export interface Metrics {
  /** false for NO_METRICS: callers may skip work that only feeds metrics. */
  readonly enabled: boolean;
  /** One answered HTTP request: its route template (never the raw URL), method, status, seconds. */
  request(route: string, method: string, status: number, seconds: number): void;
  /** One token issued. `clientId` becomes a label only when the operator turned client labels on. */
  tokenIssued(tenantId: string, grantType: string, audience: string, clientId: string): void;
  /**
   * One refusal. `clientId` only for a client that authenticated (a claimed id is the caller's
   * choice, and would let anyone mint label values); a label only with client labels on.
   */
  refused(api: RefusingApi, reason: RefusalReason, tenantId: string, clientId?: string): void;
  /** A rate-limit bucket said no (`bucket` from a fixed set: ratelimit/limiter.ts bucketOf). */
  rateLimitHit(tenantId: string, bucket: string): void;
  /** The counter of one named cache (a fixed name per cache, never per tenant). */
  cache(name: string): CacheCounter;
  /** A database request waited for a free pool connection this long. */
  poolWait(seconds: number): void;
  /** A pool connection failed: 'connect' (could not open one) or 'idle' (an idle one died). */
  poolError(kind: 'connect' | 'idle'): void;
  /** Read at each scrape. */
  watchPool(read: () => PoolStats): void;
  /** A change notification from another instance arrived this long after it was sent. */
  notificationDelivered(lagSeconds: number): void;
  /** Read at each scrape. */
  watchNotifications(read: () => NotificationStats): void;
}

const nothing = (): void => undefined;
const NO_CACHE_COUNTER: CacheCounter = { hit: nothing, miss: nothing };

/** Metrics off: every call does nothing. */
export const NO_METRICS: Metrics = {
  enabled: false,
  request: nothing,
  tokenIssued: nothing,
  refused: nothing,
  rateLimitHit: nothing,
  cache: () => NO_CACHE_COUNTER,
  poolWait: nothing,
  poolError: nothing,
  watchPool: nothing,
  notificationDelivered: nothing,
  watchNotifications: nothing,
};
