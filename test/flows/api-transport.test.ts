// Transport rules of /api/v2 and the public documents (spec §0 rows 4 and 8, §1.2, §2.7, §3.2):
// body tolerance, error bodies and headers, query validation, CORS, discovery, tenant by Host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let token: string;
let api: MgmtCaller;
let clientId: string;

beforeAll(async () => {
  s = await startTestServer();
  token = await mgmtToken(s, ['read:clients', 'create:clients', 'update:clients', 'delete:clients', 'update:client_keys', 'read:client_grants']);
  api = mgmt(s, token);
  const created = await api.post('/clients', { name: 'spa', app_type: 'spa', web_origins: ['https://app.example.com'], callbacks: ['https://cb.example.com/callback'] });
  clientId = created.json<{ client_id: string }>().client_id;
});
afterAll(() => s.close());

const auth = () => ({ authorization: `Bearer ${token}` });

describe('spec §1.2: request-body tolerance', () => {
  it('rotate-secret with Content-Type JSON and a zero-length body is "no body"', async () => {
    const res = await s.inject({ method: 'POST', url: `/api/v2/clients/${clientId}/rotate-secret`, headers: { ...auth(), 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['null', 'application/json'],
    ['{}', 'application/json'],
    ['{"unexpected":true}', 'application/json'],
  ])('a GET with body %s (%s) is not rejected', async (payload, type) => {
    const res = await s.inject({ method: 'GET', url: `/api/v2/clients/${clientId}?fields=name`, headers: { ...auth(), 'content-type': type }, payload });
    expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status: 200, body: { name: 'spa' } });
  });

  it('URL-encoded path ids are decoded once (auth0%7Cabc is the id "auth0|abc", %257C is not)', async () => {
    expectMgmtError(await api.get('/clients/auth0%7Cabc'), 404, 'The client does not exist', 'inexistent_client');
    expectMgmtError(await api.get('/clients/auth0%257Cabc'), 404, 'The client does not exist', 'inexistent_client');
    expect((await api.get(`/clients/${encodeURIComponent(clientId)}`)).statusCode).toBe(200);
  });
});

describe('spec §3.2: error bodies and headers', () => {
  it('invalid JSON → 400 Auth0 body with errorCode invalid_body', async () => {
    const res = await s.inject({ method: 'POST', url: '/api/v2/clients', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"name": "x",' });
    expectMgmtError(res, 400, 'Invalid JSON in the request body', 'invalid_body');
  });

  it('a body that is not JSON → 415 Auth0 body', async () => {
    const res = await s.inject({ method: 'POST', url: '/api/v2/clients', headers: { ...auth(), 'content-type': 'text/plain' }, payload: 'name=x' });
    expectMgmtError(res, 415, 'Unsupported Media Type');
  });

  it.each([
    ['GET', '/api/v2/no-such-thing'],
    ['GET', '/api/v2'],
    ['PUT', '/api/v2/clients'],
    ['DELETE', '/api/v2/clients'],
    ['PUT', `/api/v2/clients/x`],
    ['GET', '/api/v2/clients/x/rotate-secret'],
    ['POST', '/api/v2/client-grants/cgr_x'],
  ] as const)('unknown route or wrong method %s %s → 404 {"statusCode":404,"error":"Not Found","message":"Not Found"}', async (method, url) => {
    for (const headers of [auth(), {}]) expectMgmtError(await s.inject({ method, url, headers }), 404, 'Not Found');
  });

  it.each([
    ['/clients?per_page=101', "Query validation error: 'Value 101 is greater than maximum 100' on property per_page."],
    ['/clients?per_page=0', "Query validation error: 'Value 0 is less than minimum 1' on property per_page."],
    ['/clients?page=-1', "Query validation error: 'Value -1 is less than minimum 0' on property page."],
    ['/clients?page=abc', "Query validation error: 'Expected type integer but found type string' on property page."],
    ['/clients?include_totals=maybe', "Query validation error: 'Expected type boolean but found type string' on property include_totals."],
    ['/clients?include_fields=1x', "Query validation error: 'Expected type boolean but found type string' on property include_fields."],
    ['/client-grants?take=1000', "Query validation error: 'Value 1000 is greater than maximum 100' on property take."],
    ['/clients?app_type=%00', "Query validation error: 'String must not contain NUL characters' on property app_type."],
  ])('%s → 400 invalid_query_string', async (path, message) => {
    expectMgmtError(await api.get(path), 400, message, 'invalid_query_string');
  });

  it('every error carries application/json; charset=utf-8 and x-content-type-options: nosniff', async () => {
    const responses = await Promise.all([
      s.inject({ method: 'GET', url: '/api/v2/clients' }), // 401
      s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: 'Bearer opaque' } }), // 400 header format
      s.inject({ method: 'GET', url: '/api/v2/resource-servers', headers: auth() }), // 403
      api.get('/clients/nope'), // 404
      api.post('/clients', {}), // 400 body
      api.get('/clients?per_page=1000'), // 400 query
      s.inject({ method: 'GET', url: '/api/v2/clients', host: 'unknown.test', headers: auth() }), // 404 host
      s.inject({ method: 'POST', url: '/api/v2/clients', headers: { ...auth(), 'content-type': 'text/plain' }, payload: 'x' }), // 415
    ]);
    expect(responses.map((r) => r.statusCode)).toStrictEqual([401, 400, 403, 404, 400, 400, 404, 415]);
    for (const r of responses) {
      expect(r.headers['content-type']).toBe(JSON_UTF8);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(Object.keys(r.json<object>()).slice(0, 3)).toStrictEqual(['statusCode', 'error', 'message']);
    }
  });
});

