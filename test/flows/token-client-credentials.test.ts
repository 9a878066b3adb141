// POST /oauth/token with grant_type=client_credentials, spec §2.2: exact success and error bodies,
// both body encodings and both client authentication methods, and what operator changes (grant
// deletion, secret rotation, per-API lifetime and HS256 signing) do to the next request.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { seedM2M, setDefaultAudience, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError, expectUnauthorized, issued } from '../helpers/token-contract.ts';
import { adminFor, createApi, createClient, type Admin } from '../helpers/admin-api.ts';

const CC = 'client_credentials';
const CLIENT_GRANT_URL = 'https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants';

let s: TestServer;
let admin: Admin;
let m2m: M2M;
let MGMT: string;

beforeEach(async () => {
  s = await startTestServer();
  admin = await adminFor(s);
  MGMT = s.tenant.managementAudience;
  m2m = await seedM2M(s, ['read:clients', 'read:users']);
});
afterEach(async () => s.close());

const nowSec = (): number => Math.floor(s.clock.now() / 1000);
const creds = (c: M2M, extra: Record<string, string> = {}) => ({ grant_type: CC, client_id: c.clientId, client_secret: c.clientSecret, audience: MGMT, ...extra });

async function verifyWithJwks(token: string, audience: string) {
  const jwks = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: `https://${s.tenant.domain}/`, audience, algorithms: ['RS256'], currentDate: new Date(s.clock.now()) });
}

