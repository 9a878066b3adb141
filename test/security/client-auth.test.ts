// Security catalogue §4.2 (T-CA-01..11): client authentication at /oauth/token (RFC 6749 §2.3,
// §5.2; D1). Every failure is the same 401 access_denied "Unauthorized", with WWW-Authenticate
// when HTTP Basic was used; both failure paths cost one MAC and one constant-time compare.
import crypto, { randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { basicHeader, callToken, expectTokenError, expectUnauthorized, issued } from '../helpers/token-contract.ts';
import { adminFor, createApi, createClient, type Admin } from '../helpers/admin-api.ts';

const CC = 'client_credentials';

let s: TestServer;
let admin: Admin;
let m2m: M2M;
let MGMT: string;
let REALM: string;

beforeAll(async () => {
  s = await startTestServer();
  admin = await adminFor(s);
  MGMT = s.tenant.managementAudience;
  REALM = s.tenant.domain;
  m2m = await seedM2M(s, ['read:clients']);
});
afterAll(async () => s.close());
afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

const form = (c: { clientId: string; clientSecret: string }, extra: Record<string, string> = {}) => ({
  grant_type: CC,
  client_id: c.clientId,
  client_secret: c.clientSecret,
  audience: MGMT,
  ...extra,
});
const viaBasic = (id: string, secret: string) => callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id, secret } });

describe('T-CA-01 / T-CA-02 / T-CA-08: methods', () => {
  test('T-CA-01: the right secret via HTTP Basic and via the body → 200', async () => {
    issued(await viaBasic(m2m.clientId, m2m.clientSecret));
    issued(await callToken(s, { form: form(m2m) }));
    issued(await callToken(s, { json: form(m2m) }));
  });

  test('RFC 7235 §2.1: the Basic scheme name is case-insensitive → 200', async () => {
    const header = basicHeader(m2m.clientId, m2m.clientSecret).replace('Basic', 'bAsIc');
    issued(await callToken(s, { form: { grant_type: CC, audience: MGMT }, headers: { authorization: header } }));
  });

  test('T-CA-02 / RFC 6749 §2.3: Basic and a body secret together → 400 invalid_request, even when both are right', async () => {
    for (const secret of [m2m.clientSecret, 'wrong-secret']) {
      const res = await callToken(s, { form: form(m2m), basic: { id: m2m.clientId, secret } });
      expectTokenError(res, 400, 'invalid_request', 'Client authentication must use only one method (HTTP Basic or the request body)');
    }
  });

  test('T-CA-08: a body client_id that differs from the Basic id → 400 invalid_request', async () => {
    const other = await seedM2M(s, ['read:clients']);
    const res = await callToken(s, { form: { grant_type: CC, audience: MGMT, client_id: other.clientId }, basic: { id: m2m.clientId, secret: m2m.clientSecret } });
    expectTokenError(res, 400, 'invalid_request', 'client_id in the body does not match HTTP Basic credentials');
  });

  test('RFC 6749 §2.3.1: a body with neither client_id nor Basic → 400 missing client_id', async () => {
    expectTokenError(await callToken(s, { form: { grant_type: CC, audience: MGMT } }), 400, 'invalid_request', 'Missing required parameter: client_id');
  });
});

describe('T-CA-03 / T-CA-04: Basic encoding', () => {
  const ID = 'raw:client';
  const SECRET = 'raw+secret%zz:with=colon 0123456789abcdefghij';
  beforeAll(() => seedM2M(s, ['read:clients'], { clientId: ID, secret: SECRET }));

  test('T-CA-03 / RFC 6749 App. B: form-encoded id and secret → 200', async () => {
    issued(await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: ID, secret: SECRET } }));
  });

  test('T-CA-03: unencoded values are decoded per App. B, so they do not match → 401 + WWW-Authenticate', async () => {
    // Raw ':' in the id splits at the first colon; raw '+' becomes a space; raw '%zz' is not decodable.
    expectUnauthorized(await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: ID, secret: SECRET, encode: false } }), REALM);
    const onlyPlus = 'plus+only-secret-0123456789abcdefghijklm';
    await seedM2M(s, ['read:clients'], { clientId: 'plusClient', secret: onlyPlus });
    expectUnauthorized(await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: 'plusClient', secret: onlyPlus, encode: false } }), REALM);
  });

  test('T-CA-03: a raw ":" inside the secret is kept (split at the first colon only) → 200', async () => {
    const secret = 'colon:only:secret-0123456789abcdefghijkl';
    await seedM2M(s, ['read:clients'], { clientId: 'colonClient', secret });
    issued(await callToken(s, { form: { grant_type: CC, audience: MGMT }, basic: { id: 'colonClient', secret, encode: false } }));
  });

  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  test.each([
    ['no credentials', 'Basic'],
    ['only spaces', 'Basic    '],
    ['non-base64', 'Basic !!!'],
    ['padding only', 'Basic ===='],
    ['two tokens', `Basic ${b64('a:b')} ${b64('c:d')}`],
    ['no colon', `Basic ${b64('someclientid')}`],
    ['empty id', `Basic ${b64(':secret')}`],
    ['8 KB of base64', `Basic ${b64('a'.repeat(6 * 1024) + ':b')}`],
    ['a bad percent escape', `Basic ${b64('%E0%A4%A:secret')}`],
  ])('T-CA-04: malformed Basic (%s) → 401 + WWW-Authenticate: Basic, never 500', async (_l, authorization) => {
    const lookups = vi.spyOn(s.registry, 'client');
    const res = await callToken(s, { form: { grant_type: CC, audience: MGMT }, headers: { authorization } });
    expectUnauthorized(res, REALM);
    expect(lookups).not.toHaveBeenCalled();
  });

  test('T-CA-04: Basic with an empty secret → 401 + WWW-Authenticate', async () => {
    expectUnauthorized(await viaBasic(m2m.clientId, ''), REALM);
  });
});

