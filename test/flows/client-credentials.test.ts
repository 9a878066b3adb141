// /api/v2/clients/{id}/credentials (Auth0 "Client Credentials", issue 15) and the client's
// client_authentication_methods, over HTTP with exact bodies: create (public keys as SPKI, PKCS#1
// or a certificate; RSA 2048-4096; RS256/RS384/PS256; expires_at or the certificate's notAfter),
// list, get, patch expires_at, delete; every refusal; the scopes Auth0 names; and the switch of
// a client between its secret and Private Key JWT.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyThumbprint } from '../../src/domain/client-credentials.ts';
import { importRsaKey, selfSignedCert } from '../../src/crypto/certs.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { credentialAdmin, rsaKeyPair, type CredentialAdmin, type KeyPair } from '../helpers/private-key-jwt.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let keys: KeyPair;
let second: KeyPair;
let third: KeyPair;
beforeAll(() => {
  keys = rsaKeyPair();
  second = rsaKeyPair();
  third = rsaKeyPair();
});

let s: TestServer;
let admin: CredentialAdmin;
let clientId: string;
beforeEach(async () => {
  s = await startTestServer();
  admin = await credentialAdmin(s);
  clientId = (await admin.call('POST', '/clients', { name: 'm2m', app_type: 'non_interactive' })).json<{ client_id: string }>().client_id;
});
afterEach(async () => s.close());

