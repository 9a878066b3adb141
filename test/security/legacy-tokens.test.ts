// Legacy HS256 Management API tokens (security catalogue §4.9 T-LEG-01..03, 06, 08, 09; spec §2.3;
// D8): accepted only while the tenant's switch is on, only when signed with the base64-decoded
// Global Client Secret of that tenant and addressed to its global client; rotating that secret
// ends every one of them at once, cached or not. The seed's jsonwebtoken snippet works unchanged.
import jwt from 'jsonwebtoken';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenRejected, verifyToken, type RejectReason } from '../../src/tokens/verify.ts';
import { invalidTokenResponse, MSG } from '../helpers/alg-confusion.ts';
import { frozenClock } from '../helpers/clock.ts';
import { craftJwt, currentSigningKey, decodeSegment } from '../helpers/craft-jwt.ts';
import { asTenant, globalClient, legacyClaims, operatorToken, setLegacy, signLegacy, type GlobalClient } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt } from '../helpers/mgmt-http.ts';
import { clientCredentialsToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

// A pass-through spy: the real verifier runs; the count shows when the verified-token cache answered.
const calls = vi.hoisted(() => ({ verify: 0 }));
vi.mock('../../src/tokens/verify.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/tokens/verify.ts')>();
  return {
    ...real,
    verifyToken: (...args: Parameters<typeof real.verifyToken>) => {
      calls.verify++;
      return real.verifyToken(...args);
    },
  };
});

const NOT_GLOBAL = 'Client is not global.';
const B = 'tenant-b.test';

let s: TestServer;
let operator: string;
let global: GlobalClient;
let m2m: M2M;

beforeAll(async () => {
  // The clock starts at the real time (whole seconds) so jsonwebtoken's own iat/exp fit it.
  s = await startTestServer({ clock: frozenClock(Math.floor(Date.now() / 1000) * 1000) });
  operator = await operatorToken(s);
  global = await globalClient(s, operator);
  m2m = await seedM2M(s, ['read:clients'], { name: 'regular m2m' });
});
afterAll(() => s.close());

const nowSec = () => Math.floor(s.clock.now() / 1000);
const call = (token: string, host = DOMAIN) => mgmt(s, token, host).get('/clients');

