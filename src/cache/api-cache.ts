// APIs (resource servers) by identifier, with their HS256 key opened: what a token request and a
// bearer check read. A change drops the identifiers it names. Identifiers looked up and not found
// are kept apart, as client ids are (client-cache.ts): /authorize looks up any `audience=` an
// anonymous caller sends, and a flood of made-up ones must not evict the real APIs.
import { MANAGEMENT_SCOPES } from '../domain/scopes.ts';
import { apiSecretLocation } from '../domain/secret-locations.ts';
import type { ResourceServerRecord } from '../storage/ports.ts';
import { MAX_ENTRIES, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

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

/** Identifiers looked up and not found, per tenant. */
const MISSING_ENTRIES = 10_000;

export class ApiCache {
  readonly #ctx: CacheContext;
  readonly #apis: LoadingCache<string, CachedApi | null>;
  readonly #missing: LoadingCache<string, true>;

  constructor(ctx: CacheContext) {
    this.#apis = new LoadingCache(MAX_ENTRIES, { counter: ctx.counter?.('apis') });
    this.#missing = new LoadingCache(MISSING_ENTRIES, { counter: ctx.counter?.('missing_apis') });
    this.#ctx = ctx;
  }

  async get(identifier: string): Promise<CachedApi | null> {
    if (this.#missing.has(identifier)) return null;
    const generation = this.#missing.generation;
    const { storage, tenantId } = this.#ctx;
    const found = await this.#apis.get(
      identifier,
      async () => {
        const r = await storage.resourceServers.getByIdentifier(tenantId, identifier);
        return r ? this.#cached(r) : null;
      },
      (value) => value !== null,
      unavailable,
    );
    if (found === null) this.#missing.setIfCurrent(identifier, true, generation);
    return found;
  }

  #cached(r: ResourceServerRecord): CachedApi {
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
          ? Buffer.from(this.#ctx.envelope.open(r.signingSecretSealed, apiSecretLocation(r.tenantId, r.id)), 'utf8')
          : undefined,
      dialect: r.data.token_dialect,
      record: r,
    };
  }

  /** A `resource_servers` change: these identifiers, or every API. */
  changed(identifiers: readonly string[] | undefined): void {
    if (!identifiers) return this.clear();
    for (const identifier of identifiers) {
      this.#apis.delete(identifier);
      this.#missing.delete(identifier);
    }
  }

  clear(): void {
    this.#apis.clear();
    this.#missing.clear();
  }

  markStale(): void {
    this.#apis.markStale();
    this.#missing.markStale();
  }
}
