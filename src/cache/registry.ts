// The in-process view of everything the hot paths read (DESIGN "Hot paths"): tenants by host,
// clients with their secret digests, client grants, APIs and signing keys. Entries load on first
// use and are dropped when a ChangeEvent names them, so a warm /oauth/token or bearer check makes
// no database round trip.
import type { Envelope } from '../crypto/envelope.ts';
import type { Metrics } from '../observability/metrics.ts';
import { rateLimitsOf, type RateLimitSettings } from '../ratelimit/limiter.ts';
import { legacyTokensOn, tenantFrom, type Tenant } from '../domain/tenant.ts';
import type { ClientGrantRecord, Storage } from '../storage/ports.ts';
import type { KeyRing } from '../tokens/keys.ts';
import type { CachedApi } from './api-cache.ts';
import type { ChangeEvent } from './bus.ts';
import type { CachedClient } from './client-cache.ts';
import type { ClientOrder } from './client-order.ts';
import type { Denylist } from './denylist-cache.ts';
import type { GrantOrder } from './grant-order.ts';
import type { LegacySigning } from './legacy-key-cache.ts';
import { TenantCaches } from './tenant-caches.ts';

export type { CachedApi } from './api-cache.ts';
export type { CachedClient } from './client-cache.ts';
export type { Denylist } from './denylist-cache.ts';
export type { LegacySigning } from './legacy-key-cache.ts';

export interface RegistryOptions {
  storage: Storage;
  envelope: Envelope;
  onError?: (error: unknown) => void;
  /** Limits for tenants whose settings name none (default: DEFAULT_RATE_LIMITS). */
  defaultRateLimits?: RateLimitSettings;
  /** Cache hits and misses (default: off). */
  metrics?: Metrics;
}

export class Registry {
  readonly #storage: Storage;
  readonly #envelope: Envelope;
  readonly #onError: (error: unknown) => void;
  readonly #defaultLimits: RateLimitSettings | undefined;
  readonly #metrics: Metrics | undefined;
  #byHost = new Map<string, Tenant>();
  #byId = new Map<string, Tenant>();
  #caches = new Map<string, TenantCaches>();
  #tenantsLoad: Promise<void> | undefined;
  #limits = new Map<string, RateLimitSettings>();

  constructor(options: RegistryOptions) {
    this.#storage = options.storage;
    this.#envelope = options.envelope;
    this.#onError = options.onError ?? (() => undefined);
    this.#defaultLimits = options.defaultRateLimits;
    this.#metrics = options.metrics;
  }

  /** Loads every tenant; call before serving. */
  async start(): Promise<void> {
    await this.reloadTenants();
  }

  reloadTenants(): Promise<void> {
    const load = (async () => {
      const records = await this.#storage.tenants.list();
      const byHost = new Map<string, Tenant>();
      const byId = new Map<string, Tenant>();
      for (const r of records) {
        const t = tenantFrom(r);
        byHost.set(t.domain, t);
        byId.set(t.id, t);
      }
      this.#byHost = byHost;
      this.#byId = byId;
      this.#limits = new Map();
    })();
    this.#tenantsLoad = load;
    return load;
  }

  /** The tenant answering `host` (lower-cased host[:port]); never a fallback tenant (T-MG-10). */
  tenantByHost(host: string): Tenant | undefined {
    return this.#byHost.get(host.toLowerCase());
  }

  tenantById(id: string): Tenant | undefined {
    return this.#byId.get(id);
  }

