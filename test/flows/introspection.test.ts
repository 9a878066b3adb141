// POST /oauth/introspect (RFC 7662): the exact answer for a live token, exactly {"active":false}
// for every way a token dies and for a token the caller may not see (decision 0017), and the
// exact error bodies and headers of the endpoint's refusals.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { opaqueDigest } from '../../src/domain/opaque.ts';
import { currentSigningKey, decodeSegment, signRs256 } from '../helpers/craft-jwt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { adminFor, createApi, type Admin } from '../helpers/admin-api.ts';

const API = 'https://orders.example.com/';
const INACTIVE = '{"active":false}';

let s: TestServer;
let admin: Admin;
/** A client that gets tokens for API. */
let caller: M2M;
/** Another client holding a grant for API: the API's own back end, say. */
let resource: M2M;
/** A client with no grant for API. */
let stranger: M2M;

beforeEach(async () => {
  s = await startTestServer();
  admin = await adminFor(s);
  await createApi(admin, { identifier: API, name: 'Orders', scopes: [{ value: 'read:orders' }, { value: 'write:orders' }] });
  caller = await seedM2M(s, ['read:orders'], { audience: API });
  resource = await seedM2M(s, ['write:orders'], { audience: API });
  stranger = await seedM2M(s, ['read:clients']);
});
afterEach(async () => s.close());

function introspect(who: M2M | undefined, fields: Record<string, string>, options: { basic?: boolean; host?: string } = {}): Promise<LightMyRequestResponse> {
  const auth: Record<string, string> = who && !options.basic ? { client_id: who.clientId, client_secret: who.clientSecret } : {};
  return s.inject({
    method: 'POST',
    url: '/oauth/introspect',
    host: options.host ?? DOMAIN,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(who && options.basic && { authorization: `Basic ${Buffer.from(`${encodeURIComponent(who.clientId)}:${encodeURIComponent(who.clientSecret)}`).toString('base64')}` }),
    },
    payload: new URLSearchParams({ ...auth, ...fields }).toString(),
  });
}

function expectInactive(res: LightMyRequestResponse): void {
  expect([res.statusCode, res.body, res.headers['content-type'], res.headers['cache-control']]).toEqual([200, INACTIVE, 'application/json; charset=utf-8', 'no-store']);
}

const ordersToken = (): Promise<string> => tokenFor(s, caller, API);

describe('RFC 7662 §2.2: an active token', () => {
  test('its own client asks → 200 with exactly the RFC members, no-store', async () => {
    const token = await ordersToken();
    const claims = decodeSegment(token, 1);
    const res = await introspect(caller, { token });
    expect([res.statusCode, res.headers['cache-control'], res.headers.pragma]).toEqual([200, 'no-store', 'no-cache']);
    expect(res.json()).toStrictEqual({
      active: true,
      scope: 'read:orders',
      client_id: caller.clientId,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: `${caller.clientId}@clients`,
      aud: API,
      iss: `https://${DOMAIN}/`,
      jti: claims.jti,
    });
  });

  test('decision 0017: a client holding a grant for the audience may ask (client_secret_basic), with token_type_hint', async () => {
    const token = await ordersToken();
    const res = await introspect(resource, { token, token_type_hint: 'access_token' }, { basic: true });
    expect(res.json()).toMatchObject({ active: true, client_id: caller.clientId, aud: API });
  });

  test('§2.1: an unknown token_type_hint is not an error', async () => {
    const res = await introspect(caller, { token: await ordersToken(), token_type_hint: 'something_else' });
    expect(res.json()).toMatchObject({ active: true });
  });

  test('a Management API token, asked about by a client granted the Management API', async () => {
    const token = await tokenFor(s, stranger);
    expect((await introspect(stranger, { token })).json()).toMatchObject({ active: true, aud: s.tenant.managementAudience, scope: 'read:clients' });
  });
});

