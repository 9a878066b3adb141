// T-MG-13 (security catalogue §4.6): a differential property test of user search. Random small
// sets of users × queries generated from the q grammar (spec §3.5.4) are rendered to text, parsed
// by management/user-query.ts and run by storage.users.list on SQLite AND PostgreSQL; both must
// return exactly the users, in exactly the order, that a small in-memory evaluator of the
// generated query finds. Values mix case, Unicode normalization, LIKE metacharacters, quotes,
// arrays, numbers and booleans in metadata, missing fields and linked identities.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseUserQuery, parseUserSort } from '../../src/management/user-query.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { USER_SEARCH_FIELDS, USER_SORT_FIELDS, type UserIdentity, type UserRecord } from '../../src/storage/ports/users.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { seedConnection, seedTenant } from '../storage/records.ts';

// ---- the reference: Auth0's documented semantics, written independently of parser and SQL ----
type Q =
  | { t: 'text'; field: string | undefined; op: 'eq' | 'prefix' | 'suffix'; value: string }
  | { t: 'bool'; field: string; value: boolean }
  | { t: 'int'; field: string; value: number }
  | { t: 'day'; field: string; day: string }
  | { t: 'range'; field: string; lo: string | undefined; loIn: boolean; hi: string | undefined; hiIn: boolean }
  | { t: 'meta'; path: string; value: string }
  | { t: 'exists'; field: string }
  | { t: 'and' | 'or'; parts: Q[] }
  | { t: 'not'; q: Q };

const fold = (s: string): string => s.normalize('NFC').toLowerCase();
const FOLDED = new Set(Object.entries(USER_SEARCH_FIELDS).filter(([, k]) => k === 'folded').map(([f]) => f));
const BARE = ['email', 'name', 'nickname', 'given_name', 'family_name', 'username', 'user_id'];

