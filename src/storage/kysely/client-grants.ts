import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { ClientGrantRecord, ClientGrantStore, GrantFilter } from '../ports.ts';
import type { ClientGrantsTable, Database } from './schema.ts';

const toRecord = (row: Selectable<ClientGrantsTable>): ClientGrantRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  clientId: row.client_id,
  audience: row.audience,
  subjectType: row.subject_type === 'user' ? 'user' : 'client',
  scope: JSON.parse(row.scope) as string[],
  extra: JSON.parse(row.extra) as Record<string, unknown>,
  createdAt: row.created_at,
});

type GrantQuery = SelectQueryBuilder<Database, 'client_grants', object>;

function filtered(db: Kysely<Database>, tenantId: string, f: GrantFilter): GrantQuery {
  let q: GrantQuery = db.selectFrom('client_grants').where('tenant_id', '=', tenantId);
  if (f.clientId !== undefined) q = q.where('client_id', '=', f.clientId);
  if (f.audience !== undefined) q = q.where('audience', '=', f.audience);
  if (f.subjectType !== undefined) q = q.where('subject_type', '=', f.subjectType);
  if (f.allowAnyOrganization !== undefined) q = q.where('allow_any_organization', '=', f.allowAnyOrganization ? 1 : 0);
  return q;
}

export function clientGrantStore(db: Kysely<Database>): ClientGrantStore {
  return {
    async list(tenantId, filter, page) {
      const q = filtered(db, tenantId, filter);
      const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
      const result: { items: ClientGrantRecord[]; total?: number } = { items: rows.map(toRecord) };
      if (page.withTotal) {
        const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        result.total = Number(n);
      }
      return result;
    },
    async listAfter(tenantId, filter, after, limit) {
      let q = filtered(db, tenantId, filter);
      if (after) {
        // Row-value comparison: the (tenant, created_at, id) index seeks straight to it (issue 13).
        q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
      }
      const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(limit).execute();
      return rows.map(toRecord);
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('client_grants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async find(tenantId, clientId, audience, subjectType) {
      const row = await filtered(db, tenantId, { clientId, audience, subjectType }).selectAll().executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('client_grants')
        .values({
          tenant_id: r.tenantId,
          id: r.id,
          client_id: r.clientId,
          audience: r.audience,
          subject_type: r.subjectType,
          allow_any_organization: r.extra.allow_any_organization === true ? 1 : 0,
          scope: JSON.stringify(r.scope),
          extra: JSON.stringify(r.extra),
          created_at: r.createdAt,
        })
        .execute();
    },
    async update(tenantId, id, patch) {
      const result = await db
        .updateTable('client_grants')
        .set({
          ...(patch.scope ? { scope: JSON.stringify(patch.scope) } : {}),
          ...(patch.extra ? { extra: JSON.stringify(patch.extra), allow_any_organization: patch.extra.allow_any_organization === true ? 1 : 0 } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('client_grants').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeForClient(tenantId, clientId) {
      const result = await db.deleteFrom('client_grants').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async renameAudience(tenantId, from, to) {
      await db.updateTable('client_grants').set({ audience: to }).where('tenant_id', '=', tenantId).where('audience', '=', from).execute();
    },
  };
}
