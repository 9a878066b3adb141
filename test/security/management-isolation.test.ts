// Management API data confinement (security catalogue §4.6): secrets only with read:client_keys
// (T-MG-04), mass assignment (T-MG-06), tenant isolation (T-MG-10), path traversal in ids (T-MG-15).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/domain/tenant.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, expectNoContent, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const READS = ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'];
const ALL_CRUD = [
  ...READS,
  'create:clients', 'update:clients', 'update:client_keys', 'delete:clients',
  'read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants',
  'read:resource_servers', 'create:resource_servers', 'update:resource_servers', 'delete:resource_servers',
];

describe('T-MG-04: client_secret appears only with read:client_keys; signing_keys with read:client_keys or read:client_credentials', () => {
  let s: TestServer;
  let wide: M2M;
  let target: string;
  const tokens = new Map<string, string>();
  const tokenWith = async (scopes: string[]) => {
    const key = [...scopes].sort().join(' ');
    if (!tokens.has(key)) tokens.set(key, await tokenFor(s, wide, undefined, key));
    return tokens.get(key)!;
  };

  beforeAll(async () => {
    s = await startTestServer();
    wide = await seedM2M(s, [...READS, 'create:clients', 'read:users'], { name: 'wide' });
    target = (await mgmt(s, await tokenFor(s, wide)).post('/clients', { name: 'target', app_type: 'regular_web' })).json<{ client_id: string }>().client_id;
  });
  afterAll(() => s.close());

  it('for random read-scope sets, on get, list, include_totals and fields=client_secret&include_fields=true', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(READS, { minLength: 1 }), fc.boolean(), async (reads, extra) => {
        const scopes = extra ? [...reads, 'read:users'] : reads;
        const api = mgmt(s, await tokenWith(scopes));
        const keys = scopes.includes('read:client_keys');
        const credentials = keys || scopes.includes('read:client_credentials');
        const one = (await api.get(`/clients/${target}`)).json<Record<string, unknown>>();
        const list = (await api.get('/clients')).json<Record<string, unknown>[]>();
        const totals = (await api.get('/clients?include_totals=true')).json<{ clients: Record<string, unknown>[] }>().clients;
        const picked = (await api.get(`/clients/${target}?fields=client_secret,signing_keys&include_fields=true`)).json<Record<string, unknown>>();
        const pickedList = (await api.get('/clients?fields=client_secret&include_fields=true')).json<Record<string, unknown>[]>();
        // The dashboard's application is public and stored without a secret: it never shows one.
        const hasSecret = (body: Record<string, unknown>) => body.scopeward_system === undefined && body.name !== 'Scopeward Dashboard';
        for (const body of [one, ...list, ...totals]) {
          expect('client_secret' in body).toBe(keys && hasSecret(body));
          expect('signing_keys' in body).toBe(credentials);
        }
        expect(Object.keys(picked).sort()).toStrictEqual([...(keys ? ['client_secret'] : []), ...(credentials ? ['signing_keys'] : [])]);
        expect(pickedList.filter((c) => Object.keys(c).join() === (keys ? 'client_secret' : ''))).toHaveLength(keys ? pickedList.length - 1 : pickedList.length);
      }),
      { numRuns: 40 },
    );
  });

  it('a token without read:client_keys cannot obtain one through the token endpoint (403)', async () => {
    const limited = await seedM2M(s, ['read:clients'], { name: 'limited' });
    const res = await s.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: limited.clientId, client_secret: limited.clientSecret, audience: s.tenant.managementAudience, scope: 'read:clients read:client_keys' },
    });
    expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status: 403, body: { error: 'access_denied', error_description: 'Client has not been granted scopes: read:client_keys' } });
  });
});