describe('spec §2.2: success', () => {
  test.each([
    ['form (application/x-www-form-urlencoded)', 'form'],
    ['JSON (application/json)', 'json'],
  ] as const)('spec §0 row 7 / T-TOK-01: %s body with client_secret_post → 200, Auth0 body and claims', async (_label, kind) => {
    const res = await callToken(s, { [kind]: creds(m2m) });
    const { body, header, claims } = issued(res);
    expect(body).toEqual({ access_token: body.access_token, scope: 'read:clients read:users', expires_in: 86400, token_type: 'Bearer' });
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(claims).toEqual({
      iss: `https://${s.tenant.domain}/`,
      sub: `${m2m.clientId}@clients`,
      aud: MGMT,
      iat: nowSec(),
      exp: nowSec() + 86400,
      scope: 'read:clients read:users',
      gty: 'client-credentials',
      azp: m2m.clientId,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    await expect(verifyWithJwks(body.access_token, MGMT)).resolves.toBeDefined();
  });

  test.each(['form', 'json'] as const)('RFC 6749 §2.3.1: client_secret_basic with a %s body → 200', async (kind) => {
    const res = await callToken(s, { [kind]: { grant_type: CC, audience: MGMT }, basic: { id: m2m.clientId, secret: m2m.clientSecret } });
    expect(issued(res).claims.azp).toBe(m2m.clientId);
  });

  test('RFC 6749 §2.3.1: Basic with client_id repeated in the body (same value) → 200', async () => {
    const res = await callToken(s, { form: { grant_type: CC, client_id: m2m.clientId, audience: MGMT }, basic: { id: m2m.clientId, secret: m2m.clientSecret } });
    expect(issued(res).body.scope).toBe('read:clients read:users');
  });

  const SPECIAL: [string, string, string][] = [
    ['colons', 'id:with:colons', 'secret:with:colons:0123456789abcdefghij'],
    ['percent signs', 'id%41%zz', 'secret%41%zz%%-0123456789abcdefghijklmn'],
    ['plus signs', 'id+plus', 'secret+plus+0123456789abcdefghijklmnopq'],
    ['spaces', 'id with space', 'secret with spaces 0123456789abcdefghij'],
    ['non-ASCII', 'идентификатор-ü', 'секрет-ключ-ü-日本語-0123456789abcdefghij'],
  ];
  test.each(SPECIAL)('RFC 6749 App. B / T-CA-03: id and secret with %s → 200 via Basic (form-encoded) and via the body', async (_l, clientId, secret) => {
    await seedM2M(s, ['read:clients'], { clientId, secret });
    const viaBasic = await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: clientId, secret } });
    expect(issued(viaBasic).claims.sub).toBe(`${clientId}@clients`);
    const viaForm = await callToken(s, { form: { grant_type: CC, client_id: clientId, client_secret: secret, audience: MGMT } });
    expect(issued(viaForm).claims.azp).toBe(clientId);
    const viaJson = await callToken(s, { json: { grant_type: CC, client_id: clientId, client_secret: secret, audience: MGMT } });
    expect(issued(viaJson).claims.azp).toBe(clientId);
  });

  test('spec §2.2: a grant without scopes → body without scope, token without scope claim', async () => {
    const api = await createApi(admin, { identifier: 'https://noscope.example.com/', scopes: [] });
    const c = await seedM2M(s, [], { audience: api.identifier });
    const { body, claims } = issued(await callToken(s, { form: creds(c, { audience: api.identifier }) }));
    expect(body).toEqual({ access_token: body.access_token, expires_in: 86400, token_type: 'Bearer' });
    expect(claims).not.toHaveProperty('scope');
  });

  test("spec §2.2: expires_in is the API's token_lifetime, and exp - iat matches", async () => {
    const api = await createApi(admin, { identifier: 'https://short.example.com', token_lifetime: 3600, scopes: [{ value: 'read:x' }] });
    const c = await seedM2M(s, ['read:x'], { audience: api.identifier });
    const { body, claims } = issued(await callToken(s, { json: creds(c, { audience: api.identifier }) }));
    expect(body).toEqual({ access_token: body.access_token, scope: 'read:x', expires_in: 3600, token_type: 'Bearer' });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  test("spec §2.2 / T-SCP-05: no audience → the tenant's default_audience", async () => {
    await setDefaultAudience(s, MGMT);
    const { claims } = issued(await callToken(s, { form: { grant_type: CC, client_id: m2m.clientId, client_secret: m2m.clientSecret } }));
    expect(claims.aud).toBe(MGMT);
    expect(claims.scope).toBe('read:clients read:users');
  });

  test('spec §2.2: HS256 API → HS256 token verifiable with its signing_secret, not in the JWKS', async () => {
    const api = await createApi(admin, { identifier: 'https://hs.example.com/', signing_alg: 'HS256', scopes: [{ value: 'read:hs' }] });
    expect(api.signing_secret).toEqual(expect.any(String));
    const c = await seedM2M(s, ['read:hs'], { audience: api.identifier });
    const { body, header } = issued(await callToken(s, { form: creds(c, { audience: api.identifier }) }));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(body.access_token, new TextEncoder().encode(api.signing_secret), {
      algorithms: ['HS256'],
      issuer: `https://${s.tenant.domain}/`,
      audience: api.identifier,
      currentDate: new Date(s.clock.now()),
    });
    expect(payload).toMatchObject({ sub: `${c.clientId}@clients`, scope: 'read:hs', gty: 'client-credentials' });
    await expect(jwtVerify(body.access_token, new TextEncoder().encode(`${api.signing_secret!}x`), { algorithms: ['HS256'] })).rejects.toThrow();
  });
});

describe('spec §2.2: error rows, exact bodies', () => {
  test('spec §2.2 row 1: wrong secret and unknown client → 401 access_denied "Unauthorized"', async () => {
    expectUnauthorized(await callToken(s, { form: creds(m2m, { client_secret: `${m2m.clientSecret}x` }) }));
    expectUnauthorized(await callToken(s, { form: creds(m2m, { client_id: 'NoSuchClient000000000000000000000' }) }));
  });

  test("spec §2.2 row 3 / T-TOK-14: client whose grant_types lacks client_credentials → 403 unauthorized_client with error_uri", async () => {
    const web = await createClient(admin, { name: 'web', app_type: 'regular_web', grant_types: ['authorization_code', 'refresh_token'] }, { audience: MGMT, scope: ['read:clients'] });
    const res = await callToken(s, { form: { grant_type: CC, client_id: web.client_id, client_secret: web.client_secret, audience: MGMT } });
    expectTokenError(res, 403, 'unauthorized_client', "Grant type 'client_credentials' not allowed for the client.", 'https://auth0.com/docs/clients/client-grant-types');
  });

  test('spec §2.2 row 4: no client grant for the audience → 403 access_denied with the client-grant text', async () => {
    const api = await createApi(admin, { identifier: 'https://api.example.com/' });
    const res = await callToken(s, { form: creds(m2m, { audience: api.identifier }) });
    expectTokenError(
      res,
      403,
      'access_denied',
      `Client is not authorized to access "https://api.example.com/". You need to create a "client-grant" associated to this API. See: ${CLIENT_GRANT_URL}`,
    );
  });

  test('spec §2.2 row 5: requested scopes not granted → 403 naming each missing scope, ", "-separated (spec §7)', async () => {
    const res = await callToken(s, { form: creds(m2m, { scope: 'read:clients create:users delete:users' }) });
    expectTokenError(res, 403, 'access_denied', 'Client has not been granted scopes: create:users, delete:users');
  });

  test('spec §2.2 row 6: audience not a registered API → 403 "Service not enabled within domain: X"', async () => {
    const res = await callToken(s, { json: creds(m2m, { audience: 'https://unknown.example.com/' }) });
    expectTokenError(res, 403, 'access_denied', 'Service not enabled within domain: https://unknown.example.com/');
  });

  test('spec §2.2 row 7: no audience and no default audience → 403 access_denied', async () => {
    const res = await callToken(s, { form: { grant_type: CC, client_id: m2m.clientId, client_secret: m2m.clientSecret } });
    expectTokenError(res, 403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
  });

  test('spec §2.2 row 8 / T-TOK-13: missing grant_type → 400 "Missing required parameter: grant_type"', async () => {
    const { grant_type: _omit, ...rest } = creds(m2m);
    expectTokenError(await callToken(s, { form: rest }), 400, 'invalid_request', 'Missing required parameter: grant_type');
  });

  test('spec §2.2 row 9 / §7: unknown grant_type → 400 unsupported_grant_type "Unsupported grant type: X"', async () => {
    const res = await callToken(s, { form: creds(m2m, { grant_type: 'password' }) });
    expectTokenError(res, 400, 'unsupported_grant_type', 'Unsupported grant type: password');
  });
});

describe('operator changes take effect on the next request', () => {
  test('T-SCP-10 / docs/design.md "What it does" 4: DELETE /api/v2/client-grants/{id} stops new tokens at once; issued tokens stay valid', async () => {
    const before = issued(await callToken(s, { form: creds(m2m) })).body.access_token;
    const grants = await admin.ok<{ id: string }[]>('GET', `/client-grants?client_id=${m2m.clientId}`);
    expect(grants).toHaveLength(1);
    const deleted = await admin.call('DELETE', `/client-grants/${grants[0]!.id}`);
    expect(deleted.statusCode).toBe(204);

    const res = await callToken(s, { form: creds(m2m) });
    expectTokenError(res, 403, 'access_denied', `Client is not authorized to access "${MGMT}". You need to create a "client-grant" associated to this API. See: ${CLIENT_GRANT_URL}`);
    const stillValid = await s.inject({ method: 'GET', url: '/api/v2/clients?fields=client_id', headers: { authorization: `Bearer ${before}` } });
    expect(stillValid.statusCode).toBe(200);
  });

  test('T-CA-11 / D4: rotate-secret refuses the old secret at once, accepts the new one; old tokens live until exp (D6)', async () => {
    const before = issued(await callToken(s, { form: creds(m2m) })).body.access_token;
    // Sent like the auth0 SDKs do: no body, no Content-Type (spec §1.2).
    const rotated = await admin.ok<{ client_secret: string }>('POST', `/clients/${m2m.clientId}/rotate-secret`);
    expect(rotated.client_secret).not.toBe(m2m.clientSecret);

    expectUnauthorized(await callToken(s, { form: creds(m2m) }));
    expectUnauthorized(await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: m2m.clientId, secret: m2m.clientSecret } }), s.tenant.domain);
    const fresh = issued(await callToken(s, { form: creds({ clientId: m2m.clientId, clientSecret: rotated.client_secret }) }));
    expect(fresh.claims.azp).toBe(m2m.clientId);

    const use = () => s.inject({ method: 'GET', url: '/api/v2/clients?fields=client_id', headers: { authorization: `Bearer ${before}` } });
    expect((await use()).statusCode).toBe(200);
    s.clock.advance(86400 - 1);
    expect((await use()).statusCode).toBe(200);
    s.clock.advance(31 + 2); // past exp plus the 30 s leeway (D3)
    expect((await use()).statusCode).toBe(401);
  });

  test('T-CA-05: a deleted client gets the same 401 as an unknown one', async () => {
    expect((await admin.call('DELETE', `/clients/${m2m.clientId}`)).statusCode).toBe(204);
    expectUnauthorized(await callToken(s, { form: creds(m2m) }));
  });
});

