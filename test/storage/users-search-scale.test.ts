// Issue 13: the query shapes migration 0007 indexes return exactly what they returned before, on
// every dialect: name and email prefixes (now with a code-point range beside the LIKE on
// PostgreSQL, edges included: the last code point before the surrogates, U+10FFFF, LIKE
// metacharacters, case), metadata equality (now behind a containment filter on PostgreSQL:
// strings, numbers, booleans, arrays holding the value, nested paths, a value nested one array too
// deep, other tenants), sorts with missing values last, and every page of each against the
// whole answer with its total. On PostgreSQL, EXPLAIN shows the new indexes serve those shapes.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/kysely/dialect.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Database } from '../../src/storage/kysely/schema.ts';
import { compileUserCondition, compileUserSort, fold } from '../../src/storage/kysely/user-search.ts';
import type { Storage, TenantRecord, UserCondition, UserRecord, UserSort } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { at, blankUser, seedConnection, seedTenant, userRecord } from './records.ts';

const DB = 'Username-Password-Authentication';

/** Users whose names, emails and metadata sit on the edges the new conditions must not move. */
const NAMES = ['John', 'joan', 'JOSEPH', 'Jö', 'jo', 'Jo%x', 'Jo_y', 'Jp', 'jn', 'Jo\uD7FFz', 'Jo\uE000', 'J', 'Ja\u{10FFFF}', 'Ja\u{10FFFF}b', 'Ja\u{1F600}', null, 'Émile', 'E\u0301mile', 'zoë'];
const EMAILS = ['b@x.com', 'A@y.com', 'a@x.com', null, 'jo@x.com', 'jo%@x.com', 'JOHN@x.com', 'ä@x.com'];
const META: Record<string, unknown>[] = [
  { team: 'team-7' },
  { team: ['other', 'team-7'] },
  { team: [['team-7']] },
  { team: { name: 'team-7' } },
  { team: 'team-70' },
  { team: 7 },
  { team: '7' },
  { team: [7, 8] },
  { team: true },
  { team: 'true' },
  { a: { b: 'team-7' } },
  { a: [{ b: 'team-7' }] },
  { a: { b: ['x', 'team-7'] } },
  {},
];