  tenants(): Tenant[] {
    return [...this.#byId.values()];
  }

  #for(tenantId: string): TenantCaches {
    let c = this.#caches.get(tenantId);
    if (!c) {
      c = new TenantCaches({ storage: this.#storage, envelope: this.#envelope, tenantId, onError: this.#onError, ...(this.#metrics?.enabled && { counter: (name: string) => this.#metrics!.cache(name) }) });
      this.#caches.set(tenantId, c);
    }
    return c;
  }

  client(tenantId: string, clientId: string): Promise<CachedClient | null> {
    return this.#for(tenantId).clients.get(clientId);
  }

  /** The client-credentials grant (subject_type client) of a client for an audience. */
  grant(tenantId: string, clientId: string, audience: string): Promise<ClientGrantRecord | null> {
    return this.#for(tenantId).grants.get(clientId, audience);
  }

  api(tenantId: string, identifier: string): Promise<CachedApi | null> {
    return this.#for(tenantId).apis.get(identifier);
  }

  keys(tenantId: string): Promise<KeyRing> {
    return this.#for(tenantId).keys.get();
  }

  /** The tenant's applications in list order, as keys: GET /api/v2/clients pages through it (decision 0011). */
  clientOrder(tenantId: string): ClientOrder {
    return this.#for(tenantId).clientOrder;
  }

  /** The tenant's client grants in list order, as keys: GET /api/v2/client-grants pages through it. */
  grantOrder(tenantId: string): GrantOrder {
    return this.#for(tenantId).grantOrder;
  }

  /** The tenant's dashboard application id (/dashboard/config.json), or null while it has none. */
  dashboardClientId(tenantId: string): Promise<string | null> {
    return this.#for(tenantId).dashboardClient.get();
  }

  /**
   * A serialized client view, made by `render` on a miss. Only views without plaintext secrets
   * may be cached here (security catalogue §2.10: no secret in caches).
   */
  clientView(tenantId: string, key: string, render: () => Promise<string>): Promise<string> {
    return this.#for(tenantId).clientViews.get(key, render);
  }

  /** The tenant's rate limits (its `rate_limits` setting over the defaults). */
  rateLimits(tenantId: string): RateLimitSettings {
    let limits = this.#limits.get(tenantId);
    if (!limits) {
      limits = rateLimitsOf(this.#byId.get(tenantId)?.settings ?? {}, this.#defaultLimits);
      this.#limits.set(tenantId, limits);
    }
    return limits;
  }

  /**
   * The key legacy HS256 tokens are verified with: the base64-decoded Global Client Secret
   * (seed: "check the secret base64 encoded flag"), or null while the tenant has legacy tokens off.
   */
  legacy(tenantId: string): Promise<LegacySigning | null> {
    if (!legacyTokensOn(this.#byId.get(tenantId)?.settings)) return Promise.resolve(null);
    return this.#for(tenantId).legacy.get();
  }

  /** Denylisted token ids of a tenant, in memory (checked on every Management API call). */
  denylist(tenantId: string): Promise<Denylist> {
    return this.#for(tenantId).denylist.get();
  }

  /** Origins any client of the tenant allows (CORS for /oauth/token and /api/v2, spec §0 row 8). */
  allowedOrigins(tenantId: string): Promise<ReadonlySet<string>> {
    return this.#for(tenantId).origins.get();
  }

  /** Drops what an event names, and only that (R3). */
  apply(event: ChangeEvent): void {
    this.#caches.get(event.tenantId)?.apply(event);
    if (event.kind === 'tenants') this.reloadTenants().catch(this.#onError);
  }

  /**
   * Changes may have been missed (the notification channel was down and is back, so the database
   * answers): forget everything, fail closed, and reload the tenants.
   */
  dropAll(): Promise<void> {
    for (const c of this.#caches.values()) c.clear();
    return this.reloadTenants();
  }

  /**
   * The periodic backstop for a missed notification: every entry is reloaded on its next use, but
   * while the database does not answer the cached copy is served (nothing is known to have
   * changed), so a resync during an outage takes nothing away. Tenants reload only on success.
   */
  resync(): Promise<void> {
    for (const c of this.#caches.values()) c.markStale();
    return this.reloadTenants();
  }

  /** Waits for an in-flight tenant reload (tests and the CLI use it after a tenant change). */
  async settled(): Promise<void> {
    await this.#tenantsLoad;
  }
}
