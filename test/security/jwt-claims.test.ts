// Claim confusion at the Management API (security catalogue §4.5 T-JWT-17..21, -23, §6 item 2):
// validly signed tokens whose time, issuer, audience or kind is wrong. Every token here is signed
// with the tenant's real current key, so the claim rule is the only thing that can refuse it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { createApi } from '../helpers/apis.ts';
import { currentSigningKey, decodeSegment, signRs256, type TenantKey } from '../helpers/craft-jwt.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let valid: string;
let claims: Record<string, unknown>;
let signer: TenantKey;
let start: number;
const LEEWAY = 30; // src/management/auth.ts LEEWAY_SECONDS (D3)

beforeAll(async () => {
  s = await startTestServer();
  start = s.clock.now();
  valid = await mgmtToken(s, ['read:clients']);
  claims = decodeSegment(valid, 1);
  signer = await currentSigningKey(s, DOMAIN);
});
afterAll(() => s.close());
afterEach(() => s.clock.set(start));

const now = () => Math.floor(s.clock.now() / 1000);
const send = (token: string, host = DOMAIN) => probe(s, host, `Bearer ${token}`);
/** Our claims with `changes` applied; an `undefined` value removes the claim. */
const withClaims = (changes: Record<string, unknown>) => signRs256(signer, JSON.parse(JSON.stringify({ ...claims, ...changes })) as Record<string, unknown>);

async function expectRejected(token: string, message: string, host = DOMAIN): Promise<void> {
  const res = await send(token, host);
  const want = invalidTokenResponse(host, message);
  expect({ status: res.statusCode, body: res.body, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, body: want.body, challenge: want.challenge });
}
const expectOk = async (token: string) => expect((await send(token)).statusCode).toBe(200);

it('control: the hand-signed copy of a genuine token is accepted', async () => {
  await expectOk(withClaims({}));
});

describe('T-JWT-17: exp with a 30 s leeway (D3)', () => {
  it('exp = now − L − 1 → 401 expired; exp = now − L and now − L + 1 → 200', async () => {
    await expectRejected(withClaims({ exp: now() - LEEWAY - 1 }), MSG.expired);
    await expectOk(withClaims({ exp: now() - LEEWAY }));
    await expectOk(withClaims({ exp: now() - LEEWAY + 1 }));
  });

  it('the expired body is Auth0\'s (spec §3.1)', async () => {
    const res = await send(withClaims({ exp: now() - 3600 }));
    expect(res.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Expired token received for JSON Web Token validation',
      attributes: { error: 'Expired token received for JSON Web Token validation' },
    });
  });

  it('an issued token lives exactly token_lifetime + L seconds on the frozen clock', async () => {
    const token = await mgmtToken(s, ['read:clients']);
    s.clock.advance(86_400 + LEEWAY);
    await expectOk(token);
    s.clock.advance(1);
    await expectRejected(token, MSG.expired);
  });

  it('missing exp, or exp as string, negative, 1e308, null, boolean, array → 401 Invalid token', async () => {
    for (const exp of [undefined, String(now() + 3600), -1, 1e308, null, true, [now() + 3600], { v: now() + 3600 }]) {
      await expectRejected(withClaims({ exp }), MSG.invalidToken);
    }
  });

  it('RFC 7519 §2: a NumericDate may be fractional — judged by its value like any other', async () => {
    await expectOk(withClaims({ exp: now() + 100.5 }));
    await expectRejected(withClaims({ exp: now() - LEEWAY - 0.5 }), MSG.expired);
  });
});

describe('T-JWT-18: nbf and iat in the future (D3)', () => {
  it('nbf = now + L + 1 → 401; nbf = now + L → 200', async () => {
    await expectRejected(withClaims({ nbf: now() + LEEWAY + 1 }), MSG.invalidToken);
    await expectOk(withClaims({ nbf: now() + LEEWAY }));
  });

  it('iat = now + L + 1 → 401; iat = now + L → 200', async () => {
    await expectRejected(withClaims({ iat: now() + LEEWAY + 1 }), MSG.invalidToken);
    await expectOk(withClaims({ iat: now() + LEEWAY }));
  });

  it('nbf or iat that is not a NumericDate → 401', async () => {
    for (const value of ['0', -5, null, [1], 1e308]) {
      await expectRejected(withClaims({ nbf: value }), MSG.invalidToken);
      await expectRejected(withClaims({ iat: value }), MSG.invalidToken);
    }
  });
});

describe('T-JWT-19: iss must be exactly https://DOMAIN/ (RFC 8725 §3.8)', () => {
  it('another tenant, no trailing slash, http, different case, padded, missing, non-string → 401', async () => {
    expect(claims.iss).toBe('https://tenant-a.test/');
    const variants = ['https://tenant-b.test/', 'https://tenant-a.test', 'http://tenant-a.test/', 'https://TENANT-A.test/', 'https://tenant-a.test//', ' https://tenant-a.test/', 'https://tenant-a.test/ ', undefined, null, ['https://tenant-a.test/']];
    for (const iss of variants) await expectRejected(withClaims({ iss }), MSG.invalidToken);
  });
});

