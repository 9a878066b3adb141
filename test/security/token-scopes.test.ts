// Security catalogue §4.3 (T-SCP-01..10): a token never carries a scope or an audience its client
// was not granted (spec §2.2; RFC 6749 §3.3), and grant changes apply to the very next request.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, setDefaultAudience, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { callToken, expectTokenError, issued } from '../helpers/token-contract.ts';
import { adminFor, createApi, type Admin } from '../helpers/admin-api.ts';

const CC = 'client_credentials';
const API = 'https://scp.example.com/';
const OTHER_API = 'https://other.example.com/';
const POOL = ['read:a', 'write:a', 'delete:a', 'read:b', 'write:b', 'admin'];
const notGranted = (scopes: string) => `Client has not been granted scopes: ${scopes}`;
const noGrant = (aud: string) =>
  `Client is not authorized to access "${aud}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`;
const INVALID_SCOPE = 'The scope parameter is not a space-delimited list of scope tokens';

let s: TestServer;
let admin: Admin;
let MGMT: string;
let c: M2M;

beforeAll(async () => {
  s = await startTestServer();
  admin = await adminFor(s);
  MGMT = s.tenant.managementAudience;
  await createApi(admin, { identifier: API, scopes: POOL.map((value) => ({ value })) });
  await createApi(admin, { identifier: OTHER_API, scopes: POOL.map((value) => ({ value })) });
  c = await seedM2M(s, ['read:a', 'write:a', 'read:b'], { audience: API });
});
afterAll(async () => s.close());

const ask = (audience: string, scope?: string, kind: 'form' | 'json' = 'form', client: M2M = c) =>
  callToken(s, { [kind]: { grant_type: CC, client_id: client.clientId, client_secret: client.clientSecret, audience, ...(scope === undefined ? {} : { scope }) } });

describe('T-SCP-01 / T-SCP-02: requested scopes', () => {
  test('T-SCP-01: no scope parameter → every scope of the grant (Auth0)', async () => {
    const { body, claims } = issued(await ask(API));
    expect(body.scope).toBe('read:a write:a read:b');
    expect(claims.scope).toBe(body.scope);
  });

  test.each(['read:a', 'read:b read:a', 'write:a read:b'])('T-SCP-01: scope=%j, a subset → exactly that subset', async (scope) => {
    const { body, claims } = issued(await ask(API, scope));
    expect(body.scope).toBe(scope);
    expect(claims.scope).toBe(scope);
  });

  test.each([
    ['one ungranted scope', 'admin', 'admin'],
    ['granted plus ungranted', 'read:a admin delete:a', 'admin, delete:a'],
    ['a scope of another API', 'read:clients', 'read:clients'],
  ])('T-SCP-02: %s → 403 access_denied naming only the missing ones, never a token', async (_l, scope, missing) => {
    expectTokenError(await ask(API, scope), 403, 'access_denied', notGranted(missing));
  });
});

describe('T-SCP-03: scope look-alikes never match', () => {
  test.each([
    ['upper case', 'READ:A'],
    ['a prefix', 'read:'],
    ['a longer value', 'read:a:x'],
    ['a wildcard', 'read:*'],
    ['a bare star', '*'],
    ['comma-separated', 'read:a,write:a'],
    ['a percent-encoded colon', 'read%3Aa'],
  ])('T-SCP-03: %s → 403 not granted', async (_l, scope) => {
    for (const kind of ['form', 'json'] as const) expectTokenError(await ask(API, scope, kind), 403, 'access_denied', notGranted(scope));
  });

  test.each([
    ['a tab separator', 'read:a\tread:b'],
    ['a newline separator', 'read:a\nread:b'],
    ['a double space', 'read:a  read:b'],
    ['a leading space', ' read:a'],
    ['a trailing space', 'read:a '],
    ['a Cyrillic а', 're\u0430d:a'],
    ['a full-width colon', 'read\uff1aa'],
    ['a no-break space', 'read:a\u00a0read:b'],
    ['a double quote', 'read:a"'],
    ['a backslash', 'read:\\a'],
    ['DEL (0x7F)', 'read:a\x7f'],
  ])('T-SCP-03: %s (outside RFC 6749 §3.3 NQCHAR grammar) → 400 invalid_scope', async (_l, scope) => {
    for (const kind of ['form', 'json'] as const) expectTokenError(await ask(API, scope, kind), 400, 'invalid_scope', INVALID_SCOPE);
  });

  test('T-SCP-03: a NUL byte is refused before scope parsing → 400 invalid_request (PostgreSQL text cannot hold it)', async () => {
    for (const kind of ['form', 'json'] as const) {
      expectTokenError(await ask(API, 'read:a\0', kind), 400, 'invalid_request', 'Parameter scope contains a NUL character');
    }
  });

  test('T-SCP-03 / RFC 6749 §3.3: duplicates collapse; the token carries each scope once', async () => {
    const { body, claims } = issued(await ask(API, 'read:a read:a read:b read:a'));
    expect(body.scope).toBe('read:a read:b');
    expect(claims.scope).toBe('read:a read:b');
  });
});

