// What a change touched, as every instance hears it (R3: invalidate only what a change touches).
// An event names its tenant, its kind and, when it can, the ids it touched; a cache drops only
// those entries and the derived lists that contain them. An event without ids (from an instance
// that predates them, or a change too broad to name) drops the whole kind, so the format stays
// tolerant both ways: an older instance ignores the ids, a newer one treats their absence as
// "everything".

/** `client_usage`: which secret a client last used (bookkeeping: drops list views only). */
export type ChangeKind = 'tenants' | 'clients' | 'client_usage' | 'grants' | 'resource_servers' | 'keys' | 'denylist';

export const CHANGE_KINDS: ReadonlySet<ChangeKind> = new Set(['tenants', 'clients', 'client_usage', 'grants', 'resource_servers', 'keys', 'denylist']);

/** One client grant as the token endpoint looks it up. */
export interface GrantKey {
  clientId: string;
  audience: string;
}

/** A denylist entry; `aud` '' stands for "any audience". */
export interface DeniedToken {
  jti: string;
  aud: string;
}

/** The ids a change touched. Which fields a kind uses is fixed; the others stay absent. */
export interface ChangeIds {
  /** clients, client_usage: these applications. grants: every grant of these applications. */
  clients?: string[];
  /** resource_servers: these identifiers. grants: every grant for these audiences. */
  audiences?: string[];
  /** grants: these (application, audience) grants. */
  grants?: GrantKey[];
  /** denylist: these entries (added; entries are never removed by a write). */
  tokens?: DeniedToken[];
}

export interface ChangeEvent {
  tenantId: string;
  kind: ChangeKind;
  /** Absent: everything of this kind in this tenant. */
  ids?: ChangeIds;
}

/** Past this many ids an event names the whole kind (a NOTIFY payload holds at most 8000 bytes). */
export const MAX_IDS = 64;

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const pairs = <K extends string>(v: unknown, a: K, b: K): v is Record<K, string>[] =>
  Array.isArray(v) && v.every((p) => p !== null && typeof p === 'object' && typeof (p as Record<K, unknown>)[a] === 'string' && typeof (p as Record<K, unknown>)[b] === 'string');

/** The ids of an event heard from elsewhere; anything malformed means "everything" (fail closed). */
function parseIds(value: unknown): ChangeIds | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const ids: ChangeIds = {};
  if (v.clients !== undefined) {
    if (!strings(v.clients)) return undefined;
    ids.clients = v.clients;
  }
  if (v.audiences !== undefined) {
    if (!strings(v.audiences)) return undefined;
    ids.audiences = v.audiences;
  }
  if (v.grants !== undefined) {
    if (!pairs(v.grants, 'clientId', 'audience')) return undefined;
    ids.grants = v.grants.map(({ clientId, audience }) => ({ clientId, audience }));
  }
  if (v.tokens !== undefined) {
    if (!pairs(v.tokens, 'jti', 'aud')) return undefined;
    ids.tokens = v.tokens.map(({ jti, aud }) => ({ jti, aud }));
  }
  return ids;
}

/** A change event from another process, or undefined when it is not one. */
export function parseEvent(value: unknown): ChangeEvent | undefined {
  const e = value as Partial<Record<keyof ChangeEvent, unknown>> | null;
  if (!e || typeof e.tenantId !== 'string' || typeof e.kind !== 'string' || !CHANGE_KINDS.has(e.kind as ChangeKind)) return undefined;
  const ids = e.ids === undefined ? undefined : parseIds(e.ids);
  return { tenantId: e.tenantId, kind: e.kind as ChangeKind, ...(ids && { ids }) };
}

function count(ids: ChangeIds): number {
  return (ids.clients?.length ?? 0) + (ids.audiences?.length ?? 0) + (ids.grants?.length ?? 0) + (ids.tokens?.length ?? 0);
}

/**
 * One event per (tenant, kind) carrying the union of the ids (a transaction's writes, published at
 * its commit). Any event without ids, or a union past MAX_IDS, makes the result name the whole kind.
 */
export function mergeEvents(events: readonly ChangeEvent[]): ChangeEvent[] {
  const merged = new Map<string, ChangeEvent>();
  for (const e of events) {
    const key = `${e.tenantId}\n${e.kind}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { tenantId: e.tenantId, kind: e.kind, ...(e.ids && { ids: { ...e.ids } }) });
      continue;
    }
    if (!seen.ids || !e.ids) {
      delete seen.ids;
      continue;
    }
    const into = seen.ids;
    if (e.ids.clients) into.clients = [...new Set([...(into.clients ?? []), ...e.ids.clients])];
    if (e.ids.audiences) into.audiences = [...new Set([...(into.audiences ?? []), ...e.ids.audiences])];
    if (e.ids.grants) into.grants = [...(into.grants ?? []), ...e.ids.grants];
    if (e.ids.tokens) into.tokens = [...(into.tokens ?? []), ...e.ids.tokens];
    if (count(into) > MAX_IDS) delete seen.ids;
  }
  return [...merged.values()];
}
