import { sql, type Kysely } from 'kysely';
import type { TokenQuotaCounterStore } from '../ports.ts';
import type { Database } from './schema.ts';

export function tokenQuotaCounterStore(db: Kysely<Database>): TokenQuotaCounterStore {
  return {
    async increment(tenantId, bucket, windowStart, expiresAt) {
      // One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING) on both dialects: atomic, so
      // parallel requests on several instances each see their own place in the count.
      const row = await db
        .insertInto('token_quota_counters')
        .values({ tenant_id: tenantId, bucket, window_start: windowStart, issued: 1, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'bucket', 'window_start']).doUpdateSet({ issued: sql<number>`token_quota_counters.issued + 1` }))
        .returning('issued')
        .executeTakeFirstOrThrow();
      return Number(row.issued);
    },
    async prune(before) {
      const result = await db.deleteFrom('token_quota_counters').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