describe('every way a token dies → exactly {"active":false}', () => {
  test('expired: past exp and the 30 s leeway (and active just before)', async () => {
    const token = await ordersToken();
    const exp = decodeSegment(token, 1).exp as number;
    s.clock.set((exp + 30) * 1000);
    expect((await introspect(caller, { token })).json()).toMatchObject({ active: true });
    s.clock.set((exp + 31) * 1000);
    expectInactive(await introspect(caller, { token }));
  });

  test('not yet valid: nbf in the future', async () => {
    const key = await currentSigningKey(s, DOMAIN);
    const now = Math.floor(s.clock.now() / 1000);
    const token = signRs256(key, { iss: `https://${DOMAIN}/`, sub: `${caller.clientId}@clients`, aud: API, azp: caller.clientId, iat: now, nbf: now + 3600, exp: now + 7200, jti: 'f'.repeat(32) });
    expectInactive(await introspect(caller, { token }));
  });

  test('denylisted through POST /api/v2/blacklists/tokens (after an answer that cached its verification)', async () => {
    const token = await ordersToken();
    expect((await introspect(caller, { token })).json()).toMatchObject({ active: true });
    const ops = await mgmtToken(s, ['blacklist:tokens']);
    const res = await s.inject({ method: 'POST', url: '/api/v2/blacklists/tokens', headers: { authorization: `Bearer ${ops}` }, payload: { aud: API, jti: decodeSegment(token, 1).jti } });
    expect(res.statusCode).toBe(204);
    expectInactive(await introspect(caller, { token }));
  });

  test('its signing key revoked (rotated out, then revoked through the Management API)', async () => {
    const token = await ordersToken();
    const kid = decodeSegment(token, 0).kid as string;
    const ops = await mgmtToken(s, ['create:signing_keys', 'update:signing_keys']);
    const call = (method: 'POST' | 'PUT', url: string) => s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${ops}` } });
    expect((await call('POST', '/keys/signing/rotate')).statusCode).toBe(201);
    expect((await introspect(caller, { token })).json()).toMatchObject({ active: true });
    expect((await call('PUT', `/keys/signing/${kid}/revoke`)).statusCode).toBe(200);
    expectInactive(await introspect(caller, { token }));
  });

  test('its client deleted (asked by the API\'s client, which holds a grant)', async () => {
    const token = await ordersToken();
    await admin.ok('DELETE', `/clients/${caller.clientId}`);
    expectInactive(await introspect(resource, { token }));
  });

  test('its client grant deleted (after an answer that cached its verification)', async () => {
    const token = await ordersToken();
    expect((await introspect(caller, { token })).json()).toMatchObject({ active: true });
    const [grant] = await admin.ok<{ id: string }[]>('GET', `/client-grants?client_id=${encodeURIComponent(caller.clientId)}&audience=${encodeURIComponent(API)}`);
    await admin.ok('DELETE', `/client-grants/${grant!.id}`);
    expectInactive(await introspect(caller, { token }));
  });

  test('wrong tenant: a live token of another tenant, asked about at this one', async () => {
    const other = await s.addTenant('other', 'tenant-b.test');
    // Signed with tenant-b's own current key and naming tenant-b as issuer: a token of tenant-b.
    const key = await currentSigningKey(s, 'tenant-b.test');
    const now = Math.floor(s.clock.now() / 1000);
    const foreign = signRs256(key, { iss: other.issuer, sub: `${caller.clientId}@clients`, aud: API, azp: caller.clientId, iat: now, exp: now + 3600, jti: 'a'.repeat(32) });
    expectInactive(await introspect(caller, { token: foreign }));
  });

  test('forged: a token signed with another tenant\'s key but naming this issuer', async () => {
    await s.addTenant('other', 'tenant-b.test');
    const key = await currentSigningKey(s, 'tenant-b.test');
    const now = Math.floor(s.clock.now() / 1000);
    const forged = signRs256(key, { iss: `https://${DOMAIN}/`, sub: `${caller.clientId}@clients`, aud: API, azp: caller.clientId, iat: now, exp: now + 3600, jti: 'b'.repeat(32) });
    expectInactive(await introspect(caller, { token: forged }));
  });

  test.each([
    ['garbage', 'not-a-token'],
    ['three empty segments', '..'],
    ['a JWS with a bad signature', 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln'],
    ['longer than any token issued (8 KiB)', `${'eyJhbGciOiJSUzI1NiJ9.'}${'a'.repeat(9000)}.c2ln`],
  ])('never a token: %s', async (_label, token) => {
    expectInactive(await introspect(caller, { token }));
  });
});

describe('decision 0017: who may see a token', () => {
  test('a client with no grant for the audience, and not the token\'s client → {"active":false}', async () => {
    expectInactive(await introspect(stranger, { token: await ordersToken() }));
  });

  test('the answer for a token the caller may not see is byte-for-byte the answer for a dead one', async () => {
    const hidden = await introspect(stranger, { token: await ordersToken() });
    const dead = await introspect(stranger, { token: 'x' });
    expect([hidden.statusCode, hidden.body, hidden.headers['content-type']]).toEqual([dead.statusCode, dead.body, dead.headers['content-type']]);
  });
});

describe('refresh tokens (opaque)', () => {
  async function seedRefresh(clientId: string, extra: Partial<{ revokedAt: string; expiresAt: string }> = {}): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date(s.clock.now()).toISOString();
    await s.storage.refreshTokens.create({
      tenantId: s.tenant.id,
      id: `dcr_${randomBytes(8).toString('hex')}`,
      tokenHash: opaqueDigest(token),
      familyId: `fam_${randomBytes(8).toString('hex')}`,
      clientId,
      userId: 'auth0|u1',
      audience: API,
      scope: 'openid offline_access',
      sid: null,
      authTime: now,
      rotating: false,
      createdAt: now,
      expiresAt: extra.expiresAt ?? null,
      idleExpiresAt: null,
      usedAt: null,
      revokedAt: extra.revokedAt ?? null,
    });
    return token;
  }

  test('live, asked by its own client → active with its members', async () => {
    const token = await seedRefresh(caller.clientId);
    expect((await introspect(caller, { token, token_type_hint: 'refresh_token' })).json()).toStrictEqual({
      active: true,
      scope: 'openid offline_access',
      client_id: caller.clientId,
      iat: Math.floor(s.clock.now() / 1000),
      sub: 'auth0|u1',
      aud: API,
      iss: `https://${DOMAIN}/`,
    });
  });

  test('revoked through POST /oauth/revoke → inactive', async () => {
    const token = await seedRefresh(caller.clientId);
    const res = await s.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: caller.clientId, client_secret: caller.clientSecret, token } });
    expect(res.statusCode).toBe(200);
    expectInactive(await introspect(caller, { token }));
  });

  test('expired → inactive; another client asking → inactive', async () => {
    const expired = await seedRefresh(caller.clientId, { expiresAt: new Date(s.clock.now() - 1000).toISOString() });
    expectInactive(await introspect(caller, { token: expired }));
    expectInactive(await introspect(resource, { token: await seedRefresh(caller.clientId) }));
  });
});

