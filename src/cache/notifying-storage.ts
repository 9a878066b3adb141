// Wraps Storage so that every successful write publishes the change its caches depend on, naming
// the ids it touched (R3), so every instance drops only those entries. Inside a transaction the
// events wait for the commit (and are dropped on rollback), so no instance reloads a state that
// was never committed. Every method of a cached store is classified in a table the compiler checks
// against the port, so a new or renamed write cannot slip through without saying what it touches.
import type { Storage } from '../storage/ports.ts';
import type { ChangeEvent } from './bus.ts';
import { mergeEvents, type ChangeIds, type ChangeKind } from './change-event.ts';

type Publish = (event: ChangeEvent) => void;

/** What a write touched, from its arguments (see WRITES). */
type Touches<S, A extends unknown[]> = (store: S, ...args: A) => ChangeEvent[] | Promise<ChangeEvent[]>;

/**
 * Every method of a store, classified: `read` (publishes nothing), `unseen` (a write whose result
 * no cache holds; publishes nothing, the table says why) or, for a write, the changes it makes.
 * Keyed by the port's own method names, so a method added to a port, or renamed, fails to compile
 * until it is classified here (test/unit/notifying-storage-plan.test.ts proves it).
 */
export type StorePlan<S> = {
  readonly [M in keyof S]-?: S[M] extends (...args: infer A) => Promise<unknown> ? 'read' | 'unseen' | Touches<S, A> : never;
};

/** The stores some cache reads from; every other store is passed through unwrapped. */
type CachedStore = 'tenants' | 'clients' | 'grants' | 'resourceServers' | 'signingKeys' | 'denylist';

const event = (tenantId: string, kind: ChangeKind, ids?: ChangeIds): ChangeEvent => ({ tenantId, kind, ...(ids && { ids }) });

/**
 * Store → method → read, or the changes a write makes. A write's touches run before the write,
 * through the same store (inside the same transaction), so a write by internal id can read the
 * natural keys caches use: a grant's (client, audience), an API's identifier, which a later update
 * never changes.
 */
const WRITES: { readonly [S in CachedStore]: StorePlan<Storage[S]> } = {
  tenants: {
    list: 'read',
    get: 'read',
    getByDomain: 'read',
    getByName: 'read',
    create: (_s, record) => [event(record.id, 'tenants')],
    update: (_s, id) => [event(id, 'tenants')],
  },
  clients: {
    list: 'read',
    listAfter: 'read',
    listKeys: 'read',
    listVersion: 'read',
    get: 'read',
    create: (_s, record) => [event(record.tenantId, 'clients', { clients: [record.clientId] })],
    update: (_s, tenantId, clientId) => [event(tenantId, 'clients', { clients: [clientId] })],
    // The database removes a deleted client's grants with it.
    remove: (_s, tenantId, clientId) => [event(tenantId, 'clients', { clients: [clientId] }), event(tenantId, 'grants', { clients: [clientId] })],
    recordSecretUse: (_s, tenantId, clientId) => [event(tenantId, 'client_usage', { clients: [clientId] })],
  },
  grants: {
    list: 'read',
    listAfter: 'read',
    listKeys: 'read',
    listVersion: 'read',
    get: 'read',
    find: 'read',
    create: (_s, record) => [event(record.tenantId, 'grants', { grants: [{ clientId: record.clientId, audience: record.audience }] })],
    update: async (store, tenantId, id) => grantById(store, tenantId, id),
    remove: async (store, tenantId, id) => grantById(store, tenantId, id),
    removeForClient: (_s, tenantId, clientId) => [event(tenantId, 'grants', { clients: [clientId] })],
    renameAudience: (_s, tenantId, from, to) => [event(tenantId, 'grants', { audiences: [from, to] })],
  },
  resourceServers: {
    list: 'read',
    get: 'read',
    getByIdentifier: 'read',
    create: (_s, record) => [event(record.tenantId, 'resource_servers', { audiences: [record.identifier] })],
    update: async (store, tenantId, id, patch) => apiById(store, tenantId, id, patch.identifier),
    remove: async (store, tenantId, id) => apiById(store, tenantId, id),
  },
  signingKeys: {
    list: 'read',
    create: (_s, record) => [event(record.tenantId, 'keys')],
    update: (_s, tenantId) => [event(tenantId, 'keys')],
    updateIfState: (_s, tenantId) => [event(tenantId, 'keys')],
  },
  denylist: {
    add: (_s, record) => [event(record.tenantId, 'denylist', { tokens: [{ jti: record.jti, aud: record.aud ?? '' }] })],
    list: 'read',
    // The cache holds which (jti, aud) are listed, not until when.
    setExpiry: 'unseen',
    // Entries of expired tokens: a cached copy refuses nothing that is still valid (gone at the next resync).
    prune: 'unseen',
  },
};

