// Seeds a tenant to scale directly through the storage layer: applications and grants through the
// stores themselves (real sealed secrets, the stores' own row mapping) in transactions of a few
// thousand; users and log events as bulk rows of the tables' own types, in big batches (SQLite:
// multi-row INSERTs inside transactions; PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per
// batch, the next batch built while the database writes the previous one). Everything is
// deterministic except ids and secrets, so the bench knows which rows sit at which position.
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import { DEFAULT_CONNECTION_NAME } from '../../src/domain/connections.ts';
import { newClientId, newClientSecret, newGrantId, newResourceServerId } from '../../src/domain/ids.ts';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import type { Envelope } from '../../src/crypto/envelope.ts';
import { newClientData } from '../../src/management/client-view.ts';
import { openDatabase } from '../../src/storage/kysely/dialect.ts';
import type { Database, LogsTable, UsersTable } from '../../src/storage/kysely/schema.ts';
import { fold } from '../../src/storage/kysely/user-search.ts';
import type { Storage } from '../../src/storage/ports.ts';
import type { Sizes } from './settings.ts';

export type Dialect = 'sqlite' | 'postgres';

/** What the measurements need to know about the seeded data. */
export interface SeedInfo {
  sizes: Sizes;
  /** Seconds per kind of row. */
  seconds: Record<'clients' | 'grants' | 'users' | 'logs' | 'analyze', number>;
  /** Seeded applications in list order (created_at, client_id): [createdAt, clientId]. */
  clientKeys: [string, string][];
  /** log_id of the seeded event at each tenth of the log (0 %, 10 %, … 90 %). */
  logIdAtTenth: string[];
  logDates: { first: string; last: string };
  apiIdentifier: string;
}

// Dates are in the past, before anything the server itself writes, so the seeded rows come first.
const CLIENTS_FROM = Date.parse('2024-01-01T00:00:00.000Z');
const USERS_FROM = Date.parse('2024-01-01T00:00:00.000Z');
// Log events fill the 27 days up to an hour ago: inside the default 30-day retention, which the
// server prunes at start and hourly, and older than anything the server writes itself.
const LOGS_SPAN_MS = 27 * 86_400_000;
const LOGS_FROM = Math.floor((Date.now() - 3_600_000 - LOGS_SPAN_MS) / 1000) * 1000;

const APP_TYPES = ['non_interactive', 'regular_web', 'spa', 'native'] as const;
// Several names start with "jo" (about 1 in 8 users), as a name prefix search finds in real tenants.
const FIRST = ['John', 'Joan', 'Jordan', 'Joseph', 'Josephine', 'Joel', 'Anna', 'Maria', 'Peter', 'Paul', 'Lucy', 'Mark', 'Sarah', 'David', 'Emma', 'Olivia', 'Liam', 'Noah', 'Ava', 'Mia', 'Ethan', 'Lucas', 'Amelia', 'Harper', 'Ella', 'Chloe', 'Leo', 'Zoe', 'Ivan', 'Yuki', 'Amir', 'Fatima', 'Chen', 'Priya', 'Sofia', 'Mateo', 'Aiko', 'Omar', 'Nina', 'Hugo', 'Elif', 'Kofi', 'Lena', 'Tomas', 'Ines', 'Rafael', 'Greta', 'Sven'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Miller', 'Davis', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Martin', 'Lee', 'Perez', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Torres', 'Parker', 'Collins', 'Edwards', 'Stewart', 'Flores', 'Morris', 'Nguyen', 'Murphy', 'Rivera', 'Cook', 'Rogers', 'Morgan', 'Peterson', 'Cooper', 'Reed', 'Bailey', 'Bell', 'Gomez', 'Kelly', 'Howard', 'Ward', 'Cox', 'Diaz', 'Richardson', 'Wood', 'Watson', 'Brooks'];
const PLANS = ['free', 'pro', 'enterprise'];
/** Log types and their share (per 100 events): mostly token exchanges, some logins and API calls. */
const LOG_TYPES: [string, number][] = [
  ['seccft', 70],
  ['feccft', 5],
  ['s', 10],
  ['f', 3],
  ['sapi', 10],
  ['fapi', 2],
];
const TYPE_AT: string[] = LOG_TYPES.flatMap(([t, n]) => Array<string>(n).fill(t));

/** The user id of the i-th seeded user: deterministic, in the shape Scopeward makes (`auth0|` + 24 hex digits). */
export const seededUserId = (i: number): string => `auth0|${i.toString(16).padStart(24, '0')}`;
export const seededUserEmail = (i: number): string => `${FIRST[i % FIRST.length]!.toLowerCase()}.${LAST[Math.floor(i / FIRST.length) % LAST.length]!.toLowerCase()}.${i}@example${i % 20}.com`;
export const seededTeam = (i: number): string => `team-${i % 1000}`;

const seconds = (t0: number): number => Math.round((Date.now() - t0) / 100) / 10;

function progress(label: string, done: number, total: number, t0: number): void {
  if (!process.stdout.isTTY && done !== total && done % Math.max(1, Math.round(total / 10)) !== 0) return;
  const rate = Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000));
  process.stdout.write(`${process.stdout.isTTY ? '\r' : ''}    ${label}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${rate.toLocaleString('en-US')}/s)${process.stdout.isTTY && done !== total ? '' : '\n'}`);
}

