import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { ClientData } from '../../schemas/client.ts';
import type { ClientFilter, ClientListKey, ClientRecord, ClientStore, SecretUse } from '../ports.ts';
import type { ClientsTable, Database } from './schema.ts';

const toRecord = (row: Selectable<ClientsTable>): ClientRecord => ({
  tenantId: row.tenant_id,
  clientId: row.client_id,
  data: JSON.parse(row.data) as ClientData,
  secretSealed: row.secret_sealed,
  secretMac: row.secret_mac,
  previousSecretMac: row.previous_secret_mac,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  secretLastUsed: parseUses(row.secret_last_used),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The stored uses: a list of {mac, at}. A value written before issue 14 ({secret, at}) said only
 * "current" or "previous", which a later rotation made wrong: it is read as no record.
 */
function parseUses(text: string | null): SecretUse[] | null {
  if (!text) return null;
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return null;
  return value.filter((u): u is SecretUse => typeof u === 'object' && u !== null && typeof (u as SecretUse).mac === 'string' && typeof (u as SecretUse).at === 'string');
}

/** Columns kept beside the JSON document so that lists can filter on them. */
const indexed = (data: ClientData) => ({
  name: data.name,
  app_type: data.app_type ?? null,
  is_global: data.global ? 1 : 0,
  is_first_party: data.is_first_party === false ? 0 : 1,
});

/** Ids per `IN (...)` (well under SQLite's and PostgreSQL's bound-parameter limits). */
const IDS_PER_QUERY = 500;
/** Keys per query of a full load. */
const KEYS_PER_QUERY = 10_000;

const KEY_COLUMNS = ['client_id', 'created_at', 'app_type', 'is_global', 'is_first_party', 'previous_secret_expires_at'] as const;

const toKey = (row: Pick<Selectable<ClientsTable>, (typeof KEY_COLUMNS)[number]>): ClientListKey => ({
  clientId: row.client_id,
  createdAt: row.created_at,
  appType: row.app_type,
  isGlobal: Number(row.is_global) === 1,
  isFirstParty: Number(row.is_first_party) === 1,
  previousSecretExpiresAt: row.previous_secret_expires_at,
});

type ClientQuery = SelectQueryBuilder<Database, 'clients', object>;

function filtered(db: Kysely<Database>, tenantId: string, filter: ClientFilter): ClientQuery {
  let q: ClientQuery = db.selectFrom('clients').where('tenant_id', '=', tenantId);
  if (filter.isGlobal !== undefined) q = q.where('is_global', '=', filter.isGlobal ? 1 : 0);
  if (filter.isFirstParty !== undefined) q = q.where('is_first_party', '=', filter.isFirstParty ? 1 : 0);
  if (filter.appTypes?.length) q = q.where('app_type', 'in', filter.appTypes);
  return q;
}

export function clientStore(db: Kysely<Database>): ClientStore {
  return {
    async list(tenantId, filter, page) {
      const q = filtered(db, tenantId, filter);
      const rows = await q.selectAll().orderBy('created_at').orderBy('client_id').limit(page.limit).offset(page.offset).execute();
      const result: { items: ClientRecord[]; total?: number } = { items: rows.map(toRecord) };
      if (page.withTotal) {
        const { n } = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        result.total = Number(n);
      }
      return result;
    },
    async listAfter(tenantId, filter, after, limit) {
      let q = filtered(db, tenantId, filter);
      if (after) {
        // A row-value comparison: both SQLite and PostgreSQL seek the (tenant, created_at, client_id)
        // index to it, so a page deep in the list costs what the first one does.
        q = q.where((eb) => eb(eb.refTuple('created_at', 'client_id'), '>', eb.tuple(after.createdAt, after.id)));
      }
      const rows = await q.selectAll().orderBy('created_at').orderBy('client_id').limit(limit).execute();
      return rows.map(toRecord);
    },
    async listKeys(tenantId, clientIds) {
      const base = db.selectFrom('clients').select(KEY_COLUMNS).where('tenant_id', '=', tenantId);
      if (!clientIds) {
        // In chunks, by keyset: the rows of one chunk are garbage before the next is read, so a
        // load of 100,000 keys never holds 100,000 driver rows at once (peak RSS).
        const keys: ClientListKey[] = [];
        for (let after: ClientListKey | undefined; ; ) {
          const last = after;
          const q = last ? base.where((eb) => eb(eb.refTuple('created_at', 'client_id'), '>', eb.tuple(last.createdAt, last.clientId))) : base;
          const rows = await q.orderBy('created_at').orderBy('client_id').limit(KEYS_PER_QUERY).execute();
          for (const row of rows) keys.push(toKey(row));
          after = keys.at(-1);
          if (rows.length < KEYS_PER_QUERY) return keys;
        }
      }
      const keys: ClientListKey[] = [];
      for (let i = 0; i < clientIds.length; i += IDS_PER_QUERY) {
        const ids = clientIds.slice(i, i + IDS_PER_QUERY);
        if (ids.length > 0) keys.push(...(await base.where('client_id', 'in', ids).execute()).map(toKey));
      }
      return keys;
    },
    async listVersion(tenantId) {
      const row = await db
        .selectFrom('clients')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('created_at').as('created'), eb.fn.max('updated_at').as('updated')])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return `${Number(row.n)} ${row.created ?? ''} ${row.updated ?? ''}`;
    },
    async get(tenantId, clientId) {
      const row = await db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return row && toRecord(row);
    },
    async create(r) {
      await db
        .insertInto('clients')
        .values({
          tenant_id: r.tenantId,
          client_id: r.clientId,
          ...indexed(r.data),
          data: JSON.stringify(r.data),
          secret_sealed: r.secretSealed,
          secret_mac: r.secretMac,
          previous_secret_mac: r.previousSecretMac ?? null,
          previous_secret_expires_at: r.previousSecretExpiresAt ?? null,
          secret_last_used: r.secretLastUsed ? JSON.stringify(r.secretLastUsed) : null,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        })
        .execute();
    },
    async update(tenantId, clientId, patch, ifSecretMac) {
      let q = db
        .updateTable('clients')
        .set({
          ...(patch.data ? { ...indexed(patch.data), data: JSON.stringify(patch.data) } : {}),
          ...(patch.secretSealed !== undefined ? { secret_sealed: patch.secretSealed } : {}),
          ...(patch.secretMac !== undefined ? { secret_mac: patch.secretMac } : {}),
          ...(patch.previousSecretMac !== undefined ? { previous_secret_mac: patch.previousSecretMac } : {}),
          ...(patch.previousSecretExpiresAt !== undefined ? { previous_secret_expires_at: patch.previousSecretExpiresAt } : {}),
          ...(patch.updatedAt !== undefined ? { updated_at: patch.updatedAt } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('client_id', '=', clientId);
      // Compare-and-set on the secret: of two rotations that read the same secret, one wins.
      if (ifSecretMac !== undefined) q = ifSecretMac === null ? q.where('secret_mac', 'is', null) : q.where('secret_mac', '=', ifSecretMac);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async recordSecretUse(tenantId, clientId, use) {
      // Read, merge, write if the secrets are still the ones read (a rotation in between: read again).
      for (let attempt = 0; attempt < 3; attempt++) {
        const row = await db
          .selectFrom('clients')
          .select(['secret_mac', 'previous_secret_mac', 'secret_last_used'])
          .where('tenant_id', '=', tenantId)
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        if (!row) return;
        const held = new Set([row.secret_mac, row.previous_secret_mac].filter((m): m is string => m !== null));
        if (!held.has(use.mac)) return;
        const kept = (parseUses(row.secret_last_used) ?? []).filter((u) => held.has(u.mac) && u.mac !== use.mac);
        const before = parseUses(row.secret_last_used)?.find((u) => u.mac === use.mac);
        const latest = before && before.at > use.at ? before : use;
        let q = db
          .updateTable('clients')
          .set({ secret_last_used: JSON.stringify([...kept, { mac: latest.mac, at: latest.at }]) })
          .where('tenant_id', '=', tenantId)
          .where('client_id', '=', clientId);
        q = row.secret_mac === null ? q.where('secret_mac', 'is', null) : q.where('secret_mac', '=', row.secret_mac);
        q = row.previous_secret_mac === null ? q.where('previous_secret_mac', 'is', null) : q.where('previous_secret_mac', '=', row.previous_secret_mac);
        if (Number((await q.executeTakeFirst()).numUpdatedRows) > 0) return;
      }
    },
    async remove(tenantId, clientId) {
      const result = await db.deleteFrom('clients').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