const iso = (offsetSeconds = 0): string => new Date(s.clock.now() + offsetSeconds * 1000).toISOString();
const badRequest = (message: string) => ({ statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_body' });
const create = (body: Record<string, unknown>, id = clientId) => admin.call('POST', `/clients/${id}/credentials`, body);

describe('create, list, get, update, delete', () => {
  it('POST answers 201 with the credential (never the key); kid defaults to the RFC 7638 thumbprint, alg to RS256', async () => {
    const res = await create({ credential_type: 'public_key', name: 'laptop key', pem: keys.publicPem });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<Record<string, unknown>>();
    expect(body).toEqual({
      id: expect.stringMatching(/^cred_[A-Za-z0-9]{22}$/),
      credential_type: 'public_key',
      kid: keyThumbprint(keys.publicKey),
      alg: 'RS256',
      name: 'laptop key',
      created_at: iso(),
      updated_at: iso(),
    });
    expect((await admin.call('GET', `/clients/${clientId}/credentials`)).json()).toEqual([body]);
    expect((await admin.call('GET', `/clients/${clientId}/credentials/${body.id as string}`)).json()).toEqual(body);
  });

  it('takes a PKCS#1 key, a given kid, alg and expires_at', async () => {
    const pkcs1 = keys.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const res = await create({ credential_type: 'public_key', pem: pkcs1, alg: 'PS256', kid: 'my-own-kid-1', expires_at: '2030-01-01T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kid: 'my-own-kid-1', alg: 'PS256', expires_at: '2030-01-01T00:00:00.000Z' });
    expect(res.json()).not.toHaveProperty('name');
  });

  it("an X.509 certificate's key is used; parse_expiry_from_cert takes its notAfter", async () => {
    // selfSignedCert's notAfter is `now` plus whole years of 365 days.
    const cert = await selfSignedCert(await importRsaKey(keys.privatePem), 'client.example', new Date(Date.parse('2031-05-06T07:08:09Z') - 365 * 86_400_000), 1);
    const res = await create({ credential_type: 'public_key', pem: cert, parse_expiry_from_cert: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kid: keyThumbprint(keys.publicKey), expires_at: '2031-05-06T07:08:09.000Z' });
  });

  it('PATCH sets expires_at (also to the past: the key stops), and null clears it; DELETE answers 204, then 404', async () => {
    const { id } = (await create({ credential_type: 'public_key', pem: keys.publicPem })).json<{ id: string }>();
    s.clock.advance(5);
    const set = await admin.call('PATCH', `/clients/${clientId}/credentials/${id}`, { expires_at: '2020-01-01T00:00:00Z' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ id, expires_at: '2020-01-01T00:00:00.000Z', updated_at: iso() });
    const cleared = await admin.call('PATCH', `/clients/${clientId}/credentials/${id}`, { expires_at: null });
    expect(cleared.json()).not.toHaveProperty('expires_at');
    expect((await admin.call('DELETE', `/clients/${clientId}/credentials/${id}`)).statusCode).toBe(204);
    const gone = await admin.call('GET', `/clients/${clientId}/credentials/${id}`);
    expect({ status: gone.statusCode, body: gone.json() }).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The credential does not exist', errorCode: 'inexistent_credential' } });
    expect((await admin.call('DELETE', `/clients/${clientId}/credentials/${id}`)).statusCode).toBe(404);
  });

  it('an unknown client is 404 inexistent_client on every route', async () => {
    const body = { statusCode: 404, error: 'Not Found', message: 'The client does not exist', errorCode: 'inexistent_client' };
    for (const [method, url] of [
      ['GET', '/clients/nope/credentials'],
      ['POST', '/clients/nope/credentials'],
      ['GET', '/clients/nope/credentials/cred_x'],
      ['PATCH', '/clients/nope/credentials/cred_x'],
      ['DELETE', '/clients/nope/credentials/cred_x'],
    ] as const) {
      const res = await admin.call(method, url, method === 'POST' ? { credential_type: 'public_key', pem: keys.publicPem } : method === 'PATCH' ? { expires_at: null } : undefined);
      expect({ route: `${method} ${url}`, status: res.statusCode, body: res.json() }).toEqual({ route: `${method} ${url}`, status: 404, body });
    }
  });
});

describe('what a credential may be (Auth0: RSA 2048-4096, RS256/RS384/PS256, at most two per application)', () => {
  it.each([
    ['an mTLS credential type', { credential_type: 'x509_cert', pem: 'x' }, 'credential_type must be public_key: x509_cert and cert_subject_dn are for mTLS, which Scopeward does not offer'],
    ['no pem', { credential_type: 'public_key' }, "Payload validation error: 'Missing required property: pem'."],
    ['text that is no PEM', { credential_type: 'public_key', pem: 'hello' }, "Payload validation error: 'pem must be a PEM-encoded public key (SPKI or PKCS#1) or X.509 certificate' on property pem."],
    ['a broken PEM', { credential_type: 'public_key', pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }, "Payload validation error: 'pem could not be parsed as a public key or certificate' on property pem."],
    ['a past expires_at', { credential_type: 'public_key', pem: 'PEM', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at must be in the future'],
    ['a date that is not ISO 8601', { credential_type: 'public_key', pem: 'PEM', expires_at: 'tomorrow' }, "Payload validation error: 'expires_at must be an ISO 8601 date-time' on property expires_at."],
    ['both expiry sources', { credential_type: 'public_key', pem: 'PEM', expires_at: '2030-01-01T00:00:00Z', parse_expiry_from_cert: true }, 'expires_at and parse_expiry_from_cert cannot be used together'],
    ['parse_expiry_from_cert without a certificate', { credential_type: 'public_key', pem: 'PEM', parse_expiry_from_cert: true }, 'parse_expiry_from_cert needs an X.509 certificate in pem'],
  ] as [string, Record<string, unknown>, string][])('%s → 400', async (_label, body, message) => {
    const res = await create({ ...body, ...(body.pem === 'PEM' && { pem: keys.publicPem }) });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 400, body: badRequest(message) });
  });

  it('an RSA key under 2048 bits, an EC key, or an alg Auth0 does not allow → 400', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await create({ credential_type: 'public_key', pem: small })).json()).toEqual(badRequest("Payload validation error: 'the RSA key must be between 2048 and 4096 bits (this one has 1024)' on property pem."));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await create({ credential_type: 'public_key', pem: ec })).json()).toEqual(badRequest("Payload validation error: 'pem must hold an RSA public key' on property pem."));
    const rs512 = await create({ credential_type: 'public_key', pem: keys.publicPem, alg: 'RS512' });
    expect(rs512.statusCode).toBe(400);
  });

  it('the same key twice is 409; a third credential is 400 (Auth0 keeps two)', async () => {
    expect((await create({ credential_type: 'public_key', pem: keys.publicPem })).statusCode).toBe(201);
    const twice = await create({ credential_type: 'public_key', pem: keys.publicPem });
    expect({ status: twice.statusCode, body: twice.json() }).toEqual({ status: 409, body: { statusCode: 409, error: 'Conflict', message: 'A credential with this kid already exists for the client', errorCode: 'conflict' } });
    expect((await create({ credential_type: 'public_key', pem: second.publicPem })).statusCode).toBe(201);
    const tooMany = await create({ credential_type: 'public_key', pem: third.publicPem });
    expect({ status: tooMany.statusCode, body: tooMany.json() }).toEqual({ status: 400, body: badRequest('A client can have at most 2 credentials; delete one first') });
  });
});