function expectAccepted(res: LightMyRequestResponse): void {
  expect([res.statusCode, res.body.slice(0, 300)]).toEqual([200, expect.stringMatching(/^\[/)]);
}

/** Auth0's 401 body for a bearer token, with its challenge (spec §3.1). */
function expectRejected(res: LightMyRequestResponse, message: string, host = DOMAIN): void {
  const want = invalidTokenResponse(host, message);
  expect({ status: res.statusCode, body: res.body, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, body: want.body, challenge: want.challenge });
}

describe('T-LEG-01: accepted only while the tenant has legacy tokens on', () => {
  let token: string;
  beforeAll(() => {
    token = signLegacy(legacyClaims(s, global, { jti: 'leg-01', exp: nowSec() + 3600 }), global.clientSecret);
  });

  it('off by default: the settings carry no switch and the token → 401 "Invalid token"', async () => {
    const settings = await mgmt(s, operator).get('/tenants/settings');
    expect(settings.json<{ flags?: Record<string, unknown> }>().flags?.enable_legacy_management_tokens).toBeUndefined();
    expectRejected(await call(token), MSG.invalidToken);
  });

  it('on: the token is accepted, with its own scopes and no others', async () => {
    await setLegacy(s, operator, true);
    const res = await call(token);
    expectAccepted(res);
    // read:clients only: no secrets in the list, and writing needs a scope the token lacks.
    expect(res.json<Record<string, unknown>[]>().some((c) => 'client_secret' in c)).toBe(false);
    expectMgmtError(await mgmt(s, token).post('/clients', { name: 'x' }), 403, 'Insufficient scope, expected any of: create:clients', 'insufficient_scope');
  });

  it('off again: refused at once, although its verification was cached', async () => {
    expectAccepted(await call(token));
    const verified = calls.verify;
    expectAccepted(await call(token));
    expect(calls.verify).toBe(verified); // answered from the verified-token cache
    await setLegacy(s, operator, false);
    expectRejected(await call(token), MSG.invalidToken);
    await setLegacy(s, operator, true);
    expectAccepted(await call(token));
  });
});

describe('T-LEG-06 / D8: claims of a legacy token (switch on)', () => {
  beforeAll(() => setLegacy(s, operator, true));

  it('as decided for D8: a token without jti (as the seed snippet makes it) is accepted', async () => {
    const claims = legacyClaims(s, global, { exp: nowSec() + 60 });
    expect('jti' in claims).toBe(false);
    expectAccepted(await call(signLegacy(claims, global.clientSecret)));
  });

  it('without exp (the old flow never expired) it is accepted, and still ten years later', async () => {
    const token = signLegacy(legacyClaims(s, global, { jti: 'no-exp' }), global.clientSecret);
    expectAccepted(await call(token));
    s.clock.advance(10 * 365 * 86_400);
    try {
      expectAccepted(await call(token));
    } finally {
      s.clock.advance(-10 * 365 * 86_400);
    }
  });

  it('D3: expired beyond the 30 s leeway → 401 "Expired token…"; within it → 200', async () => {
    expectRejected(await call(signLegacy(legacyClaims(s, global, { exp: nowSec() - 31 }), global.clientSecret)), MSG.expired);
    expectAccepted(await call(signLegacy(legacyClaims(s, global, { exp: nowSec() - 29 }), global.clientSecret)));
  });

  it('a cached legacy token stops at its exp', async () => {
    const token = signLegacy(legacyClaims(s, global, { exp: nowSec() + 100 }), global.clientSecret);
    expectAccepted(await call(token));
    s.clock.advance(131);
    try {
      expectRejected(await call(token), MSG.expired);
    } finally {
      s.clock.advance(-131);
    }
  });

  it('exp, iat not NumericDates or iat in the future → 401 "Invalid token"', async () => {
    for (const extra of [{ exp: String(nowSec() + 60) }, { exp: 1e308 }, { iat: nowSec() + 31 }, { iat: 'now' }]) {
      expectRejected(await call(signLegacy(legacyClaims(s, global, extra), global.clientSecret)), MSG.invalidToken);
    }
  });

  it('T-JWT-19: iss of another tenant, missing, or spelled otherwise → 401 "Invalid token"', async () => {
    for (const iss of [`https://${B}/`, 'https://tenant-a.test', 'http://tenant-a.test/', 'https://TENANT-A.test/', undefined]) {
      expectRejected(await call(signLegacy(legacyClaims(s, global, { iss }), global.clientSecret)), MSG.invalidToken);
    }
  });

  it('spec §2.3: aud other than the Global Client Id → 401 "Client is not global."', async () => {
    for (const aud of [s.tenant.managementAudience, m2m.clientId, global.clientId.toLowerCase(), [global.clientId], '', undefined]) {
      expectRejected(await call(signLegacy(legacyClaims(s, global, { aud }), global.clientSecret)), NOT_GLOBAL);
    }
  });
});

describe('T-LEG-02: no other secret signs a legacy token', () => {
  let other: GlobalClient;
  beforeAll(async () => {
    await setLegacy(s, operator, true);
    const b = asTenant(s, await s.addTenant('tenant-b', B));
    const operatorB = await operatorToken(b);
    other = await globalClient(b, operatorB);
    await setLegacy(b, operatorB, true);
  });

  it("another tenant's Global Client Secret: with our claims → 401 bad signature; with its aud → not global", async () => {
    expectRejected(await call(signLegacy(legacyClaims(s, global), other.clientSecret)), MSG.invalidSignature);
    const theirs = signLegacy(legacyClaims(s, other, {}, s.registry.tenantByHost(B)), other.clientSecret);
    expectRejected(await call(theirs), NOT_GLOBAL);
    expectRejected(await call(signLegacy(legacyClaims(s, other), other.clientSecret)), NOT_GLOBAL);
    // Control: tenant B (switch on) accepts its own token at its own host.
    expectAccepted(await call(theirs, B));
  });

  it('the Global Client Secret as text instead of its base64 decoding → 401 bad signature', async () => {
    const token = craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: legacyClaims(s, global), sign: { kind: 'hmac', key: global.clientSecret } });
    expectRejected(await call(token), MSG.invalidSignature);
  });

  it("any regular application's secret (decoded or not), with aud the global client or that application → 401", async () => {
    const secret = m2m.clientSecret;
    expectRejected(await call(signLegacy(legacyClaims(s, global), secret)), MSG.invalidSignature);
    expectRejected(await call(craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: legacyClaims(s, global), sign: { kind: 'hmac', key: secret } })), MSG.invalidSignature);
    expectRejected(await call(signLegacy(legacyClaims(s, global, { aud: m2m.clientId }), secret)), NOT_GLOBAL);
  });

  it("a genuine HS256 access token of another API of the tenant, and that API's signing secret → 401", async () => {
    // read:resource_servers: the creation answers the generated signing_secret only to a token that may read it (issue 9, S1).
    const api = await mgmt(s, await mgmtToken(s, ['create:resource_servers', 'read:resource_servers'])).post('/resource-servers', {
      identifier: 'https://hs256.legacy.test/',
      name: 'HS256 API',
      signing_alg: 'HS256',
      scopes: [{ value: 'read:clients', description: 'same name as a Management scope' }],
    });
    expect(api.statusCode).toBe(201);
    const { identifier, signing_secret: signingSecret } = api.json<{ identifier: string; signing_secret: string }>();
    const issued = await tokenFor(s, await seedM2M(s, ['read:clients'], { audience: identifier, name: 'hs256 user' }), identifier);
    expect(decodeSegment(issued, 0).alg).toBe('HS256');
    expectRejected(await call(issued), NOT_GLOBAL);
    for (const key of [signingSecret, Buffer.from(signingSecret, 'base64')]) {
      const forged = craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: legacyClaims(s, global), sign: { kind: 'hmac', key } });
      expectRejected(await call(forged), MSG.invalidSignature);
    }
  });
});

