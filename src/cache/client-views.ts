// Serialized GET /api/v2/clients answers of one tenant, without secrets (security catalogue §2.10:
// no secret in caches), keyed by what the caller may see and its query. Bounded in count and in
// characters, so a tenant with 100,000 applications and large pages cannot grow it past a few MB.
// Secret-use bookkeeping (`client_usage`) drops only the answers that show it.
import { LoadingCache } from './loading-cache.ts';
import type { CacheCounter } from '../observability/metrics.ts';

const MAX_VIEWS = 64;
/** Characters held per tenant (about as many bytes: answers are mostly ASCII JSON). */
const MAX_CHARS = 4 * 1024 * 1024;
/** The key prefix of answers that show secret use (client_secret_rotation). */
const USAGE = 'u';

export interface ViewKey {
  /** The caller may see configuration / credentials (read:clients, read:client_keys…). */
  config: boolean;
  credentials: boolean;
  /** The answer shows client_secret_rotation, whose last_used_* changes with every secret use. */
  showsUsage: boolean;
  query: unknown;
}

export class ClientViews extends LoadingCache<string, string> {
  constructor(counter?: CacheCounter) {
    super(MAX_VIEWS, { weigher: { weigh: (json) => json.length, max: MAX_CHARS }, counter });
  }

  static key(k: ViewKey): string {
    return `${k.showsUsage ? USAGE : '-'}${k.config ? 'c' : '-'}${k.credentials ? 'k' : '-'}${JSON.stringify(k.query)}`;
  }

  /** A secret was used: only answers showing secret use change. */
  dropUsage(): void {
    this.deleteWhere((key) => key.startsWith(USAGE));
  }
}