describe("scopes, exactly as Auth0 names them", () => {
  it.each([
    ['GET', '/credentials', 'read:client_credentials'],
    ['POST', '/credentials', 'create:client_credentials'],
    ['GET', '/credentials/cred_x', 'read:client_credentials'],
    ['PATCH', '/credentials/cred_x', 'update:client_credentials'],
    ['DELETE', '/credentials/cred_x', 'delete:client_credentials'],
  ] as const)('%s %s needs %s', async (method, path, scope) => {
    const token = await mgmtToken(s, ['read:clients', 'update:clients', 'create:clients', 'delete:clients']);
    const res = await s.inject({ method, url: `/api/v2/clients/${clientId}${path}`, headers: { authorization: `Bearer ${token}` }, ...(method === 'POST' || method === 'PATCH' ? { payload: {} } : {}) });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 403, body: { statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${scope}`, errorCode: 'insufficient_scope' } });
  });
});

describe('client_authentication_methods on the client (PATCH /clients/{id})', () => {
  it('enabling Private Key JWT: token_endpoint_auth_method null, the credential listed; GET shows it', async () => {
    const { id } = (await create({ credential_type: 'public_key', pem: keys.publicPem })).json<{ id: string }>();
    const res = await admin.call('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id }] } } });
    expect(res.statusCode, res.body).toBe(200);
    const client = (await admin.call('GET', `/clients/${clientId}`)).json<Record<string, unknown>>();
    expect(client.client_authentication_methods).toEqual({ private_key_jwt: { credentials: [{ id }] } });
    expect(client).not.toHaveProperty('token_endpoint_auth_method');
  });

  it('deleting a listed credential takes it off the client too', async () => {
    const { id } = (await create({ credential_type: 'public_key', pem: keys.publicPem })).json<{ id: string }>();
    await admin.call('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id }] } } });
    await admin.call('DELETE', `/clients/${clientId}/credentials/${id}`);
    expect((await admin.call('GET', `/clients/${clientId}`)).json<Record<string, unknown>>().client_authentication_methods).toEqual({ private_key_jwt: { credentials: [] } });
  });

  it('refused: both methods at once, a credential of another client or none, one listed twice, a public client', async () => {
    const { id } = (await create({ credential_type: 'public_key', pem: keys.publicPem })).json<{ id: string }>();
    const other = (await admin.call('POST', '/clients', { name: 'other', app_type: 'non_interactive' })).json<{ client_id: string }>().client_id;
    const foreign = (await create({ credential_type: 'public_key', pem: second.publicPem }, other)).json<{ id: string }>().id;
    const patch = (body: Record<string, unknown>, id2 = clientId) => admin.call('PATCH', `/clients/${id2}`, body);
    const methods = (...ids: string[]) => ({ private_key_jwt: { credentials: ids.map((c) => ({ id: c })) } });
    expect((await patch({ client_authentication_methods: methods(id) })).json()).toEqual(badRequest('token_endpoint_auth_method must be null when client_authentication_methods is set'));
    expect((await patch({ token_endpoint_auth_method: null, client_authentication_methods: methods(foreign) })).json()).toEqual(
      badRequest(`Payload validation error: 'The credential ${foreign} does not exist for this client' on property client_authentication_methods.private_key_jwt.credentials.`),
    );
    expect((await patch({ token_endpoint_auth_method: null, client_authentication_methods: methods(id, id) })).json()).toEqual(
      badRequest("Payload validation error: 'A credential is listed twice' on property client_authentication_methods.private_key_jwt.credentials."),
    );
    const spa = (await admin.call('POST', '/clients', { name: 'spa', app_type: 'spa' })).json<{ client_id: string }>().client_id;
    expect((await patch({ client_authentication_methods: methods() }, spa)).json()).toEqual(badRequest('A public client (token_endpoint_auth_method none) cannot use Private Key JWT'));
  });

  it('client_authentication_methods: null goes back to client_secret_post', async () => {
    const { id } = (await create({ credential_type: 'public_key', pem: keys.publicPem })).json<{ id: string }>();
    await admin.call('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id }] } } });
    const back = await admin.call('PATCH', `/clients/${clientId}`, { client_authentication_methods: null });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ token_endpoint_auth_method: 'client_secret_post' });
    expect(back.json()).not.toHaveProperty('client_authentication_methods');
  });
});
