// src/tokens/jws.ts parseJws: exactly three canonical base64url segments, header and payload
// strict JSON objects (RFC 8725bis format checks, RFC 7519 §4, GHSA-hxm8-2xgr-2p9m).
import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikeJws, MalformedToken, MAX_TOKEN_LENGTH, parseJws, signHs256, signRs256 } from '../../src/tokens/jws.ts';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const H = b64('{"alg":"RS256","typ":"JWT","kid":"k1"}');
const P = b64('{"sub":"x@clients","exp":1}');
const S = b64(randomBytes(256));
const refused = (token: string, why: RegExp) => expect(() => parseJws(token)).toThrow(why);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('round trip with our own signers', () => {
  it('signRs256 output parses to its header, payload, signing input and a verifying signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = signRs256({ alg: 'RS256', kid: 'k1' }, { sub: 'a', n: 1 }, privateKey);
    const parsed = parseJws(token);
    expect(parsed.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(parsed.payload).toEqual({ sub: 'a', n: 1 });
    expect(parsed.signingInput.toString('ascii')).toBe(token.split('.').slice(0, 2).join('.'));
    expect(verify('sha256', parsed.signingInput, publicKey, parsed.signature)).toBe(true);
  });

  it('signHs256 output parses, with a 32-byte MAC', () => {
    const parsed = parseJws(signHs256({ alg: 'HS256' }, { a: [1, { b: null }] }, randomBytes(32)));
    expect(parsed.payload).toEqual({ a: [1, { b: null }] });
    expect(parsed.signature).toHaveLength(32);
  });
});

describe('three segments', () => {
  it.each([
    ['one', H],
    ['two', `${H}.${P}`],
    ['four', `${H}.${P}.${S}.${S}`],
    ['five (JWE)', `${H}.${P}.${S}.${S}.${S}`],
  ])('%s segments → MalformedToken', (_n, token) => {
    expect(() => parseJws(token)).toThrow(MalformedToken);
    refused(token, /exactly three segments/);
    expect(looksLikeJws(token)).toBe(false);
  });

  it('an empty segment anywhere → refused', () => {
    refused(`.${P}.${S}`, /header is not base64url/);
    refused(`${H}..${S}`, /payload is not base64url/);
    refused(`${H}.${P}.`, /signature is not base64url/);
    expect(looksLikeJws('..')).toBe(true);
  });

  it('over MAX_TOKEN_LENGTH → refused before anything is decoded', () => {
    const pad = 'A'.repeat(MAX_TOKEN_LENGTH);
    refused(`${H}.${P}.${pad}`, /too long/);
  });
});

describe('canonical base64url', () => {
  it.each(['=', '+', '/', ' ', '!', '"', '{', '%2B', '\u00e9'])('%j in a segment → refused', (ch) => {
    refused(`${H}.${P}.${S}${ch}`, /signature is not base64url/);
    refused(`${H}${ch}.${P}.${S}`, /header is not base64url/);
  });

  it('spare bits set in the last character → refused as non-canonical', () => {
    // 256 bytes → 342 characters; the last carries 2 data bits and 4 spare ones.
    const last = ALPHABET.indexOf(S.at(-1)!);
    const variant = S.slice(0, -1) + ALPHABET[last | 0b1111]!;
    expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(S, 'base64url'));
    refused(`${H}.${P}.${variant}`, /signature is not canonical base64url/);
  });

  it('property: a segment is accepted exactly when re-encoding its bytes gives the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 48 }), (sig) => {
        const canonical = Buffer.from(sig, 'base64url').toString('base64url') === sig;
        let accepted = true;
        try {
          parseJws(`${H}.${P}.${sig}`);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedToken);
          accepted = false;
        }
        expect(accepted).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('property: every byte string encodes to a segment that parses back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        expect(parseJws(`${H}.${P}.${b64(Buffer.from(bytes))}`).signature).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe('header and payload are strict JSON objects', () => {
  it.each(['"x"', '[]', 'null', '1', 'true', ' ', 'abc', '{"a":1}x'])('%j → refused in either position', (text) => {
    refused(`${b64(text)}.${P}.${S}`, /header is not a JSON object/);
    refused(`${H}.${b64(text)}.${S}`, /payload is not a JSON object/);
  });

  it('duplicate members → refused (RFC 7519 §4)', () => {
    refused(`${b64('{"alg":"none","alg":"RS256"}')}.${P}.${S}`, /duplicate member "alg"/);
    refused(`${H}.${b64('{"aud":"x","aud":"y"}')}.${S}`, /duplicate member "aud"/);
  });

  it('invalid UTF-8 → refused', () => {
    refused(`${H}.${b64(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))}.${S}`, /payload is not a JSON object/);
  });

  it('__proto__ in a header is an own member and pollutes nothing', () => {
    const { header } = parseJws(`${b64('{"alg":"RS256","__proto__":{"admin":true}}')}.${P}.${S}`);
    expect(Object.keys(header)).toEqual(['alg', '__proto__']);
    expect((header as { admin?: unknown }).admin).toBeUndefined();
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
  });
});