describe('T-MG-06: mass assignment is refused and stores nothing', () => {
  let s: TestServer;
  let api: MgmtCaller;
  let existing: Record<string, unknown>;
  const count = async () => (await api.get('/clients?include_totals=true')).json<{ total: number }>().total;

  beforeAll(async () => {
    s = await startTestServer();
    api = mgmt(s, await tokenFor(s, await seedM2M(s, ALL_CRUD, { name: 'admin' })));
    existing = (await api.post('/clients', { name: 'existing' })).json();
  });
  afterAll(() => s.close());

  it.each([
    ['client_id', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['tenant', 'someone-else'],
    ['global', true],
    ['signing_keys', [{ cert: 'x' }]],
    ['client_secret', 'c'.repeat(64)],
    ['callback_url_template', true],
    ['secret_sealed', 'x'],
    ['created_at', '2020-01-01T00:00:00.000Z'],
  ])('POST /clients with %s → 400', async (field, value) => {
    const before = await count();
    expectMgmtError(await api.post('/clients', { name: 'mass', [field]: value }), 400, `Payload validation error: 'Additional properties not allowed: ${field}'.`, 'invalid_body');
    expect(await count()).toBe(before);
  });

  it.each([
    ['client_id', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['tenant', 'someone-else'],
    ['global', true],
    ['signing_keys', [{ cert: 'x' }]],
    ['secret_mac', 'x'],
  ])('PATCH /clients with %s → 400 and the client is unchanged', async (field, value) => {
    expectMgmtError(await api.patch(`/clients/${String(existing.client_id)}`, { [field]: value }), 400, `Payload validation error: 'Additional properties not allowed: ${field}'.`, 'invalid_body');
    expect((await api.get(`/clients/${String(existing.client_id)}`)).json()).toStrictEqual(existing);
  });

  it.each([
    ['id', '0123456789abcdef01234567'],
    ['is_system', true],
    ['tenant_id', 'x'],
  ])('POST /resource-servers with %s → 400 and nothing stored', async (field, value) => {
    const before = (await api.get('/resource-servers')).json<unknown[]>().length;
    expectMgmtError(await api.post('/resource-servers', { identifier: 'urn:mass', [field]: value }), 400, `Payload validation error: 'Additional properties not allowed: ${field}'.`, 'invalid_body');
    expect((await api.get('/resource-servers')).json<unknown[]>()).toHaveLength(before);
  });

  it.each([
    ['identifier', 'urn:moved'],
    ['is_system', false],
    ['id', 'x'],
  ])('PATCH /resource-servers with %s → 400', async (field, value) => {
    const rs = (await api.post('/resource-servers', { identifier: `urn:patch-${field}` })).json<{ id: string }>();
    expectMgmtError(await api.patch(`/resource-servers/${rs.id}`, { [field]: value }), 400, `Payload validation error: 'Additional properties not allowed: ${field}'.`, 'invalid_body');
  });

  it.each([
    ['id', 'cgr_chosenbyme0000'],
    ['is_system', true],
    ['created_at', '2020-01-01'],
  ])('POST /client-grants with %s → 400 and nothing stored', async (field, value) => {
    expectMgmtError(
      await api.post('/client-grants', { client_id: existing.client_id, audience: s.tenant.managementAudience, scope: [], [field]: value }),
      400,
      `Payload validation error: 'Additional properties not allowed: ${field}'.`,
      'invalid_body',
    );
    expect((await api.get(`/client-grants?client_id=${String(existing.client_id)}`)).json()).toStrictEqual([]);
  });
});

describe('T-MG-10: tenant isolation', () => {
  let s: TestServer;
  let tenantB: Tenant;
  let a: MgmtCaller;
  let b: MgmtCaller;
  let tokenA: string;
  let tokenB: string;
  const ids = { client: '', grant: '', api: '', apiIdentifier: 'urn:tenant-a-only', system: '' };

  beforeAll(async () => {
    s = await startTestServer();
    tokenA = await tokenFor(s, await seedM2M(s, ALL_CRUD, { name: 'admin A' }));
    a = mgmt(s, tokenA);
    tenantB = await s.addTenant('b', 'tenant-b.test');
    const asB = { ...s, tenant: tenantB, inject: (o: Parameters<TestServer['inject']>[0]) => s.inject({ ...o, host: 'tenant-b.test' }) };
    tokenB = await tokenFor(asB, await seedM2M(asB, ALL_CRUD, { name: 'admin B' }));
    b = mgmt(s, tokenB, 'tenant-b.test');

    ids.client = (await a.post('/clients', { name: 'A only', app_type: 'non_interactive' })).json<{ client_id: string }>().client_id;
    ids.api = (await a.post('/resource-servers', { identifier: ids.apiIdentifier })).json<{ id: string }>().id;
    ids.grant = (await a.post('/client-grants', { client_id: ids.client, audience: ids.apiIdentifier, scope: [] })).json<{ id: string }>().id;
    ids.system = (await a.get('/resource-servers')).json<{ id: string; is_system?: boolean }[]>().find((r) => r.is_system)!.id;
  });
  afterAll(() => s.close());

  it("B's token on B's host gets 404 (not 403) for every A client id", async () => {
    const notFound = (res: Awaited<ReturnType<MgmtCaller['get']>>) => expectMgmtError(res, 404, 'The client does not exist', 'inexistent_client');
    notFound(await b.get(`/clients/${ids.client}`));
    notFound(await b.patch(`/clients/${ids.client}`, { name: 'stolen' }));
    notFound(await b.post(`/clients/${ids.client}/rotate-secret`));
    notFound(await b.del(`/clients/${ids.client}`));
    expect((await a.get(`/clients/${ids.client}`)).json()).toMatchObject({ name: 'A only' });
  });

  it("…for A's grants (DELETE stays 204 but removes nothing of A's)", async () => {
    expectMgmtError(await b.get(`/client-grants/${ids.grant}`), 404, 'The grant does not exist.', 'inexistent_client_grant');
    expectMgmtError(await b.patch(`/client-grants/${ids.grant}`, { scope: ['x'] }), 404, 'The client grant does not exist.', 'inexistent_client_grant');
    expectNoContent(await b.del(`/client-grants/${ids.grant}`));
    expect((await a.get(`/client-grants/${ids.grant}`)).json()).toMatchObject({ id: ids.grant, scope: [] });
  });

  it("…for A's APIs by id and by identifier, including A's system API", async () => {
    for (const ref of [ids.api, encodeURIComponent(ids.apiIdentifier), ids.system, encodeURIComponent(s.tenant.managementAudience)]) {
      expectMgmtError(await b.get(`/resource-servers/${ref}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
      expectMgmtError(await b.patch(`/resource-servers/${ref}`, { name: 'stolen' }), 404, 'The resource server does not exist', 'inexistent_resource_server');
      expectMgmtError(await b.del(`/resource-servers/${ref}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
    }
    expect((await a.get(`/resource-servers/${ids.api}`)).statusCode).toBe(200);
  });

  it("B cannot grant its clients A's APIs or grant A's clients anything", async () => {
    const own = (await b.post('/clients', { name: 'B app' })).json<{ client_id: string }>().client_id;
    expectMgmtError(await b.post('/client-grants', { client_id: own, audience: ids.apiIdentifier, scope: [] }), 404, 'Resource server not found', 'inexistent_resource_server');
    expectMgmtError(await b.post('/client-grants', { client_id: ids.client, audience: tenantB.managementAudience, scope: [] }), 404, 'Client not found', 'inexistent_client');
  });

  it("B's lists contain none of A's objects", async () => {
    const clients = (await b.get('/clients')).json<{ client_id: string; tenant: string }[]>();
    expect(clients.map((c) => c.tenant)).toStrictEqual(clients.map(() => 'b'));
    expect(clients.map((c) => c.client_id)).not.toContain(ids.client);
    const grants = (await b.get('/client-grants')).json<{ id: string; audience: string }[]>();
    expect(grants.every((g) => g.audience === tenantB.managementAudience)).toBe(true);
    const apis = (await b.get('/resource-servers')).json<{ identifier: string }[]>();
    expect(apis.map((r) => r.identifier)).toStrictEqual([tenantB.managementAudience]);
  });

  it("B's token on A's host is an invalid token (401), never B's data", async () => {
    const res = await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${tokenB}` } });
    expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } } });
  });

  it.each([
    { 'x-forwarded-host': 'tenant-b.test' },
    { forwarded: 'host=tenant-b.test' },
    { 'x-forwarded-host': 'tenant-b.test', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' },
  ])('spoofed %j from an untrusted peer does not change the tenant', async (spoof) => {
    const asA = await s.inject({ method: 'GET', url: '/api/v2/clients?fields=tenant', headers: { authorization: `Bearer ${tokenA}`, ...spoof } });
    expect(asA.statusCode).toBe(200);
    expect(new Set(asA.json<{ tenant: string }[]>().map((c) => c.tenant))).toStrictEqual(new Set(['default']));
    const bOnA = await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${tokenB}`, ...spoof } });
    expect(bOnA.statusCode).toBe(401);
    const unknown = await s.inject({ method: 'GET', url: '/api/v2/clients', host: 'unknown.test', headers: { authorization: `Bearer ${tokenA}`, ...spoof, 'x-forwarded-host': 'tenant-a.test' } });
    expectMgmtError(unknown, 404, 'No tenant answers the host this request was sent to');
  });
});

const TRAVERSALS = ['..%2f', '..%2F..%2Fclients', '%2e%2e/', '%2e%2e%2f', '%252e%252e', '%252e%252e%252f', '..%5c', '..%5c..%5c', '%00', 'x%00.json', '.', '..'];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`T-MG-15: path traversal in ids on ${dialect}`, () => {
    let s: TestServer;
    let api: MgmtCaller;
    let grantCount: number;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      api = mgmt(s, await tokenFor(s, await seedM2M(s, ALL_CRUD, { name: 'admin' })));
      grantCount = (await api.get('/client-grants')).json<unknown[]>().length;
    });
    afterAll(async () => {
      await s.close();
    });

    it.each(TRAVERSALS)('%s as an id → 404 or 400 with an Auth0 body, never 5xx, nothing deleted', async (id) => {
      const calls = [
        api.get(`/clients/${id}`),
        api.patch(`/clients/${id}`, { description: 'x' }),
        api.del(`/clients/${id}`),
        api.post(`/clients/${id}/rotate-secret`),
        api.get(`/client-grants/${id}`),
        api.patch(`/client-grants/${id}`, { scope: [] }),
        api.get(`/resource-servers/${id}`),
        api.patch(`/resource-servers/${id}`, { name: 'x' }),
        api.del(`/resource-servers/${id}`),
      ];
      for (const res of await Promise.all(calls)) {
        expect([400, 404]).toContain(res.statusCode);
        expect(res.json()).toMatchObject({ statusCode: res.statusCode, error: res.statusCode === 400 ? 'Bad Request' : 'Not Found' });
      }
      // Grant deletion is idempotent (204 for any id); dot segments resolve to no route at all (404).
      const del = await api.del(`/client-grants/${id}`);
      expect([204, 400, 404]).toContain(del.statusCode);
      expect((await api.get('/client-grants')).json<unknown[]>()).toHaveLength(grantCount);
      // The admin application, the tenant's global client and its dashboard application.
      expect((await api.get('/clients')).json<unknown[]>()).toHaveLength(3);
    });

    it('a NUL in an id is refused as a path error before it reaches the database', async () => {
      expectMgmtError(await api.get('/clients/a%00b'), 400, "Path validation error: 'String must not contain NUL characters' on property id.", 'invalid_uri');
      expectMgmtError(await api.get('/client-grants?audience=%00'), 400, "Query validation error: 'String must not contain NUL characters' on property audience.", 'invalid_query_string');
      expectMgmtError(
        await api.post('/resource-servers', { identifier: 'urn:\u0000' }),
        400,
        "Payload validation error: 'String must not contain NUL characters' on property identifier.",
        'invalid_body',
      );
    });
  });
}
