// The in-process view of everything the hot paths read (DESIGN "Hot paths"): tenants by host,
// clients with their secret digests, client grants, APIs and signing keys. Entries load on first
// use and are dropped when a ChangeEvent names them, so a warm /oauth/token or bearer check makes
// no database round trip.
import { createHash } from 'node:crypto';
import { DecryptionError, digestsEqual, type Envelope } from '../crypto/envelope.ts';
import { rateLimitsOf, type RateLimitSettings } from '../ratelimit/limiter.ts';
import type { LegacyKey } from '../tokens/verify.ts';
import { legacyTokensOn, tenantFrom, type Tenant } from '../domain/tenant.ts';
import type { ClientGrantRecord, ClientRecord, ResourceServerRecord, Storage } from '../storage/ports.ts';
import { loadKeyRing, type KeyRing } from '../tokens/keys.ts';
import { MANAGEMENT_SCOPES } from '../domain/scopes.ts';
import { apiSecretLocation, clientSecretLocation, clientSecretMac } from '../domain/secret-locations.ts';
import type { ChangeEvent } from './bus.ts';
import { globalClientCredentials } from '../domain/global-client.ts';
import { StorageUnavailable } from '../storage/errors.ts';
import { grantKey, TenantCaches } from './tenant-caches.ts';
import { ClientOrder } from './client-order.ts';
import { GrantOrder } from './grant-order.ts';
import { findDashboardClient } from '../domain/dashboard-client.ts';

export interface CachedClient {
  clientId: string;
  name: string;
  appType: string | undefined;
  global: boolean;
  grantTypes: ReadonlySet<string>;
  authMethod: string;
  /** HMAC of the secret; null for a public client. */
  secretMac: Buffer | null;
  /** HMAC of the secret before a rotation with a grace period, accepted until previousSecretExpiresAt (ms). */
  previousSecretMac: Buffer | null;
  previousSecretExpiresAt: number;
  record: ClientRecord;
}

export interface CachedApi {
  id: string;
  identifier: string;
  name: string;
  isSystem: boolean;
  scopes: ReadonlySet<string>;
  tokenLifetime: number;
  tokenLifetimeForWeb: number;
  signingAlg: 'RS256' | 'HS256';
  /** Decrypted HS256 key; undefined for RS256 APIs. */
  signingSecret: Buffer | undefined;
  dialect: string | undefined;
  record: ResourceServerRecord;
}

/** The legacy HS256 key of a tenant (D8), with a tag that changes whenever the key does. */
export interface LegacySigning extends LegacyKey {
  tag: string;
}

/** jti → audiences (or '' for "any") whose tokens are refused. */
export type Denylist = ReadonlyMap<string, ReadonlySet<string>>;

export interface RegistryOptions {
  storage: Storage;
  envelope: Envelope;
  onError?: (error: unknown) => void;
  /** Limits for tenants whose settings name none (default: DEFAULT_RATE_LIMITS). */
  defaultRateLimits?: RateLimitSettings;
}

