// Wraps Storage so that every successful write publishes the change its caches depend on, naming
// the ids it touched (R3), so every instance drops only those entries. Inside a transaction the
// events wait for the commit (and are dropped on rollback), so no instance reloads a state that
// was never committed. Writes cannot forget to invalidate.
import type { Storage } from '../storage/ports.ts';
import type { ChangeEvent } from './bus.ts';
import { mergeEvents, type ChangeIds, type ChangeKind } from './change-event.ts';

type Publish = (event: ChangeEvent) => void;

type Store = 'tenants' | 'clients' | 'grants' | 'resourceServers' | 'signingKeys' | 'denylist';
type AsyncMethod<S> = { [M in keyof S]: S[M] extends (...args: never[]) => Promise<unknown> ? M : never }[keyof S];
type Args<F> = F extends (...args: infer A) => Promise<unknown> ? A : never;

/**
 * What a write touched, from its arguments. Runs before the write, through the same store (inside
 * the same transaction), so a write by internal id can read the natural keys caches use: a
 * grant's (client, audience), an API's identifier, which a later update never changes.
 */
type Touches<S> = { [M in AsyncMethod<S>]?: (store: S, ...args: Args<S[M]>) => ChangeEvent[] | Promise<ChangeEvent[]> };

const event = (tenantId: string, kind: ChangeKind, ids?: ChangeIds): ChangeEvent => ({ tenantId, kind, ...(ids && { ids }) });

/** Store → write method → the changes it makes. Reads and unlisted writes publish nothing. */
const WRITES: { [S in Store]: Touches<Storage[S]> } = {
  tenants: {
    create: (_s, record) => [event(record.id, 'tenants')],
    update: (_s, id) => [event(id, 'tenants')],
  },
  clients: {
    create: (_s, record) => [event(record.tenantId, 'clients', { clients: [record.clientId] })],
    update: (_s, tenantId, clientId) => [event(tenantId, 'clients', { clients: [clientId] })],
    // The database removes a deleted client's grants with it.
    remove: (_s, tenantId, clientId) => [event(tenantId, 'clients', { clients: [clientId] }), event(tenantId, 'grants', { clients: [clientId] })],
    recordSecretUse: (_s, tenantId, clientId) => [event(tenantId, 'client_usage', { clients: [clientId] })],
  },
  grants: {
    create: (_s, record) => [event(record.tenantId, 'grants', { grants: [{ clientId: record.clientId, audience: record.audience }] })],
    update: async (store, tenantId, id) => grantById(store, tenantId, id),
    remove: async (store, tenantId, id) => grantById(store, tenantId, id),
    removeForClient: (_s, tenantId, clientId) => [event(tenantId, 'grants', { clients: [clientId] })],
    renameAudience: (_s, tenantId, from, to) => [event(tenantId, 'grants', { audiences: [from, to] })],
  },
  resourceServers: {
    create: (_s, record) => [event(record.tenantId, 'resource_servers', { audiences: [record.identifier] })],
    update: async (store, tenantId, id, patch) => apiById(store, tenantId, id, patch.identifier),
    remove: async (store, tenantId, id) => apiById(store, tenantId, id),
  },
  signingKeys: {
    create: (_s, record) => [event(record.tenantId, 'keys')],
    update: (_s, tenantId) => [event(tenantId, 'keys')],
    updateIfState: (_s, tenantId) => [event(tenantId, 'keys')],
  },
  denylist: {
    add: (_s, record) => [event(record.tenantId, 'denylist', { tokens: [{ jti: record.jti, aud: record.aud ?? '' }] })],
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

function wrapStore<S extends Store>(name: S, store: Storage[S], emit: Publish): Storage[S] {
  const touches = WRITES[name] as Record<string, ((store: Storage[S], ...args: unknown[]) => ChangeEvent[] | Promise<ChangeEvent[]>) | undefined>;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const touched = typeof prop === 'string' ? touches[prop] : undefined;
      if (typeof value !== 'function' || !touched) return value;
      return async (...args: unknown[]) => {
        const events = await touched(target, ...args);
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        for (const e of events) emit(e);
        return result;
      };
    },
  });
}

export function notifyingStorage(inner: Storage, publish: Publish): Storage {
  const wrap = (s: Storage, emit: Publish): Storage => ({
    dialect: s.dialect,
    tenants: wrapStore('tenants', s.tenants, emit),
    clients: wrapStore('clients', s.clients, emit),
    grants: wrapStore('grants', s.grants, emit),
    resourceServers: wrapStore('resourceServers', s.resourceServers, emit),
    signingKeys: wrapStore('signingKeys', s.signingKeys, emit),
    denylist: wrapStore('denylist', s.denylist, emit),
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
