// Compact-JWS format confusion at the Management API (security catalogue §2.5, §4.5 T-JWT-02..09,
// -12, -13, -16): only exactly three canonical base64url segments of strict JSON objects, with no
// critical extensions, are ever looked at. Tokens that would pass a lax parser are signed with the
// tenant's real key, so only the format rule can be what refuses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/tokens/verify.ts';
import { badFormatBody, invalidTokenResponse, MSG, probe } from '../helpers/alg-confusion.ts';
import { b64url, craftJwt, currentSigningKey, decodeSegment, jsonText, raw, signRs256, type TenantKey } from '../helpers/craft-jwt.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let valid: string;
let claims: Record<string, unknown>;
let signer: TenantKey;

beforeAll(async () => {
  s = await startTestServer();
  valid = await mgmtToken(s, ['read:clients']);
  claims = decodeSegment(valid, 1);
  signer = await currentSigningKey(s, DOMAIN);
});
afterAll(() => s.close());

const send = (token: string) => probe(s, DOMAIN, `Bearer ${token}`);
const parts = (token: string) => token.split('.') as [string, string, string];

/** Sends each token and returns the ones not answered with exactly the expected 401 or 400. */
async function notAnswered(tokens: [string, string][], expected: { status: 401; message: string } | { status: 400 }): Promise<string[]> {
  const wrong: string[] = [];
  for (const [name, token] of tokens) {
    const res = await send(token);
    const body = expected.status === 400 ? badFormatBody : invalidTokenResponse(DOMAIN, expected.message).body;
    if (res.statusCode !== expected.status || res.body !== body) wrong.push(`${name}: ${res.statusCode} ${res.body.slice(0, 160)}`);
  }
  return wrong;
}
const INVALID = { status: 401, message: MSG.invalidToken } as const;
const BAD_SIGNATURE = { status: 401, message: MSG.invalidSignature } as const;

it('control: the genuine token and a hand-signed copy of its claims are accepted', async () => {
  expect((await send(valid)).statusCode).toBe(200);
  expect((await send(signRs256(signer, claims))).statusCode).toBe(200);
});

