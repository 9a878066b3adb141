// GET /api/v2/connections[/{id}] (read:connections): every tenant has Auth0's default database
// connection; list filters (strategy, name), page/per_page/include_totals, fields; 404 body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const DB = 'Username-Password-Authentication';
let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['read:connections']));
  // A second connection, written to storage (connections are not created through the API yet).
  await s.storage.connections.create({ tenantId: s.tenant.id, id: 'con_Second0000000001', name: 'Second-DB', strategy: 'auth0', data: { options: { requires_username: true }, realms: ['Second-DB'] }, createdAt: '2026-11-01T12:00:01.000Z' });
});
afterAll(() => s.close());

describe('GET /connections', () => {
  it("the default connection, as Auth0 shows a new tenant's (GO-REC connections list)", async () => {
    const res = await api.get(`/connections?name=${DB}`);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    expect(res.json()).toStrictEqual([
      {
        id: expect.stringMatching(/^con_[A-Za-z0-9]{16}$/),
        options: {
          mfa: { active: true, return_enroll_settings: true },
          passwordPolicy: 'good',
          password_complexity_options: { min_length: 8 },
          brute_force_protection: true,
          strategy_version: 2,
          requires_username: false,
          disable_signup: false,
          authentication_methods: { password: { enabled: true }, passkey: { enabled: false } },
        },
        is_domain_connection: false,
        realms: [DB],
        strategy: 'auth0',
        name: DB,
      },
    ]);
  });

  it('include_totals → {start, limit, total, connections}; paging; filters by strategy (repeatable) and name', async () => {
    const all = (await api.get('/connections?include_totals=true')).json<{ connections: { name: string }[] }>();
    expect({ ...all, connections: all.connections.map((c) => c.name) }).toStrictEqual({ start: 0, limit: 50, total: 2, connections: [DB, 'Second-DB'] });
    expect((await api.get('/connections?per_page=1&page=1')).json<{ name: string }[]>().map((c) => c.name)).toEqual(['Second-DB']);
    expect((await api.get('/connections?per_page=1&page=2')).json()).toEqual([]);
    expect((await api.get('/connections?strategy=auth0&strategy=google-oauth2')).json<unknown[]>()).toHaveLength(2);
    expect((await api.get('/connections?strategy=google-oauth2')).json()).toEqual([]);
    expect((await api.get('/connections?name=Second-DB&fields=name,strategy')).json()).toStrictEqual([{ strategy: 'auth0', name: 'Second-DB' }]);
  });

  it('read:connections is required', async () => {
    const other = mgmt(s, await mgmtToken(s, ['read:users']));
    expectMgmtError(await other.get('/connections'), 403, 'Insufficient scope, expected any of: read:connections', 'insufficient_scope');
  });
});

describe('GET /connections/{id}', () => {
  it('200 the connection; fields select; 404 inexistent_connection', async () => {
    const res = await api.get('/connections/con_Second0000000001');
    expect([res.statusCode, res.json()]).toStrictEqual([200, { id: 'con_Second0000000001', options: { requires_username: true }, realms: ['Second-DB'], strategy: 'auth0', name: 'Second-DB' }]);
    expect((await api.get('/connections/con_Second0000000001?fields=id')).json()).toStrictEqual({ id: 'con_Second0000000001' });
    expectMgmtError(await api.get('/connections/con_nope'), 404, 'The connection does not exist', 'inexistent_connection');
  });

  it("T-MG-10: another tenant's connection is 404 on this tenant", async () => {
    const b = await s.addTenant('tenant-b', 'tenant-b.test');
    const [theirs] = await s.storage.connections.list(b.id);
    expectMgmtError(await api.get(`/connections/${theirs!.id}`), 404, 'The connection does not exist', 'inexistent_connection');
  });
});
