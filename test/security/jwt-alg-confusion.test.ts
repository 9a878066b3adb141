// Algorithm confusion at the Management API (security catalogue §4.5, §6 item 1): `none`, HS256
// keyed with our public key in every serialization, other algorithms with our key, and keys of the
// wrong type. The matrix lives in test/helpers/alg-confusion.ts so it can be re-run with legacy
// HS256 tokens enabled.
import { createPrivateKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../src/crypto/certs.ts';
import { algConfusionMatrix, invalidTokenResponse, mismatches, MSG, probe, type AttackCase, type MatrixContext } from '../helpers/alg-confusion.ts';
import { craftJwt, decodeSegment, fetchJwks } from '../helpers/craft-jwt.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let ctx: MatrixContext;
let cases: AttackCase[];

beforeAll(async () => {
  s = await startTestServer();
  ctx = { server: s, host: DOMAIN, validToken: await mgmtToken(s, ['read:clients']) };
  cases = await algConfusionMatrix(ctx);
});
afterAll(() => s.close());

const ofId = (id: AttackCase['id']) => cases.filter((c) => c.id === id);

describe('alg confusion matrix at GET /api/v2/clients', () => {
  it('control: the genuine token, and its claims re-signed RS256 by hand with our key, are accepted', async () => {
    expect((await probe(s, DOMAIN, `Bearer ${ctx.validToken}`)).statusCode).toBe(200);
    const ring = await s.registry.keys(s.tenant.id);
    const token = craftJwt({ header: decodeSegment(ctx.validToken, 0), payload: { ...decodeSegment(ctx.validToken, 1), jti: 'x'.repeat(32) }, sign: { kind: 'rsa', key: ring.current.privateKey! } });
    expect((await probe(s, DOMAIN, `Bearer ${token}`)).statusCode).toBe(200);
  });

  it('T-JWT-01 / CVE-2022-23540: alg none in every case, empty or missing, with or without a signature → 401 invalid_token', async () => {
    expect(ofId('T-JWT-01').length).toBeGreaterThanOrEqual(36);
    expect(await mismatches(ctx, ofId('T-JWT-01'))).toEqual([]);
  });

  it('T-JWT-01: the 401 is the Auth0 body with a Bearer invalid_token challenge', async () => {
    const none = ofId('T-JWT-01').find((c) => c.name === 'alg "none", empty signature')!;
    const res = await probe(s, DOMAIN, `Bearer ${none.token}`);
    const want = invalidTokenResponse(DOMAIN, MSG.invalidToken);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } });
    expect(res.headers['www-authenticate']).toBe(want.challenge);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('T-JWT-10 / CVE-2015-9235, CVE-2023-48223, CVE-2026-34950, -107722, -107724, -44699: HS256 keyed with every serialization of our public key → 401', async () => {
    const jwks = await fetchJwks(s, DOMAIN);
    // 25 serializations × 2 header variants × every published key, plus HS384/HS512.
    expect(ofId('T-JWT-10')).toHaveLength(jwks.keys.length * 50 + 2);
    expect(await mismatches(ctx, ofId('T-JWT-10'))).toEqual([]);
  });

  it('T-JWT-11: every JWKS entry carries alg RS256 and use sig (Hono CVE-2026-22818)', async () => {
    const { keys } = await fetchJwks(s, DOMAIN);
    expect(keys.length).toBe(2);
    for (const k of keys) expect({ alg: k.alg, use: k.use, kty: k.kty }).toEqual({ alg: 'RS256', use: 'sig', kty: 'RSA' });
  });

  it('T-JWT-11: RS384/RS512/PS256 signed with our own key, ES256/EdDSA, and alg spelled otherwise → 401', async () => {
    expect(await mismatches(ctx, ofId('T-JWT-11'))).toEqual([]);
  });

  it('T-JWT-14 / CVE-2022-23539: EC, DSA and 1024-bit RSA signatures never pass for our RS256 key', async () => {
    expect(await mismatches(ctx, ofId('T-JWT-14'))).toEqual([]);
  });
});

describe('T-JWT-14: a stored key of the wrong type or size is never selected', () => {
  const kidShort = 'shortRsaKeyForTest001';
  const kidEc = 'ecKeyStoredForTest001';
  let shortKey: webcrypto.CryptoKeyPair;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeAll(async () => {
    const now = new Date(s.clock.now());
    const rsa1024 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 } as const;
    shortKey = await webcrypto.subtle.generateKey(rsa1024, true, ['sign', 'verify']);
    const shortJwk = await webcrypto.subtle.exportKey('jwk', shortKey.publicKey);
    const base = { tenantId: s.tenant.id, alg: 'RS256' as const, state: 'next' as const, privateSealed: 'unused: never current', createdAt: now.toISOString(), currentSince: null, currentUntil: null, revokedAt: null };
    await s.storage.signingKeys.create({ ...base, kid: kidShort, publicJwk: { kty: 'RSA', n: shortJwk.n, e: shortJwk.e }, cert: await selfSignedCert(shortKey, DOMAIN, now) });
    // An EC public key in the record (the certificate is irrelevant: the record is wrong either way).
    const ecJwk = ec.publicKey.export({ format: 'jwk' });
    await s.storage.signingKeys.create({ ...base, kid: kidEc, publicJwk: { ...ecJwk }, cert: await selfSignedCert(shortKey, DOMAIN, now) });
  });

  it('the tenant still serves: the genuine token verifies and the JWKS lists only the 2048-bit RSA keys', async () => {
    expect((await probe(s, DOMAIN, `Bearer ${ctx.validToken}`)).statusCode).toBe(200);
    const { keys } = await fetchJwks(s, DOMAIN);
    expect(keys.map((k) => k.kid)).not.toContain(kidShort);
    expect(keys.map((k) => k.kid)).not.toContain(kidEc);
    expect(keys).toHaveLength(2);
  });

  it('a token signed by the stored 1024-bit RSA key → 401', async () => {
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', shortKey.privateKey));
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const token = craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: kidShort }, payload: decodeSegment(ctx.validToken, 1), sign: { kind: 'rsa', key } });
    const res = await probe(s, DOMAIN, `Bearer ${token}`);
    expect([res.statusCode, res.body]).toEqual([401, invalidTokenResponse(DOMAIN, MSG.invalidToken).body]);
  });

  it('a token signed by the stored EC key, under RS256 or ES256 → 401', async () => {
    for (const [alg, sign] of [
      ['RS256', { kind: 'other', key: ec.privateKey, hash: 'sha256' }],
      ['ES256', { kind: 'ecdsa', key: ec.privateKey }],
    ] as const) {
      const token = craftJwt({ header: { alg, typ: 'JWT', kid: kidEc }, payload: decodeSegment(ctx.validToken, 1), sign });
      const res = await probe(s, DOMAIN, `Bearer ${token}`);
      expect([alg, res.statusCode, res.body]).toEqual([alg, 401, invalidTokenResponse(DOMAIN, MSG.invalidToken).body]);
    }
  });
});
