// Private Key JWT storage (issue 15): client credentials and the used client-assertion ids.
import type { Kysely, Selectable } from 'kysely';
import type { AssertionJtiStore, ClientCredentialRecord, ClientCredentialStore } from '../ports.ts';
import { isUniqueViolation } from '../errors.ts';
import type { ClientCredentialsTable, Database } from './schema.ts';

const toRecord = (row: Selectable<ClientCredentialsTable>): ClientCredentialRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  clientId: row.client_id,
  name: row.name,
  kid: row.kid,
  alg: row.alg as ClientCredentialRecord['alg'],
  credentialType: row.credential_type as ClientCredentialRecord['credentialType'],
  pem: row.pem,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at,
});

export function clientCredentialStore(db: Kysely<Database>): ClientCredentialStore {
  const mine = (tenantId: string, clientId: string) => db.selectFrom('client_credentials').where('tenant_id', '=', tenantId).where('client_id', '=', clientId);
  return {
    async list(tenantId, clientId) {
      const rows = await mine(tenantId, clientId).selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async get(tenantId, clientId, id) {
      const row = await mine(tenantId, clientId).selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('client_credentials')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          client_id: r.clientId,
          name: r.name,
          kid: r.kid,
          alg: r.alg,
          credential_type: r.credentialType,
          pem: r.pem,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
          expires_at: r.expiresAt,
        })
        .execute();
    },
    async update(tenantId, clientId, id, patch) {
      const result = await db
        .updateTable('client_credentials')
        .set({ expires_at: patch.expiresAt, updated_at: patch.updatedAt })
        .where('tenant_id', '=', tenantId)
        .where('client_id', '=', clientId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(tenantId, clientId, id) {
      const result = await db.deleteFrom('client_credentials').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function assertionJtiStore(db: Kysely<Database>): AssertionJtiStore {
  return {
    async claim(tenantId, clientId, jti, expiresAt) {
      // The primary key decides: of two instances inserting the same id, one fails.
      try {
        await db.insertInto('assertion_jtis').values({ tenant_id: tenantId, client_id: clientId, jti, expires_at: expiresAt }).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async prune(before) {
      const result = await db.deleteFrom('assertion_jtis').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
