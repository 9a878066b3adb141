// The fuzzer's values: a JSON model that can say what JSON.stringify cannot (duplicate members,
// `__proto__` as a name, 1e400, nesting thousands deep), hostile strings and numbers, and URL
// encoding that survives lone surrogates (sent as the invalid UTF-8 bytes a careless client sends).
// Values that depend on the running server (ids, tokens) are placeholders, filled in when sent
// (target.ts), so a seed replays the same requests against any server.
import fc from 'fast-check';

/** Literal JSON text, spliced in as is. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** An object as its members in order: names may repeat and may be `__proto__`. */
export class Obj {
  readonly members: [string, J][];
  constructor(members: [string, J][]) {
    this.members = members;
  }
}

export type J = null | boolean | number | string | Raw | Obj | J[];

export function toJson(value: J): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) return `{${value.members.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value);
}

/**
 * Placeholder for a value of the server's (see target.ts), by where it lands: `u` URL-encoded,
 * `j` inside a JSON string, `r` as it is (a cookie). Tokens: `@@t:kind@@` (target.ts).
 */
export const pool = (name: string, index: number, context: 'u' | 'j' | 'r' = 'u'): string => `@@${context}:${name}:${index}@@`;
export const PLACEHOLDER = /@@([ujr]):([a-zA-Z]+):(\d+)@@/g;

/**
 * encodeURIComponent that never throws: a lone surrogate becomes the three bytes of its CESU-8 form
 * (%ED%A0%80…), which is not UTF-8; the server must refuse or replace it, never fail.
 */
export function encodeLoose(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16).toUpperCase()}%${(0x80 | ((c >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/** encodeLoose for text that may hold placeholders: they stay placeholders, now URL-encoding ones. */
export function encodeText(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    out += encodeLoose(text.slice(last, m.index)) + `@@u:${m[2]}:${m[3]}@@`;
    last = m.index + m[0].length;
  }
  return out + encodeLoose(text.slice(last));
}

/** Percent-escapes that decode to bytes no UTF-8 decoder accepts, or to NUL. */
export const BAD_ESCAPES = ['%FF', '%C0%AF', '%ED%A0%80', '%E0%80', '%F8%88%80%80%80', '%00', '%', '%G1', '%%'];

const LONG = [255, 256, 257, 1025, 2049, 8193, 70_000];

/** Strings that have broken servers: control characters, surrogates, encodings, limits, syntaxes. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202e',
  '😀',
  '\r\n',
  '%00',
  '%',
  '..',
  '../../etc/passwd',
  '/',
  '\\',
  '"',
  "'",
  '<script>alert(1)</script>',
  '${7*7}',
  "' OR '1'='1' --",
  '*',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '1e20',
  '1e400',
  '9223372036854775807',
  '-9223372036854775809',
  '0x10',
  '1.5',
  'auth0|',
  'https://',
  'javascript:alert(1)',
  ...LONG.map((n) => 'a'.repeat(n)),
];

/** Numbers as JSON text: past the safe integers, past int64, past double (1e400 parses to Infinity). */
export const HOSTILE_NUMBERS: readonly string[] = ['1e400', '-1e400', '1e308', '-1e308', '9007199254740993', '9223372036854775807', '-9223372036854775809', '-0', '0.1', '5e-324', '123456789012345678901234567890', '2147483648', '-1'];

export const arrays = (levels: number): Raw => new Raw('['.repeat(levels) + ']'.repeat(levels));
export const objects = (levels: number): Raw => new Raw('{"a":'.repeat(levels) + '0' + '}'.repeat(levels));
/** Nesting around the server's limit (64) and far past it: 10,000 levels overflowed a recursive walk (S10). */
export const deepJson: fc.Arbitrary<J> = fc.constantFrom(63, 64, 65, 1000, 10_000, 50_000).chain((n) => fc.constantFrom(arrays(n), objects(n)));
/** Integers past int32, the safe integers and int64, and past double. */
export const HUGE: readonly string[] = ['2147483648', '9007199254740993', '9223372036854775807', '1e20', '1e400', '-9223372036854775809'];

const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: anyUnit, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** Any JSON value a hostile client might put where something else is expected. */
export const hostileJson: fc.Arbitrary<J> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS).map((n) => new Raw(n)) },
  { weight: 2, arbitrary: fc.constantFrom<J>(null, true, false, 0, [], new Obj([]), [null], ['a', 1]) },
  { weight: 2, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.constantFrom(new Obj([['__proto__', new Obj([['admin', true]])]]), new Obj([['constructor', new Obj([['prototype', new Obj([])]])]]), new Obj([['a', 1], ['a', 'dup']])) },
  { weight: 1, arbitrary: fc.constantFrom(new Raw(`[${'1,'.repeat(5000)}1]`), new Obj(Array.from({ length: 300 }, (_, i) => [`k${i}`, i] as [string, J]))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => new Raw(JSON.stringify(v))) },
);

/** A query-string or path value: a hostile string (URL-encoded), or raw escapes of bad bytes. */
export const hostileUrlText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((t) => encodeLoose(t)) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom(...BAD_ESCAPES)).map(([a, b]) => `${encodeLoose(a)}${b}`) },
);
