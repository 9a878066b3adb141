// /api/v2/resource-servers (spec §3.5.3, §4.1): the system Management API and custom APIs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

interface Api {
  id: string;
  identifier: string;
  [k: string]: unknown;
}

const SUBJECT_POLICY = { user: { policy: 'allow_all' }, client: { policy: 'require_client_grant' } };
const MGMT_AUD = 'https://tenant-a.test/api/v2/';

let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(
    s,
    await mgmtToken(s, ['read:resource_servers', 'create:resource_servers', 'update:resource_servers', 'delete:resource_servers', 'create:clients', 'read:client_grants', 'create:client_grants']),
  );
});
afterAll(() => s.close());

describe('the system Management API', () => {
  let system: Api;
  beforeAll(async () => {
    system = (await api.get('/resource-servers')).json<Api[]>().find((r) => r.is_system === true)!;
  });

  it('spec §3.5.3: is listed with is_system, its name, identifier and lifetimes', async () => {
    const { scopes, ...rest } = system;
    expect(rest).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Auth0 Management API',
      identifier: MGMT_AUD,
      signing_alg: 'RS256',
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: false,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      is_system: true,
      subject_type_authorization: SUBJECT_POLICY,
    });
    expect(scopes).toBeInstanceOf(Array);
  });

  it('spec §4.1: publishes every catalogue scope, in order, as {value, description}', () => {
    const scopes = system.scopes as { value: string; description: string }[];
    expect(scopes.map((x) => x.value)).toStrictEqual([...MANAGEMENT_SCOPES]);
    expect(scopes.slice(0, 4)).toStrictEqual([
      { value: 'read:client_grants', description: 'Read Client Grants' },
      { value: 'create:client_grants', description: 'Create Client Grants' },
      { value: 'delete:client_grants', description: 'Delete Client Grants' },
      { value: 'update:client_grants', description: 'Update Client Grants' },
    ]);
    const byValue = new Map(scopes.map((x) => [x.value, x.description]));
    expect(byValue.get('read:users_app_metadata')).toBe('Read Users App Metadata');
    expect(byValue.get('blacklist:tokens')).toBe('Blacklist Tokens');
    expect(byValue.get('delete:role_members')).toBe('Update role members');
    expect(byValue.get('read:client_keys')).toBe('Read Client Keys');
    for (const x of scopes) expect(Object.keys(x)).toStrictEqual(['value', 'description']);
  });

  it('spec §3.5.3: GET by id and by URL-encoded identifier return the same object', async () => {
    const byId = await api.get(`/resource-servers/${system.id}`);
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toStrictEqual(system);
    expect((await api.get(`/resource-servers/${encodeURIComponent(MGMT_AUD)}`)).json()).toStrictEqual(system);
  });

  it('spec §3.5.3: PATCH → 400 "System resource servers cannot be patched." (by id or identifier); nothing changes', async () => {
    for (const ref of [system.id, encodeURIComponent(MGMT_AUD)]) {
      expectMgmtError(await api.patch(`/resource-servers/${ref}`, { token_lifetime: 60 }), 400, 'System resource servers cannot be patched.', 'operation_not_supported');
    }
    expect((await api.get(`/resource-servers/${system.id}`)).json()).toStrictEqual(system);
  });

  it('spec §3.5.3: DELETE → 400 "System resource servers cannot be deleted."; it is still there', async () => {
    for (const ref of [system.id, encodeURIComponent(MGMT_AUD)]) {
      expectMgmtError(await api.del(`/resource-servers/${ref}`), 400, 'System resource servers cannot be deleted.', 'operation_not_supported');
    }
    expect((await api.get(`/resource-servers/${system.id}`)).statusCode).toBe(200);
  });
});