describe('RFC 6749 §3.2 / T-TOK-12: only POST', () => {
  test.each(['GET', 'PUT', 'DELETE', 'PATCH'] as const)('%s /oauth/token with valid credentials → 405 OAuth body, Allow header, never a token', async (method) => {
    const query = new URLSearchParams(creds(m2m)).toString();
    const res = await callToken(s, { method, query, ...(method === 'GET' ? {} : { form: creds(m2m) }) });
    expectTokenError(res, 405, 'invalid_request', 'The token endpoint accepts only POST');
    expect(res.headers.allow).toBe('POST, OPTIONS');
    expect(res.body).not.toContain('access_token');
    expect(s.logs.join('\n')).not.toContain(m2m.clientSecret);
  });
});

describe('spec §0 row 8: CORS on /oauth/token', () => {
  test("a preflight from an origin in some client's web_origins is allowed with the SDK headers; others are not", async () => {
    await createClient(admin, { name: 'spa', app_type: 'spa', web_origins: ['https://app.example.com'] });
    const preflight = (origin: string) =>
      s.inject({
        method: 'OPTIONS',
        url: '/oauth/token',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'auth0-client, content-type' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'POST',
      vary: 'Origin',
    });
    expect(String(allowed.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(expect.arrayContaining(['auth0-client', 'content-type', 'authorization']));
    expect(allowed.headers).not.toHaveProperty('access-control-allow-credentials');

    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.test', 'http://app.example.com', 'null']) {
      const denied = await preflight(origin);
      expect(denied.statusCode).toBe(204);
      expect(denied.headers).not.toHaveProperty('access-control-allow-origin');
      expect(denied.headers).not.toHaveProperty('access-control-allow-headers');
    }

    const post = await callToken(s, { form: creds(m2m), headers: { origin: 'https://app.example.com' } });
    expect(post.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await callToken(s, { form: creds(m2m), headers: { origin: 'https://evil.example.com' } });
    expect(other.headers).not.toHaveProperty('access-control-allow-origin');
  });
});
