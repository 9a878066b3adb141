// src/tokens/strict-json.ts: the parser for token headers and payloads (RFC 7519 §4 duplicates,
// bounded nesting, no prototype, nothing after the value). It must accept no text JSON.parse
// refuses, and read every text it accepts exactly as JSON.parse does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../src/tokens/strict-json.ts';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('agreement with JSON.parse', () => {
  it('property: any JSON value without deep nesting parses to what JSON.parse gives', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('property: whatever it accepts, JSON.parse accepts too, with the same result (it is a strict subset)', () => {
    const near = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.string({ minLength: 1, maxLength: 2 })).map(([j, pos, junk]) => j.slice(0, pos % (j.length + 1)) + junk + j.slice(pos % (j.length + 1))),
    );
    fc.assert(
      fc.property(near, (text) => {
        let strict: unknown;
        try {
          strict = parseStrictJson(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SyntaxError);
          return;
        }
        expect(strict).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON forbids: single quotes, trailing commas, comments, leading zeros, NaN, bare words', () => {
    for (const text of ["{'a':1}", '{"a":1,}', '[1,]', '{"a":1 /* c */}', '01', '+1', '.5', 'NaN', 'Infinity', 'undefined', '{a:1}', '"\\x41"', '"\\u12"', '', ' ', '[', '{"a"}', '{"a":}', '\u00a01', '\v1']) {
      expect(() => parseStrictJson(text), text).toThrow(SyntaxError);
      expect(() => JSON.parse(text), text).toThrow(SyntaxError);
    }
  });
});

describe('RFC 7519 §4: duplicate member names are refused at any depth', () => {
  it.each([
    ['top level', '{"alg":"RS256","alg":"none"}'],
    ['nested object', '{"a":{"b":1,"b":2}}'],
    ['object in an array', '{"a":[1,{"x":true,"x":true}]}'],
    ['deep', `{"a":${'{"n":'.repeat(10)}{"k":1,"k":1}${'}'.repeat(10)}}`],
    ['same name through an escape', '{"alg":"RS256","\\u0061lg":"none"}'],
    ['prototype-like names', '{"hasOwnProperty":1,"hasOwnProperty":2}'],
    ['__proto__ twice', '{"__proto__":1,"__proto__":2}'],
  ])('%s', (_name, text) => {
    expect(() => parseStrictJson(text)).toThrow(/duplicate member/);
  });

  it('the same name in sibling objects is fine', () => {
    expect(parseStrictJson('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('nesting limit', () => {
  it('21 levels parse, 22 do not (objects and arrays alike)', () => {
    expect(() => parseStrictJson(nested(21))).not.toThrow();
    expect(() => parseStrictJson(nested(22))).toThrow(/nesting too deep/);
    const objects = (d: number) => '{"a":'.repeat(d - 1) + '{}' + '}'.repeat(d - 1);
    expect(() => parseStrictJson(objects(21))).not.toThrow();
    expect(() => parseStrictJson(objects(22))).toThrow(/nesting too deep/);
  });

  it('100,000 levels fail fast with a SyntaxError, not a stack overflow', () => {
    expect(() => parseStrictJson(nested(100_000))).toThrow(SyntaxError);
  });
});

describe('__proto__ is just a name', () => {
  it('an own key on an object with no prototype; Object.prototype untouched', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value.__proto__)).toBeNull();
  });
});

describe('nothing may follow the value', () => {
  it.each(['{}x', '{} {}', '1 2', '"a""b"', '[]]', '{}\u0000', 'true false', 'nullx'])('%j → refused', (text) => {
    expect(() => parseStrictJson(text)).toThrow(/trailing characters|unexpected/);
  });

  it('surrounding JSON whitespace is allowed', () => {
    expect(parseStrictJson(' \t\r\n{"a":1} \t\r\n')).toEqual({ a: 1 });
  });
});

describe('control characters', () => {
  it('raw U+0000..U+001F inside a string → refused; the escaped forms are fine', () => {
    for (let c = 0; c < 0x20; c++) {
      expect(() => parseStrictJson(`{"a":"x${String.fromCharCode(c)}y"}`)).toThrow(/control character/);
      expect(() => parseStrictJson(`{"a${String.fromCharCode(c)}":1}`)).toThrow(/control character/);
    }
    expect(parseStrictJson('{"a":"\\n\\t\\u0000\\u001f"}')).toEqual({ a: '\n\t\u0000\u001f' });
  });

  it('an unterminated string, or one ending in a backslash → refused', () => {
    for (const text of ['"abc', '{"a":"abc', '"abc\\', '"abc\\"']) expect(() => parseStrictJson(text)).toThrow(SyntaxError);
  });
});
