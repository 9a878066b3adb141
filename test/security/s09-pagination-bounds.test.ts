// S9 (issue 9; T-OUT-09, security catalogue §4.17): out-of-range pagination answers Auth0's 400,
// never a 5xx. `page=1e20` (or 9223372036854775807) made an offset no database accepts and
// GET /client-grants, /resource-servers, /logs and /device-credentials answered 500 "datatype
// mismatch". Every paging parameter of every list route is bounded by the shared query schemas
// (schemas/common.ts), on SQLite and PostgreSQL alike; log searches keep Auth0's 1000-result window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { TEXT } from '../../src/management/errors.ts';
import { MAX_PAGE, MAX_PER_PAGE } from '../../src/schemas/common.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const QUERY = 'invalid_query_string';
const tooBig = (value: string, name: string, max: number) => `Query validation error: 'Value ${value} is greater than maximum ${max}' on property ${name}.`;
const tooSmall = (value: string, name: string, min: number) => `Query validation error: 'Value ${value} is less than minimum ${min}' on property ${name}.`;

/** Every list route, with what it needs to reach storage (device credentials page public keys from the database). */
const LISTS: { path: string; key: string; base: string; window: string | undefined }[] = [
  { path: '/clients', key: 'clients', base: '', window: undefined },
  { path: '/client-grants', key: 'client_grants', base: '', window: undefined },
  { path: '/resource-servers', key: 'resource_servers', base: '', window: undefined },
  { path: '/device-credentials', key: 'device_credentials', base: 'type=public_key&', window: undefined },
  { path: '/connections', key: 'connections', base: '', window: undefined },
  { path: '/logs', key: 'logs', base: '', window: TEXT.logSearchWindow },
  { path: '/users', key: 'users', base: '', window: TEXT.searchWindow },
];
const CHECKPOINTED = ['/clients', '/client-grants', '/logs'];
const READ = ['read:clients', 'read:client_grants', 'read:resource_servers', 'read:device_credentials', 'read:connections', 'read:logs', 'read:users'];

describe('every list route takes the shared, bounded paging parameters', () => {
  const lists = MANAGEMENT_ROUTES.filter((r) => r.method === 'GET' && r.schema.querystring);
  const property = (route: (typeof lists)[number], name: string) => (route.schema.querystring as { properties: Record<string, { maximum?: number; minimum?: number }> }).properties[name];

  it('page is 0…2^31-1, per_page and take 1…100, wherever a route declares them', () => {
    const seen: string[] = [];
    for (const route of lists) {
      const bounds = Object.fromEntries(['page', 'per_page', 'take'].flatMap((name) => (property(route, name) ? [[name, [property(route, name)!.minimum, property(route, name)!.maximum]]] : [])));
      if (Object.keys(bounds).length === 0) continue;
      seen.push(route.url);
      expect({ route: route.url, ...bounds }).toStrictEqual({
        route: route.url,
        ...('page' in bounds && { page: [0, MAX_PAGE] }),
        ...('per_page' in bounds && { per_page: [1, MAX_PER_PAGE] }),
        ...('take' in bounds && { take: [1, MAX_PER_PAGE] }),
      });
    }
    expect(seen.sort()).toStrictEqual(LISTS.map((l) => l.path).sort());
  });
});

describe.each(['sqlite', 'postgres'] as const)('S9 on %s: paging out of range is 400 invalid_query_string, never 5xx', (dialect) => {
  let s: TestServer;
  let api: MgmtCaller;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    api = mgmt(s, await mgmtToken(s, READ));
  });
  afterAll(async () => {
    await s.close();
  });

  const get = (list: (typeof LISTS)[number], query: string) => api.get(`${list.path}?${list.base}${query}`);

  it.each(LISTS)('$path: page=1e20 and page=9223372036854775807 are refused by the schema', async (list) => {
    expectMgmtError(await get(list, 'page=1e20'), 400, tooBig('100000000000000000000', 'page', MAX_PAGE), QUERY);
    // The query string is read as a number: 2^63-1 arrives rounded to the nearest double.
    expectMgmtError(await get(list, 'page=9223372036854775807&per_page=100'), 400, tooBig('9223372036854776000', 'page', MAX_PAGE), QUERY);
    expectMgmtError(await get(list, `page=${MAX_PAGE + 1}`), 400, tooBig(String(MAX_PAGE + 1), 'page', MAX_PAGE), QUERY);
    // Past double: the text reads as Infinity, which the integer check alone lets through.
    expectMgmtError(await get(list, 'page=1e400'), 400, tooBig('Infinity', 'page', MAX_PAGE), QUERY);
    expectMgmtError(await get(list, 'page=-1'), 400, tooSmall('-1', 'page', 0), QUERY);
  });

  it.each(LISTS)('$path: per_page outside 1…100 and a non-boolean include_totals are refused', async (list) => {
    expectMgmtError(await get(list, 'per_page=1e20'), 400, tooBig('100000000000000000000', 'per_page', 100), QUERY);
    expectMgmtError(await get(list, 'per_page=1e400'), 400, tooBig('Infinity', 'per_page', 100), QUERY);
    expectMgmtError(await get(list, 'per_page=101'), 400, tooBig('101', 'per_page', 100), QUERY);
    expectMgmtError(await get(list, 'per_page=0'), 400, tooSmall('0', 'per_page', 1), QUERY);
    expectMgmtError(await get(list, 'include_totals=1e20'), 400, "Query validation error: 'Expected type boolean but found type string' on property include_totals.", QUERY);
  });

  it.each(LISTS.filter((l) => l.window === undefined))('$path: the last page index answers an empty page (the v5+ SDKs iterate until one)', async (list) => {
    const bare = await get(list, `page=${MAX_PAGE}&per_page=100`);
    expect({ status: bare.statusCode, body: bare.json<unknown>() }).toStrictEqual({ status: 200, body: [] });
    const totals = await get(list, `page=${MAX_PAGE}&per_page=100&include_totals=true`);
    expect(totals.statusCode).toBe(200);
    expect(totals.json()).toMatchObject({ start: MAX_PAGE * 100, limit: 100, [list.key]: [] });
  });

  it.each(LISTS.filter((l) => l.window !== undefined))('$path: a page past the first 1000 results is refused (Auth0 search window)', async (list) => {
    expect((await get(list, 'page=9&per_page=100')).statusCode).toBe(200);
    expect((await get(list, 'page=999&per_page=1')).statusCode).toBe(200);
    expectMgmtError(await get(list, 'page=10&per_page=100'), 400, list.window!, QUERY);
    expectMgmtError(await get(list, 'page=1000&per_page=1'), 400, list.window!, QUERY);
    expectMgmtError(await get(list, `page=${MAX_PAGE}&per_page=100`), 400, list.window!, QUERY);
  });

  it.each(CHECKPOINTED)('%s: take outside 1…100 and a malformed checkpoint are refused', async (path) => {
    const list = LISTS.find((l) => l.path === path)!;
    expectMgmtError(await get(list, 'take=1e20'), 400, tooBig('100000000000000000000', 'take', 100), QUERY);
    expectMgmtError(await get(list, 'take=101'), 400, tooBig('101', 'take', 100), QUERY);
    expectMgmtError(await get(list, 'take=0'), 400, tooSmall('0', 'take', 1), QUERY);
    const from = await get(list, 'from=%FF%FE&take=1');
    expect(from.statusCode).toBe(400);
    expect(from.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: QUERY });
  });
});