describe('RFC 7662 §2.1 / RFC 6749 §5.2: refusals, exact bodies', () => {
  test('a wrong secret → 401 invalid_client', async () => {
    const res = await introspect({ clientId: caller.clientId, clientSecret: 'wrong-secret-0123456789abcdefghijklmn' }, { token: 'x' });
    expect([res.statusCode, res.body, res.headers['www-authenticate']]).toEqual([401, '{"error":"invalid_client","error_description":"Client authentication failed"}', undefined]);
  });

  test('an unknown client with Basic → 401 invalid_client with the Basic challenge', async () => {
    const res = await introspect({ clientId: 'nobody', clientSecret: 'nothing-0123456789abcdefghijklmnopqrstuv' }, { token: 'x' }, { basic: true });
    expect([res.statusCode, res.body, res.headers['www-authenticate']]).toEqual([401, '{"error":"invalid_client","error_description":"Client authentication failed"}', `Basic realm="${DOMAIN}"`]);
  });

  test('no client authentication at all → 400 (client_id is required)', async () => {
    const res = await introspect(undefined, { token: 'x' });
    expect([res.statusCode, res.body]).toEqual([400, '{"error":"invalid_request","error_description":"Missing required parameter: client_id"}']);
  });

  test('no token → 400 invalid_request', async () => {
    const res = await introspect(caller, {});
    expect([res.statusCode, res.body]).toEqual([400, '{"error":"invalid_request","error_description":"Missing required parameter: token"}']);
  });

  test('GET → 404 in the Authentication API\'s terms (POST only)', async () => {
    const res = await s.inject({ method: 'GET', url: '/oauth/introspect' });
    expect(res.statusCode).toBe(404);
  });

  test('discovery lists the endpoint and its client authentication methods', async () => {
    const doc = (await s.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<Record<string, unknown>>();
    expect([doc.introspection_endpoint, doc.introspection_endpoint_auth_methods_supported]).toEqual([`https://${DOMAIN}/oauth/introspect`, ['client_secret_basic', 'client_secret_post', 'private_key_jwt']]);
  });
});