describe('custom APIs', () => {
  it('spec §3.5.3: create with only an identifier → 201 with Auth0 defaults', async () => {
    const res = await api.post('/resource-servers', { identifier: 'https://api.example.com/' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    expect(res.json()).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      identifier: 'https://api.example.com/',
      name: 'https://api.example.com/',
      scopes: [],
      signing_alg: 'RS256',
      allow_offline_access: false,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      skip_consent_for_verifiable_first_party_clients: false,
      token_dialect: 'access_token',
      subject_type_authorization: SUBJECT_POLICY,
    });
  });

  it('spec §3.5.3: given settings are kept; token_lifetime_for_web defaults to at most token_lifetime', async () => {
    const scopes = [{ value: 'read:orders', description: 'Read orders' }, { value: 'write:orders' }];
    const res = await api.post('/resource-servers', { identifier: 'urn:orders', name: 'Orders', scopes, token_lifetime: 3600, allow_offline_access: true, token_dialect: 'rfc9068_profile' });
    expect(res.json()).toMatchObject({ identifier: 'urn:orders', name: 'Orders', scopes, token_lifetime: 3600, token_lifetime_for_web: 3600, allow_offline_access: true, token_dialect: 'rfc9068_profile' });
  });

  it.each([MGMT_AUD, 'https://tenant-a.test/', 'https://tenant-a.test/api/v2', 'https://tenant-a.test/userinfo'])(
    'spec §3.5.3: the reserved identifier %s → 400 "The selected identifier is reserved."',
    async (identifier) => {
      expectMgmtError(await api.post('/resource-servers', { identifier }), 400, 'The selected identifier is reserved.', 'invalid_body');
    },
  );

  it('spec §3.5.3: a duplicate identifier → 409', async () => {
    expect((await api.post('/resource-servers', { identifier: 'urn:dup' })).statusCode).toBe(201);
    expectMgmtError(await api.post('/resource-servers', { identifier: 'urn:dup', name: 'again' }), 409, 'A resource server with the same identifier already exists.', 'conflict');
  });

  it('spec §3.5.3: GET by id or URL-encoded identifier; unknown → 404 inexistent_resource_server', async () => {
    const created = (await api.post('/resource-servers', { identifier: 'https://billing.example.com/v1?x=1' })).json<Api>();
    expect((await api.get(`/resource-servers/${created.id}`)).json()).toStrictEqual(created);
    expect((await api.get(`/resource-servers/${encodeURIComponent(created.identifier)}`)).json()).toStrictEqual(created);
    expectMgmtError(await api.get('/resource-servers/000000000000000000000000'), 404, 'The resource server does not exist', 'inexistent_resource_server');
    expectMgmtError(await api.get(`/resource-servers/${encodeURIComponent('https://billing.example.com/v1')}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
  });

  it('spec §3.5.3: HS256 without signing_secret gets a generated one; it is returned on create and read', async () => {
    const created = (await api.post('/resource-servers', { identifier: 'urn:hs-generated', signing_alg: 'HS256' })).json<Api>();
    expect(created.signing_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await api.get(`/resource-servers/${created.id}`)).json<Api>().signing_secret).toBe(created.signing_secret);
  });

  it('spec §3.5.3: HS256 with signing_secret keeps it; RS256 never returns a signing_secret', async () => {
    const hs = (await api.post('/resource-servers', { identifier: 'urn:hs-given', signing_alg: 'HS256', signing_secret: 'a-secret-of-24-characters' })).json<Api>();
    expect(hs.signing_secret).toBe('a-secret-of-24-characters');
    const rs = (await api.post('/resource-servers', { identifier: 'urn:rs-given', signing_secret: 'a-secret-of-24-characters' })).json<Api>();
    expect(rs).not.toHaveProperty('signing_secret');
    expect((await api.get(`/resource-servers/${rs.id}`)).json()).not.toHaveProperty('signing_secret');
  });

  it('spec §3.5.3: switching to HS256 by PATCH generates a secret', async () => {
    const rs = (await api.post('/resource-servers', { identifier: 'urn:switch' })).json<Api>();
    const res = await api.patch(`/resource-servers/${rs.id}`, { signing_alg: 'HS256', name: 'Switched' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual({ ...rs, signing_alg: 'HS256', name: 'Switched', signing_secret: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) });
  });

  it('spec §3.5.3: token_lifetime_for_web above token_lifetime → 400 on create and on PATCH when both are sent', async () => {
    const message = "Payload validation error: 'token_lifetime_for_web must be less than or equal to token_lifetime' on property token_lifetime_for_web.";
    expectMgmtError(await api.post('/resource-servers', { identifier: 'urn:lifetimes', token_lifetime: 600, token_lifetime_for_web: 601 }), 400, message, 'invalid_body');
    const rs = (await api.post('/resource-servers', { identifier: 'urn:lifetimes', token_lifetime: 600, token_lifetime_for_web: 600 })).json<Api>();
    expectMgmtError(await api.patch(`/resource-servers/${rs.id}`, { token_lifetime: 599, token_lifetime_for_web: 600 }), 400, message, 'invalid_body');
    expect((await api.get(`/resource-servers/${rs.id}`)).json()).toStrictEqual(rs);
  });

  it('lowering token_lifetime alone (what the SDKs\' typed update sends) brings token_lifetime_for_web down with it', async () => {
    const rs = (await api.post('/resource-servers', { identifier: 'urn:shorter' })).json<Api>();
    expect([rs.token_lifetime, rs.token_lifetime_for_web]).toEqual([86400, 7200]);
    const res = await api.patch(`/resource-servers/${rs.id}`, { token_lifetime: 600 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual({ ...rs, token_lifetime: 600, token_lifetime_for_web: 600 });
    const raised = await api.patch(`/resource-servers/${rs.id}`, { token_lifetime: 90000 });
    expect(raised.json()).toStrictEqual({ ...rs, token_lifetime: 90000, token_lifetime_for_web: 600 });
  });

  it.each([
    [{ name: 'no identifier' }, "Payload validation error: 'Missing required property: identifier'."],
    [{ identifier: 'urn:x', scopes: [{ value: 'has space' }] }, "Payload validation error: 'String does not match pattern ^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$: has space' on property scopes[0].value."],
    [{ identifier: 'urn:x', signing_alg: 'none' }, 'Payload validation error: \'No enum match for: "none"\' on property signing_alg.'],
    [{ identifier: 'urn:x', token_lifetime: 2592001 }, "Payload validation error: 'Value 2592001 is greater than maximum 2592000' on property token_lifetime."],
    [{ identifier: 'urn:x', is_system: true }, "Payload validation error: 'Additional properties not allowed: is_system'."],
  ])('spec §3.2: create with %j → 400 invalid_body', async (payload, message) => {
    expectMgmtError(await api.post('/resource-servers', payload), 400, message, 'invalid_body');
  });

  it('spec §1.2: identifiers filters the list; the key repeats for several', async () => {
    s.clock.advance(1); // list order is (system first, created_at, id)
    const one = (await api.post('/resource-servers', { identifier: 'urn:filter:1' })).json<Api>();
    s.clock.advance(1);
    const two = (await api.post('/resource-servers', { identifier: 'urn:filter:2' })).json<Api>();
    const both = await api.get('/resource-servers?identifiers=urn%3Afilter%3A2&identifiers=urn%3Afilter%3A1');
    expect(both.json()).toStrictEqual([one, two]);
    expect((await api.get('/resource-servers?identifiers=urn%3Afilter%3A2')).json()).toStrictEqual([two]);
    expect((await api.get('/resource-servers?identifiers=urn%3Afilter%3Anone')).json()).toStrictEqual([]);
    expect((await api.get('/resource-servers?identifiers=urn%3Afilter%3A1&include_totals=true')).json()).toStrictEqual({ total: 1, start: 0, limit: 50, resource_servers: [one] });
  });

  it('spec §3.4: include_totals answers {total,start,limit,resource_servers}', async () => {
    const all = (await api.get('/resource-servers?per_page=100')).json<Api[]>();
    const body = (await api.get('/resource-servers?page=0&per_page=2&include_totals=true')).json();
    expect(body).toStrictEqual({ total: all.length, start: 0, limit: 2, resource_servers: all.slice(0, 2) });
  });

  it('spec §3.5.3: DELETE → 204; its grants go with it and do not come back with the identifier', async () => {
    const rs = (await api.post('/resource-servers', { identifier: 'urn:doomed' })).json<Api>();
    const client = (await api.post('/clients', { name: 'doomed client', app_type: 'non_interactive' })).json<{ client_id: string }>();
    expect((await api.post('/client-grants', { client_id: client.client_id, audience: 'urn:doomed', scope: [] })).statusCode).toBe(201);

    expectNoContent(await api.del(`/resource-servers/${rs.id}`));
    expectMgmtError(await api.get(`/resource-servers/${rs.id}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
    expect((await api.get('/client-grants?audience=urn%3Adoomed')).json()).toStrictEqual([]);
    expect((await api.post('/resource-servers', { identifier: 'urn:doomed' })).statusCode).toBe(201);
    expect((await api.get('/client-grants?audience=urn%3Adoomed')).json()).toStrictEqual([]);
    expectMgmtError(await api.del(`/resource-servers/${rs.id}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
  });

  it('spec §3.5.3: DELETE by URL-encoded identifier', async () => {
    const rs = (await api.post('/resource-servers', { identifier: 'https://gone.example.com/' })).json<Api>();
    expectNoContent(await api.del(`/resource-servers/${encodeURIComponent(rs.identifier)}`));
    expectMgmtError(await api.get(`/resource-servers/${rs.id}`), 404, 'The resource server does not exist', 'inexistent_resource_server');
  });
});