describe('spec §0 row 8: CORS', () => {
  const preflight = (origin: string, url = '/api/v2/clients') =>
    s.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, auth0-client' } });

  it('a preflight from an origin a client lists (web_origins) allows Authorization and Auth0-Client', async () => {
    const res = await preflight('https://app.example.com');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE',
      'access-control-allow-headers': 'authorization, content-type, auth0-client, dpop',
      'access-control-max-age': '86400',
      vary: 'Origin',
    });
    expect(res.headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('the origin of a registered callback counts as listed', async () => {
    expect((await preflight('https://cb.example.com')).headers['access-control-allow-origin']).toBe('https://cb.example.com');
  });

  it.each(['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null'])('origin %s gets no CORS headers', async (origin) => {
    const pre = await preflight(origin);
    expect(pre.statusCode).toBe(204);
    expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toStrictEqual([]);
    const get = await s.inject({ method: 'GET', url: '/api/v2/clients?fields=client_id', headers: { ...auth(), origin } });
    expect(get.statusCode).toBe(200);
    expect(Object.keys(get.headers).filter((h) => h.startsWith('access-control-'))).toStrictEqual([]);
    expect(get.headers.vary).toBe('Origin');
  });

  it('actual /api/v2 responses (errors included) carry the allowed origin', async () => {
    const ok = await s.inject({ method: 'GET', url: '/api/v2/clients?fields=client_id', headers: { ...auth(), origin: 'https://app.example.com' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { origin: 'https://app.example.com' } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('an origin stops being allowed as soon as no client lists it', async () => {
    const other = (await api.post('/clients', { name: 'temp', web_origins: ['https://temp.example.com'] })).json<{ client_id: string }>();
    expect((await preflight('https://temp.example.com')).headers['access-control-allow-origin']).toBe('https://temp.example.com');
    expect((await api.del(`/clients/${other.client_id}`)).statusCode).toBe(204);
    expect((await preflight('https://temp.example.com')).headers).not.toHaveProperty('access-control-allow-origin');
  });

  it.each(['/.well-known/openid-configuration', '/.well-known/jwks.json'])('%s is readable from any origin (*)', async (url) => {
    const res = await s.inject({ method: 'GET', url, headers: { origin: 'https://anything.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const pre = await s.inject({ method: 'OPTIONS', url, headers: { origin: 'https://anything.example', 'access-control-request-method': 'GET' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' });
  });
});

describe('spec §2.7: discovery', () => {
  it('answers 200 directly with issuer (trailing slash), jwks_uri, token_endpoint and RS256 allowed', async () => {
    const res = await s.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const doc = res.json<Record<string, unknown>>();
    expect(doc).toMatchObject({
      issuer: 'https://tenant-a.test/',
      jwks_uri: 'https://tenant-a.test/.well-known/jwks.json',
      token_endpoint: 'https://tenant-a.test/oauth/token',
    });
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_post', 'client_secret_basic']));
  });

  it('each tenant answers with its own issuer', async () => {
    await s.addTenant('other', 'tenant-c.test');
    const res = await s.inject({ method: 'GET', url: '/.well-known/openid-configuration', host: 'tenant-c.test' });
    expect(res.json()).toMatchObject({ issuer: 'https://tenant-c.test/', jwks_uri: 'https://tenant-c.test/.well-known/jwks.json' });
  });
});

describe('T-MG-10: the tenant comes from Host only', () => {
  it.each(['/api/v2/clients', '/.well-known/openid-configuration', '/.well-known/jwks.json'])('unknown Host on %s → 404, never a default tenant', async (url) => {
    for (const host of ['unknown.test', 'tenant-a.test.evil.com', 'evil-tenant-a.test', 'tenant-a.test:8443']) {
      expectMgmtError(await s.inject({ method: 'GET', url, host, headers: auth() }), 404, 'No tenant answers the host this request was sent to');
    }
  });

  it('Host is case-insensitive (RFC 9110 §4.2.3)', async () => {
    expect((await s.inject({ method: 'GET', url: '/api/v2/clients?fields=client_id', host: 'TENANT-A.TEST', headers: auth() })).statusCode).toBe(200);
  });
});
