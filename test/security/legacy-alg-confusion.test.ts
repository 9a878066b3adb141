// The algorithm-confusion matrix (security catalogue T-JWT-01, -10, -11, -14; §6 item 1) re-run
// with the tenant's legacy HS256 mode ON (D8): now that an HMAC key exists for the tenant, no RSA
// key material may stand in for it, and no header trick may reach it. With legacy on, an HS256
// token is first checked for aud = the Global Client Id (spec §2.3: "Client is not global."), and
// only then for its MAC under the base64-decoded Global Client Secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algConfusionMatrix, invalidTokenResponse, mismatches, MSG, probe, type AttackCase, type MatrixContext } from '../helpers/alg-confusion.ts';
import { attackKeySerializations, craftJwt, decodeSegment, fetchJwks, type Signing } from '../helpers/craft-jwt.ts';
import { globalClient, legacyClaims, operatorToken, setLegacy, signLegacy, type GlobalClient } from '../helpers/legacy.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const NOT_GLOBAL = 'Client is not global.';

let s: TestServer;
let ctx: MatrixContext;
let cases: AttackCase[];
let global: GlobalClient;

beforeAll(async () => {
  s = await startTestServer();
  const operator = await operatorToken(s);
  global = await globalClient(s, operator);
  await setLegacy(s, operator, true);
  ctx = { server: s, host: DOMAIN, validToken: await mgmtToken(s, ['read:clients']) };
  cases = await algConfusionMatrix(ctx);
});
afterAll(() => s.close());

const ofId = (id: AttackCase['id']) => cases.filter((c) => c.id === id);
const algOf = (token: string) => decodeSegment(token, 0).alg;

async function expectRejected(token: string, message: string): Promise<void> {
  const res = await probe(s, DOMAIN, `Bearer ${token}`);
  const want = invalidTokenResponse(DOMAIN, message);
  expect({ status: res.statusCode, body: res.body, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, body: want.body, challenge: want.challenge });
}

describe('legacy mode on: the matrix still refuses everything', () => {
  it('controls: the genuine RS256 token and a genuine legacy token are both accepted', async () => {
    expect((await probe(s, DOMAIN, `Bearer ${ctx.validToken}`)).statusCode).toBe(200);
    expect((await probe(s, DOMAIN, `Bearer ${signLegacy(legacyClaims(s, global), global.clientSecret)}`)).statusCode).toBe(200);
  });

  it('T-JWT-01: alg none in every spelling, empty or missing → 401 "Invalid token" (unchanged)', async () => {
    expect(ofId('T-JWT-01').length).toBeGreaterThanOrEqual(36);
    expect(await mismatches(ctx, ofId('T-JWT-01'))).toEqual([]);
  });

  it('T-JWT-10: HS256 keyed with every serialization of our public keys, aud the Management API → 401 "Client is not global."; HS384/HS512 → "Invalid token"', async () => {
    const jwks = await fetchJwks(s, DOMAIN);
    const t10 = ofId('T-JWT-10');
    expect(t10).toHaveLength(jwks.keys.length * 50 + 2);
    // The verifier refuses an HS256 token for the wrong audience before computing any MAC.
    const message = (c: AttackCase) => (algOf(c.token) === 'HS256' ? NOT_GLOBAL : MSG.invalidToken);
    expect(t10.filter((c) => algOf(c.token) === 'HS256')).toHaveLength(jwks.keys.length * 50);
    expect(await mismatches(ctx, t10, message)).toEqual([]);
  });

  it('T-JWT-11 / T-JWT-14: other algorithms with our key and keys of the wrong type → 401 (unchanged)', async () => {
    expect(await mismatches(ctx, ofId('T-JWT-11'))).toEqual([]);
    expect(await mismatches(ctx, ofId('T-JWT-14'))).toEqual([]);
  });
});