describe('T-LEG-03: one key, one algorithm (the verifier, unit-tested)', () => {
  const reasonOf = (fn: () => unknown): RejectReason | 'accepted' => {
    try {
      fn();
      return 'accepted';
    } catch (error) {
      if (error instanceof TokenRejected) return error.reason;
      throw error;
    }
  };

  it('HS256 is verified with the global secret only, RS256 with the RSA keys only', async () => {
    const keys = await s.registry.keys(s.tenant.id);
    const legacy = { globalClientId: global.clientId, secret: Buffer.from(global.clientSecret, 'base64') };
    const base = { issuer: s.tenant.issuer, audience: s.tenant.managementAudience, now: nowSec(), leeway: 30, keys };
    const ours = await currentSigningKey(s, DOMAIN);
    const legacyPayload = legacyClaims(s, global, { exp: nowSec() + 60 });
    const rsPayload = { ...legacyPayload, aud: s.tenant.managementAudience };
    const hmac = { kind: 'hmac', key: legacy.secret } as const;
    const rsa = { kind: 'rsa', key: ours.key } as const;
    const cases: [string, string, typeof base & { legacy?: typeof legacy }, RejectReason | 'accepted'][] = [
      ['HS256 + global secret', craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: legacyPayload, sign: hmac }), { ...base, legacy }, 'accepted'],
      ['HS256 + global secret, legacy off', craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: legacyPayload, sign: hmac }), base, 'algorithm'],
      ['HS256 header + our RSA signature, our kid', craftJwt({ header: { alg: 'HS256', typ: 'JWT', kid: ours.kid }, payload: legacyPayload, sign: rsa }), { ...base, legacy }, 'signature'],
      ['RS256 + our key', craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: ours.kid }, payload: rsPayload, sign: rsa }), { ...base, legacy }, 'accepted'],
      ['RS256 header + HMAC by the global secret, our kid', craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: ours.kid }, payload: rsPayload, sign: hmac }), { ...base, legacy }, 'signature'],
      ['RS256 header + HMAC by the global secret, aud global', craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid: ours.kid }, payload: legacyPayload, sign: hmac }), { ...base, legacy }, 'signature'],
      ['RS256 header + HMAC by the global secret, no kid', craftJwt({ header: { alg: 'RS256', typ: 'JWT' }, payload: legacyPayload, sign: hmac }), { ...base, legacy }, 'unknown_key'],
      ['HS256 + global secret, aud the Management API', craftJwt({ header: { alg: 'HS256', typ: 'JWT' }, payload: rsPayload, sign: hmac }), { ...base, legacy }, 'not_global'],
    ];
    expect(cases.map(([name, token, options]) => [name, reasonOf(() => verifyToken(token, options))])).toEqual(cases.map(([name, , , want]) => [name, want]));
  });
});