describe('T-SCP-04: property over grants and requests', () => {
  test('T-SCP-04: R ⊄ G → no token; R = ∅ → G; otherwise the set R; issued ⊆ G; order and duplicates irrelevant', async () => {
    const client = await seedM2M(s, [], { audience: API, name: 'property client' });
    const grant = (await s.storage.grants.find(s.tenant.id, client.clientId, API, 'client'))!;
    const scopeArb = fc.constantFrom(...POOL, 'other:x');
    await fc.assert(
      fc.asyncProperty(fc.subarray(POOL), fc.array(scopeArb, { maxLength: 8 }), async (G, R) => {
        await s.storage.grants.update(s.tenant.id, grant.id, { scope: G });
        const res = await ask(API, R.length > 0 ? R.join(' ') : undefined, 'form', client);
        const missing = [...new Set(R)].filter((x) => !G.includes(x));
        if (missing.length > 0) {
          expect(res.statusCode).toBe(403);
          const description = res.json<{ error_description: string }>().error_description;
          expect(description.startsWith(notGranted(''))).toBe(true);
          expect(new Set(description.slice(notGranted('').length).split(', '))).toEqual(new Set(missing));
          return;
        }
        const { body, claims } = issued(res);
        const got = body.scope === undefined ? [] : body.scope.split(' ');
        expect(claims.scope).toBe(body.scope);
        expect(new Set(got).size).toBe(got.length);
        expect(new Set(got)).toEqual(new Set(R.length > 0 ? R : G));
        for (const x of got) expect(G).toContain(x);
      }),
      { numRuns: 200 },
    );
  });
});

