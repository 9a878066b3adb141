// A database outage for in-process tests: the storage below the caches starts failing every call
// the way the real driver's failures are mapped (StorageUnavailable), and comes back on demand.
// The real thing (a PostgreSQL cluster stopped under two server processes) is in
// test/reliability/pg-outage.test.ts; this one lets the cache rules be checked entry by entry.
import { StorageUnavailable } from '../../src/storage/errors.ts';
import type { Storage } from '../../src/storage/ports.ts';

export interface SwitchableStorage {
  storage: Storage;
  down(): void;
  up(): void;
  /** Calls that reached the database since the last reset (loads the cache had to make). */
  calls: string[];
}

export function switchableStorage(inner: Storage): SwitchableStorage {
  let isDown = false;
  const calls: string[] = [];
  const guard = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          if (isDown) throw new StorageUnavailable('ECONNREFUSED');
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
  const wrap = (s: Storage): Storage => {
    const out = { dialect: s.dialect } as Record<string, unknown>;
    for (const [key, value] of Object.entries(s)) {
      if (key !== 'dialect' && typeof value === 'object' && value !== null) out[key] = guard(key, value);
    }
    out.transaction = async <T>(work: (tx: Storage) => Promise<T>): Promise<T> => {
      if (isDown) throw new StorageUnavailable('ECONNREFUSED');
      return s.transaction((tx) => work(wrap(tx)));
    };
    out.ping = async () => {
      if (isDown) throw new StorageUnavailable('ECONNREFUSED');
      return s.ping();
    };
    out.close = () => s.close();
    return out as unknown as Storage;
  };
  return {
    storage: wrap(inner),
    down: () => void (isDown = true),
    up: () => void (isDown = false),
    calls,
  };
}