function fieldOf(u: UserRecord, field: string): string | number | boolean | null {
  const at = u.email?.lastIndexOf('@') ?? -1;
  const values: Record<string, string | number | boolean | null> = {
    user_id: u.userId, email: u.email, 'email.domain': u.email !== null && at >= 0 ? u.email.slice(at + 1) : null, email_verified: u.emailVerified,
    username: u.username, phone_number: u.phoneNumber, phone_verified: u.phoneVerified, name: u.name, nickname: u.nickname, given_name: u.givenName,
    family_name: u.familyName, blocked: u.blocked, logins_count: u.loginsCount, created_at: u.createdAt, updated_at: u.updatedAt, last_login: u.lastLogin,
    last_ip: u.lastIp, connection: u.connection,
  };
  return values[field] ?? null;
}
const identities = (u: UserRecord): Array<Record<string, string>> => [
  { connection: u.connection, provider: 'auth0', user_id: u.userId.slice('auth0|'.length) },
  ...u.linkedIdentities.map((i) => ({ connection: i.connection, provider: i.provider, user_id: String(i.user_id) })),
];
function textMatch(actual: string | null, op: 'eq' | 'prefix' | 'suffix', value: string): boolean {
  if (actual === null) return false;
  return op === 'eq' ? actual === value : op === 'prefix' ? actual.startsWith(value) : actual.endsWith(value);
}
function textTerm(u: UserRecord, field: string, op: 'eq' | 'prefix' | 'suffix', value: string): boolean {
  if (field.startsWith('identities.')) return identities(u).some((i) => textMatch(i[field.slice('identities.'.length)]!, op, value));
  const actual = fieldOf(u, field) as string | null;
  return FOLDED.has(field) ? textMatch(actual === null ? null : fold(actual), op, fold(value)) : textMatch(actual, op, value);
}
function metaAt(u: UserRecord, path: string): unknown {
  const [root, ...keys] = path.split('.');
  let v: unknown = root === 'user_metadata' ? u.userMetadata : u.appMetadata;
  for (const k of keys) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
function scalarIs(v: unknown, q: string): boolean {
  if (typeof v === 'string') return v === q;
  if (typeof v === 'number') return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(q) && Number(q) === v;
  return typeof v === 'boolean' && q === String(v);
}
const present = (v: unknown): boolean =>
  v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
const bound = (v: string, upper: boolean): string => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${upper ? '23:59:59.999' : '00:00:00.000'}Z` : new Date(v).toISOString());
const key = (v: string | number): string | number => (typeof v === 'number' ? v : v);

function matches(u: UserRecord, q: Q): boolean {
  switch (q.t) {
    case 'text':
      return q.field === undefined ? BARE.some((f) => textTerm(u, f, q.op, q.value)) : textTerm(u, q.field, q.op, q.value);
    case 'bool':
    case 'int':
      return fieldOf(u, q.field) === q.value;
    case 'day': {
      const v = fieldOf(u, q.field) as string | null;
      return v !== null && v >= bound(q.day, false) && v <= bound(q.day, true);
    }
    case 'range': {
      const v = fieldOf(u, q.field);
      if (v === null) return false;
      const conv = (b: string, upper: boolean) => (q.field === 'logins_count' ? Number(b) : bound(b, upper));
      const lo = q.lo === undefined || (q.loIn ? key(v as string) >= conv(q.lo, false) : key(v as string) > conv(q.lo, true));
      const hi = q.hi === undefined || (q.hiIn ? key(v as string) <= conv(q.hi, true) : key(v as string) < conv(q.hi, false));
      return lo && hi;
    }
    case 'meta': {
      const v = metaAt(u, q.path);
      return Array.isArray(v) ? v.some((e) => scalarIs(e, q.value)) : scalarIs(v, q.value);
    }
    case 'exists':
      if (q.field.startsWith('user_metadata') || q.field.startsWith('app_metadata')) return present(metaAt(u, q.field));
      return q.field.startsWith('identities.') || fieldOf(u, q.field) !== null;
    case 'and':
      return q.parts.every((p) => matches(u, p));
    case 'or':
      return q.parts.some((p) => matches(u, p));
    case 'not':
      return !matches(u, q.q);
  }
}

/** Code point order (what both databases use), missing values last, ties by user_id. */
const cmp = (x: string | number | boolean, y: string | number | boolean): number =>
  typeof x === 'string' ? Buffer.compare(Buffer.from(x), Buffer.from(y as string)) : Number(x) - Number(y);
function ordered(users: UserRecord[], sort: { field: string; descending: boolean } | undefined): string[] {
  const field = sort?.field ?? 'created_at';
  return [...users]
    .sort((p, r) => {
      const x = fieldOf(p, field);
      const y = fieldOf(r, field);
      if (x !== y && (x === null || y === null)) return x === null ? 1 : -1;
      const c = x === null || y === null ? 0 : cmp(x, y) * (sort?.descending ? -1 : 1);
      return c !== 0 ? c : cmp(p.userId, r.userId);
    })
    .map((u) => u.userId);
}

// ---- rendering a generated query as q text ----
const quoted = (v: string): string => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const escaped = (v: string): string => v.replace(/[\\"*?()[\]{}:\s]/g, (c) => `\\${c}`);
function render(q: Q): string {
  switch (q.t) {
    case 'text': {
      const v = q.op === 'prefix' ? `${escaped(q.value)}*` : q.op === 'suffix' ? `*${escaped(q.value)}` : quoted(q.value);
      return q.field === undefined ? v : `${q.field}:${v}`;
    }
    case 'bool':
    case 'int':
      return `${q.field}:${String(q.value)}`;
    case 'day':
      return `${q.field}:${q.day}`;
    case 'range':
      return `${q.field}:${q.loIn ? '[' : '{'}${q.lo ?? '*'} TO ${q.hi ?? '*'}${q.hiIn ? ']' : '}'}`;
    case 'meta':
      return `${q.path}:${quoted(q.value)}`;
    case 'exists':
      return `_exists_:${q.field}`;
    case 'and':
      return `(${q.parts.map(render).join(q.parts.length % 2 ? ' AND ' : ' ')})`;
    case 'or':
      return `(${q.parts.map(render).join(' OR ')})`;
    case 'not':
      return `NOT ${render(q.q)}`;
  }
}

// ---- generators: one pool of values for users and queries, so queries hit ----
const WORDS = ['Alice', 'alice', 'ALICE Smith', 'Émile', 'e\u0301mile', 'a_b', 'axb', 'a%b', '100%', 'x\\y', "O'Brien", 'straße', '李', '😀 smile', 'or', ''];
const FRAGMENTS = ['a', 'A', 'al', 'ALI', 'a_', 'a%', 'x\\', "o'", 'É', 'e\u0301', 'ß', '😀', 'auth0|', 'ice', 'ICE', 'mile', 'MILE', 'Smith', 'a_b', 'a%b', "'Brien", 'aße', '.com', 'X.COM', '.org', 'th0', 'oauth2', 'hub'];
const LOCALS = ['alice', 'Alice', 'a_b', 'a%b', "o'brien", 'émile'];
const DOMAINS = ['x.com', 'X.COM', 'sub.x.com', 'example.org', 'Example.Org'];
const INSTANTS = ['2026-01-01T00:00:00.000Z', '2026-01-01T23:59:59.999Z', '2026-01-02T00:00:00.000Z', '2026-01-02T12:00:00.000Z', '2026-01-03T08:00:00.000Z'];
const BOUNDS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-02T12:00:00Z', '2026-01-02T12:00:00.000Z', '2026-01-02T01:00:00+01:00'];
const LINKED: UserIdentity[] = [
  { connection: 'google-oauth2', provider: 'google-oauth2', user_id: '12345', isSocial: true },
  { connection: 'github', provider: 'github', user_id: 'abc0', isSocial: true },
  { connection: 'db-b', provider: 'auth0', user_id: 'a_c1', isSocial: false },
];
const SCALARS = fc.constantFrom<unknown>('blue', 'Blue', 'gold', '13', 13, 13.5, 0, -1, true, false, 'true', '', 'a_b');
const META = fc.record(
  {
    color: SCALARS, plan: SCALARS, size: SCALARS,
    tags: fc.array(SCALARS, { maxLength: 3 }),
    prefs: fc.record({ tier: SCALARS, list: fc.array(SCALARS, { maxLength: 2 }), deep: fc.record({ x: SCALARS }) }, { requiredKeys: [] }),
    empty: fc.constantFrom<unknown>([], {}, null),
  },
  { requiredKeys: [] },
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

const userArb = (i: number) =>
  fc
    .record({
      idStem: fc.constantFrom('abc', 'ABC', '123', 'a_c'), connection: fc.constantFrom('db-a', 'db-b'),
      email: maybe(fc.oneof(fc.tuple(fc.constantFrom(...LOCALS), fc.constantFrom(...DOMAINS)).map(([l, d]) => `${l}${i}@${d}`), fc.constant(`nope${i}`))),
      username: maybe(fc.constantFrom(...WORDS).map((w) => `${w}${i}`)),
      name: maybe(fc.constantFrom(...WORDS)), nickname: maybe(fc.constantFrom(...WORDS)), givenName: maybe(fc.constantFrom(...WORDS)), familyName: maybe(fc.constantFrom(...WORDS)),
      phoneNumber: maybe(fc.constantFrom('+15550001', '+15550002')), lastIp: maybe(fc.constantFrom('10.0.0.1', '10.0.1.2', '::1')),
      emailVerified: fc.boolean(), phoneVerified: fc.boolean(), blocked: fc.boolean(), loginsCount: fc.integer({ min: 0, max: 5 }),
      createdAt: fc.constantFrom(...INSTANTS), updatedAt: fc.constantFrom(...INSTANTS), lastLogin: maybe(fc.constantFrom(...INSTANTS)),
      userMetadata: META, appMetadata: META, linkedIdentities: fc.subarray(LINKED),
    })
    .map(({ idStem, ...u }) => ({ ...u, userId: `auth0|${idStem}${i}`, picture: null, passwordHash: null, lastPasswordReset: null }));
const usersArb = fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => userArb(i))));

const TEXT_FIELDS = Object.entries(USER_SEARCH_FIELDS).filter(([, k]) => k === 'text' || k === 'folded').map(([f]) => f);
const META_PATHS = ['color', 'plan', 'size', 'tags', 'prefs', 'prefs.tier', 'prefs.list', 'prefs.deep.x', 'empty', 'missing'].flatMap((p) => [`user_metadata.${p}`, `app_metadata.${p}`]);
const side = fc.option(fc.constantFrom(...BOUNDS), { nil: undefined });
const leaf: fc.Arbitrary<Q> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('text' as const), field: fc.option(fc.constantFrom(...TEXT_FIELDS), { nil: undefined, freq: 5 }), op: fc.constant('eq' as const), value: fc.constantFrom(...WORDS, ...LOCALS, ...DOMAINS, 'db-a', 'abc0', '12345', 'github', 'auth0', '+15550001', '10.0.0.1') }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('text' as const), field: fc.option(fc.constantFrom(...TEXT_FIELDS), { nil: undefined, freq: 5 }), op: fc.constantFrom('prefix' as const, 'suffix' as const), value: fc.constantFrom(...FRAGMENTS) }).filter((q) => q.op === 'prefix' ? q.value !== '' : [...q.value].length >= 3) },
  fc.record({ t: fc.constant('bool' as const), field: fc.constantFrom('email_verified', 'phone_verified', 'blocked'), value: fc.boolean() }),
  fc.record({ t: fc.constant('int' as const), field: fc.constant('logins_count'), value: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ t: fc.constant('day' as const), field: fc.constantFrom('created_at', 'updated_at', 'last_login'), day: fc.constantFrom('2026-01-01', '2026-01-02', '2026-01-03') }),
  fc.record({ t: fc.constant('range' as const), field: fc.constant('logins_count'), lo: fc.option(fc.integer({ min: 0, max: 6 }).map(String), { nil: undefined }), loIn: fc.boolean(), hi: fc.option(fc.integer({ min: 0, max: 6 }).map(String), { nil: undefined }), hiIn: fc.boolean() }),
  { weight: 2, arbitrary: fc.record({ t: fc.constant('range' as const), field: fc.constantFrom('created_at', 'updated_at', 'last_login'), lo: side, loIn: fc.boolean(), hi: side, hiIn: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('meta' as const), path: fc.constantFrom(...META_PATHS), value: fc.constantFrom('blue', 'Blue', 'gold', '13', '13.5', '13.50', '-1', '0', 'true', 'false', '', 'a_b') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('exists' as const), field: fc.constantFrom('email', 'username', 'name', 'last_login', 'phone_number', 'email.domain', 'identities.user_id', 'user_metadata', 'app_metadata', ...META_PATHS) }) },
);
const queryArb = (depth: number): fc.Arbitrary<Q> =>
  depth === 0
    ? leaf
    : fc.oneof(
        { weight: 3, arbitrary: leaf },
        { weight: 1, arbitrary: fc.array(queryArb(depth - 1), { minLength: 2, maxLength: 3 }).map((parts) => ({ t: 'and' as const, parts })) },
        { weight: 1, arbitrary: fc.array(queryArb(depth - 1), { minLength: 2, maxLength: 3 }).map((parts) => ({ t: 'or' as const, parts })) },
        { weight: 1, arbitrary: queryArb(depth - 1).map((q) => ({ t: 'not' as const, q })) },
      );
const sortArb = fc.option(fc.record({ field: fc.constantFrom(...USER_SORT_FIELDS), descending: fc.boolean() }), { nil: undefined });

// ---- the property ----
let stores: Array<{ name: string; storage: Storage; close(): Promise<void> }>;
beforeAll(async () => {
  stores = await Promise.all(DIALECTS.map(async (d) => ({ name: d.name, ...(await d.open()) })));
});
afterAll(async () => {
  for (const s of stores) await s.close();
});

it('T-MG-13: SQLite and PostgreSQL return exactly what the reference evaluator finds, in the same order', async () => {
  await fc.assert(
    fc.asyncProperty(usersArb, fc.array(fc.tuple(queryArb(3), sortArb), { minLength: 1, maxLength: 8 }), async (seeds, queries) => {
      const tenants = await Promise.all(
        stores.map(async ({ storage }) => {
          const t = await seedTenant(storage);
          for (const name of ['db-a', 'db-b']) await seedConnection(storage, t.id, { name });
          return t.id;
        }),
      );
      const users: UserRecord[][] = stores.map((_, i) => seeds.map((s) => ({ ...s, tenantId: tenants[i]! })));
      for (const [i, { storage }] of stores.entries()) for (const u of users[i]!) await storage.users.create(u);
      for (const [query, sort] of queries) {
        const q = render(query);
        const expected = ordered(users[0]!.filter((u) => matches(u, query)), sort);
        const where = parseUserQuery(q);
        const parsedSort = sort && parseUserSort(`${sort.field}:${sort.descending ? -1 : 1}`);
        for (const [i, { name, storage }] of stores.entries()) {
          const { items, total } = await storage.users.list(tenants[i]!, where, parsedSort, { offset: 0, limit: 1000, withTotal: true });
          expect({ name, q, sort, ids: items.map((u) => u.userId), total }).toStrictEqual({ name, q, sort, ids: expected, total: expected.length });
        }
      }
    }),
    { numRuns: 200 },
  );
}, 240_000);