describe('T-JWT-10 / T-LEG-03: HS256 addressed to the global client, keyed with RSA material → 401 bad signature', () => {
  it('every serialization of every published key, with and without its kid, current and next', async () => {
    const jwks = await fetchJwks(s, DOMAIN);
    expect(jwks.keys).toHaveLength(2);
    const payload = legacyClaims(s, global, { scope: 'read:clients create:clients', jti: 'confusion' });
    const wrong: string[] = [];
    let count = 0;
    for (const key of jwks.keys) {
      for (const { name, secret } of attackKeySerializations(jwks, key)) {
        for (const header of [{ alg: 'HS256', typ: 'JWT', kid: key.kid }, { alg: 'HS256', typ: 'JWT' }]) {
          count++;
          const token = craftJwt({ header, payload, sign: { kind: 'hmac', key: secret } });
          const res = await probe(s, DOMAIN, `Bearer ${token}`);
          const want = invalidTokenResponse(DOMAIN, MSG.invalidSignature);
          if (res.statusCode !== 401 || res.body !== want.body || res.headers['www-authenticate'] !== want.challenge) wrong.push(`${name} of ${key.kid} ${header.kid ? 'with' : 'without'} kid: ${res.statusCode} ${res.body}`);
        }
      }
    }
    expect(count).toBe(100);
    expect(wrong).toEqual([]);
  });
});

describe('the Global Client Secret under another algorithm → 401', () => {
  const secret = () => Buffer.from(global.clientSecret, 'base64');
  const claims = () => legacyClaims(s, global, { jti: 'header-tricks' });
  const hmac = (hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Signing => ({ kind: 'hmac', key: secret(), hash });

  it('alg none (any spelling), HS384, HS512, hs256, "HS256 ", ["HS256"], missing → 401 "Invalid token"', async () => {
    const tricks: [Record<string, unknown>, Signing][] = [
      [{ alg: 'none', typ: 'JWT' }, hmac()],
      [{ alg: 'none', typ: 'JWT' }, { kind: 'empty' }],
      [{ alg: 'None', typ: 'JWT' }, hmac()],
      [{ alg: 'NONE', typ: 'JWT' }, { kind: 'empty' }],
      [{ alg: '', typ: 'JWT' }, hmac()],
      [{ typ: 'JWT' }, hmac()],
      [{ alg: 'HS384', typ: 'JWT' }, hmac('sha384')],
      [{ alg: 'HS384', typ: 'JWT' }, hmac()],
      [{ alg: 'HS512', typ: 'JWT' }, hmac('sha512')],
      [{ alg: 'hs256', typ: 'JWT' }, hmac()],
      [{ alg: 'HS256 ', typ: 'JWT' }, hmac()],
      [{ alg: ['HS256'], typ: 'JWT' }, hmac()],
      [{ alg: 'RS256', typ: 'JWT' }, hmac()],
    ];
    for (const [header, sign] of tricks) await expectRejected(craftJwt({ header, payload: claims(), sign }), MSG.invalidToken);
  });

  it('RS256 header with our kid and a MAC by the global secret → 401 bad signature (the RS256 path has only RSA keys)', async () => {
    const { kid } = decodeSegment(ctx.validToken, 0);
    for (const payload of [claims(), decodeSegment(ctx.validToken, 1)]) {
      await expectRejected(craftJwt({ header: { alg: 'RS256', typ: 'JWT', kid }, payload, sign: hmac() }), MSG.invalidSignature);
    }
  });

  it('HS256 with crit, b64:false, or a non-access-token typ → 401 "Invalid token"', async () => {
    for (const header of [
      { alg: 'HS256', typ: 'JWT', crit: ['exp'], exp: 1 },
      { alg: 'HS256', typ: 'JWT', b64: false },
      { alg: 'HS256', typ: 'JWE' },
    ]) {
      await expectRejected(craftJwt({ header, payload: claims(), sign: hmac() }), MSG.invalidToken);
    }
  });

  it('the genuine legacy token with its MAC truncated or one bit flipped → 401 bad signature', async () => {
    const token = signLegacy(claims(), global.clientSecret);
    const [h, p, sig] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(sig, 'base64url');
    const flipped = Buffer.from(bytes);
    flipped[0]! ^= 1;
    await expectRejected(`${h}.${p}.${bytes.subarray(0, 16).toString('base64url')}`, MSG.invalidSignature);
    await expectRejected(`${h}.${p}.${flipped.toString('base64url')}`, MSG.invalidSignature);
  });
});