export class Registry {
  readonly #storage: Storage;
  readonly #envelope: Envelope;
  readonly #onError: (error: unknown) => void;
  readonly #defaultLimits: RateLimitSettings | undefined;
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
      c = new TenantCaches({ clients: new ClientOrder(this.#storage, tenantId, this.#onError), grants: new GrantOrder(this.#storage, tenantId, this.#onError) });
      this.#caches.set(tenantId, c);
    }
    return c;
  }

  async client(tenantId: string, clientId: string): Promise<CachedClient | null> {
    const c = this.#for(tenantId);
    if (c.missingClients.has(clientId)) return null;
    const generation = c.missingClients.generation;
    const found = await c.clients.get(
      clientId,
      async () => {
        const r = await this.#storage.clients.get(tenantId, clientId);
        return r ? this.#checkedClient(r) : null;
      },
      (value) => value !== null,
      unavailable,
    );
    if (found === null) c.missingClients.setIfCurrent(clientId, true, generation);
    return found;
  }

  /**
   * Tamper check on load (T-SR-04): the row's sealed secret must open at this row and match this
   * row's MAC. The MAC is row-bound already, so a copied MAC matches nothing; this also refuses a
   * row whose ciphertext was swapped. A row that fails authenticates nobody, and the log says why.
   */
  #checkedClient(r: ClientRecord): CachedClient {
    const cached = cachedClient(r);
    if (!cached.secretMac) return cached;
    try {
      const secret = this.#envelope.open(r.secretSealed ?? '', clientSecretLocation(r.tenantId, r.clientId));
      if (digestsEqual(clientSecretMac(this.#envelope, r.tenantId, r.clientId, secret), cached.secretMac)) return cached;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
    }
    this.#onError(new Error(`client ${r.clientId} of tenant ${r.tenantId}: its stored secret does not belong to its row; authentication refused`));
    return { ...cached, secretMac: null };
  }

  /** The client-credentials grant (subject_type client) of a client for an audience. */
  grant(tenantId: string, clientId: string, audience: string): Promise<ClientGrantRecord | null> {
    return this.#for(tenantId).grants.get(grantKey(clientId, audience), async () => (await this.#storage.grants.find(tenantId, clientId, audience, 'client')) ?? null, always, unavailable);
  }

  api(tenantId: string, identifier: string): Promise<CachedApi | null> {
    return this.#for(tenantId).apis.get(
      identifier,
      async () => {
        const r = await this.#storage.resourceServers.getByIdentifier(tenantId, identifier);
        return r ? this.#cachedApi(r) : null;
      },
      always,
      unavailable,
    );
  }

  keys(tenantId: string): Promise<KeyRing> {
    return this.#for(tenantId).keys.get('ring', async () => loadKeyRing(this.#envelope, await this.#storage.signingKeys.list(tenantId)), always, unavailable);
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
    return this.#for(tenantId).dashboardClient.get('id', async () => (await findDashboardClient(this.#storage, tenantId))?.clientId ?? null, always, unavailable);
  }

  /**
   * A serialized client view, made by `render` on a miss. Only views without plaintext secrets
   * may be cached here (security catalogue §2.10: no secret in caches).
   */
  clientView(tenantId: string, key: string, render: () => Promise<string>): Promise<string> {
    return this.#for(tenantId).clientViews.get(key, render, always, unavailable);
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
    return this.#for(tenantId).legacy.get('key', async () => {
      const global = await globalClientCredentials(this.#storage, this.#envelope, tenantId);
      if (!global) return null;
      const secret = Buffer.from(global.secret, 'base64');
      return { globalClientId: global.clientId, secret, tag: createHash('sha256').update(secret).digest('base64url').slice(0, 16) };
    }, always, unavailable);
  }

  /** Denylisted token ids of a tenant, in memory (checked on every Management API call). */
  denylist(tenantId: string): Promise<Denylist> {
    return this.#for(tenantId).denylist.get('all', async () => {
      const map = new Map<string, Set<string>>();
      for (const entry of await this.#storage.denylist.list(tenantId)) {
        let auds = map.get(entry.jti);
        if (!auds) map.set(entry.jti, (auds = new Set()));
        auds.add(entry.aud ?? '');
      }
      return map;
    }, always, unavailable);
  }

  /** Origins any client of the tenant allows (CORS for /oauth/token and /api/v2, spec §0 row 8). */
  allowedOrigins(tenantId: string): Promise<ReadonlySet<string>> {
    return this.#for(tenantId).origins.get('all', async () => {
      const { items } = await this.#storage.clients.list(tenantId, {}, { offset: 0, limit: 100_000, withTotal: false });
      const origins = new Set<string>();
      for (const { data } of items) {
        for (const o of [...(data.web_origins ?? []), ...(data.allowed_origins ?? [])]) origins.add(o.replace(/\/+$/, ''));
        for (const cb of data.callbacks ?? []) {
          try {
            origins.add(new URL(cb).origin);
          } catch {
            // Not a URL; cannot be an origin.
          }
        }
      }
      origins.delete('null');
      return origins;
    }, always, unavailable);
  }

  #cachedApi(r: ResourceServerRecord): CachedApi {
    const scopes = r.isSystem ? MANAGEMENT_SCOPES : r.data.scopes.map((s) => s.value);
    return {
      id: r.id,
      identifier: r.identifier,
      name: r.data.name,
      isSystem: r.isSystem,
      scopes: new Set(scopes),
      tokenLifetime: r.data.token_lifetime,
      tokenLifetimeForWeb: r.data.token_lifetime_for_web,
      signingAlg: r.data.signing_alg,
      signingSecret:
        r.data.signing_alg === 'HS256' && r.signingSecretSealed
          ? Buffer.from(this.#envelope.open(r.signingSecretSealed, apiSecretLocation(r.tenantId, r.id)), 'utf8')
          : undefined,
      dialect: r.data.token_dialect,
      record: r,
    };
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

const always = (): boolean => true;
/** Stale entries (see resync) are served while the database does not answer. */
const unavailable = (error: unknown): boolean => error instanceof StorageUnavailable;

export function cachedClient(r: ClientRecord): CachedClient {
  return {
    clientId: r.clientId,
    name: r.data.name,
    appType: r.data.app_type,
    global: r.data.global,
    grantTypes: new Set(r.data.grant_types ?? []),
    authMethod: r.data.token_endpoint_auth_method ?? 'client_secret_post',
    secretMac: r.secretMac ? Buffer.from(r.secretMac, 'base64') : null,
    previousSecretMac: r.previousSecretMac ? Buffer.from(r.previousSecretMac, 'base64') : null,
    previousSecretExpiresAt: r.previousSecretExpiresAt ? Date.parse(r.previousSecretExpiresAt) : 0,
    record: r,
  };
}
