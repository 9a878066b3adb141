import type { Kysely, Selectable } from 'kysely';
import type { SigningKeyRecord, SigningKeyState, SigningKeyStore } from '../ports.ts';
import type { Database, SigningKeysTable } from './schema.ts';

const toRecord = (row: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  tenantId: row.tenant_id,
  kid: row.kid,
  alg: 'RS256',
  state: row.state as SigningKeyState,
  privateSealed: row.private_sealed,
  publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
  cert: row.cert,
  createdAt: row.created_at,
  currentSince: row.current_since,
  currentUntil: row.current_until,
  revokedAt: row.revoked_at,
});

export function signingKeyStore(db: Kysely<Database>): SigningKeyStore {
  type Patch = Parameters<SigningKeyStore['update']>[2];
  const updateWhere = async (tenantId: string, kid: string, from: SigningKeyState | undefined, patch: Patch): Promise<boolean> => {
    let q = db
      .updateTable('signing_keys')
      .set({
        ...(patch.state !== undefined ? { state: patch.state } : {}),
        ...(patch.currentSince !== undefined ? { current_since: patch.currentSince } : {}),
        ...(patch.currentUntil !== undefined ? { current_until: patch.currentUntil } : {}),
        ...(patch.revokedAt !== undefined ? { revoked_at: patch.revokedAt } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('kid', '=', kid);
    if (from !== undefined) q = q.where('state', '=', from);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  };
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('kid').execute();
      return rows.map(toRecord);
    },
    async create(r) {
      await db
        .insertInto('signing_keys')
        .values({
          tenant_id: r.tenantId,
          kid: r.kid,
          alg: r.alg,
          state: r.state,
          private_sealed: r.privateSealed,
          public_jwk: JSON.stringify(r.publicJwk),
          cert: r.cert,
          created_at: r.createdAt,
          current_since: r.currentSince,
          current_until: r.currentUntil,
          revoked_at: r.revokedAt,
        })
        .execute();
    },
    update: (tenantId, kid, patch) => updateWhere(tenantId, kid, undefined, patch),
    updateIfState: (tenantId, kid, from, patch) => updateWhere(tenantId, kid, from, patch),
  };
}
