// Properties of the access tokens we issue and the keys we publish (security catalogue §4.4
// T-ISS-01..06, spec §2.2 and §2.7). A standard library (jose) is the judge of the round trip.
import { createHash, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/tokens/issue.ts';
import { createApi } from '../helpers/apis.ts';
import { decodeSegment, fetchJwks } from '../helpers/craft-jwt.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const SCOPES = ['read:clients', 'create:clients', 'update:clients', 'delete:clients', 'read:client_grants'];
const FORBIDDEN_HEADER = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'crit', 'b64', 'zip', 'enc'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

let s: TestServer;
let m2m: M2M;
let currentKid: string;
const B = 'tenant-b.test';

beforeAll(async () => {
  s = await startTestServer();
  m2m = await seedM2M(s, SCOPES);
  currentKid = (await s.registry.keys(s.tenant.id)).current.kid;
  await s.addTenant('tenant-b', B);
});
afterAll(() => s.close());

const nowSeconds = () => Math.floor(s.clock.now() / 1000);
async function issue(body: Record<string, unknown>) {
  const res = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, ...body } });
  expect(res.statusCode).toBe(200);
  return res.json<{ access_token: string; expires_in: number; scope?: string; token_type: string }>();
}

describe('T-ISS-01: header', () => {
  it('Auth0 profile: exactly {alg: RS256, typ: JWT, kid: current}; no jku, x5u, jwk, x5c, crit', async () => {
    const { access_token } = await issue({ audience: s.tenant.managementAudience });
    const header = decodeSegment(access_token, 0);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: currentKid });
    for (const member of FORBIDDEN_HEADER) expect(header).not.toHaveProperty(member);
  });

  it('RFC 9068 profile (token_dialect rfc9068_profile): typ at+jwt, client_id instead of azp/gty', async () => {
    const api = await createApi(s, { identifier: 'https://rfc9068.example.com/', token_dialect: 'rfc9068_profile', scopes: [{ value: 'read:x' }] });
    const app = await seedM2M(s, ['read:x'], { audience: api.identifier });
    const token = await tokenFor(s, app, api.identifier);
    expect(decodeSegment(token, 0)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: currentKid });
    const iat = nowSeconds();
    expect(decodeSegment(token, 1)).toEqual({
      iss: 'https://tenant-a.test/',
      sub: `${app.clientId}@clients`,
      aud: api.identifier,
      iat,
      exp: iat + 86_400,
      scope: 'read:x',
      client_id: app.clientId,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});

describe('T-ISS-02: claims (spec §2.2)', () => {
  it('Management API token: iss with trailing slash, sub CLIENT_ID@clients, aud, iat, exp = iat + 86400, scope, gty, azp, jti', async () => {
    const body = await issue({ audience: s.tenant.managementAudience });
    const iat = nowSeconds();
    const claims = decodeSegment(body.access_token, 1);
    expect(claims).toEqual({
      iss: 'https://tenant-a.test/',
      sub: `${m2m.clientId}@clients`,
      aud: 'https://tenant-a.test/api/v2/',
      iat,
      exp: iat + 86_400,
      scope: SCOPES.join(' '),
      gty: 'client-credentials',
      azp: m2m.clientId,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // The order Auth0's tokens show (cosmetic, spec §2.2), jti appended.
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'aud', 'iat', 'exp', 'scope', 'gty', 'azp', 'jti']);
    expect(body).toEqual({ access_token: body.access_token, scope: SCOPES.join(' '), expires_in: 86_400, token_type: 'Bearer' });
  });

  it('iat follows the clock; a requested subset of scopes is exactly what the token carries', async () => {
    s.clock.advance(1234);
    const body = await issue({ audience: s.tenant.managementAudience, scope: 'delete:clients read:clients' });
    const claims = decodeSegment(body.access_token, 1);
    expect(claims.iat).toBe(nowSeconds());
    expect(claims.scope).toBe('delete:clients read:clients');
    expect(body.scope).toBe('delete:clients read:clients');
  });

  it('a custom API\'s token_lifetime is honoured in exp and expires_in; no scope claim when none granted', async () => {
    const api = await createApi(s, { identifier: 'https://lifetime.example.com/', token_lifetime: 3600 });
    const app = await seedM2M(s, [], { audience: api.identifier });
    const res = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, audience: api.identifier } });
    const body = res.json<{ access_token: string }>();
    expect(body).toEqual({ access_token: body.access_token, expires_in: 3600, token_type: 'Bearer' });
    const claims = decodeSegment(body.access_token, 1);
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(claims).not.toHaveProperty('scope');
    expect(claims.aud).toBe('https://lifetime.example.com/');
  });
});