type Column<T> = { [K in keyof T]: K }[keyof T] & string;

/**
 * Writes rows of one table in big batches. SQLite: multi-row INSERTs (under SQLite's 32,766 bound
 * parameters) in one transaction per batch. PostgreSQL: INSERT … SELECT * FROM unnest($1::text[], …),
 * one array per column, so a batch of 20,000 rows is one statement with a handful of parameters.
 */
class BulkWriter<T> {
  #pending: Promise<unknown> = Promise.resolve();
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly table: string;
  readonly columns: Column<T>[];
  readonly integers: ReadonlySet<string>;
  constructor(db: Kysely<Database>, dialect: Dialect, table: string, columns: Column<T>[], integers: ReadonlySet<string>) {
    this.db = db;
    this.dialect = dialect;
    this.table = table;
    this.columns = columns;
    this.integers = integers;
  }

  /** Queues a batch; on PostgreSQL it is written while the caller builds the next one. */
  async write(rows: T[]): Promise<void> {
    await this.#pending;
    if (this.dialect === 'postgres') {
      const arrays = this.columns.map((c) => rows.map((r) => r[c]));
      const casts = this.columns.map((c, i) => `$${i + 1}::${this.integers.has(c) ? 'integer' : 'text'}[]`).join(', ');
      const text = `insert into "${this.table}" (${this.columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${casts})`;
      this.#pending = this.db.executeQuery(CompiledQuery.raw(text, arrays));
      return;
    }
    const perStatement = Math.floor(30_000 / this.columns.length);
    const head = `insert into "${this.table}" (${this.columns.map((c) => `"${c}"`).join(', ')}) values `;
    const tuple = `(${this.columns.map(() => '?').join(', ')})`;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        const params: unknown[] = [];
        for (const r of chunk) for (const c of this.columns) params.push(r[c]);
        await tx.executeQuery(CompiledQuery.raw(head + Array<string>(chunk.length).fill(tuple).join(', '), params));
      }
    });
  }

  async done(): Promise<void> {
    await this.#pending;
  }
}

const BATCH = 20_000;

async function seedClients(storage: Storage, envelope: Envelope, tenant: { id: string; name: string }, n: number): Promise<[string, string][]> {
  const keys: [string, string][] = [];
  const t0 = Date.now();
  for (let start = 0; start < n; start += 2000) {
    await storage.transaction(async (tx) => {
      for (let i = start; i < Math.min(n, start + 2000); i++) {
        const app_type = APP_TYPES[i % APP_TYPES.length]!;
        const clientId = newClientId();
        const createdAt = new Date(CLIENTS_FROM + i * 1000).toISOString();
        const web = app_type === 'regular_web' || app_type === 'spa';
        const data = newClientData(
          {
            name: `Scale application ${i}`,
            app_type,
            description: `Seeded by bench/scale.ts (${app_type})`,
            ...(web && { callbacks: [`https://app${i}.example.com/callback`], web_origins: [`https://app${i}.example.com`] }),
            client_metadata: { team: seededTeam(i), tier: i % 2 ? 'gold' : 'silver' },
          },
          { clientId, tenantName: tenant.name },
        );
        const sealed = data.token_endpoint_auth_method === 'none' ? { secretSealed: null, secretMac: null } : sealClientSecret(envelope, tenant.id, clientId, newClientSecret());
        await tx.clients.create({ tenantId: tenant.id, clientId, data, ...sealed, createdAt, updatedAt: createdAt });
        keys.push([createdAt, clientId]);
      }
    });
    progress('applications', Math.min(n, start + 2000), n, t0);
  }
  return keys;
}

