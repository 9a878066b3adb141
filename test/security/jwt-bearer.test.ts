// The Authorization header and what the verifier never does with a token (security catalogue §4.5
// T-JWT-15, -25, -26, -27): header URLs are never fetched, the Bearer scheme follows RFC 6750 /
// RFC 9110, and no byte of a valid token can change without the token being refused.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKey, selfSignedCert } from '../../src/crypto/certs.ts';
import { badFormatBody, invalidTokenResponse, MSG, probe, PROBE_URL } from '../helpers/alg-confusion.ts';
import { b64url, craftJwt, currentSigningKey, decodeSegment, signRs256, type TenantKey } from '../helpers/craft-jwt.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let valid: string;
let signer: TenantKey;

beforeAll(async () => {
  s = await startTestServer();
  valid = await mgmtToken(s, ['read:clients']);
  signer = await currentSigningKey(s, DOMAIN);
});
afterAll(() => s.close());

const missingBody = JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: MSG.missing });
const plainChallenge = `Bearer realm="${DOMAIN}"`;

describe('T-JWT-15: jku, x5u, jwk and x5c are never followed (ASVS 9.1.3, RFC 8725 §3.10)', () => {
  let listener: Server;
  const hits: string[] = [];
  let base: string;

  beforeAll(async () => {
    listener = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json').end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  it('attacker-keyed tokens pointing at a loopback listener → 401, and the listener receives zero requests', async () => {
    const attacker = await generateRsaKey();
    const cert = await selfSignedCert(attacker.keys, DOMAIN, new Date(s.clock.now()));
    const certB64 = cert.replace(/-----[^-]+-----|\s/g, '');
    const atk: TenantKey = { kid: 'attacker', key: createPrivateKey(attacker.privatePem) };
    const jwk = createPublicKey(attacker.privatePem).export({ format: 'jwk' });
    const claims = decodeSegment(valid, 1);
    const cases: [string, string, string][] = [
      ['jku, attacker kid', signRs256(atk, claims, { jku: `${base}/jwks.json` }), MSG.invalidToken],
      ['jku, our kid', signRs256(atk, claims, { kid: signer.kid, jku: `${base}/jwks.json` }), MSG.invalidSignature],
      ['x5u', signRs256(atk, claims, { x5u: `${base}/cert.pem` }), MSG.invalidToken],
      ['jwk embedded, no kid', signRs256(atk, claims, { kid: undefined, jwk }), MSG.invalidToken],
      ['jwk embedded, our kid', signRs256(atk, claims, { kid: signer.kid, jwk }), MSG.invalidSignature],
      ['x5c attacker certificate', signRs256(atk, claims, { kid: undefined, x5c: [certB64] }), MSG.invalidToken],
      ['x5c with x5u and jku', signRs256(atk, claims, { x5c: [certB64], x5u: `${base}/x5u`, jku: `${base}/jku` }), MSG.invalidToken],
      ['kid is a URL', signRs256(atk, claims, { kid: `${base}/key` }), MSG.invalidToken],
    ];
    for (const [name, token, message] of cases) {
      const res = await probe(s, DOMAIN, `Bearer ${token}`);
      expect([name, res.statusCode, res.body]).toEqual([name, 401, invalidTokenResponse(DOMAIN, message).body]);
    }
    // Our own valid token carrying URLs: the URLs are ignored, never fetched.
    const ours = signRs256(signer, claims, { jku: `${base}/jwks.json`, x5u: `${base}/cert.pem` });
    expect((await probe(s, DOMAIN, `Bearer ${ours}`)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hits).toEqual([]);
  });
});

describe('T-JWT-25: the Authorization scheme', () => {
  it('RFC 9110 §11.1: the scheme is case-insensitive (bearer, BEARER, bEaReR → 200)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      expect([scheme, (await probe(s, DOMAIN, `${scheme} ${valid}`)).statusCode]).toEqual([scheme, 200]);
    }
  });

  it('RFC 6750 §2.1: "Bearer" 1*SP b64token — two spaces are still one credential (200)', async () => {
    expect((await probe(s, DOMAIN, `Bearer  ${valid}`)).statusCode).toBe(200);
  });

  it('"Bearer" alone, three parts, or an opaque token → 400 "Bad HTTP authentication header format"', async () => {
    for (const header of ['Bearer', 'Bearer ', `Bearer ${valid} extra`, 'Bearer opaque-token-value', `${valid}`]) {
      const res = await probe(s, DOMAIN, header);
      expect([header.slice(0, 30), res.statusCode, res.body]).toEqual([header.slice(0, 30), 400, badFormatBody]);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${DOMAIN}", error="invalid_request"`);
    }
  });

  it('a non-Bearer scheme (Basic, DPoP, Token) → 401 "Missing authentication" with no error attribute', async () => {
    for (const header of ['Basic dXNlcjpwYXNzd29yZA==', `Basic ${valid}`, `DPoP ${valid}`, `Token ${valid}`]) {
      const res = await probe(s, DOMAIN, header);
      expect([header.slice(0, 12), res.statusCode, res.body, res.headers['www-authenticate']]).toEqual([header.slice(0, 12), 401, missingBody, plainChallenge]);
    }
  });

  it('RFC 6750 §2.3 is not offered: a token only in the query string → 401 "Missing authentication"', async () => {
    const res = await s.inject({ method: 'GET', url: `${PROBE_URL}?access_token=${valid}` });
    expect([res.statusCode, res.body, res.headers['www-authenticate']]).toEqual([401, missingBody, plainChallenge]);
  });

  it('T-JWT-25 / RFC 6750 §3.1: a token in the header and also in the query → 400 invalid_request, even when both are valid', async () => {
    for (const authorization of [`Bearer ${valid}`, 'Bearer opaque']) {
      const res = await s.inject({ method: 'GET', url: `${PROBE_URL}?access_token=${valid}`, headers: { authorization } });
      expect([res.statusCode, res.json(), res.headers['www-authenticate']]).toEqual([
        400,
        { statusCode: 400, error: 'Bad Request', message: 'The access token must be sent in the Authorization header only, not also in the query string' },
        'Bearer realm="tenant-a.test", error="invalid_request"',
      ]);
    }
  });
});