describe('T-CA-05 / T-CA-07 / T-CA-09: one answer for every failure', () => {
  test('T-CA-05: wrong secret, unknown client, deleted client and public client answer byte-identically', async () => {
    const doomed = await createClient(admin, { name: 'doomed', app_type: 'non_interactive' }, { audience: MGMT, scope: ['read:clients'] });
    expect((await admin.call('DELETE', `/clients/${doomed.client_id}`)).statusCode).toBe(204);
    const spa = await createClient(admin, { name: 'spa', app_type: 'spa', grant_types: ['client_credentials'] }, { audience: MGMT, scope: ['read:clients'] });
    const cases: [string, string][] = [
      [m2m.clientId, `${m2m.clientSecret}x`],
      ['UnknownClient0000000000000000000', m2m.clientSecret],
      [doomed.client_id, doomed.client_secret],
      [spa.client_id, spa.client_secret],
    ];
    // Rate-limit counters are per named client (existing or not), so they count down per case
    // without telling one case from another; everything else must be identical.
    const shape = (r: { statusCode: number; body: string; headers: Record<string, unknown> }) => {
      const { date: _date, 'x-ratelimit-remaining': _left, 'x-ratelimit-reset': _reset, ...headers } = r.headers;
      return { status: r.statusCode, body: r.body, headers };
    };
    const post: unknown[] = [];
    const basic: unknown[] = [];
    for (const [id, secret] of cases) {
      const viaBody = await callToken(s, { form: form({ clientId: id, clientSecret: secret }) });
      expectUnauthorized(viaBody);
      post.push(shape(viaBody));
      const viaHeader = await viaBasic(id, secret);
      expectUnauthorized(viaHeader, REALM);
      basic.push(shape(viaHeader));
    }
    expect(new Set(post.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(new Set(basic.map((p) => JSON.stringify(p))).size).toBe(1);
  });

  test('T-CA-05 (lead decision): a client without a grant on the audience gets the 403 client-grant answer, not the 401', async () => {
    const api = await createApi(admin, { identifier: 'https://ungranted.example.com/' });
    const res = await callToken(s, { form: form(m2m, { audience: api.identifier }) });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error_description: string }>().error_description).toMatch(/^Client is not authorized to access "https:\/\/ungranted\.example\.com\/"\./);
  });

  test('T-CA-09: a public client (token_endpoint_auth_method none) cannot use client_credentials, with or without a secret', async () => {
    const spa = await createClient(admin, { name: 'public', app_type: 'spa', grant_types: ['client_credentials'] }, { audience: MGMT, scope: ['read:clients'] });
    expect((await admin.ok<{ token_endpoint_auth_method: string }>('GET', `/clients/${spa.client_id}`)).token_endpoint_auth_method).toBe('none');
    expectUnauthorized(await callToken(s, { form: { grant_type: CC, client_id: spa.client_id, audience: MGMT } }));
    expectUnauthorized(await callToken(s, { form: form({ clientId: spa.client_id, clientSecret: spa.client_secret }) }));
    expectUnauthorized(await viaBasic(spa.client_id, spa.client_secret), REALM);
  });

  test.each([
    ['1 byte', 'x'],
    ['10 KB', 'x'.repeat(10 * 1024)],
    ['10 KB of multibyte characters', 'ж'.repeat(5 * 1024)],
  ])('T-CA-07: a %s secret → 401, never 500', async (_l, secret) => {
    expectUnauthorized(await callToken(s, { form: form(m2m, { client_secret: secret }) }));
    expectUnauthorized(await callToken(s, { json: form(m2m, { client_secret: secret }) }));
    expectUnauthorized(await viaBasic(m2m.clientId, secret), REALM);
  });

  test('T-CA-07: a 10 KB client_id → 401, never 500', async () => {
    expectUnauthorized(await callToken(s, { form: form({ clientId: 'c'.repeat(10 * 1024), clientSecret: m2m.clientSecret }) }));
  });
});

