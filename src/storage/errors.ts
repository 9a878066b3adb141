// Storage errors mapped at the edge of the storage layer, so callers see domain meanings instead
// of driver codes (SQLite constraint messages, PostgreSQL SQLSTATEs).

export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

export class StorageUnavailable extends Error {
  override name = 'StorageUnavailable';
}

const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || /UNIQUE constraint failed|PRIMARY KEY constraint failed/.test(error.message);
}

/** Wraps a driver error: unique violations become UniqueViolation, lost connections StorageUnavailable. */
export function mapStorageError(error: unknown): unknown {
  if (isUniqueViolation(error)) return new UniqueViolation((error as Error).message);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) return new StorageUnavailable(code);
  if (error instanceof Error && /Connection terminated|database is locked|timeout exceeded when trying to connect/i.test(error.message)) {
    return new StorageUnavailable(error.message);
  }
  return error;
}
