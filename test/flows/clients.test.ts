// /api/v2/clients: list, get, create and delete (spec §3.4, §3.5.1, §8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ADMIN = ['read:clients', 'read:client_keys', 'create:clients', 'delete:clients', 'read:client_grants', 'create:client_grants', 'create:resource_servers'];

const REFRESH_DEFAULTS = {
  rotation_type: 'non-rotating',
  expiration_type: 'non-expiring',
  leeway: 0,
  token_lifetime: 2592000,
  infinite_token_lifetime: true,
  idle_token_lifetime: 1296000,
  infinite_idle_token_lifetime: true,
};

/** Everything Auth0 fills in on create, apart from what depends on app_type. */
function defaults(name: string) {
  return {
    client_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
    name,
    tenant: 'default',
    global: false,
    is_first_party: true,
    is_token_endpoint_ip_header_trusted: false,
    oidc_conformant: true,
    callbacks: [],
    allowed_origins: [],
    web_origins: [],
    allowed_logout_urls: [],
    client_aliases: [],
    allowed_clients: [],
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false },
    sso_disabled: false,
    cross_origin_authentication: false,
    custom_login_page_on: true,
    callback_url_template: false,
    refresh_token: REFRESH_DEFAULTS,
    signing_keys: [{ cert: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\r\n/), pkcs7: expect.stringMatching(/^-----BEGIN PKCS7-----\r\n/), subject: '/CN=tenant-a.test' }],
  };
}

/** Every tenant is provisioned with its global client ("All Applications"); the API cannot make one. */
async function globalClientId(s: TestServer): Promise<string> {
  const { items } = await s.storage.clients.list(s.tenant.id, { isGlobal: true }, { offset: 0, limit: 2, withTotal: false });
  expect(items).toHaveLength(1);
  return items[0]!.clientId;
}

