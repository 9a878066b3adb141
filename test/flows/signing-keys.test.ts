// /api/v2/keys/signing (spec §3.5.8, T-MG-16, T-KR-06): the key objects Auth0 returns (CRLF PEM
// certificate, PKCS#7, SHA-1 fingerprint and thumbprint of the DER), the state moves of rotate and
// revoke, the scopes each route needs (rotate needs both), the per-tenant rotation limit, and the
// `sapi` tenant-log entry every rotation and revocation leaves.
import { createHash, X509Certificate } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE, TEXT } from '../../src/management/errors.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/ratelimit/limiter.ts';
import { decodeSegment, fetchJwks } from '../helpers/craft-jwt.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, requestToken } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

const KEY_SCOPES = ['read:signing_keys', 'create:signing_keys', 'update:signing_keys'];

interface KeyBody {
  kid: string;
  cert: string;
  pkcs7: string;
  current: boolean;
  next: boolean;
  previous: boolean;
  revoked: boolean;
  fingerprint: string;
  thumbprint: string;
  current_since?: string;
  current_until?: string;
  revoked_at?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
type Call = (method: Method, path: string, request?: { payload?: string; headers?: Record<string, string> }) => Promise<LightMyRequestResponse>;

function caller(s: TestServer, token: string, host = DOMAIN): Call {
  return (method, path, request = {}) =>
    s.inject({ method, url: `/api/v2${path}`, host, headers: { authorization: `Bearer ${token}`, ...request.headers }, ...(request.payload !== undefined && { payload: request.payload }) });
}

/** Auth0's 429 body shape (spec §3.2) with the rotation limit's text. */
function expectRotationLimited(res: LightMyRequestResponse, limit: number, seconds: number): void {
  expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([
    429,
    JSON_UTF8,
    { statusCode: 429, error: 'Too Many Requests', message: TEXT.rotationLimited(limit, seconds), errorCode: ERROR_CODE.tooManyRequests },
  ]);
}

/** Seconds left in the current fixed window (limit windows start at multiples of their length). */
const untilWindowEnds = (s: TestServer, seconds: number): number => seconds - (Math.floor(s.clock.now() / 1000) % seconds);

const iso = (s: TestServer) => new Date(s.clock.now()).toISOString();
const states = (keys: KeyBody[]) => keys.map((k) => (k.revoked ? 'revoked' : k.current ? 'current' : k.next ? 'next' : 'previous'));

describe('GET /keys/signing and /keys/signing/{kid} (spec §3.5.8)', () => {
  let s: TestServer;
  let call: Call;
  let keys: KeyBody[];
  beforeAll(async () => {
    s = await startTestServer();
    call = caller(s, await mgmtToken(s, ['read:signing_keys']));
    const res = await call('GET', '/keys/signing');
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    keys = res.json<KeyBody[]>();
  });
  afterAll(() => s.close());

  it('a new tenant lists its current key, then its next key, with exactly the Auth0 members', async () => {
    const stored = await s.storage.signingKeys.list(s.tenant.id);
    const byState = (state: string) => stored.find((k) => k.state === state)!;
    expect(keys.map((k) => k.kid)).toEqual([byState('current').kid, byState('next').kid]);
    const since = byState('current').currentSince!;
    expect(keys).toStrictEqual([
      { kid: byState('current').kid, cert: keys[0]!.cert, pkcs7: keys[0]!.pkcs7, current: true, next: false, previous: false, revoked: false, current_since: since, fingerprint: keys[0]!.fingerprint, thumbprint: keys[0]!.thumbprint },
      { kid: byState('next').kid, cert: keys[1]!.cert, pkcs7: keys[1]!.pkcs7, current: false, next: true, previous: false, revoked: false, fingerprint: keys[1]!.fingerprint, thumbprint: keys[1]!.thumbprint },
    ]);
    expect(since).toBe(iso(s));
    for (const k of keys) expect(k.kid).toMatch(/^[A-Za-z0-9]{21}$/);
  });

  it('cert is a CRLF PEM certificate; fingerprint and thumbprint are the SHA-1 of its DER (checked with node:crypto)', () => {
    for (const k of keys) {
      expect(k.cert).toMatch(/^-----BEGIN CERTIFICATE-----\r\n([A-Za-z0-9+/=]{1,64}\r\n)+-----END CERTIFICATE-----$/);
      expect(k.cert.replace(/\r\n/g, '')).not.toContain('\n');
      const x509 = new X509Certificate(k.cert);
      const sha1 = createHash('sha1').update(x509.raw).digest('hex').toUpperCase();
      expect(k.fingerprint).toBe(x509.fingerprint);
      expect(k.fingerprint).toBe(sha1.match(/../g)!.join(':'));
      expect(k.thumbprint).toBe(sha1);
      expect(k.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    }
    expect(keys[0]!.thumbprint).not.toBe(keys[1]!.thumbprint);
  });

  it('pkcs7 is a CRLF PEM PKCS#7 bundle holding that same certificate', () => {
    for (const k of keys) {
      expect(k.pkcs7).toMatch(/^-----BEGIN PKCS7-----\r\n([A-Za-z0-9+/=]{1,64}\r\n)+-----END PKCS7-----$/);
      const der = Buffer.from(k.pkcs7.replace(/-----[A-Z0-9 ]+-----|\r\n/g, ''), 'base64');
      expect(der.includes(new X509Certificate(k.cert).raw)).toBe(true);
    }
  });

  it("each certificate holds the public key the JWKS publishes under the same kid", async () => {
    const jwks = await fetchJwks(s, DOMAIN);
    for (const k of keys) {
      const published = jwks.keys.find((j) => j.kid === k.kid)!;
      const fromCert = new X509Certificate(k.cert).publicKey.export({ format: 'jwk' });
      expect({ n: published.n, e: published.e }).toEqual({ n: fromCert.n, e: fromCert.e });
      expect(published.x5c).toEqual([new X509Certificate(k.cert).raw.toString('base64')]);
    }
  });

  it('T-MG-16: no private material in the answers', async () => {
    const body = (await call('GET', '/keys/signing')).body;
    expect(body).not.toMatch(/PRIVATE|"d":|"p":|"q":/);
  });

  it('GET /keys/signing/{kid} answers the same object as the list', async () => {
    for (const k of keys) {
      const res = await call('GET', `/keys/signing/${k.kid}`);
      expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([200, JSON_UTF8, k]);
    }
  });

  it('an unknown kid, and a kid of another tenant → 404 "Signing key not found."', async () => {
    expectMgmtError(await call('GET', '/keys/signing/tMQzailSAdaW4nojXxES9'), 404, TEXT.keyNotFound, ERROR_CODE.inexistentKey);
    const other = await s.addTenant('other', 'tenant-b.test');
    const otherKid = (await s.storage.signingKeys.list(other.id))[0]!.kid;
    expectMgmtError(await call('GET', `/keys/signing/${otherKid}`), 404, TEXT.keyNotFound, ERROR_CODE.inexistentKey);
  });

  it('both reads need read:signing_keys', async () => {
    const other = caller(s, await mgmtToken(s, ['create:signing_keys', 'update:signing_keys', 'read:clients']));
    expectMgmtError(await other('GET', '/keys/signing'), 403, TEXT.insufficientScope(['read:signing_keys']), ERROR_CODE.insufficientScope);
    expectMgmtError(await other('GET', `/keys/signing/${keys[0]!.kid}`), 403, TEXT.insufficientScope(['read:signing_keys']), ERROR_CODE.insufficientScope);
  });
});

describe('POST /keys/signing/rotate and PUT /keys/signing/{kid}/revoke (spec §3.5.8, T-MG-16)', () => {
  let s: TestServer;
  let call: Call;
  /** The key that signed `call`'s token: never revoked here, or the calls would stop (T-KR-04). */
  let ownKid: string;
  const list = async () => (await call('GET', '/keys/signing')).json<KeyBody[]>();
  const revocable = async () => (await list()).find((k) => k.previous && !k.revoked && k.kid !== ownKid)!;
  beforeAll(async () => {
    s = await startTestServer();
    const token = await mgmtToken(s, [...KEY_SCOPES, 'read:logs']);
    ownKid = String(decodeSegment(token, 0).kid);
    call = caller(s, token);
  });
  afterAll(() => s.close());

  it.each([['create:signing_keys'], ['update:signing_keys'], ['read:signing_keys']])('rotate with only %s → 403 naming both scopes; nothing changes', async (scope) => {
    const before = await list();
    const res = await caller(s, await mgmtToken(s, [scope]))('POST', '/keys/signing/rotate');
    expectMgmtError(res, 403, 'Insufficient scope; expected create:signing_keys and update:signing_keys.', 'insufficient_scope');
    expect(await list()).toStrictEqual(before);
  });

  it('rotate → 201 with the new current key: next → current, current → previous, a new next', async () => {
    const [current, next] = await list();
    s.clock.advance(60);
    const res = await call('POST', '/keys/signing/rotate');
    expect([res.statusCode, res.headers['content-type']]).toEqual([201, JSON_UTF8]);
    const promoted = { ...next!, current: true, next: false, current_since: iso(s) };
    expect(res.json()).toStrictEqual(promoted);
    const after = await list();
    expect(states(after)).toEqual(['current', 'next', 'previous']);
    expect(after[0]).toStrictEqual(promoted);
    expect(after[2]).toStrictEqual({ ...current!, current: false, previous: true, current_until: iso(s) });
    expect([current!.kid, next!.kid]).not.toContain(after[1]!.kid);
    expect(after[1]).toStrictEqual({ kid: after[1]!.kid, cert: after[1]!.cert, pkcs7: after[1]!.pkcs7, current: false, next: true, previous: false, revoked: false, fingerprint: after[1]!.fingerprint, thumbprint: after[1]!.thumbprint });
    // The JWKS follows at once (no stale key ring).
    expect((await fetchJwks(s, DOMAIN)).keys.map((k) => k.kid)).toEqual(after.map((k) => k.kid));
  });

  it.each([
    ['no body and no Content-Type', {}],
    ['a null JSON body', { payload: 'null', headers: { 'content-type': 'application/json' } }],
    ['an empty JSON object', { payload: '{}', headers: { 'content-type': 'application/json' } }],
  ])('spec §1.2: rotate accepts %s', async (_label, request) => {
    const next = (await list()).find((k) => k.next)!;
    const res = await call('POST', '/keys/signing/rotate', request);
    expect([res.statusCode, res.json<KeyBody>().kid]).toEqual([201, next.kid]);
  });

  it('revoke the current or the next key → 400; nothing changes', async () => {
    const before = await list();
    for (const k of before.filter((x) => x.current || x.next)) {
      expectMgmtError(await call('PUT', `/keys/signing/${k.kid}/revoke`), 400, TEXT.keyNotRevocable, ERROR_CODE.operationNotSupported);
    }
    expect(await list()).toStrictEqual(before);
  });

  it('revoke an unknown kid → 404 "Signing key not found."', async () => {
    expectMgmtError(await call('PUT', '/keys/signing/tMQzailSAdaW4nojXxES9/revoke'), 404, TEXT.keyNotFound, ERROR_CODE.inexistentKey);
  });

  it('revoke needs update:signing_keys', async () => {
    const previous = await revocable();
    const res = await caller(s, await mgmtToken(s, ['create:signing_keys', 'read:signing_keys']))('PUT', `/keys/signing/${previous.kid}/revoke`);
    expectMgmtError(res, 403, TEXT.insufficientScope(['update:signing_keys']), ERROR_CODE.insufficientScope);
    expect((await list()).find((k) => k.kid === previous.kid)!.revoked).toBe(false);
  });

  it('revoke a previous key → 200 with revoked and revoked_at; it leaves the JWKS', async () => {
    const previous = await revocable();
    s.clock.advance(30);
    const res = await call('PUT', `/keys/signing/${previous.kid}/revoke`);
    const revoked = { ...previous, revoked: true, revoked_at: iso(s) };
    expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([200, JSON_UTF8, revoked]);
    expect((await call('GET', `/keys/signing/${previous.kid}`)).json()).toStrictEqual(revoked);
    expect((await fetchJwks(s, DOMAIN)).keys.map((k) => k.kid)).not.toContain(previous.kid);
  });

  it('revoking twice is stable: same 200 body, revoked_at unchanged', async () => {
    const revoked = (await list()).find((k) => k.revoked)!;
    s.clock.advance(3600);
    const res = await call('PUT', `/keys/signing/${revoked.kid}/revoke`);
    expect([res.statusCode, res.json()]).toStrictEqual([200, revoked]);
  });

  it.each([
    ['a null JSON body', { payload: 'null', headers: { 'content-type': 'application/json' } }],
    ['an empty JSON object', { payload: '{}', headers: { 'content-type': 'application/json' } }],
  ])('spec §1.2: revoke accepts %s', async (_label, request) => {
    const previous = await revocable();
    const res = await call('PUT', `/keys/signing/${previous.kid}/revoke`, request);
    expect([res.statusCode, res.json<KeyBody>().revoked]).toEqual([200, true]);
  });

  it('T-KR-06: every rotation and every revocation is one `sapi` entry in the tenant log', async () => {
    await s.audit.flush();
    const res = await call('GET', '/logs?q=type:sapi&per_page=100');
    expect(res.statusCode, res.body).toBe(200);
    const logs = res.json<{ description: string; details: { request: { method: string; path: string; body?: unknown }; response: { statusCode: number } } }[]>();
    const byPath = (pattern: RegExp) => logs.filter((l) => pattern.test(l.details.request.path));
    const rotations = byPath(/^\/api\/v2\/keys\/signing\/rotate$/);
    const revocations = byPath(/^\/api\/v2\/keys\/signing\/[A-Za-z0-9]+\/revoke$/);
    // 1 + 3 rotations (the three body forms); 1 + 1 (repeat) + 2 revocations. Refused calls leave no sapi.
    expect(rotations.map((l) => [l.description, l.details.request.method, l.details.response.statusCode])).toEqual(Array(4).fill(['Rotate the application signing key', 'post', 201]));
    expect(revocations.map((l) => [l.description, l.details.request.method, l.details.response.statusCode])).toEqual(Array(4).fill(['Revoke an application signing key by its key id', 'put', 200]));
    const revokedKids = (await list()).filter((k) => k.revoked).map((k) => `/api/v2/keys/signing/${k.kid}/revoke`);
    expect(new Set(revocations.map((l) => l.details.request.path))).toEqual(new Set(revokedKids));
    expect(logs).toHaveLength(8);
  });
});

describe('T-MG-16 / T-KR-06: the per-tenant rotation limit', () => {
  it('default: 5 rotations a day; the 6th → 429 with Retry-After and one api_limit log event, nothing rotated; another tenant is unaffected; a day later it works again', async () => {
    expect(DEFAULT_RATE_LIMITS.signing_key_rotations).toEqual({ limit: 5, window_seconds: 86_400 });
    const s = await startTestServer({ rateLimits: { ...UNLIMITED, signing_key_rotations: DEFAULT_RATE_LIMITS.signing_key_rotations } });
    try {
      const operator = await seedM2M(s, [...KEY_SCOPES, 'read:logs'], { name: 'operator' });
      const call = caller(s, await tokenFor(s, operator));
      // A call refused for its scopes is not a rotation and does not count.
      expect((await caller(s, await mgmtToken(s, ['create:signing_keys']))('POST', '/keys/signing/rotate')).statusCode).toBe(403);
      for (let i = 0; i < 5; i++) {
        expect((await call('POST', '/keys/signing/rotate')).statusCode).toBe(201);
        s.clock.advance(60);
      }
      const before = await s.storage.signingKeys.list(s.tenant.id);
      const refused = await call('POST', '/keys/signing/rotate');
      expectRotationLimited(refused, 5, 86_400);
      expect(refused.headers['retry-after']).toBe(String(untilWindowEnds(s, 86_400)));
      expectRotationLimited(await call('POST', '/keys/signing/rotate'), 5, 86_400);
      expect(await s.storage.signingKeys.list(s.tenant.id)).toEqual(before);
      // The hit is one `api_limit` tenant-log event for the window, however many calls were refused.
      await s.audit.flush();
      const hits = (await call('GET', '/logs?q=type:api_limit')).json<Record<string, unknown>[]>();
      expect(hits.map((l) => [l.type, l.description, l.client_id])).toEqual([['api_limit', TEXT.rotationLimited(5, 86_400), operator.clientId]]);

      const other = await s.addTenant('other', 'tenant-b.test');
      const m2m = await seedM2M({ ...s, tenant: other }, KEY_SCOPES, { audience: other.managementAudience });
      const otherToken = (await requestToken({ ...s, inject: (o) => s.inject({ ...o, host: 'tenant-b.test' }) }, m2m.clientId, m2m.clientSecret, other.managementAudience)).json<{ access_token: string }>().access_token;
      expect((await caller(s, otherToken, 'tenant-b.test')('POST', '/keys/signing/rotate')).statusCode).toBe(201);

      s.clock.advance(untilWindowEnds(s, 86_400));
      const fresh = caller(s, await mgmtToken(s, KEY_SCOPES));
      expect((await fresh('POST', '/keys/signing/rotate')).statusCode).toBe(201);
    } finally {
      await s.close();
    }
  });

  it('tenant settings rate_limits.signing_key_rotations sets the limit and the window', async () => {
    const s = await startTestServer({ rateLimits: { ...UNLIMITED, signing_key_rotations: DEFAULT_RATE_LIMITS.signing_key_rotations } });
    try {
      const call = caller(s, await mgmtToken(s, [...KEY_SCOPES, 'update:tenant_settings']));
      const patched = await call('PATCH', '/tenants/settings', {
        payload: JSON.stringify({ rate_limits: { signing_key_rotations: { limit: 2, window_seconds: 3600 } } }),
        headers: { 'content-type': 'application/json' },
      });
      expect(patched.statusCode).toBe(200);
      expect((await call('POST', '/keys/signing/rotate')).statusCode).toBe(201);
      expect((await call('POST', '/keys/signing/rotate')).statusCode).toBe(201);
      s.clock.advance(600);
      const refused = await call('POST', '/keys/signing/rotate');
      expectRotationLimited(refused, 2, 3600);
      expect(refused.headers['retry-after']).toBe(String(untilWindowEnds(s, 3600)));
      s.clock.advance(untilWindowEnds(s, 3600));
      expect((await call('POST', '/keys/signing/rotate')).statusCode).toBe(201);
    } finally {
      await s.close();
    }
  });
});