async function seedGrants(storage: Storage, tenantId: string, clientKeys: [string, string][], n: number): Promise<string> {
  const t0 = Date.now();
  const id = newResourceServerId();
  const identifier = 'https://scale.example.com/api';
  await storage.resourceServers.create({
    tenantId,
    id,
    identifier,
    isSystem: false,
    data: {
      id,
      identifier,
      name: 'Scale API',
      scopes: [
        { value: 'read:things', description: 'Read things' },
        { value: 'write:things', description: 'Write things' },
      ],
      signing_alg: 'RS256',
      allow_offline_access: false,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      skip_consent_for_verifiable_first_party_clients: false,
      token_dialect: 'access_token',
      subject_type_authorization: { user: { policy: 'allow_all' }, client: { policy: 'require_client_grant' } },
    },
    signingSecretSealed: null,
    createdAt: new Date(CLIENTS_FROM).toISOString(),
  });
  // One grant per application to the scale API; past the applications, a second audience.
  for (let start = 0; start < n; start += 2000) {
    await storage.transaction(async (tx) => {
      for (let i = start; i < Math.min(n, start + 2000); i++) {
        const [createdAt, clientId] = clientKeys[i % clientKeys.length]!;
        const audience = i < clientKeys.length ? identifier : `https://scale.example.com/api-${Math.floor(i / clientKeys.length)}`;
        await tx.grants.create({ tenantId, id: newGrantId(), clientId, audience, subjectType: 'client', scope: i % 2 ? ['read:things'] : ['read:things', 'write:things'], extra: {}, createdAt });
      }
    });
    progress('grants', Math.min(n, start + 2000), n, t0);
  }
  return identifier;
}

const USER_INTEGERS = new Set(['email_verified', 'phone_verified', 'blocked', 'logins_count']);

function userRow(tenantId: string, i: number): Insertable<UsersTable> {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const email = seededUserEmail(i);
  const name = `${first} ${last}`;
  const createdAt = new Date(USERS_FROM + i * 30_000).toISOString();
  const lastLogin = i % 4 === 0 ? null : new Date(USERS_FROM + i * 30_000 + 86_400_000).toISOString();
  return {
    tenant_id: tenantId,
    user_id: seededUserId(i),
    connection: DEFAULT_CONNECTION_NAME,
    email,
    email_lower: fold(email),
    email_domain: fold(email.slice(email.lastIndexOf('@') + 1)),
    email_verified: i % 3 === 0 ? 0 : 1,
    username: null,
    username_lower: null,
    phone_number: null,
    phone_verified: 0,
    name,
    name_lower: fold(name),
    nickname: first.toLowerCase(),
    nickname_lower: first.toLowerCase(),
    given_name: first,
    given_name_lower: fold(first),
    family_name: last,
    family_name_lower: fold(last),
    picture: null,
    blocked: i % 500 === 0 ? 1 : 0,
    user_metadata: JSON.stringify({ team: seededTeam(i), plan: PLANS[i % PLANS.length], newsletter: i % 2 === 0 }),
    app_metadata: JSON.stringify({ roles: i % 100 === 0 ? ['admin'] : ['user'] }),
    linked_identities: '[]',
    password_hash: null,
    last_password_reset: null,
    last_login: lastLogin,
    last_ip: lastLogin === null ? null : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    logins_count: lastLogin === null ? 0 : 1 + (i % 37),
    created_at: createdAt,
    updated_at: lastLogin ?? createdAt,
  };
}

async function seedUsers(db: Kysely<Database>, dialect: Dialect, tenantId: string, n: number): Promise<void> {
  const t0 = Date.now();
  const columns = Object.keys(userRow(tenantId, 0)) as Column<Insertable<UsersTable>>[];
  const writer = new BulkWriter<Insertable<UsersTable>>(db, dialect, 'users', columns, USER_INTEGERS);
  for (let start = 0; start < n; start += BATCH) {
    const rows: Insertable<UsersTable>[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) rows.push(userRow(tenantId, i));
    await writer.write(rows);
    progress('users', Math.min(n, start + BATCH), n, t0);
  }
  await writer.done();
}

/** log_id as Scopeward makes it: "900", the time to the millisecond, a counter and 30 digits. */
function logId(date: Date, i: number): string {
  return `900${date.toISOString().replace(/\D/g, '').slice(0, 17)}${String(i % 1_000_000).padStart(6, '0')}${String(i).padStart(30, '0')}`;
}