describe('GET /api/v2/clients (list, filters, pagination)', () => {
  let s: TestServer;
  let api: MgmtCaller;
  const ids: Record<string, string> = {};
  const names = (body: unknown): string[] => (body as { name: string }[]).map((c) => c.name);

  beforeAll(async () => {
    s = await startTestServer(); // provisions the global client and the dashboard's first
    s.clock.advance(1);
    api = mgmt(s, await mgmtToken(s, ADMIN)); // the admin application is "test app", non_interactive
    ids.global = await globalClientId(s);
    for (const [name, extra] of [
      ['A', { app_type: 'spa' }],
      ['B', { app_type: 'regular_web' }],
      ['C', { app_type: 'non_interactive', is_first_party: false }],
    ] as const) {
      s.clock.advance(1);
      const res = await api.post('/clients', { name, ...extra });
      expect(res.statusCode).toBe(201);
      ids[name] = res.json<{ client_id: string }>().client_id;
    }
  });
  afterAll(() => s.close());

  it('spec §3.4: without include_totals the answer is a bare array in creation order', async () => {
    const res = await api.get('/clients');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    expect(names(res.json())).toStrictEqual(['All Applications', 'Scopeward Dashboard', 'test app', 'A', 'B', 'C']);
  });

  it('spec §0 row 5: include_totals=true answers {total,start,limit,clients} (the v5 SDK default request)', async () => {
    const res = await api.get('/clients?page=0&per_page=50&include_totals=true');
    const body = res.json<{ clients: unknown[] }>();
    expect(Object.keys(body).sort()).toStrictEqual(['clients', 'limit', 'start', 'total']);
    expect({ ...body, clients: names(body.clients) }).toStrictEqual({ total: 6, start: 0, limit: 50, clients: ['All Applications', 'Scopeward Dashboard', 'test app', 'A', 'B', 'C'] });
  });

  it('spec §3.4: page and per_page select a window; start is page × per_page', async () => {
    const res = await api.get('/clients?page=1&per_page=2&include_totals=true');
    const body = res.json<{ clients: unknown[] }>();
    expect({ ...body, clients: names(body.clients) }).toStrictEqual({ total: 6, start: 2, limit: 2, clients: ['test app', 'A'] });
    expect(names((await api.get('/clients?page=2&per_page=2')).json())).toStrictEqual(['B', 'C']);
  });

  it('spec §3.4: out-of-range pages are empty, never an error', async () => {
    const object = await api.get('/clients?page=7&per_page=2&include_totals=true');
    expect(object.statusCode).toBe(200);
    expect(object.json()).toStrictEqual({ total: 6, start: 14, limit: 2, clients: [] });
    const bare = await api.get('/clients?page=3&per_page=50');
    expect(bare.statusCode).toBe(200);
    expect(bare.json()).toStrictEqual([]);
  });

  it('spec §3.4: from/take checkpoint pages give {clients, next}; the last page has no next and nothing repeats', async () => {
    const seen: string[] = [];
    let from: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const body = (await api.get(`/clients?take=2${from ? `&from=${from}` : ''}`)).json<{ clients: { name: string }[]; next?: string }>();
      expect(Object.keys(body).filter((k) => k !== 'next')).toStrictEqual(['clients']);
      sizes.push(body.clients.length);
      seen.push(...body.clients.map((c) => c.name));
      if (!body.next) break;
      from = body.next;
    }
    expect(seen).toStrictEqual(['All Applications', 'Scopeward Dashboard', 'test app', 'A', 'B', 'C']);
    expect(sizes).toStrictEqual([2, 2, 2]);
    expect((await api.get('/clients?take=6')).json()).not.toHaveProperty('next');
  });

  it('the cached list view follows a change at once (a new client appears, a deleted one goes)', async () => {
    const before = names((await api.get('/clients?per_page=10')).json());
    s.clock.advance(1); // created after the others, so it lists last
    const created = (await api.post('/clients', { name: 'D' })).json<{ client_id: string }>();
    try {
      expect(names((await api.get('/clients?per_page=10')).json())).toStrictEqual([...before, 'D']);
    } finally {
      expect((await api.del(`/clients/${created.client_id}`)).statusCode).toBe(204);
    }
    expect(names((await api.get('/clients?per_page=10')).json())).toStrictEqual(before);
  });

  it('spec §3.5.1: app_type takes a comma-separated list', async () => {
    expect(names((await api.get('/clients?app_type=spa')).json())).toStrictEqual(['Scopeward Dashboard', 'A']);
    expect(names((await api.get('/clients?app_type=spa,regular_web')).json())).toStrictEqual(['Scopeward Dashboard', 'A', 'B']);
    expect(names((await api.get('/clients?app_type=non_interactive')).json())).toStrictEqual(['test app', 'C']);
    expect(names((await api.get('/clients?app_type=native')).json())).toStrictEqual([]);
  });

  it('spec §3.5.1: is_global filters the global client in or out', async () => {
    const global = (await api.get('/clients?is_global=true')).json<{ client_id: string; global: boolean }[]>();
    expect(global.map((c) => [c.client_id, c.global])).toStrictEqual([[ids.global, true]]);
    expect(names((await api.get('/clients?is_global=false')).json())).toStrictEqual(['Scopeward Dashboard', 'test app', 'A', 'B', 'C']);
  });

  it('spec §3.5.1: is_first_party filters; filters combine with pagination totals', async () => {
    expect(names((await api.get('/clients?is_first_party=false')).json())).toStrictEqual(['C']);
    expect(names((await api.get('/clients?is_first_party=true')).json())).toStrictEqual(['All Applications', 'Scopeward Dashboard', 'test app', 'A', 'B']);
    const res = await api.get('/clients?is_global=false&app_type=non_interactive&is_first_party=true&include_totals=true');
    const body = res.json<{ clients: unknown[] }>();
    expect({ ...body, clients: names(body.clients) }).toStrictEqual({ total: 1, start: 0, limit: 50, clients: ['test app'] });
  });

  it('spec §1.2: query booleans are the strings true/false; anything else is a query error', async () => {
    expectMgmtError(await api.get('/clients?is_global=yes'), 400, "Query validation error: 'Expected type boolean but found type string' on property is_global.", 'invalid_query_string');
  });
});

