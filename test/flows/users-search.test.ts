// GET /api/v2/users at HTTP level (spec §3.4, §3.5.4): q search, sort, page/per_page, the
// include_totals object with `length`, the 1000-result window, fields, and the 400s, on SQLite
// and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserQuery, UserQueryError } from '../../src/management/user-query.ts';
import type { UserRecord } from '../../src/storage/ports.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

type Page = { start: number; limit: number; length: number; total: number; users: { user_id: string; email: string; name: string }[] };
const q = (query: string) => `/users?q=${encodeURIComponent(query)}&search_engine=v3`;
const ids = (list: { user_id: string }[]) => list.map((u) => u.user_id);

const NAMES = ['Alice Adams', 'bob brown', 'Carol Clark', 'Dave Davis', 'Eve Evans', 'Frank Ford', 'Grace Green', 'Heidi Hill', 'Ivan Irwin', 'Judy Jones', 'Mallory Moss', 'Oscar Owens'];

describe.each(['sqlite', 'postgres'] as const)('%s', (dialect) => {
  let s: TestServer;
  let api: MgmtCaller;
  const users: UserRecord[] = [];

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    api = mgmt(s, await mgmtToken(s, ['read:users']));
    for (const [i, name] of NAMES.entries()) {
      s.clock.advance(1);
      const first = name.split(' ')[0]!.toLowerCase();
      users.push(
        await seedUser(s, {
          email: `${first}@${i % 2 === 0 ? 'example.com' : 'example.org'}`,
          name,
          nickname: first,
          userMetadata: { plan: i < 4 ? 'gold' : 'free' },
          loginsCount: i,
        }),
      );
    }
  });
  afterAll(async () => {
    await s.close();
  });

  const byIndex = (...i: number[]) => i.map((n) => users[n]!.userId);

  describe('search (q, search_engine v3)', () => {
    it('an exact field; the bare-array form by default', async () => {
      const res = await api.get(q('email:"carol@example.com"'));
      expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
      expect(ids(res.json())).toEqual(byIndex(2));
    });

    it('email.domain, user_metadata, AND/OR/NOT, case-insensitive names, prefix wildcard', async () => {
      expect(ids((await api.get(q('email.domain:"example.org"'))).json())).toEqual(byIndex(1, 3, 5, 7, 9, 11));
      expect(ids((await api.get(q('user_metadata.plan:"gold" AND email.domain:"example.com"'))).json())).toEqual(byIndex(0, 2));
      expect(ids((await api.get(q('name:"alice adams" OR nickname:bob'))).json())).toEqual(byIndex(0, 1));
      expect(ids((await api.get(q('user_metadata.plan:"gold" AND NOT nickname:alice'))).json())).toEqual(byIndex(1, 2, 3));
      expect(ids((await api.get(q('nickname:gra*'))).json())).toEqual(byIndex(6));
      expect(ids((await api.get(q('logins_count:[10 TO *]'))).json())).toEqual(byIndex(10, 11));
    });

    it('T-MG-11: SQL in a value is a literal: 200 and no match, never an error', async () => {
      for (const query of [`name:"x' OR '1'='1"`, 'name:"; DROP TABLE users;--"', 'name:"a_b"', 'name:"%"']) {
        const res = await api.get(q(query));
        expect([query, res.statusCode, res.json()]).toEqual([query, 200, []]);
      }
      expect((await api.get(q('nickname:alice'))).json<unknown[]>()).toHaveLength(1);
    });

    it('a q the parser refuses → 400 invalid_query_string with its text', async () => {
      for (const query of ['user_metadata.plan:gol*', 'name:(', 'nickname:*ab', 'password_hash:x']) {
        let message = '';
        try {
          parseUserQuery(query);
        } catch (error) {
          if (error instanceof UserQueryError) message = error.message;
        }
        expect(message, query).toMatch(/^Query validation error: '.+' on property q\.$/);
        expectMgmtError(await api.get(q(query)), 400, message, 'invalid_query_string');
      }
    });

    it('search_engine v1, v2 and v3 are accepted; v1 also takes connection=', async () => {
      for (const v of ['v1', 'v2', 'v3']) expect((await api.get(`/users?search_engine=${v}&per_page=1`)).statusCode).toBe(200);
      expect((await api.get('/users?search_engine=v1&connection=Username-Password-Authentication&per_page=100')).json<unknown[]>()).toHaveLength(NAMES.length);
      expect((await api.get('/users?search_engine=v1&connection=Other')).json()).toEqual([]);
      expectMgmtError(await api.get('/users?search_engine=v4'), 400, "Query validation error: 'No enum match for: \"v4\"' on property search_engine.", 'invalid_query_string');
    });
  });

  describe('sort, paging, totals', () => {
    it('default order is creation order; sort=field:1 ascending, field:-1 descending; an unknown sort field → 400', async () => {
      expect(ids((await api.get('/users?per_page=100')).json())).toEqual(ids(users.map((u) => ({ user_id: u.userId }))));
      const asc = (await api.get('/users?sort=nickname:1&per_page=3')).json<{ name: string }[]>();
      expect(asc.map((u) => u.name)).toEqual(['Alice Adams', 'bob brown', 'Carol Clark']);
      const down = (await api.get('/users?sort=email:-1&per_page=2')).json<{ name: string }[]>();
      expect(down.map((u) => u.name)).toEqual(['Oscar Owens', 'Mallory Moss']);
      const desc = (await api.get('/users?sort=logins_count:-1&per_page=2')).json<{ name: string }[]>();
      expect(desc.map((u) => u.name)).toEqual(['Oscar Owens', 'Mallory Moss']);
      expectMgmtError(await api.get('/users?sort=password:1'), 400, (await sortMessage('password:1'))!, 'invalid_query_string');
    });

    it('spec §3.4: include_totals → {start, limit, length, total, users}; pages walk every user once; past the end is empty', async () => {
      const seen: string[] = [];
      for (let page = 0; page < 3; page++) {
        const body = (await api.get(`/users?page=${page}&per_page=5&include_totals=true`)).json<Page>();
        expect({ ...body, users: undefined }).toStrictEqual({ start: page * 5, limit: 5, length: page < 2 ? 5 : 2, total: 12, users: undefined });
        seen.push(...ids(body.users));
      }
      expect(seen).toEqual(byIndex(...NAMES.map((_, i) => i)));
      expect((await api.get('/users?page=3&per_page=5&include_totals=true')).json()).toStrictEqual({ start: 15, limit: 5, length: 0, total: 12, users: [] });
      expect((await api.get('/users?page=3&per_page=5')).json()).toStrictEqual([]);
      // The totals count the search, not the tenant.
      expect((await api.get(`${q('user_metadata.plan:"gold"')}&include_totals=true&per_page=2`)).json<Page>()).toMatchObject({ start: 0, limit: 2, length: 2, total: 4 });
    });

    it('T-MG-14: the 1000-result window (page × per_page) and per_page ≤ 100', async () => {
      expect((await api.get('/users?page=9&per_page=100')).json()).toStrictEqual([]);
      expect((await api.get('/users?page=19&per_page=50')).json()).toStrictEqual([]);
      const window = 'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.';
      expectMgmtError(await api.get('/users?page=10&per_page=100'), 400, window, 'invalid_query_string');
      expectMgmtError(await api.get('/users?page=20'), 400, window, 'invalid_query_string');
      expectMgmtError(await api.get('/users?per_page=101'), 400, "Query validation error: 'Value 101 is greater than maximum 100' on property per_page.", 'invalid_query_string');
    });

    it('fields / include_fields apply to every user listed', async () => {
      expect((await api.get(`${q('nickname:alice')}&fields=user_id,email`)).json()).toStrictEqual([{ email: 'alice@example.com', user_id: users[0]!.userId }]);
      const trimmed = (await api.get(`${q('nickname:alice')}&fields=identities,user_metadata,created_at,updated_at,picture&include_fields=false`)).json<Record<string, unknown>[]>();
      expect(Object.keys(trimmed[0]!).sort()).toEqual(['email', 'email_verified', 'name', 'nickname', 'user_id']);
    });
  });
});

async function sortMessage(sort: string): Promise<string | undefined> {
  const { parseUserSort } = await import('../../src/management/user-query.ts');
  try {
    parseUserSort(sort);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