forEachDialect('user search shapes of migration 0007', { per: 'suite' }, (storage) => {
  let a: TenantRecord;
  let users: UserRecord[];
  beforeAll(async () => {
    a = await seedTenant(storage);
    const b = await seedTenant(storage);
    users = [];
    for (const t of [a, b]) await seedConnection(storage, t.id, { name: DB });
    // Created out of id order, with ties on created_at, so both order terms decide somewhere.
    for (let i = 0; i < 57; i++) {
      const u = userRecord(a.id, DB, {
        ...blankUser(),
        userId: `auth0|${String((i * 37) % 57).padStart(3, '0')}`,
        name: NAMES[i % NAMES.length] ?? null,
        email: i < EMAILS.length ? EMAILS[i]! : i % 5 === 0 ? null : `u${(i * 7) % 57}@Example.com`,
        userMetadata: META[i % META.length]!,
        appMetadata: { roles: i % 3 === 0 ? ['admin', 'user'] : 'user' },
        createdAt: at(i % 11),
        updatedAt: at(i % 11),
      });
      await storage.users.create(u);
      users.push(u);
    }
    // The other tenant holds matches too: none may leak into tenant a's answers.
    for (let i = 0; i < 5; i++) await storage.users.create(userRecord(b.id, DB, { userId: `auth0|b${i}`, name: 'John', userMetadata: { team: 'team-7' } }));
  });

  const byCodePoint = (x: string, y: string): number => {
    const p = [...x].map((c) => c.codePointAt(0)!);
    const q = [...y].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! - q[i]!;
    return p.length - q.length;
  };
  const defaultOrder = (x: UserRecord, y: UserRecord): number => byCodePoint(x.createdAt, y.createdAt) || byCodePoint(x.userId, y.userId);
  const ids = (list: UserRecord[]): string[] => list.map((u) => u.userId);

  /** The whole answer, then every page of 4 concatenated, each page with the same total. */
  async function search(where: UserCondition | undefined, sort?: UserSort): Promise<string[]> {
    const whole = await storage.users.list(a.id, where, sort, { offset: 0, limit: 100, withTotal: true });
    expect(whole.total).toBe(whole.items.length);
    const paged: string[] = [];
    for (let offset = 0; offset <= whole.items.length; offset += 4) {
      const page = await storage.users.list(a.id, where, sort, { offset, limit: 4, withTotal: true });
      expect(page.total).toBe(whole.total);
      expect(page.items.length).toBe(Math.min(4, whole.items.length - offset));
      paged.push(...ids(page.items));
    }
    expect(paged).toEqual(ids(whole.items));
    return ids(whole.items);
  }

  const prefixCases: [string, string][] = [
    ['name', 'jo'],
    ['name', 'JO'],
    ['name', 'jo%'],
    ['name', 'jo_'],
    ['name', 'jo\uD7FF'],
    ['name', 'j'],
    ['name', 'ja\u{10FFFF}'],
    ['name', 'ja'],
    ['name', 'émile'],
    ['name', 'zo'],
    ['email', 'a'],
    ['email', 'jo'],
    ['email', 'jo%'],
    ['email', 'Ä'],
  ];
  it.each(prefixCases)('%s:%s* finds exactly the users whose folded value starts with it, in the default order', async (field, value) => {
    const column = (u: UserRecord): string | null => (field === 'name' ? u.name : u.email);
    const expected = users.filter((u) => column(u) !== null && fold(column(u)!).startsWith(fold(value))).sort(defaultOrder);
    expect(expected.length).toBeGreaterThan(0);
    expect(await search({ field, op: 'prefix', value })).toEqual(ids(expected));
  });

  it('a prefix ending in U+D7FF does not reach U+E000, the next code point a string can hold', async () => {
    expect(await search({ field: 'name', op: 'prefix', value: 'jo\uD7FF' })).toEqual(ids(users.filter((u) => u.name === 'Jo\uD7FFz').sort(defaultOrder)));
  });

  const metaCases: [string, string, (m: Record<string, unknown>) => boolean][] = [
    ['user_metadata.team', 'team-7', (m) => m.team === 'team-7' || (Array.isArray(m.team) && m.team.includes('team-7'))],
    ['user_metadata.team', '7', (m) => m.team === 7 || m.team === '7' || (Array.isArray(m.team) && m.team.includes(7))],
    ['user_metadata.team', 'true', (m) => m.team === true || m.team === 'true'],
    ['user_metadata.a.b', 'team-7', (m) => {
      const b = (m.a as Record<string, unknown> | undefined)?.b;
      return !Array.isArray(m.a) && (b === 'team-7' || (Array.isArray(b) && b.includes('team-7')));
    }],
    ['user_metadata.team', 'nobody', () => false],
  ];
  it.each(metaCases)('%s:"%s" matches the value itself or an array holding it, nothing nested deeper', async (field, value, matches) => {
    const expected = users.filter((u) => matches(u.userMetadata)).sort(defaultOrder);
    expect(await search({ field, op: 'eq', value })).toEqual(ids(expected));
  });

  it('app_metadata.roles:"admin" finds the arrays holding it, not the plain string "user"', async () => {
    expect(await search({ field: 'app_metadata.roles', op: 'eq', value: 'admin' })).toEqual(ids(users.filter((_, i) => i % 3 === 0).sort(defaultOrder)));
  });

  it('a metadata condition under NOT still finds every other user (the filter never makes a match NULL)', async () => {
    const hit = new Set(await search({ field: 'user_metadata.team', op: 'eq', value: 'team-7' }));
    expect(await search({ not: { field: 'user_metadata.team', op: 'eq', value: 'team-7' } })).toEqual(ids(users.filter((u) => !hit.has(u.userId)).sort(defaultOrder)));
  });

  it.each([false, true])('sort by email and by name (descending %s): code point order, missing values last, ties by user_id', async (descending) => {
    for (const field of ['email', 'name'] as const) {
      const expected = [...users].sort((x, y) => {
        const p = x[field];
        const q = y[field];
        if (p === null || q === null) return p === q ? byCodePoint(x.userId, y.userId) : p === null ? 1 : -1;
        return (descending ? byCodePoint(q, p) : byCodePoint(p, q)) || byCodePoint(x.userId, y.userId);
      });
      expect(await search(undefined, { field, descending })).toEqual(ids(expected));
    }
  });

  it('a prefix search sorted by email pages the same as it sorts whole', async () => {
    const expected = users
      .filter((u) => u.name !== null && fold(u.name).startsWith('jo'))
      .sort((x, y) => (x.email === null || y.email === null ? (x.email === y.email ? byCodePoint(x.userId, y.userId) : x.email === null ? 1 : -1) : byCodePoint(x.email, y.email) || byCodePoint(x.userId, y.userId)));
    expect(await search({ field: 'name', op: 'prefix', value: 'jo' }, { field: 'email', descending: false })).toEqual(ids(expected));
  });
});

