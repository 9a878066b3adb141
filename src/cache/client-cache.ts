// Applications by client_id, as the token endpoint and the login paths authenticate them: loaded
// on first use, checked against tampering, dropped by id when a change names them. Ids looked up
// and not found are kept apart, so a flood of made-up ids cannot evict real clients.
import { DecryptionError, digestsEqual } from '../crypto/envelope.ts';
import { clientSecretLocation, clientSecretMac } from '../domain/secret-locations.ts';
import type { ClientRecord } from '../storage/ports.ts';
import { MAX_ENTRIES, unavailable, type CacheContext } from './cache-context.ts';
import { LoadingCache } from './loading-cache.ts';

const MISSING_ENTRIES = 10_000;

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

export function cachedClient(r: ClientRecord): CachedClient {
  return {
    clientId: r.clientId,
    name: r.data.name,
    appType: r.data.app_type,
    global: r.data.global,
    grantTypes: new Set(r.data.grant_types ?? []),
    // Private Key JWT when the client lists credentials for it (issue 15); its secret is then refused.
    authMethod: r.data.client_authentication_methods?.private_key_jwt ? 'private_key_jwt' : (r.data.token_endpoint_auth_method ?? 'client_secret_post'),
    secretMac: r.secretMac ? Buffer.from(r.secretMac, 'base64') : null,
    previousSecretMac: r.previousSecretMac ? Buffer.from(r.previousSecretMac, 'base64') : null,
    previousSecretExpiresAt: r.previousSecretExpiresAt ? Date.parse(r.previousSecretExpiresAt) : 0,
    record: r,
  };
}

export class ClientCache {
  readonly #ctx: CacheContext;
  readonly #found: LoadingCache<string, CachedClient | null>;
  readonly #missing: LoadingCache<string, true>;

  constructor(ctx: CacheContext) {
    this.#found = new LoadingCache(MAX_ENTRIES, { counter: ctx.counter?.('clients') });
    this.#missing = new LoadingCache(MISSING_ENTRIES, { counter: ctx.counter?.('missing_clients') });
    this.#ctx = ctx;
  }

  async get(clientId: string): Promise<CachedClient | null> {
    if (this.#missing.has(clientId)) return null;
    const generation = this.#missing.generation;
    const found = await this.#found.get(
      clientId,
      async () => {
        const r = await this.#ctx.storage.clients.get(this.#ctx.tenantId, clientId);
        return r ? this.#checked(r) : null;
      },
      (value) => value !== null,
      unavailable,
    );
    if (found === null) this.#missing.setIfCurrent(clientId, true, generation);
    return found;
  }

  /**
   * Tamper check on load (T-SR-04): the row's sealed secret must open at this row and match this
   * row's MAC. The MAC is row-bound already, so a copied MAC matches nothing; this also refuses a
   * row whose ciphertext was swapped. A row that fails authenticates nobody, and the log says why.
   */
  #checked(r: ClientRecord): CachedClient {
    const cached = cachedClient(r);
    if (!cached.secretMac) return cached;
    const { envelope } = this.#ctx;
    try {
      const secret = envelope.open(r.secretSealed ?? '', clientSecretLocation(r.tenantId, r.clientId));
      if (digestsEqual(clientSecretMac(envelope, r.tenantId, r.clientId, secret), cached.secretMac)) return cached;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
    }
    this.#ctx.onError(new Error(`client ${r.clientId} of tenant ${r.tenantId}: its stored secret does not belong to its row; authentication refused`));
    return { ...cached, secretMac: null };
  }

  /** A `clients` change: these ids, or every client. */
  changed(clientIds: readonly string[] | undefined): void {
    if (!clientIds) {
      this.clear();
      return;
    }
    for (const id of clientIds) {
      this.#found.delete(id);
      this.#missing.delete(id);
    }
  }

  clear(): void {
    this.#found.clear();
    this.#missing.clear();
  }

  markStale(): void {
    this.#found.markStale();
    this.#missing.markStale();
  }

  get size(): number {
    return this.#found.size;
  }
}
