import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { ClientGrantRecord, ClientGrantStore, GrantFilter, GrantListKey } from '../ports.ts';
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

/** Values per `IN (...)` or pairs per `OR` (well under both dialects' bound-parameter limits). */
const PER_QUERY = 200;
/** Keys per query of a full load. */
const KEYS_PER_QUERY = 10_000;
const KEY_COLUMNS = ['id', 'created_at', 'client_id', 'audience', 'subject_type', 'allow_any_organization'] as const;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PER_QUERY) out.push(items.slice(i, i + PER_QUERY));
  return out;
}

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
    async listKeys(tenantId, selection) {
      // Audiences repeat across grants: one string each, not one per row.
      const audiences = new Map<string, string>();
      const toKey = (row: Pick<Selectable<ClientGrantsTable>, (typeof KEY_COLUMNS)[number]>): GrantListKey => {
        let audience = audiences.get(row.audience);
        if (audience === undefined) audiences.set(row.audience, (audience = row.audience));
        return {
          id: row.id,
          createdAt: row.created_at,
          clientId: row.client_id,
          audience,
          subjectType: row.subject_type === 'user' ? 'user' : 'client',
          allowAnyOrganization: Number(row.allow_any_organization) === 1,
        };
      };
      const base = db.selectFrom('client_grants').select(KEY_COLUMNS).where('tenant_id', '=', tenantId);
      if (!selection) {
        // In chunks, by keyset: a load of 100,000 keys never holds 100,000 driver rows at once.
        const keys: GrantListKey[] = [];
        for (let after: GrantListKey | undefined; ; ) {
          const last = after;
          const q = last ? base.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(last.createdAt, last.id))) : base;
          const rows = await q.orderBy('created_at').orderBy('id').limit(KEYS_PER_QUERY).execute();
          for (const row of rows) keys.push(toKey(row));
          after = keys.at(-1);
          if (rows.length < KEYS_PER_QUERY) return keys;
        }
      }
      const found = new Map<string, GrantListKey>();
      const add = (rows: Pick<Selectable<ClientGrantsTable>, (typeof KEY_COLUMNS)[number]>[]) => {
        for (const row of rows) found.set(row.id, toKey(row));
      };
      for (const ids of chunks(selection.clientIds)) add(await base.where('client_id', 'in', ids).execute());
      for (const ids of chunks(selection.audiences)) add(await base.where('audience', 'in', ids).execute());
      for (const pairs of chunks(selection.pairs)) {
        add(await base.where((eb) => eb.or(pairs.map((p) => eb.and([eb('client_id', '=', p.clientId), eb('audience', '=', p.audience)])))).execute());
      }
      return [...found.values()];
    },
    async listVersion(tenantId) {
      const row = await db
        .selectFrom('client_grants')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('created_at').as('created')])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return `${Number(row.n)} ${row.created ?? ''}`;
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
