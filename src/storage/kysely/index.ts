// Builds the Storage port on Kysely for SQLite or PostgreSQL.
import { sql, type Kysely } from 'kysely';
import { mapStorageError } from '../errors.ts';
import { migrateToLatest } from '../migrations/index.ts';
import type { MetaStore, Storage } from '../ports.ts';
import { assertionJtiStore, clientCredentialStore } from './client-credentials.ts';
import { clientGrantStore } from './client-grants.ts';
import { clientStore } from './clients.ts';
import { connectionStore } from './connections.ts';
import { mintedTokenStore, tenantAdminStore } from './dashboard.ts';
import { deviceCredentialStore } from './device-credentials.ts';
import { openDatabase, type OpenOptions } from './dialect.ts';
import { resourceServerStore } from './resource-servers.ts';
import type { Database } from './schema.ts';
import { signingKeyStore } from './signing-keys.ts';
import { tenantStore } from './tenants.ts';
import { userStore } from './users.ts';
import { denylistStore } from './denylist.ts';
import { tokenQuotaCounterStore } from './token-quotas.ts';
import { logStore } from './logs.ts';
import { logStreamStore } from './log-streams.ts';
import { loginFailureStore, loginSessionStore, loginTransactionStore } from './login-sessions.ts';
import { authCodeStore, refreshTokenStore } from './login-tokens.ts';

function metaStore(db: Kysely<Database>): MetaStore {
  return {
    async get(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async set(key, value) {
      await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
  };
}

/** Every method of every store maps driver errors (unique violations, lost connections). */
function mapped<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          throw mapStorageError(error);
        }
      };
    },
  });
}

function build(db: Kysely<Database>, dialect: Storage['dialect'], root: Kysely<Database>): Storage {
  const storage: Storage = {
    dialect,
    tenants: mapped(tenantStore(db)),
    clients: mapped(clientStore(db)),
    grants: mapped(clientGrantStore(db)),
    resourceServers: mapped(resourceServerStore(db)),
    signingKeys: mapped(signingKeyStore(db)),
    denylist: mapped(denylistStore(db)),
    logs: mapped(logStore(db)),
    meta: mapped(metaStore(db)),
    connections: mapped(connectionStore(db)),
    users: mapped(userStore(db, dialect)),
    deviceCredentials: mapped(deviceCredentialStore(db)),
    loginTransactions: mapped(loginTransactionStore(db)),
    loginSessions: mapped(loginSessionStore(db)),
    authCodes: mapped(authCodeStore(db)),
    refreshTokens: mapped(refreshTokenStore(db)),
    loginFailures: mapped(loginFailureStore(db)),
    tenantAdmins: mapped(tenantAdminStore(db)),
    mintedTokens: mapped(mintedTokenStore(db)),
    logStreams: mapped(logStreamStore(db)),
    clientCredentials: mapped(clientCredentialStore(db)),
    assertionJtis: mapped(assertionJtiStore(db)),
    tokenQuotaCounters: mapped(tokenQuotaCounterStore(db)),
    async transaction(work) {
      if (db !== root) return work(storage); // already inside one: join it
      try {
        return await root.transaction().execute((tx) => work(build(tx, dialect, root)));
      } catch (error) {
        throw mapStorageError(error);
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(root);
      } catch (error) {
        throw mapStorageError(error);
      }
    },
    async close() {
      await root.destroy();
    },
  };
  return storage;
}

export interface CreateStorageOptions extends OpenOptions {
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

export async function createStorage(url: string, options: CreateStorageOptions = {}): Promise<Storage> {
  const { db, dialect } = await openDatabase(url, options);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db as unknown as Kysely<unknown>, dialect);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return build(db, dialect, db);
}