describe('GET /api/v2/clients/{id}', () => {
  let s: TestServer;
  let api: MgmtCaller;
  beforeAll(async () => {
    s = await startTestServer();
    api = mgmt(s, await mgmtToken(s, ADMIN));
  });
  afterAll(() => s.close());

  it('spec §3.5.1: answers the client exactly as create returned it (read:client_keys)', async () => {
    const created = await api.post('/clients', { name: 'get me', app_type: 'regular_web', description: 'd' });
    const id = created.json<{ client_id: string }>().client_id;
    const res = await api.get(`/clients/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    expect(res.json()).toStrictEqual(created.json());
  });

  it('spec §7: an unknown client is 404 "The client does not exist" with errorCode inexistent_client', async () => {
    expectMgmtError(await api.get('/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'The client does not exist', 'inexistent_client');
  });

  it('spec §1.2: path ids are URL-decoded (every character percent-encoded still finds the client)', async () => {
    const id = (await api.post('/clients', { name: 'encoded' })).json<{ client_id: string }>().client_id;
    const encoded = [...id].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const res = await api.get(`/clients/${encoded}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ client_id: string }>().client_id).toBe(id);
    expectMgmtError(await api.get(`/clients/${encodeURIComponent('auth0|abc')}`), 404, 'The client does not exist', 'inexistent_client');
  });
});

