// Every storage test runs once per database (STYLE: one suite, every dialect): in-memory SQLite
// and a fresh schema in DATABASE_URL's PostgreSQL. forEachDialect owns the opening and closing, so
// a suite says only what it seeds and asserts.
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { createPgSchema } from './pg.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedStorage {
  storage: Storage;
  /** Closes the storage and drops what it made (the PostgreSQL schema). */
  close(): Promise<void>;
}

export interface DialectUnderTest {
  name: Dialect;
  /** Opens a fresh, migrated, empty storage. */
  open(): Promise<OpenedStorage>;
}

export const DIALECTS: readonly DialectUnderTest[] = [
  {
    name: 'sqlite',
    async open() {
      const storage = await createStorage('sqlite::memory:');
      return { storage, close: () => storage.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const s = await createPgSchema();
      const storage = await createStorage(s.url, { pgSchema: s.schema, pgPoolSize: 4 });
      return {
        storage,
        async close() {
          await storage.close();
          await s.drop();
        },
      };
    },
  },
];

export interface ForEachDialectOptions {
  /** 'test' (default): a fresh storage for every test; 'suite': one for the whole describe, seeded in beforeAll. */
  per?: 'test' | 'suite';
}

type Body = (storage: Storage, dialect: DialectUnderTest) => void;

/**
 * `describe('<title> on <dialect>')` once per dialect, with a storage opened before each test (or
 * the suite) and closed after it. `storage` always stands for the one that is open now, so a test
 * reads it like a plain variable; it may be used in hooks and tests, not while the suite is collected.
 */
export function forEachDialect(title: string, body: Body): void;
export function forEachDialect(title: string, options: ForEachDialectOptions, body: Body): void;
export function forEachDialect(title: string, ...args: [Body] | [ForEachDialectOptions, Body]): void {
  const [options, body] = args.length === 1 ? [{}, args[0]] : args;
  describe.each(DIALECTS)(`${title} on $name`, (dialect) => {
    let opened: OpenedStorage | undefined;
    const open = async (): Promise<void> => {
      opened = await dialect.open();
    };
    const close = async (): Promise<void> => {
      await opened?.close();
      opened = undefined;
    };
    if (options.per === 'suite') {
      beforeAll(open);
      afterAll(close);
    } else {
      beforeEach(open);
      afterEach(close);
    }
    body(current(() => opened?.storage), dialect);
  });
}

/**
 * A Storage that forwards every member to the storage open now (our hooks were registered first, so
 * they open it before the suite's own hooks seed it). Keys and descriptors forward too, so code that
 * spreads or wraps a Storage sees the real one.
 */
function current(get: () => Storage | undefined): Storage {
  const open = (key: PropertyKey): Storage => {
    const storage = get();
    if (storage === undefined) throw new Error(`storage.${String(key)}: the dialect's storage is open only inside hooks and tests`);
    return storage;
  };
  return new Proxy({} as Storage, {
    get(_target, key) {
      // Not a thenable, and printable, while nothing is open (await and the runner's printing look these up).
      if (get() === undefined && (key === 'then' || typeof key === 'symbol')) return undefined;
      const storage = open(key);
      const value: unknown = Reflect.get(storage, key, storage);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(storage) : value;
    },
    has: (_target, key) => Reflect.has(open(key), key),
    ownKeys: () => Reflect.ownKeys(open('ownKeys')),
    getOwnPropertyDescriptor(_target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(open(key), key);
      // A proxy may not report a property its (empty) target lacks as non-configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}
