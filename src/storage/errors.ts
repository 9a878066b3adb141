// Storage errors mapped at the edge of the storage layer, so callers see domain meanings instead
// of driver codes (SQLite constraint messages, PostgreSQL SQLSTATEs).

export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

export class StorageUnavailable extends Error {
  override name = 'StorageUnavailable';
}

/**
 * A database that cannot be reached or is going away: network errors, SQLSTATE class 08
 * (connection exception), 57P01-57P03 (administrator shutdown, crash, not yet accepting), 53300
 * (too many connections). All of them answer 503 and pass once the database is back.
 */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
/** pg's own texts for a connection that died under it (a query on it, or the pool waiting for one). */
const CONNECTION_MESSAGES = /Connection terminated|not queryable|database is locked|timeout exceeded when trying to connect/i;

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || /UNIQUE constraint failed|PRIMARY KEY constraint failed/.test(error.message);
}

/** Wraps a driver error: unique violations become UniqueViolation, lost connections StorageUnavailable. */
export function mapStorageError(error: unknown): unknown {
  if (isUniqueViolation(error)) return new UniqueViolation((error as Error).message);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return new StorageUnavailable(code);
  if (error instanceof Error && CONNECTION_MESSAGES.test(error.message)) {
    return new StorageUnavailable(error.message);
  }
  return error;
}