describe('T-JWT-26: no credentials at all (RFC 6750 §3.1)', () => {
  it('no Authorization header → 401 "Missing authentication", WWW-Authenticate Bearer realm without error', async () => {
    const res = await probe(s, DOMAIN, undefined);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing authentication' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tenant-a.test"');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('an empty Authorization header is the same as none', async () => {
    const res = await probe(s, DOMAIN, '');
    expect([res.statusCode, res.body, res.headers['www-authenticate']]).toEqual([401, missingBody, plainChallenge]);
  });
});

describe('T-JWT-27: mutation property', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Visible ASCII only: whitespace around a header value is not part of it (RFC 9110 §5.5).
  const char = fc.oneof(fc.constantFrom(...ALPHABET, '.'), fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)));
  const segment = fc.integer({ min: 0, max: 2 });
  type Mutation = (token: string) => string;
  const at = (t: string, pos: number) => pos % (t.length + 1);
  const reencode = (t: string, index: 0 | 1, edit: (o: Record<string, unknown>) => unknown): string => {
    const segs = t.split('.');
    if (segs.length !== 3) return t;
    let decoded: Record<string, unknown>;
    try {
      decoded = JSON.parse(Buffer.from(segs[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return t;
    }
    segs[index] = b64url(JSON.stringify(edit(decoded)));
    return segs.join('.');
  };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.tuple(segment, fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, pos, bit]): Mutation => (t) => {
      const segs = t.split('.');
      const bytes = Buffer.from(segs[i] ?? '', 'base64url');
      if (bytes.length === 0) return t;
      bytes[pos % bytes.length]! ^= 1 << bit;
      segs[i] = b64url(bytes);
      return segs.join('.');
    }),
    fc.tuple(fc.nat(), char).map(([pos, c]): Mutation => (t) => t.slice(0, at(t, pos)) + c + t.slice(at(t, pos) + 1)),
    fc.tuple(fc.nat(), char).map(([pos, c]): Mutation => (t) => t.slice(0, at(t, pos)) + c + t.slice(at(t, pos))),
    fc.nat().map((pos): Mutation => (t) => t.slice(0, at(t, pos)) + t.slice(at(t, pos) + 1)),
    fc.tuple(segment, segment).map(([a, b]): Mutation => (t) => {
      const segs = t.split('.');
      [segs[a], segs[b]] = [segs[b]!, segs[a]!];
      return segs.join('.');
    }),
    fc.constantFrom<0 | 1>(0, 1).map((i): Mutation => (t) => reencode(t, i, (o) => Object.fromEntries(Object.entries(o).reverse()))),
    fc.tuple(fc.constantFrom<0 | 1>(0, 1), fc.constantFrom('alg', 'kid', 'typ', 'iss', 'sub', 'aud', 'exp', 'iat', 'scope', 'azp', 'jti', 'nonce'), fc.jsonValue({ maxDepth: 2 })).map(
      ([i, name, value]): Mutation => (t) => reencode(t, i, (o) => ({ ...o, [name]: value })),
    ),
    fc.constantFrom<0 | 1>(0, 1).map((i): Mutation => (t) => {
      const segs = t.split('.');
      segs[i] = Buffer.from(segs[i] ?? '', 'base64url').toString('base64');
      return segs.join('.');
    }),
  );

  it('any mutation of a valid token never yields 200; the unchanged bytes always do', async () => {
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 3 }), async (mutations) => {
        const token = mutations.reduce((t, m) => m(t), valid);
        const res = await probe(s, DOMAIN, `Bearer ${token}`);
        if (token === valid) return res.statusCode === 200;
        changed++;
        return res.statusCode !== 200 && res.statusCode < 500;
      }),
      { numRuns: 250 },
    );
    expect(changed).toBeGreaterThan(150);
  });
});

it('T-JWT-27 control: a token re-signed after an edit is accepted, so refusals above are about the bytes', async () => {
  const edited = craftJwt({ header: decodeSegment(valid, 0), payload: { ...decodeSegment(valid, 1), scope: 'read:clients' }, sign: { kind: 'rsa', key: signer.key } });
  expect((await probe(s, DOMAIN, `Bearer ${edited}`)).statusCode).toBe(200);
});