describe('T-CA-06: no timing or code-path difference between unknown client and wrong secret', () => {
  test('T-CA-06: both paths compute one MAC of the presented secret and the same two constant-time compares (current and previous secret)', async () => {
    const mac = vi.spyOn(s.envelope, 'mac');
    const compare = vi.spyOn(crypto, 'timingSafeEqual');
    syncBuiltinESMExports(); // so that `import { timingSafeEqual }` in src sees the spy
    const run = async (clientId: string, secret: string) => {
      mac.mockClear();
      compare.mockClear();
      expectUnauthorized(await callToken(s, { form: form({ clientId, clientSecret: secret }) }));
      return { macs: mac.mock.calls.map(([arg]) => arg), compares: compare.mock.calls.map(([x, y]) => [x.byteLength, y.byteLength]) };
    };
    // Warm path (what repeated guessing hits): loading a known client into the cache also checks
    // its stored row once, which is not per request.
    await run(m2m.clientId, 'warm-up');
    const unknown = await run(`Unknown${randomBytes(12).toString('hex')}`, 'presented-secret-1');
    const wrong = await run(m2m.clientId, 'presented-secret-2');
    expect(unknown).toEqual({ macs: ['presented-secret-1'], compares: [[32, 32], [32, 32]] });
    expect(wrong).toEqual({ macs: ['presented-secret-2'], compares: [[32, 32], [32, 32]] });
  });

  test('T-CA-06: 200 interleaved pairs — the median latency difference of unknown client vs wrong secret is < 2 ms', async () => {
    const time = async (clientId: string) => {
      const started = performance.now();
      const res = await s.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: CC, client_id: clientId, client_secret: randomBytes(48).toString('base64url'), audience: MGMT }).toString(),
      });
      const ms = performance.now() - started;
      expect(res.statusCode).toBe(401);
      return ms;
    };
    // Fresh unknown ids each time: an enumerator never asks about the same id twice.
    const unknownId = () => randomBytes(16).toString('hex');
    for (let i = 0; i < 20; i++) await time(i % 2 ? unknownId() : m2m.clientId); // warm-up
    // Each pair is measured back to back (in alternating order), so a loaded machine slows both of
    // its halves alike; the median of the pairs' differences then shows a timing oracle, not the load.
    const differences: number[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 2) {
        const unknown = await time(unknownId());
        differences.push(unknown - (await time(m2m.clientId)));
      } else {
        const wrong = await time(m2m.clientId);
        differences.push((await time(unknownId())) - wrong);
      }
    }
    const median = [...differences].sort((x, y) => x - y)[Math.floor(differences.length / 2)]!;
    expect(Math.abs(median)).toBeLessThan(2);
  });
});

describe('T-CA-10 / T-CA-11: tenant scoping and rotation', () => {
  test("T-CA-10: tenant A's client at tenant B's host → 401 (Basic realm is B's domain); B's own client works there", async () => {
    const b = await s.addTenant('tenant-b', 'tenant-b.test');
    const atB = (call: Parameters<typeof callToken>[1]) => callToken(s, { ...call, host: b.domain });
    expectUnauthorized(await atB({ form: { grant_type: CC, client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: b.managementAudience } }));
    expectUnauthorized(await atB({ form: { grant_type: CC, audience: b.managementAudience }, basic: { id: m2m.clientId, secret: m2m.clientSecret } }), b.domain);
    expectUnauthorized(await atB({ form: { grant_type: CC, client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: MGMT } }));
  });

  test('T-CA-11: after rotate-secret the old secret → 401 (body and Basic), the new one → 200', async () => {
    const c = await seedM2M(s, ['read:clients']);
    const { client_secret: fresh } = await admin.ok<{ client_secret: string }>('POST', `/clients/${c.clientId}/rotate-secret`);
    expectUnauthorized(await callToken(s, { form: form(c) }));
    expectUnauthorized(await viaBasic(c.clientId, c.clientSecret), REALM);
    issued(await callToken(s, { form: form({ clientId: c.clientId, clientSecret: fresh }) }));
    issued(await viaBasic(c.clientId, fresh));
  });
});