describe('T-ISS-03: jti', () => {
  it('unique across 2,000 issuances (100 through /oauth/token), each 128 bits in 32 hex characters', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const { access_token } = await issue({ audience: s.tenant.managementAudience, scope: 'read:clients' });
      seen.add(String(decodeSegment(access_token, 1).jti));
    }
    // The rest straight from the issuer with an HS256 signer: the same jti path, without RSA's cost.
    const signer = { alg: 'HS256', secret: randomBytes(32) } as const;
    const input = { issuer: s.tenant.issuer, subject: 'x@clients', audience: 'https://api.example/', clientId: 'x', scopes: [], now: nowSeconds(), lifetime: 60, signer };
    for (let i = 0; i < 1900; i++) {
      const issued = await issueAccessToken(input);
      expect(decodeSegment(issued.token, 1).jti).toBe(issued.jti);
      seen.add(issued.jti);
    }
    expect(seen.size).toBe(2000);
    for (const jti of seen) expect(jti).toMatch(/^[0-9a-f]{32}$/);
    // 2,000 × 32 hex digits: every digit value appears in every position (a counter would not).
    for (let pos = 0; pos < 32; pos++) expect(new Set([...seen].map((j) => j[pos])).size).toBe(16);
  });
});

describe('T-ISS-04: round trip with a standard library', () => {
  it('property: any issued token verifies with jose jwtVerify against the JWKS (RS256 only, issuer, audience)', async () => {
    const jwks = createLocalJWKSet(JSON.parse((await fetchJwks(s, DOMAIN)).text) as JSONWebKeySet);
    await fc.assert(
      fc.asyncProperty(fc.option(fc.subarray(SCOPES, { minLength: 1 }), { nil: undefined }), async (subset) => {
        const body = await issue({ audience: s.tenant.managementAudience, ...(subset ? { scope: subset.join(' ') } : {}) });
        const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
          algorithms: ['RS256'],
          issuer: 'https://tenant-a.test/',
          audience: 'https://tenant-a.test/api/v2/',
          currentDate: new Date(s.clock.now()),
          requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
        });
        expect(protectedHeader.kid).toBe(currentKid);
        expect(payload.scope).toBe((subset ?? SCOPES).join(' '));
      }),
      { numRuns: 60 },
    );
  });

  it('jose refuses the same token for another issuer or audience (the check above is not vacuous)', async () => {
    const jwks = createLocalJWKSet(JSON.parse((await fetchJwks(s, DOMAIN)).text) as JSONWebKeySet);
    const { access_token } = await issue({ audience: s.tenant.managementAudience });
    const options = { algorithms: ['RS256'], issuer: 'https://tenant-a.test/', audience: 'https://tenant-a.test/api/v2/', currentDate: new Date(s.clock.now()) };
    await expect(jwtVerify(access_token, jwks, { ...options, issuer: 'https://tenant-a.test' })).rejects.toThrow();
    await expect(jwtVerify(access_token, jwks, { ...options, audience: 'https://tenant-b.test/api/v2/' })).rejects.toThrow();
    await expect(jwtVerify(access_token, createLocalJWKSet(JSON.parse((await fetchJwks(s, B)).text) as JSONWebKeySet), options)).rejects.toThrow();
  });
});

describe('T-ISS-05: published keys (spec §2.7)', () => {
  it('every JWKS entry: RSA ≥ 2048 bits, e = AQAB, use sig, alg RS256, kid, x5c, x5t, no private members', async () => {
    const { keys } = await fetchJwks(s, DOMAIN);
    expect(keys).toHaveLength(2);
    expect(keys[0]!.kid).toBe(currentKid);
    for (const jwk of keys) {
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5c', 'x5t']);
      expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      const details = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).asymmetricKeyDetails!;
      expect(details.modulusLength).toBeGreaterThanOrEqual(2048);
      expect(details.publicExponent).toBe(65537n);
      // The certificate is for the same key, and x5t is its SHA-1 thumbprint (RFC 7517 §4.8).
      const der = Buffer.from(jwk.x5c[0]!, 'base64');
      const certKey = new X509Certificate(der).publicKey.export({ format: 'jwk' });
      expect({ n: certKey.n, e: certKey.e }).toEqual({ n: jwk.n, e: jwk.e });
      expect(jwk.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
  });
});

describe('T-ISS-06: discovery and JWKS are per tenant', () => {
  it('each host publishes only its own keys and names its own issuer, equal to the token iss', async () => {
    const [a, b] = [await fetchJwks(s, DOMAIN), await fetchJwks(s, B)];
    expect(b.keys).toHaveLength(2);
    const aKids = new Set(a.keys.map((k) => k.kid));
    const aModuli = new Set(a.keys.map((k) => k.n));
    for (const k of b.keys) {
      expect(aKids.has(k.kid)).toBe(false);
      expect(aModuli.has(k.n)).toBe(false);
    }
    for (const host of [DOMAIN, B]) {
      const res = await s.inject({ method: 'GET', url: '/.well-known/openid-configuration', host });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ issuer: `https://${host}/`, jwks_uri: `https://${host}/.well-known/jwks.json` });
      expect(res.body).not.toContain(host === DOMAIN ? B : DOMAIN);
    }
    const { access_token } = await issue({ audience: s.tenant.managementAudience });
    const discovery = (await s.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json<{ issuer: string }>();
    expect(decodeSegment(access_token, 1).iss).toBe(discovery.issuer);
  });

  it('an unknown host gets no tenant\'s keys (no fallback tenant)', async () => {
    const res = await s.inject({ method: 'GET', url: '/.well-known/jwks.json', host: 'unknown.test' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('"keys"');
  });
});