describe('T-LEG-08: rotating the Global Client Secret ends every legacy token at once', () => {
  beforeAll(() => setLegacy(s, operator, true));

  async function rotateGlobal(body?: Record<string, unknown>): Promise<string> {
    const res = await mgmt(s, await mgmtToken(s, ['update:client_keys'])).post(`/clients/${global.clientId}/rotate-secret`, body);
    expect(res.statusCode).toBe(200);
    return res.json<{ client_secret: string }>().client_secret;
  }

  for (const [label, body] of [
    ['Auth0 rotation', undefined],
    ['rotation with a client-secret grace period (the grace is for client authentication only)', { previous_secret_grace_seconds: 3600 }],
  ] as const) {
    it(`${label}: cached tokens (with and without exp) → 401 bad signature; the new secret signs`, async () => {
      const before = [
        signLegacy(legacyClaims(s, global, { jti: 'rot-1', exp: nowSec() + 86_400 }), global.clientSecret),
        signLegacy(legacyClaims(s, global, { jti: 'rot-2' }), global.clientSecret),
      ];
      for (const token of before) expectAccepted(await call(token));
      const verified = calls.verify;
      for (const token of before) expectAccepted(await call(token));
      expect(calls.verify).toBe(verified); // both answered from the verified-token cache

      const secret = await rotateGlobal(body);
      expect(secret).not.toBe(global.clientSecret);
      for (const token of before) expectRejected(await call(token), MSG.invalidSignature);
      global = { ...global, clientSecret: secret };
      expect((await globalClient(s, operator)).clientSecret).toBe(secret);
      expectAccepted(await call(signLegacy(legacyClaims(s, global, { jti: 'rot-new' }), secret)));
    });
  }
});

describe('T-LEG-09: the global client and its secret', () => {
  it('spec §3.5.1: GET /clients?is_global=true lists exactly "All Applications", global, no grant types', async () => {
    const res = await mgmt(s, operator).get('/clients?is_global=true&fields=client_id,name,global,grant_types');
    expect([res.statusCode, res.json()]).toEqual([200, [{ client_id: global.clientId, name: 'All Applications', global: true, grant_types: [] }]]);
  });

  it('the secret is 64 base64url characters whose decoding (the HMAC key) is 384 random bits, distinct per tenant and rotation', async () => {
    expect(global.clientSecret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(global.clientSecret, 'base64').length * 8).toBeGreaterThanOrEqual(256);
    const seen = new Set([global.clientSecret]);
    for (let i = 0; i < 3; i++) {
      const t = asTenant(s, await s.addTenant(`entropy-${i}`, `entropy-${i}.test`));
      const { clientSecret } = await globalClient(t, await operatorToken(t));
      expect(Buffer.from(clientSecret, 'base64').length).toBe(48);
      seen.add(clientSecret);
    }
    expect(seen.size).toBe(4);
  });

  it('PATCH client_secret on the global client → 400, whatever the value; the secret is unchanged', async () => {
    await setLegacy(s, operator, true);
    const api = mgmt(s, await mgmtToken(s, ['update:client_keys', 'update:clients']));
    // A short human password fails the schema first (as for any client); a strong one, or the
    // current value, is refused because the global client's secret is never set by hand.
    expectMgmtError(await api.patch(`/clients/${global.clientId}`, { client_secret: 'password' }), 400, "Payload validation error: 'String is too short (8 chars), minimum 32' on property client_secret.", 'invalid_body');
    for (const client_secret of ['a'.repeat(64), global.clientSecret]) {
      expectMgmtError(await api.patch(`/clients/${global.clientId}`, { client_secret }), 400, 'The Global Client Secret cannot be set; rotate it instead.', 'operation_not_supported');
    }
    expect((await globalClient(s, operator)).clientSecret).toBe(global.clientSecret);
    expectAccepted(await call(signLegacy(legacyClaims(s, global), global.clientSecret)));
  });

  it('spec §3.5.1: DELETE the global client → 400 "Global client cannot be deleted."; it stays', async () => {
    const api = mgmt(s, await mgmtToken(s, ['delete:clients']));
    expectMgmtError(await api.del(`/clients/${global.clientId}`), 400, 'Global client cannot be deleted.', 'operation_not_supported');
    expect((await globalClient(s, operator)).clientId).toBe(global.clientId);
  });
});

