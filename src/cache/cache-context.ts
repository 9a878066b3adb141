// What every cache of one tenant needs to load its entries, and the two rules they share: which
// loaded values are kept, and which load errors let a stale entry keep serving.
import type { Envelope } from '../crypto/envelope.ts';
import { StorageUnavailable } from '../storage/errors.ts';
import type { Storage } from '../storage/ports.ts';
import type { CacheCounter } from '../observability/metrics.ts';

export interface CacheContext {
  storage: Storage;
  envelope: Envelope;
  tenantId: string;
  onError: (error: unknown) => void;
  /** Hit and miss counting for /metrics, by cache name (absent: not counted). */
  counter?: ((name: string) => CacheCounter) | undefined;
}

export const always = (): boolean => true;
/** Stale entries (see Registry.resync) are served while the database does not answer. */
export const unavailable = (error: unknown): boolean => error instanceof StorageUnavailable;

/** Entries per tenant of the caches keyed by id (clients, grants, APIs). */
export const MAX_ENTRIES = 50_000;