describe('T-SCP-05 .. T-SCP-08: audiences', () => {
  test('T-SCP-05: no audience and no default → 403; with a default → a token for the default; an explicit audience wins', async () => {
    expectTokenError(await callToken(s, { form: { grant_type: CC, client_id: c.clientId, client_secret: c.clientSecret } }), 403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    await setDefaultAudience(s, API);
    try {
      const viaDefault = issued(await callToken(s, { form: { grant_type: CC, client_id: c.clientId, client_secret: c.clientSecret } }));
      expect(viaDefault.claims.aud).toBe(API);
      const explicit = await ask(MGMT);
      expectTokenError(explicit, 403, 'access_denied', noGrant(MGMT));
    } finally {
      await setDefaultAudience(s, undefined);
    }
  });

  test.each([
    ['an unregistered URL', () => 'https://unknown.example.com/'],
    ['no trailing slash', () => API.slice(0, -1)],
    ['an extra slash', () => `${API}/`],
    ['upper-case host', () => API.toUpperCase()],
    ['upper-case scheme only', () => API.replace('https', 'HTTPS')],
    ['a trailing space', () => `${API} `],
    ['http instead of https', () => API.replace('https', 'http')],
    ['a query string', () => `${API}?x=1`],
    ['the Management API without its slash', () => MGMT.slice(0, -1)],
    ['the issuer', () => `https://${s.tenant.domain}/`],
  ])('T-SCP-06: audience %s → 403 "Service not enabled within domain"', async (_l, audience) => {
    expectTokenError(await ask(audience()), 403, 'access_denied', `Service not enabled within domain: ${audience()}`);
  });

  test('T-SCP-07: audience twice in a form → 400', async () => {
    const res = await callToken(s, { form: { grant_type: CC, client_id: c.clientId, client_secret: c.clientSecret, audience: [API, OTHER_API] } });
    expectTokenError(res, 400, 'invalid_request', 'Parameter audience must not be sent more than once');
  });

  test.each([
    ['two audiences', [API, OTHER_API], 'Parameter audience must not be sent more than once'],
    ['one audience in an array', [API], 'Parameter audience must be a string'],
    ['an empty array', [], 'Parameter audience must be a string'],
  ])('T-SCP-07: audience as a JSON array (%s) → 400', async (_l, audience, text) => {
    const res = await callToken(s, { json: { grant_type: CC, client_id: c.clientId, client_secret: c.clientSecret, audience } });
    expectTokenError(res, 400, 'invalid_request', text);
  });

  test("T-SCP-08: another tenant's Management API (or issuer) as audience → 403 Service not enabled", async () => {
    const b = await s.addTenant('tenant-b', 'tenant-b.test');
    const admin2 = await seedM2M(s, ['read:clients']);
    for (const audience of [b.managementAudience, b.issuer]) {
      expectTokenError(await ask(audience, undefined, 'form', admin2), 403, 'access_denied', `Service not enabled within domain: ${audience}`);
    }
  });
});

describe('T-SCP-09 / T-SCP-10: grants', () => {
  test('T-SCP-09: a grant on API A yields no token for API B; the token for A names only A', async () => {
    expectTokenError(await ask(OTHER_API), 403, 'access_denied', noGrant(OTHER_API));
    expect(issued(await ask(API)).claims.aud).toBe(API);
  });

  test('T-SCP-09 (CVE-2022-1245): a client without create:/update:client_grants cannot widen its own grants', async () => {
    const self = await seedM2M(s, ['read:client_grants', 'read:clients', 'update:clients'], { audience: MGMT, name: 'self-escalator' });
    const token = await tokenFor(s, self);
    const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${token}` }, payload });
    const created = await call('POST', '/client-grants', { client_id: self.clientId, audience: API, scope: POOL });
    expect({ status: created.statusCode, body: created.json() }).toEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: create:client_grants', errorCode: 'insufficient_scope' },
    });
    const own = (await s.storage.grants.find(s.tenant.id, self.clientId, MGMT, 'client'))!;
    const patched = await call('PATCH', `/client-grants/${own.id}`, { scope: ['read:client_grants', 'create:client_grants'] });
    expect({ status: patched.statusCode, body: patched.json() }).toEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: update:client_grants', errorCode: 'insufficient_scope' },
    });
    expectTokenError(await ask(API, undefined, 'form', self), 403, 'access_denied', noGrant(API));
    expectTokenError(await ask(MGMT, 'create:client_grants', 'form', self), 403, 'access_denied', notGranted('create:client_grants'));
  });

  test('T-SCP-10: PATCH and DELETE of a grant through the Management API apply to the very next token request', async () => {
    const d = await seedM2M(s, ['read:a', 'write:a'], { audience: OTHER_API, name: 'narrowed' });
    expect(issued(await ask(OTHER_API, undefined, 'form', d)).body.scope).toBe('read:a write:a');
    const { id } = (await s.storage.grants.find(s.tenant.id, d.clientId, OTHER_API, 'client'))!;
    await admin.ok('PATCH', `/client-grants/${id}`, { scope: ['read:a'] });
    expect(issued(await ask(OTHER_API, undefined, 'form', d)).body.scope).toBe('read:a');
    expectTokenError(await ask(OTHER_API, 'write:a', 'form', d), 403, 'access_denied', notGranted('write:a'));
    expect((await admin.call('DELETE', `/client-grants/${id}`)).statusCode).toBe(204);
    expectTokenError(await ask(OTHER_API, undefined, 'form', d), 403, 'access_denied', noGrant(OTHER_API));
  });
});