describe("the seed document's jsonwebtoken snippet, unchanged", () => {
  function seedSnippet(): string {
    // As in seeds/001 (with Buffer.from for the deprecated `new Buffer`).
    const globalClientSecret = Buffer.from(global.clientSecret, 'base64');
    return jwt.sign({ iss: `https://${DOMAIN}/`, aud: global.clientId, scope: 'read:clients read:client_keys' }, globalClientSecret, { algorithm: 'HS256', expiresIn: '1y' });
  }

  it('works while the switch is on (secrets shown: read:client_keys), fails with "Invalid token" while off', async () => {
    s.clock.set(Math.floor(Date.now() / 1000) * 1000); // jsonwebtoken reads the real time
    const token = seedSnippet();
    const claims = decodeSegment(token, 1);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'scope']);
    await setLegacy(s, operator, false);
    expectRejected(await call(token), MSG.invalidToken);
    await setLegacy(s, operator, true);
    const res = await call(token);
    expectAccepted(res);
    expect(res.json<{ client_id: string; client_secret?: string }[]>().find((c) => c.client_id === global.clientId)?.client_secret).toBe(global.clientSecret);
    await setLegacy(s, operator, false);
    expectRejected(await call(token), MSG.invalidToken);
  });
});

describe('`scopeward token --legacy` against a real server (HTTPS)', () => {
  let server: RealServer;
  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(() => server?.cleanup());

  const getClients = (token: string) => fetch(`${server.baseUrl}/api/v2/clients`, { headers: { authorization: `Bearer ${token}` } });

  it('prints the seed warning on stderr and a 1-year token with a jti, which works once the switch is on', async () => {
    const run = server.cli(['token', '--legacy', '--scope', 'read:clients', '--expires-in', '1y']);
    expect(run.status).toBe(0);
    const stderr = run.stderr.split('\n');
    expect(stderr[0]).toBe('WARNING: Long-lived tokens compromise your security. Following this process is NOT recommended.');
    const token = run.stdout.trim();
    const claims = decodeSegment(token, 1);
    expect(decodeSegment(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope']);
    expect([claims.iss, claims.scope, Number(claims.exp) - Number(claims.iat)]).toEqual([`${server.baseUrl}/`, 'read:clients', 31_536_000]);
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(stderr).toContain(`revoke it with: POST /api/v2/blacklists/tokens {"aud":"${String(claims.aud)}","jti":"${String(claims.jti)}"}`);

    // Off by default: refused.
    const off = await getClients(token);
    expect([off.status, await off.json()]).toEqual([401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } }]);

    const admin = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);
    const patch = await fetch(`${server.baseUrl}/api/v2/tenants/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ flags: { enable_legacy_management_tokens: true } }),
    });
    expect(patch.status).toBe(200);
    const on = await getClients(token);
    expect(on.status).toBe(200);
    const clients = (await on.json()) as { client_id: string; global?: boolean }[];
    // The token names the tenant's global client, and read:clients shows no secrets.
    expect(clients.find((c) => c.global)?.client_id).toBe(claims.aud);
    expect(clients.some((c) => 'client_secret' in c)).toBe(false);
  });
});