describe('POST /api/v2/clients', () => {
  let s: TestServer;
  let api: MgmtCaller;
  const count = async () => (await api.get('/clients?include_totals=true')).json<{ total: number }>().total;
  beforeAll(async () => {
    s = await startTestServer();
    api = mgmt(s, await mgmtToken(s, ADMIN));
  });
  afterAll(() => s.close());

  it('spec §3.5.1: 201 with the whole client; non_interactive gets only client_credentials', async () => {
    const res = await api.post('/clients', { name: 'm2m', app_type: 'non_interactive' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    expect(res.json()).toStrictEqual({ ...defaults('m2m'), app_type: 'non_interactive', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
  });

  it.each([
    ['spa', ['authorization_code', 'implicit', 'refresh_token'], 'none'],
    ['native', ['authorization_code', 'implicit', 'refresh_token'], 'none'],
    ['regular_web', ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'], 'client_secret_post'],
  ])('spec §3.5.1: app_type %s gets Auth0 default grant types and auth method', async (appType, grantTypes, method) => {
    const res = await api.post('/clients', { name: `app ${appType}`, app_type: appType });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toStrictEqual({ ...defaults(`app ${appType}`), app_type: appType, grant_types: grantTypes, token_endpoint_auth_method: method });
  });

  it('spec §3.5.1: without app_type the client gets every default grant type and no app_type field', async () => {
    const res = await api.post('/clients', { name: 'untyped' });
    expect(res.json()).toStrictEqual({ ...defaults('untyped'), grant_types: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
  });

  it('spec §3.5.1: given settings override the defaults', async () => {
    const res = await api.post('/clients', { name: 'custom', app_type: 'spa', grant_types: ['authorization_code'], callbacks: ['https://app.example.com/cb'], client_metadata: { team: 'blue' } });
    expect(res.json()).toMatchObject({ grant_types: ['authorization_code'], callbacks: ['https://app.example.com/cb'], client_metadata: { team: 'blue' } });
  });

  it('spec §8: ids are 32 alphanumerics and secrets 64 URL-safe characters, all distinct', async () => {
    const made = await Promise.all([1, 2, 3, 4].map((i) => api.post('/clients', { name: `many ${i}` })));
    const bodies = made.map((r) => r.json<{ client_id: string; client_secret: string }>());
    expect(new Set(bodies.map((b) => b.client_id)).size).toBe(4);
    expect(new Set(bodies.map((b) => b.client_secret)).size).toBe(4);
  });

  it('spec §3.5.1: the returned secret is the one /oauth/token accepts', async () => {
    const client = (await api.post('/clients', { name: 'works', app_type: 'non_interactive' })).json<{ client_id: string; client_secret: string }>();
    expect((await api.post('/resource-servers', { identifier: 'urn:works' })).statusCode).toBe(201);
    expect((await api.post('/client-grants', { client_id: client.client_id, audience: 'urn:works', scope: [] })).statusCode).toBe(201);
    const ok = await requestToken(s, client.client_id, client.client_secret, 'urn:works');
    expect(ok.statusCode).toBe(200);
    // Another last character, always (a fixed one would equal the real one once in 64 runs).
    const other = client.client_secret.endsWith('x') ? 'y' : 'x';
    const bad = await requestToken(s, client.client_id, `${client.client_secret.slice(0, -1)}${other}`, 'urn:works');
    expect({ status: bad.statusCode, body: bad.json<unknown>() }).toStrictEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  });

  it.each([
    [{}, "Payload validation error: 'Missing required property: name'."],
    [{ description: 'no name' }, "Payload validation error: 'Missing required property: name'."],
    [{ name: 'x', foo: 1 }, "Payload validation error: 'Additional properties not allowed: foo'."],
    [{ name: 5 }, "Payload validation error: 'Expected type string but found type integer' on property name."],
    [{ name: 'x', callbacks: 'https://a.example/cb' }, "Payload validation error: 'Expected type array but found type string' on property callbacks."],
    [{ name: 'x', is_first_party: 'yes' }, "Payload validation error: 'Expected type boolean but found type string' on property is_first_party."],
    [{ name: 'x', app_type: 'mainframe' }, 'Payload validation error: \'No enum match for: "mainframe"\' on property app_type.'],
    [{ name: 'a<b' }, "Payload validation error: 'String does not match pattern ^[^<>]+$: a<b' on property name."],
    [{ name: 'x', description: 'd'.repeat(141) }, "Payload validation error: 'String is too long (141 chars), maximum 140' on property description."],
  ])('spec §3.2: invalid body %j → 400 invalid_body and nothing stored', async (payload, message) => {
    const before = await count();
    expectMgmtError(await api.post('/clients', payload), 400, message, 'invalid_body');
    expect(await count()).toBe(before);
  });
});

describe('DELETE /api/v2/clients/{id}', () => {
  let s: TestServer;
  let api: MgmtCaller;
  beforeAll(async () => {
    s = await startTestServer();
    api = mgmt(s, await mgmtToken(s, ADMIN));
    expect((await api.post('/resource-servers', { identifier: 'urn:del' })).statusCode).toBe(201);
  });
  afterAll(() => s.close());

  it('spec §3.5.1: 204 with an empty body; the client is gone afterwards', async () => {
    const id = (await api.post('/clients', { name: 'bye' })).json<{ client_id: string }>().client_id;
    expectNoContent(await api.del(`/clients/${id}`));
    expectMgmtError(await api.get(`/clients/${id}`), 404, 'The client does not exist', 'inexistent_client');
    expect((await api.get('/clients')).json<{ client_id: string }[]>().map((c) => c.client_id)).not.toContain(id);
  });

  it("spec §3.5.1: a deleted client's grants go with it, and its secret stops working", async () => {
    const client = (await api.post('/clients', { name: 'granted', app_type: 'non_interactive' })).json<{ client_id: string; client_secret: string }>();
    const grant = (await api.post('/client-grants', { client_id: client.client_id, audience: 'urn:del', scope: [] })).json<{ id: string }>();
    expect((await requestToken(s, client.client_id, client.client_secret, 'urn:del')).statusCode).toBe(200);

    expectNoContent(await api.del(`/clients/${client.client_id}`));
    expect((await api.get(`/client-grants?client_id=${client.client_id}`)).json()).toStrictEqual([]);
    expectMgmtError(await api.get(`/client-grants/${grant.id}`), 404, 'The grant does not exist.', 'inexistent_client_grant');
    const token = await requestToken(s, client.client_id, client.client_secret, 'urn:del');
    expect({ status: token.statusCode, body: token.json<unknown>() }).toStrictEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
  });

  it('spec §3.5.1: deleting an unknown (or already deleted) client is 404', async () => {
    const id = (await api.post('/clients', { name: 'twice' })).json<{ client_id: string }>().client_id;
    expectNoContent(await api.del(`/clients/${id}`));
    expectMgmtError(await api.del(`/clients/${id}`), 404, 'The client does not exist', 'inexistent_client');
  });

  it('spec §3.5.1: the global client cannot be deleted (400) and survives', async () => {
    const id = await globalClientId(s);
    expectMgmtError(await api.del(`/clients/${id}`), 400, 'Global client cannot be deleted.', 'operation_not_supported');
    expect((await api.get(`/clients/${id}`)).statusCode).toBe(200);
  });
});