async function seedLogs(db: Kysely<Database>, dialect: Dialect, tenant: { id: string; domain: string }, clientKeys: [string, string][], users: number, n: number): Promise<{ tenths: string[]; first: string; last: string }> {
  const t0 = Date.now();
  const columns: Column<LogsTable>[] = ['tenant_id', 'log_id', 'date', 'type', 'client_id', 'user_id', 'ip', 'data'];
  const writer = new BulkWriter<LogsTable>(db, dialect, 'logs', columns, new Set());
  const step = LOGS_SPAN_MS / Math.max(1, n);
  const tenths: string[] = [];
  let first = '';
  let last = '';
  for (let start = 0; start < n; start += BATCH) {
    const rows: LogsTable[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const date = new Date(LOGS_FROM + Math.floor(i * step));
      const id = logId(date, i);
      if (i % Math.max(1, Math.floor(n / 10)) === 0 && tenths.length < 10) tenths.push(id);
      const type = TYPE_AT[(i * 7919) % 100]!;
      const [, clientId] = clientKeys[(i * 31) % clientKeys.length]!;
      const withUser = type === 's' || type === 'f';
      const userId = withUser && users > 0 ? seededUserId((i * 13) % users) : null;
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const iso = date.toISOString();
      if (i === 0) first = iso;
      last = iso;
      const event = {
        date: iso,
        type,
        description: type.startsWith('f') ? 'Unauthorized' : '',
        connection: withUser ? DEFAULT_CONNECTION_NAME : null,
        connection_id: '',
        client_id: clientId,
        client_name: `Scale application ${(i * 31) % clientKeys.length}`,
        ip,
        user_agent: 'node-fetch/1.0 (scale bench)',
        hostname: tenant.domain,
        user_id: userId ?? '',
        user_name: '',
        ...(type.endsWith('cft') && { audience: 'https://scale.example.com/api', scope: 'read:things' }),
        details: null,
        log_id: id,
        _id: id,
        isMobile: false,
      };
      rows.push({ tenant_id: tenant.id, log_id: id, date: iso, type, client_id: clientId, user_id: userId, ip, data: JSON.stringify(event) });
    }
    await writer.write(rows);
    progress('log events', Math.min(n, start + BATCH), n, t0);
  }
  await writer.done();
  return { tenths, first, last };
}

/** Seeds the tenant; `storage` is a plain (not notifying) storage on `url`. */
export async function seedTenant(o: { url: string; storage: Storage; envelope: Envelope; tenant: { id: string; name: string; domain: string }; sizes: Sizes }): Promise<SeedInfo> {
  const { storage, envelope, tenant, sizes } = o;
  const time: SeedInfo['seconds'] = { clients: 0, grants: 0, users: 0, logs: 0, analyze: 0 };
  let t = Date.now();
  const clientKeys = await seedClients(storage, envelope, tenant, sizes.clients);
  time.clients = seconds(t);
  t = Date.now();
  const apiIdentifier = await seedGrants(storage, tenant.id, clientKeys, sizes.grants);
  time.grants = seconds(t);
  const { db, dialect } = await openDatabase(o.url, { pgPoolSize: 2 });
  try {
    if (dialect === 'sqlite') {
      // The bulk load only: the server later opens the file with its own settings (WAL, FULL).
      await db.executeQuery(CompiledQuery.raw('PRAGMA synchronous = OFF'));
    }
    t = Date.now();
    await seedUsers(db, dialect, tenant.id, sizes.users);
    time.users = seconds(t);
    t = Date.now();
    const logs = await seedLogs(db, dialect, tenant, clientKeys, sizes.users, sizes.logs);
    time.logs = seconds(t);
    t = Date.now();
    // Fresh statistics as autovacuum keeps them on a live PostgreSQL, for this schema's tables only
    // (a bare VACUUM would visit the whole shared database). SQLite: the server's own
    // `PRAGMA optimize` at open (storage/kysely/dialect.ts) does it, as in production.
    if (dialect === 'postgres') await db.executeQuery(CompiledQuery.raw('vacuum analyze clients, client_grants, users, logs'));
    if (dialect === 'sqlite') await db.executeQuery(CompiledQuery.raw('PRAGMA wal_checkpoint(TRUNCATE)'));
    time.analyze = seconds(t);
    clientKeys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    return { sizes, seconds: time, clientKeys, logIdAtTenth: logs.tenths, logDates: { first: logs.first, last: logs.last }, apiIdentifier };
  } finally {
    await db.destroy();
  }
}