describe('T-JWT-20: aud must include this tenant\'s Management API (CVE-2018-6873)', () => {
  it('a genuine token for another API of the same tenant → 401 "Bad audience: <aud>"', async () => {
    const api = await createApi(s, { identifier: 'https://orders.example.com/', name: 'Orders', scopes: [{ value: 'read:orders' }] });
    const token = await tokenFor(s, await seedM2M(s, ['read:orders'], { audience: api.identifier }), api.identifier);
    expect(decodeSegment(token, 1).aud).toBe('https://orders.example.com/');
    await expectRejected(token, 'Bad audience: https://orders.example.com/');
  });

  it('an aud array containing the Management API audience → 200 (Auth0 issues [api, userinfo])', async () => {
    await expectOk(withClaims({ aud: [s.tenant.managementAudience, 'https://tenant-a.test/userinfo'] }));
    await expectOk(withClaims({ aud: ['https://orders.example.com/', s.tenant.managementAudience] }));
  });

  it('near misses of the audience → 401 "Bad audience: …"', async () => {
    for (const aud of ['https://tenant-a.test/api/v2', 'https://TENANT-A.test/api/v2/', 'https://tenant-b.test/api/v2/', 'https://tenant-a.test/api/v2/x', '']) {
      await expectRejected(withClaims({ aud }), `Bad audience: ${aud}`);
    }
    await expectRejected(withClaims({ aud: ['https://a.example/', 'https://b.example/'] }), 'Bad audience: https://a.example/ https://b.example/');
  });

  it('RFC 8725 §3.9: aud missing, not a string, or an array with a non-string member → 401 Invalid token', async () => {
    for (const aud of [undefined, null, 7, {}, [s.tenant.managementAudience, 7]]) await expectRejected(withClaims({ aud }), MSG.invalidToken);
  });
});

describe('T-JWT-21: tokens do not cross tenants', () => {
  const B = 'tenant-b.test';
  let signerB: TenantKey;
  // No azp: the claims' client exists in tenant A only, and a token of a client unknown to the
  // tenant is refused for that reason alone (D6) — here only the key and iss/aud are under test.
  const claimsFor = (host: string) => {
    const { azp: _azp, ...rest } = claims;
    return { ...rest, iss: `https://${host}/`, aud: `https://${host}/api/v2/` };
  };

  beforeAll(async () => {
    await s.addTenant('tenant-b', B);
    signerB = await currentSigningKey(s, B);
  });

  it('control: tenant B accepts a token made with its own key and claims', async () => {
    expect((await send(signRs256(signerB, claimsFor(B)), B)).statusCode).toBe(200);
  });

  it('tenant A\'s genuine token at B\'s host → 401, even after A cached it as verified', async () => {
    await expectOk(valid);
    await expectRejected(valid, MSG.invalidToken, B);
  });

  it('A\'s key with B\'s iss and aud at B → 401; B\'s key with A\'s claims at A → 401', async () => {
    await expectRejected(signRs256(signer, claimsFor(B)), MSG.invalidToken, B);
    await expectRejected(signRs256(signerB, claimsFor(DOMAIN)), MSG.invalidToken, DOMAIN);
  });
});

describe('T-JWT-23: only access tokens are access tokens (CVE-2025-68129, RFC 9068, RFC 8725 §3.12)', () => {
  it('an ID-token-shaped token (aud = client_id, nonce) → 401', async () => {
    const clientId = String(claims.azp);
    const idToken = { iss: claims.iss, sub: 'auth0|5f7c8ec7c33c6c004bbafe82', aud: clientId, iat: now(), exp: now() + 3600, nonce: 'n-0S6_WzA2Mj', name: 'x' };
    await expectRejected(signRs256(signer, idToken), `Bad audience: ${clientId}`);
    await expectRejected(signRs256(signer, { ...idToken, aud: [s.tenant.managementAudience, clientId] }), MSG.invalidToken);
    await expectRejected(withClaims({ nonce: 'abc' }), MSG.invalidToken);
    await expectRejected(withClaims({ nonce: null }), MSG.invalidToken);
  });

  it('typ JWT or at+jwt (any case, with or without application/) or absent → 200', async () => {
    for (const typ of ['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt', undefined]) {
      const res = await send(signRs256(signer, claims, { typ }));
      expect([typ, res.statusCode]).toEqual([typ, 200]);
    }
  });

  it('any other typ → 401', async () => {
    for (const typ of ['JOSE', 'id_token+jwt', 'dpop+jwt', 'logout+jwt', 'secevent+jwt', 'application/jwt', 'at+jwt ', '', 1, null, ['JWT']]) {
      await expectRejected(signRs256(signer, claims, { typ }), MSG.invalidToken);
    }
  });

  it('scope or sub that is not a string → 401', async () => {
    await expectRejected(withClaims({ scope: ['read:clients'] }), MSG.invalidToken);
    await expectRejected(withClaims({ sub: 42 }), MSG.invalidToken);
  });
});