async function grantById(store: Storage['grants'], tenantId: string, id: string): Promise<ChangeEvent[]> {
  const grant = await store.get(tenantId, id);
  return grant ? [event(tenantId, 'grants', { grants: [{ clientId: grant.clientId, audience: grant.audience }] })] : [];
}

async function apiById(store: Storage['resourceServers'], tenantId: string, id: string, renamedTo?: string): Promise<ChangeEvent[]> {
  const api = await store.get(tenantId, id);
  const identifiers = [...(api ? [api.identifier] : []), ...(renamedTo !== undefined ? [renamedTo] : [])];
  return identifiers.length > 0 ? [event(tenantId, 'resource_servers', { audiences: identifiers })] : [];
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/** `store` with each write publishing what `plan` says it touched, once it has succeeded. */
function wrapStore<S extends object>(store: S, plan: StorePlan<S>, emit: Publish): S {
  const methods = store as Record<string, AnyMethod>;
  const wrapped: Record<string, AnyMethod> = {};
  for (const [name, how] of Object.entries<'read' | 'unseen' | Touches<S, unknown[]>>(plan)) {
    // The store's method is looked up at each call, as a Proxy would: nothing is bound at wrap time.
    wrapped[name] =
      typeof how === 'function'
        ? async (...args) => {
            const events = await how(store, ...args);
            const result = await methods[name]!(...args);
            for (const e of events) emit(e);
            return result;
          }
        : (...args) => methods[name]!(...args);
  }
  // The plan names exactly the port's methods (StorePlan is a mapped type over them).
  return wrapped as S;
}

export function notifyingStorage(inner: Storage, publish: Publish): Storage {
  const wrap = (s: Storage, emit: Publish): Storage => ({
    dialect: s.dialect,
    tenants: wrapStore(s.tenants, WRITES.tenants, emit),
    clients: wrapStore(s.clients, WRITES.clients, emit),
    grants: wrapStore(s.grants, WRITES.grants, emit),
    resourceServers: wrapStore(s.resourceServers, WRITES.resourceServers, emit),
    signingKeys: wrapStore(s.signingKeys, WRITES.signingKeys, emit),
    denylist: wrapStore(s.denylist, WRITES.denylist, emit),
    // No cache reads these: they pass through unwrapped.
    logs: s.logs,
    meta: s.meta,
    connections: s.connections,
    users: s.users,
    deviceCredentials: s.deviceCredentials,
    loginTransactions: s.loginTransactions,
    loginSessions: s.loginSessions,
    authCodes: s.authCodes,
    refreshTokens: s.refreshTokens,
    loginFailures: s.loginFailures,
    tenantAdmins: s.tenantAdmins,
    mintedTokens: s.mintedTokens,
    logStreams: s.logStreams,
    // Read from the database at each client assertion: a deleted or expired credential is refused at once, everywhere.
    clientCredentials: s.clientCredentials,
    assertionJtis: s.assertionJtis,
    tokenQuotaCounters: s.tokenQuotaCounters,
    async transaction(work) {
      const pending: ChangeEvent[] = [];
      const result = await s.transaction((tx) => work(wrap(tx, (e) => pending.push(e))));
      for (const e of mergeEvents(pending)) emit(e);
      return result;
    },
    ping: () => s.ping(),
    close: () => s.close(),
  });
  return wrap(inner, publish);
}
