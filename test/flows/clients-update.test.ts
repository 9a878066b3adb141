// /api/v2/clients: PATCH (merge, field-level scopes), rotate-secret, and which fields each read
// scope sees, with fields/include_fields (spec §1.2, §3.1, §3.4, §3.5.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

interface ClientBody {
  client_id: string;
  client_secret: string;
  [k: string]: unknown;
}

const AUDIENCE = 'urn:update-tests';
const UNAUTHORIZED = { error: 'access_denied', error_description: 'Unauthorized' };

let s: TestServer;
let admin: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await mgmtToken(s, ['read:clients', 'read:client_keys', 'create:clients', 'update:clients', 'update:client_keys', 'create:resource_servers', 'create:client_grants']));
  expect((await admin.post('/resource-servers', { identifier: AUDIENCE })).statusCode).toBe(201);
});
afterAll(() => s.close());

/** A non_interactive client with a grant on AUDIENCE, so its secret can be tried at /oauth/token. */
async function m2mClient(name: string, extra: Record<string, unknown> = {}): Promise<ClientBody> {
  const client = (await admin.post('/clients', { name, app_type: 'non_interactive', ...extra })).json<ClientBody>();
  expect((await admin.post('/client-grants', { client_id: client.client_id, audience: AUDIENCE, scope: [] })).statusCode).toBe(201);
  return client;
}

async function tokenStatus(clientId: string, secret: string): Promise<{ status: number; body: unknown }> {
  const res = await requestToken(s, clientId, secret, AUDIENCE);
  return { status: res.statusCode, body: res.statusCode === 200 ? 'token' : res.json() };
}

