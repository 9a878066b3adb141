// Wraps Storage so that every successful write publishes the change its caches depend on. Inside
// a transaction the events wait for the commit (and are dropped on rollback), so no instance
// reloads a state that was never committed. Writes cannot forget to invalidate.
import type { Storage } from '../storage/ports.ts';
import type { ChangeEvent, ChangeKind } from './bus.ts';

type Publish = (event: ChangeEvent) => void;

/** Store → write method → the kinds of change it makes. */
const WRITES: Record<string, Record<string, ChangeKind[]>> = {
  tenants: { create: ['tenants'], update: ['tenants'] },
  clients: { create: ['clients', 'grants'], update: ['clients', 'grants'], remove: ['clients', 'grants'], recordSecretUse: ['client_usage'] },
  grants: { create: ['grants'], update: ['grants'], remove: ['grants'], removeForClient: ['grants'], renameAudience: ['grants'] },
  resourceServers: { create: ['resource_servers'], update: ['resource_servers'], remove: ['resource_servers'] },
  signingKeys: { create: ['keys'], update: ['keys'], updateIfState: ['keys'] },
  denylist: { add: ['denylist'] },
};

function tenantOf(store: string, args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  const record = first as { tenantId?: string; id?: string };
  return store === 'tenants' ? String(record.id) : String(record.tenantId);
}

function wrapStore<T extends object>(name: string, store: T, emit: Publish): T {
  const spec = WRITES[name];
  if (!spec) return store;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const kinds = typeof prop === 'string' ? spec[prop] : undefined;
      if (typeof value !== 'function' || !kinds) return value;
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const tenantId = tenantOf(name, args);
        for (const kind of kinds) emit({ tenantId, kind });
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
      const seen = new Set<string>();
      for (const e of pending) {
        const key = `${e.tenantId}\n${e.kind}`;
        if (!seen.has(key)) {
          seen.add(key);
          emit(e);
        }
      }
      return result;
    },
    ping: () => s.ping(),
    close: () => s.close(),
  });
  return wrap(inner, publish);
}