describe('PostgreSQL: the indexes of migration 0007 serve the search shapes (EXPLAIN)', () => {
  let schema: PgSchema;
  let storage: Storage;
  let db: Kysely<Database>;
  let tenantId: string;
  beforeAll(async () => {
    schema = await createPgSchema();
    storage = await createStorage(schema.url, { pgSchema: schema.schema, pgPoolSize: 2 });
    ({ db } = await openDatabase(schema.url, { pgSchema: schema.schema, pgPoolSize: 1 }));
    const t = await seedTenant(storage);
    tenantId = t.id;
    await seedConnection(storage, t.id, { name: DB });
    // Enough rows that statistics, not the table's smallness, decide; few of them match.
    await storage.transaction(async (tx) => {
      for (let i = 0; i < 1500; i++) {
        await tx.users.create(userRecord(t.id, DB, { userId: `auth0|${String(i).padStart(5, '0')}`, name: i % 500 === 0 ? `Zed ${i}` : `Ann ${i}`, email: `u${i}@x.com`, userMetadata: { team: `team-${i % 300}` }, createdAt: at(i) }));
      }
    });
    await sql`analyze users`.execute(db);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await storage?.close();
    await schema?.drop();
  });

  async function plan(where: UserCondition | undefined, sort: UserSort | undefined): Promise<string> {
    let q = db.selectFrom('users').where('tenant_id', '=', tenantId);
    if (where) q = q.where(compileUserCondition(where, 'postgres'));
    let rows = q.selectAll();
    for (const term of compileUserSort(sort, 'postgres')) rows = rows.orderBy(term);
    const c = rows.limit(50).offset(0).compile();
    const r = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...c, sql: `explain ${c.sql}` });
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  }

  beforeEach(async () => {
    // One connection (pgPoolSize 1): the setting holds for the EXPLAINs that follow.
    await sql`set enable_seqscan = off`.execute(db);
  });

  it('name:zed* reads users_name_prefix_c', async () => {
    expect(await plan({ field: 'name', op: 'prefix', value: 'zed' }, undefined)).toMatch(/users_name_prefix_c/);
  });

  it('email:u1* reads users_email_prefix_c or walks users_order_c', async () => {
    expect(await plan({ field: 'email', op: 'prefix', value: 'u1' }, undefined)).toMatch(/users_email_prefix_c|users_order_c/);
  });

  it('user_metadata.team:"team-7" reads the GIN index on scopeward_jsonb(user_metadata)', async () => {
    expect(await plan({ field: 'user_metadata.team', op: 'eq', value: 'team-7' }, undefined)).toMatch(/users_user_metadata_gin/);
  });

  it('the default order and sort=email:1 and sort=name:1 walk their indexes, with no Sort node', async () => {
    const plain = await plan(undefined, undefined);
    expect(plain).toMatch(/users_order_c/);
    expect(plain).not.toMatch(/Sort/);
    for (const [field, index] of [['email', 'users_email_sort_c'], ['name', 'users_name_sort_c']] as const) {
      const sorted = await plan(undefined, { field, descending: false });
      expect(sorted).toMatch(index);
      expect(sorted).not.toMatch(/Sort/);
    }
  });

  it('the retention prune (date < x over every tenant) reads logs_prune_date', async () => {
    const c = db.deleteFrom('logs').where('date', '<', at(0)).compile();
    const r = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...c, sql: `explain ${c.sql}` });
    expect(r.rows.map((x) => x['QUERY PLAN']).join('\n')).toMatch(/logs_prune_date/);
  });
});
