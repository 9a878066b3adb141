// Storage port for token quotas (issue 15): counters of client-credentials tokens per (tenant,
// bucket, window), shared by every instance on the database. Used when Redis is not configured, and
// while it is unreachable, so several instances on one database never count only per process.

export interface TokenQuotaCounterStore {
  /**
   * Adds one to the counter of `bucket` in the window starting at `windowStart` (ISO 8601),
   * atomically across instances, and returns the count after it. `expiresAt`: when the row may go.
   */
  increment(tenantId: string, bucket: string, windowStart: string, expiresAt: string): Promise<number>;
  /** Deletes counters of windows that ended before `before`; how many. */
  prune(before: string): Promise<number>;
}