describe('PATCH /api/v2/clients/{id}', () => {
  it('spec §3.5.1: settings merge into the client; everything else is unchanged', async () => {
    const before = (await admin.post('/clients', { name: 'merge', app_type: 'spa', callbacks: ['https://a.example.com/cb'] })).json<ClientBody>();
    const res = await admin.patch(`/clients/${before.client_id}`, { description: 'now described', callbacks: ['https://b.example.com/cb'] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const expected = { ...before, description: 'now described', callbacks: ['https://b.example.com/cb'] };
    expect(res.json()).toStrictEqual(expected);
    expect((await admin.get(`/clients/${before.client_id}`)).json()).toStrictEqual(expected);
  });

  it('spec §3.5.1: refresh_token: null restores the default refresh-token settings', async () => {
    const before = (await admin.post('/clients', { name: 'rt' })).json<ClientBody>();
    const changed = await admin.patch(`/clients/${before.client_id}`, { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 3600 } });
    expect(changed.json<ClientBody>().refresh_token).toEqual({ rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 3600 });
    const res = await admin.patch(`/clients/${before.client_id}`, { refresh_token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual(before);
    expect((await admin.get(`/clients/${before.client_id}`)).json()).toStrictEqual(before);
  });

  it('spec §1.2: PATCH with no body (or null) changes nothing and answers the client', async () => {
    const before = (await admin.post('/clients', { name: 'untouched' })).json<ClientBody>();
    for (const payload of [undefined, 'null']) {
      const res = await s.inject({
        method: 'PATCH',
        url: `/api/v2/clients/${before.client_id}`,
        headers: { authorization: admin.authorization, ...(payload && { 'content-type': 'application/json' }) },
        ...(payload && { payload }),
      });
      expect([res.statusCode, res.json()]).toEqual([200, before]);
    }
  });

  it('spec §3.1: client_secret without update:client_keys → 403 insufficient_scope; the secret is unchanged', async () => {
    const client = await m2mClient('guarded');
    const clientsOnly = mgmt(s, await mgmtToken(s, ['update:clients']));
    expectMgmtError(
      await clientsOnly.patch(`/clients/${client.client_id}`, { client_secret: 'x'.repeat(48) }),
      403,
      'Some fields cannot be updated with the permissions granted by the bearer token scopes: client_secret requires update:client_keys or update:client_credentials.',
      'insufficient_scope',
    );
    expect(await tokenStatus(client.client_id, client.client_secret)).toStrictEqual({ status: 200, body: 'token' });
    expect(await tokenStatus(client.client_id, 'x'.repeat(48))).toStrictEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('spec §3.1: update:client_keys alone may set client_secret but not other settings', async () => {
    const client = await m2mClient('keys only');
    const keysOnly = mgmt(s, await mgmtToken(s, ['update:client_keys']));
    expectMgmtError(
      await keysOnly.patch(`/clients/${client.client_id}`, { name: 'renamed', client_secret: 'y'.repeat(48) }),
      403,
      'Some fields cannot be updated with the permissions granted by the bearer token scopes: name requires update:clients.',
      'insufficient_scope',
    );
    expect((await admin.get(`/clients/${client.client_id}`)).json<ClientBody>().name).toBe('keys only');

    const res = await keysOnly.patch(`/clients/${client.client_id}`, { client_secret: 'y'.repeat(48) });
    expect(res.statusCode).toBe(200);
    // Issue 9, S1: an update scope writes a secret but reads none (that needs read:client_keys).
    expect(res.json()).not.toHaveProperty('client_secret');
    expect(await tokenStatus(client.client_id, 'y'.repeat(48))).toStrictEqual({ status: 200, body: 'token' });
    expect(await tokenStatus(client.client_id, client.client_secret)).toStrictEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('spec §3.5.1: PATCH of an unknown client is 404', async () => {
    expectMgmtError(await admin.patch('/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { description: 'x' }), 404, 'The client does not exist', 'inexistent_client');
  });

  it.each([
    [{ client_id: 'mine' }, "Payload validation error: 'Additional properties not allowed: client_id'."],
    [{ name: '' }, "Payload validation error: 'String is too short (0 chars), minimum 1' on property name."],
    [{ client_secret: 'short' }, "Payload validation error: 'String is too short (5 chars), minimum 32' on property client_secret."],
    [{ grant_types: ['magic'] }, 'Payload validation error: \'No enum match for: "magic"\' on property grant_types[0].'],
  ])('spec §3.2: PATCH %j → 400 invalid_body', async (payload, message) => {
    const client = (await admin.post('/clients', { name: 'invalid patch' })).json<ClientBody>();
    expectMgmtError(await admin.patch(`/clients/${client.client_id}`, payload), 400, message, 'invalid_body');
    expect((await admin.get(`/clients/${client.client_id}`)).json()).toStrictEqual(client);
  });
});

describe('POST /api/v2/clients/{id}/rotate-secret', () => {
  it.each([
    ['no body and no Content-Type', {}],
    ['a null body with Content-Type JSON', { payload: 'null', headers: { 'content-type': 'application/json' } }],
    ['an empty object', { payload: '{}', headers: { 'content-type': 'application/json' } }],
  ])('spec §1.2: accepts %s', async (_label, request: { payload?: string; headers?: Record<string, string> }) => {
    const client = (await admin.post('/clients', { name: 'rotate body' })).json<ClientBody>();
    const token = await mgmtToken(s, ['update:client_keys']);
    const res = await s.inject({ method: 'POST', url: `/api/v2/clients/${client.client_id}/rotate-secret`, ...request, headers: { authorization: `Bearer ${token}`, ...request.headers } });
    expect(res.statusCode).toBe(200);
    expect(res.json<ClientBody>().client_secret).not.toBe(client.client_secret);
  });

  it('spec §3.5.1 / T-MG-05: answers the whole client with a fresh 64-character secret; the old one stops working', async () => {
    const client = await m2mClient('rotating');
    const rotator = mgmt(s, await mgmtToken(s, ['update:client_keys']));
    const res = await rotator.post(`/clients/${client.client_id}/rotate-secret`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const rotated = res.json<ClientBody>();
    expect(rotated).toStrictEqual({ ...client, client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) });
    expect(rotated.client_secret).not.toBe(client.client_secret);

    expect(await tokenStatus(client.client_id, client.client_secret)).toStrictEqual({ status: 401, body: UNAUTHORIZED });
    expect(await tokenStatus(client.client_id, rotated.client_secret)).toStrictEqual({ status: 200, body: 'token' });
    expect((await admin.get(`/clients/${client.client_id}`)).json<ClientBody>().client_secret).toBe(rotated.client_secret);
    // Afterwards the secret is only readable with read:client_keys.
    const reader = mgmt(s, await mgmtToken(s, ['read:clients']));
    expect((await reader.get(`/clients/${client.client_id}`)).json()).not.toHaveProperty('client_secret');
  });

  it('spec §3.5.1: rotating an unknown client is 404', async () => {
    const rotator = mgmt(s, await mgmtToken(s, ['update:client_keys']));
    expectMgmtError(await rotator.post('/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/rotate-secret'), 404, 'The client does not exist', 'inexistent_client');
  });
});

describe('field visibility by scope (spec §3.5.1)', () => {
  let full: ClientBody;
  beforeAll(async () => {
    full = (await admin.post('/clients', { name: 'visible', app_type: 'spa', description: 'shown to everyone' })).json<ClientBody>();
  });

  it('read:client_summary sees only client_id, app_type, name and description', async () => {
    const api = mgmt(s, await mgmtToken(s, ['read:client_summary']));
    const expected = { client_id: full.client_id, app_type: 'spa', name: 'visible', description: 'shown to everyone' };
    expect((await api.get(`/clients/${full.client_id}`)).json()).toStrictEqual(expected);
    const listed = (await api.get('/clients')).json<Record<string, unknown>[]>();
    expect(listed.find((c) => c.client_id === full.client_id)).toStrictEqual(expected);
    for (const c of listed) expect(Object.keys(c).every((k) => ['client_id', 'app_type', 'name', 'description'].includes(k))).toBe(true);
  });

  it('read:clients sees the configuration but neither client_secret nor signing_keys', async () => {
    const api = mgmt(s, await mgmtToken(s, ['read:clients']));
    const { client_secret: _secret, signing_keys: _keys, ...config } = full;
    expect((await api.get(`/clients/${full.client_id}`)).json()).toStrictEqual(config);
    const listed = (await api.get('/clients')).json<Record<string, unknown>[]>();
    expect(listed.find((c) => c.client_id === full.client_id)).toStrictEqual(config);
  });

  it('read:client_credentials sees configuration and signing_keys but not client_secret (needs read:client_keys)', async () => {
    const api = mgmt(s, await mgmtToken(s, ['read:client_credentials']));
    const { client_secret: _secret, ...withoutSecret } = full;
    expect((await api.get(`/clients/${full.client_id}`)).json()).toStrictEqual(withoutSecret);
  });

  it('read:client_keys sees client_secret and signing_keys [{cert, pkcs7, subject}] as CRLF PEM of the current key', async () => {
    const api = mgmt(s, await mgmtToken(s, ['read:client_keys']));
    const body = (await api.get(`/clients/${full.client_id}`)).json<ClientBody & { signing_keys: { cert: string; pkcs7: string; subject: string }[] }>();
    expect(body).toStrictEqual(full);
    const [key] = body.signing_keys;
    expect(body.signing_keys).toHaveLength(1);
    expect(key!.cert).toMatch(/^-----BEGIN CERTIFICATE-----\r\n([A-Za-z0-9+/=]{1,64}\r\n)+-----END CERTIFICATE-----$/);
    expect(key!.pkcs7).toMatch(/^-----BEGIN PKCS7-----\r\n([A-Za-z0-9+/=]{1,64}\r\n)+-----END PKCS7-----$/);
    expect(key!.subject).toBe('/CN=tenant-a.test');
    // The certificate is the one the JWKS publishes first (the current signing key).
    const jwks = (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: { x5c: string[] }[] }>();
    const der = key!.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\r\n/g, '');
    expect(jwks.keys.map((k) => k.x5c[0])).toContain(der);
  });

  it('spec §3.4: fields with include_fields=true (or absent) keeps only the named fields', async () => {
    expect((await admin.get(`/clients/${full.client_id}?fields=name,client_id`)).json()).toStrictEqual({ client_id: full.client_id, name: 'visible' });
    expect((await admin.get(`/clients/${full.client_id}?fields=name&include_fields=true`)).json()).toStrictEqual({ name: 'visible' });
    expect((await admin.get(`/clients/${full.client_id}?fields=no_such_field`)).json()).toStrictEqual({});
    const listed = (await admin.get('/clients?fields=client_id&include_totals=true')).json<{ clients: Record<string, unknown>[] }>();
    expect(listed.clients.every((c) => Object.keys(c).join() === 'client_id')).toBe(true);
  });

  it('spec §3.4: include_fields=false drops the named fields and keeps the rest', async () => {
    const { client_secret: _secret, signing_keys: _keys, ...rest } = full;
    expect((await admin.get(`/clients/${full.client_id}?fields=client_secret,signing_keys&include_fields=false`)).json()).toStrictEqual(rest);
  });

  it('spec §3.4: an empty fields list selects everything', async () => {
    expect((await admin.get(`/clients/${full.client_id}?fields=`)).json()).toStrictEqual(full);
  });
});