describe('T-JWT-02: segment count', () => {
  it('1, 2, 4 and 5 (JWE) segments → 400 "Bad HTTP authentication header format" (spec §3.1)', async () => {
    const [h, p, sig] = parts(valid);
    const res = await send(`${h}.${p}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Bad HTTP authentication header format' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tenant-a.test", error="invalid_request"');
    const tokens: [string, string][] = [
      ['one segment', h],
      ['two segments', `${h}.${p}`],
      ['four segments', `${valid}.${sig}`],
      ['five segments (JWE)', `${h}.${p}.${sig}.${p}.${sig}`],
      ['trailing dot', `${valid}.`],
      ['lone dot', '.'],
    ];
    expect(await notAnswered(tokens, { status: 400 })).toEqual([]);
  });

  it('three segments with an empty one → 401 invalid_token', async () => {
    const [h, p, sig] = parts(valid);
    const tokens: [string, string][] = [
      ['all empty', '..'],
      ['empty header', `.${p}.${sig}`],
      ['empty payload', `${h}..${sig}`],
      ['empty signature', `${h}.${p}.`],
    ];
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-03: characters outside [A-Za-z0-9_-.] (rfc8725bis "check JWT format type")', () => {
  it('padding, standard base64, quotes, braces and other symbols in any segment → 401', async () => {
    const tokens: [string, string][] = [];
    for (const index of [0, 1, 2] as const) {
      for (const ch of ['=', '==', '+', '/', '"', '{', '}', '!', '~', '%', '*', ',', ':', '\\']) {
        const segs = parts(valid);
        segs[index] = `${segs[index]}${ch}`;
        tokens.push([`segment ${index} + ${JSON.stringify(ch)}`, segs.join('.')]);
      }
    }
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-04: header and payload must be JSON objects', () => {
  it('string, array, null, number, boolean, non-JSON and invalid UTF-8 (validly signed) → 401', async () => {
    const values: [string, string][] = [
      ['string', '"x"'],
      ['array', '[]'],
      ['null', 'null'],
      ['number', '42'],
      ['boolean', 'true'],
      ['empty', ''],
      ['not JSON', 'abc'],
      ['object then garbage', '{}x'],
    ];
    const tokens: [string, string][] = [];
    for (const [name, text] of values) {
      tokens.push([`payload ${name}`, signRs256(signer, jsonText(text))]);
      tokens.push([`header ${name}`, craftJwt({ header: jsonText(text), payload: claims, sign: { kind: 'rsa', key: signer.key } })]);
    }
    const badUtf8 = b64url(Buffer.concat([Buffer.from('{"iss":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    tokens.push(['payload with invalid UTF-8', signRs256(signer, raw(badUtf8))]);
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-05: tampering', () => {
  it('a changed claim, a flipped payload bit and a signature from another token → 401 invalid signature', async () => {
    const [h, p, sig] = parts(valid);
    const other = parts(await mgmtToken(s, ['read:clients']));
    const escalated = b64url(JSON.stringify({ ...claims, scope: 'read:clients delete:clients' }));
    const flipped = Buffer.from(p, 'base64url');
    flipped[10]! ^= 0x01;
    const tokens: [string, string][] = [
      ['scope escalated', `${h}.${escalated}.${sig}`],
      ['one payload bit flipped', `${h}.${b64url(flipped)}.${sig}`],
      ['signature of another token', `${h}.${p}.${other[2]}`],
      ['payload of another token', `${h}.${other[1]}.${sig}`],
    ];
    expect(await notAnswered(tokens, BAD_SIGNATURE)).toEqual([]);
  });
});

describe('T-JWT-06: JWS JSON serialization and compact/JSON hybrids (CVE-2022-39227)', () => {
  it('flattened JSON serialization (no dots) → 400; a hybrid that splits into three parts → 401', async () => {
    const [h, p, sig] = parts(valid);
    const flattened = JSON.stringify({ protected: h, payload: p, signature: sig });
    const general = JSON.stringify({ payload: p, signatures: [{ protected: h, signature: sig }] });
    expect(await notAnswered([['flattened', flattened], ['general', general], ['base64url of flattened', b64url(flattened)]], { status: 400 })).toEqual([]);
    const forged = b64url(JSON.stringify({ ...claims, scope: 'delete:clients' }));
    const hybrid = `{"${h}.${forged}.":"","protected":"${h}","payload":"${p}","signature":"${sig}"}`;
    expect(await notAnswered([['hybrid', hybrid]], INVALID)).toEqual([]);
  });
});

describe('T-JWT-07: non-canonical encodings of a valid token (GHSA-hxm8-2xgr-2p9m)', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  /** The same bytes with the unused low bits of the last character set. */
  const spareBits = (seg: string): string | undefined => {
    const unused = [0, 0, 4, 2][seg.length % 4]!;
    if (unused === 0) return undefined;
    const last = ALPHABET.indexOf(seg.at(-1)!);
    return seg.slice(0, -1) + ALPHABET[last | ((1 << unused) - 1)]!;
  };

  it('trailing "!!!!", "=" padding, spare bits set in the last character, base64 alphabet → 401', async () => {
    const [h, p, sig] = parts(valid);
    const tokens: [string, string][] = [
      ['signature + "!!!!"', `${valid}!!!!`],
      ['signature + "="', `${valid}=`],
      ['signature in the base64 alphabet', `${h}.${p}.${Buffer.from(sig, 'base64url').toString('base64').replace(/=+$/, '')}`],
    ];
    for (const [index, seg] of [h, p, sig].entries()) {
      const variant = spareBits(seg);
      if (variant === undefined || variant === seg) continue;
      expect(Buffer.from(variant, 'base64url').equals(Buffer.from(seg, 'base64url'))).toBe(true);
      const segs = parts(valid);
      segs[index] = variant;
      tokens.push([`segment ${index} with spare bits`, segs.join('.')]);
    }
    // A 256-byte RSA signature is 342 characters: its last one always has 4 spare bits.
    expect(tokens.map(([name]) => name)).toContain('segment 2 with spare bits');
    const mustDiffer = tokens.filter(([, t]) => t !== valid);
    expect(await notAnswered(mustDiffer, INVALID)).toEqual([]);
    // One more character is a canonical encoding of 257 bytes: a different (wrong) signature.
    expect(await notAnswered([['signature + "A"', `${valid}A`]], BAD_SIGNATURE)).toEqual([]);
  });
});

describe('T-JWT-08: duplicate JSON members (RFC 7519 §4; JSON.parse keeps the last one)', () => {
  it('duplicate alg, aud, nested and escaped duplicates, validly signed → 401', async () => {
    const head = `"typ":"JWT","kid":${JSON.stringify(signer.kid)}`;
    const body = JSON.stringify(claims).slice(1, -1);
    const aud = JSON.stringify(claims.aud);
    const tokens: [string, string][] = [
      ['header alg none then RS256', craftJwt({ header: jsonText(`{"alg":"none","alg":"RS256",${head}}`), payload: claims, sign: { kind: 'rsa', key: signer.key } })],
      ['header alg escaped duplicate', craftJwt({ header: jsonText(`{"alg":"none","\\u0061lg":"RS256",${head}}`), payload: claims, sign: { kind: 'rsa', key: signer.key } })],
      ['payload aud other then ours', signRs256(signer, jsonText(`{"aud":"https://other.example/",${body}}`))],
      ['payload scope twice', signRs256(signer, jsonText(`{${body},"scope":"delete:clients"}`))],
      ['payload nested duplicate', signRs256(signer, jsonText(`{${body},"ext":{"a":1,"a":2}}`))],
      ['payload exp duplicate', signRs256(signer, jsonText(`{"exp":1,${body}}`))],
    ];
    expect(aud).toContain('api/v2');
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-09: size and depth', () => {
  it('a validly signed token just under 16 KB is accepted; over 16 KB → 401', async () => {
    const sized = (total: number) => {
      const base = signRs256(signer, { ...claims, pad: '' }).length;
      return signRs256(signer, { ...claims, pad: 'a'.repeat(Math.floor(((total - base) * 3) / 4)) });
    };
    const under = sized(16 * 1024 - 8);
    expect(under.length).toBeLessThanOrEqual(16 * 1024);
    expect((await send(under)).statusCode).toBe(200);
    const over = sized(16 * 1024 + 64);
    expect(over.length).toBeGreaterThan(16 * 1024);
    expect(await notAnswered([['16 KB + 64', over], ['100 KB header', craftJwt({ header: { alg: 'RS256', kid: signer.kid, x: 'a'.repeat(100_000) }, payload: claims, sign: { kind: 'rsa', key: signer.key } })]], INVALID)).toEqual([]);
  });

  it('claims nested deeper than the parser allows → 401, shallow nesting is fine', async () => {
    const nest = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown;
    expect((await send(signRs256(signer, { ...claims, ext: nest(10) }))).statusCode).toBe(200);
    const tokens: [string, string][] = [25, 1000, 3000].map((d) => [`depth ${d}`, signRs256(signer, jsonText(`{${JSON.stringify(claims).slice(1, -1)},"ext":${'['.repeat(d)}${']'.repeat(d)}}`))]);
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-12: critical header parameters (RFC 7515 §4.1.11, RFC 7797; CVE-2026-32597)', () => {
  it('crit in any form and b64:false, validly signed → 401', async () => {
    const tokens: [string, string][] = [
      ['crit ["exp"]', signRs256(signer, claims, { crit: ['exp'] })],
      ['crit unknown member', signRs256(signer, claims, { crit: ['urn:example:x'], 'urn:example:x': true })],
      ['crit []', signRs256(signer, claims, { crit: [] })],
      ['crit string', signRs256(signer, claims, { crit: 'exp' })],
      ['b64:false with crit', signRs256(signer, claims, { b64: false, crit: ['b64'] })],
      ['b64:false alone', signRs256(signer, claims, { b64: false })],
      ['b64:true alone', signRs256(signer, claims, { b64: true })],
    ];
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
  });
});

describe('T-JWT-13: hostile kid values (RFC 8725 §3.10)', () => {
  it('unknown, missing, path, SQL, 10 KB, prototype names and non-string kids → 401 and nothing logged as an error', async () => {
    const before = s.logs.length;
    const kids: unknown[] = ['unknown-kid', '../../etc/passwd', "' OR 1=1--", '"; DROP TABLE signing_keys; --', 'k'.repeat(10_240), '__proto__', 'constructor', 'toString', '', 42, null, true, ['x'], { kid: signer.kid }, [signer.kid]];
    const tokens: [string, string][] = kids.map((kid) => [`kid ${JSON.stringify(kid).slice(0, 40)}`, signRs256(signer, claims, { kid })]);
    const noKid = craftJwt({ header: { alg: 'RS256', typ: 'JWT' }, payload: claims, sign: { kind: 'rsa', key: signer.key } });
    tokens.push(['kid missing', noKid]);
    expect(await notAnswered(tokens, INVALID)).toEqual([]);
    const errors = s.logs.slice(before).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
    expect((await send(valid)).statusCode).toBe(200);
  });
});

describe('T-JWT-16: JWE is never decrypted (CVE-2022-36083, CVE-2024-28176)', () => {
  const jweHeader = b64url(JSON.stringify({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM', p2c: 2_000_000_000, p2s: 'c2FsdA', zip: 'DEF' }));
  const five = `${jweHeader}.${b64url('k'.repeat(24))}.${b64url('iv-iv-iv-iv-')}.${b64url('ciphertext')}.${b64url('tag-tag-tag-tag-')}`;
  const three = () => `${jweHeader}.${parts(valid)[1]}.${parts(valid)[2]}`;

  it('a 5-segment JWE → 400; a JWE header in 3 segments → 401', async () => {
    expect(await notAnswered([['5-segment JWE', five]], { status: 400 })).toEqual([]);
    expect(await notAnswered([['JWE header, 3 segments', three()]], INVALID)).toEqual([]);
  });

  it('refusing either costs well under 5 ms of CPU (no key derivation attempted)', async () => {
    const ring = await s.registry.keys(s.tenant.id);
    const options = { issuer: s.tenant.issuer, audience: s.tenant.managementAudience, now: 0, leeway: 30, keys: ring };
    const rounds = 50;
    const cpu = process.cpuUsage();
    for (let i = 0; i < rounds; i++) {
      for (const token of [five, three()]) expect(() => verifyToken(token, options)).toThrow();
    }
    const used = process.cpuUsage(cpu);
    const perCallMs = (used.user + used.system) / 1000 / (rounds * 2);
    expect(perCallMs).toBeLessThan(5);
  });
});
