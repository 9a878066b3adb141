// T-RU-26: a differential property test of redirectUriMatches (D9, RFC 9700 §2.1, RFC 8252 §7.3).
// Candidates come from a mutation grammar over the registered set; the matcher must agree with a
// reference written independently from the rule's text — the exact registered string, or a
// registered http loopback IP literal with any port 1..65535 put in or changed — and every
// accepted URI must parse (WHATWG URL) to exactly a registered scheme, host, path and query, with
// no credentials and no fragment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRedirectUri, redirectUriMatches } from '../../src/domain/redirects.ts';

const SETS: readonly (readonly string[])[] = [
  ['https://app.example.com/cb', 'https://app.example.com/cb2?mode=x', 'http://127.0.0.1/native'],
  ['http://[::1]:3000/cb', 'https://app.example.com/cb', 'com.example.app://callback', 'http://localhost:8080/cb'],
];

/** The registered loopback URI without its port, as [scheme+host, rest], or undefined. */
function loopbackBase(registered: string): [string, string] | undefined {
  for (const host of ['http://127.0.0.1', 'http://[::1]']) {
    if (!registered.startsWith(host)) continue;
    let rest = registered.slice(host.length);
    const port = /^:(\d+)/.exec(rest);
    if (port) rest = rest.slice(port[0].length);
    if (rest === '' || rest.startsWith('/')) return [host, rest];
  }
  return undefined;
}

/** The rule, read literally. */
function reference(candidate: string, registered: readonly string[]): boolean {
  if (registered.includes(candidate)) return true;
  return registered.some((r) => {
    const base = loopbackBase(r);
    if (!base) return false;
    const [host, rest] = base;
    if (candidate === host + rest) return true;
    if (!candidate.startsWith(`${host}:`) || !candidate.endsWith(rest)) return false;
    const port = candidate.slice(host.length + 1, candidate.length - rest.length);
    return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
  });
}

/** What an accepted URI must parse to: a registered scheme, host, path and query, nothing else. */
function parsesToRegistered(candidate: string, registered: readonly string[]): boolean {
  const u = new URL(candidate);
  if (u.username !== '' || u.password !== '' || u.hash !== '' || candidate.includes('#')) return false;
  return registered.some((r) => {
    const v = new URL(r);
    const loopback = loopbackBase(r) !== undefined;
    return u.protocol === v.protocol && u.hostname === v.hostname && (loopback || u.port === v.port) && u.pathname === v.pathname && u.search === v.search;
  });
}

const PIECES = ['@', '\\', '/', '.', '..', '%2e', '%2F', '%40', '%25', '#', '?', ';', ':', ':80', ':443', ':0', ':65536', ':8080', '&a=b', ' ', '\t', '\n', '\u0000', 'A', 'x', 'evil.com', 'CB', 'localhost', '127.0.0.2', '[::1]', '\u0430'];

/** One mutation of a string: insert, delete or replace a piece somewhere, or change case. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...PIECES) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), piece: fc.constantFrom(...PIECES) }),
  fc.record({ kind: fc.constant('upper' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('port' as const), port: fc.oneof(fc.integer({ min: 0, max: 70000 }).map(String), fc.constantFrom('', '00080', '+1', '1e3', '0x50')) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(uri: string, m: Mutation): string {
  switch (m.kind) {
    case 'insert': {
      const at = m.at % (uri.length + 1);
      return uri.slice(0, at) + m.piece + uri.slice(at);
    }
    case 'delete': {
      const at = m.at % Math.max(1, uri.length);
      return uri.slice(0, at) + uri.slice(at + m.length);
    }
    case 'replace': {
      const at = m.at % Math.max(1, uri.length);
      return uri.slice(0, at) + m.piece + uri.slice(at + 1);
    }
    case 'upper': {
      const at = m.at % Math.max(1, uri.length);
      return uri.slice(0, at) + uri.slice(at, at + m.length).toUpperCase() + uri.slice(at + m.length);
    }
    case 'port': {
      // Put a port after the authority (replacing one that is there).
      const match = /^([a-z.]+:\/\/(?:\[[^\]]*\]|[^/:?#]*))(?::\d*)?/i.exec(uri);
      return match ? `${match[1]}:${m.port}${uri.slice(match[0].length)}` : uri;
    }
  }
}

const candidate = (registered: readonly string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...registered), fc.array(mutation, { minLength: 0, maxLength: 3 })).map(([r, ms]) => ms.reduce(apply, r)) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'htps:/[]1270.@\\?#%aexmplcobn:8'.split('')), maxLength: 40 }) },
  );

describe('T-RU-26: redirectUriMatches agrees with the rule (differential, fast-check)', () => {
  for (const [i, registered] of SETS.entries()) {
    it(`registered set ${i + 1}: accepted(u) ⇔ reference(u), and every accepted u parses to a registered origin + path`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(candidate(registered), (u) => {
          const actual = redirectUriMatches(u, registered);
          expect(actual, u).toBe(reference(u, registered));
          if (actual) {
            accepted++;
            expect(parsesToRegistered(u, registered), u).toBe(true);
          }
        }),
        { numRuns: 5000 },
      );
      // The grammar reaches the accepting region too, so the equivalence is tested on both sides.
      expect(accepted).toBeGreaterThan(100);
    });
  }

  it('fixed examples at the edges of the rule (ports 0, 1, 65535, 65536; userinfo; default port; trailing space)', () => {
    const [set] = SETS;
    const cases: [string, boolean][] = [
      ['http://127.0.0.1:1/native', true],
      ['http://127.0.0.1:65535/native', true],
      ['http://127.0.0.1:65536/native', false],
      ['http://127.0.0.1:0/native', false],
      ['http://127.0.0.1:/native', false],
      ['http://127.0.0.1:80@evil.com/native', false],
      ['https://app.example.com:443/cb', false],
      ['https://app.example.com/cb ', false],
    ];
    for (const [u, expected] of cases) expect([u, redirectUriMatches(u, set!)]).toEqual([u, expected]);
    expect(redirectUriMatches('http://[::1]:1/cb', SETS[1]!)).toBe(true);
    expect(redirectUriMatches('http://localhost:1/cb', SETS[1]!)).toBe(false);
  });

  it('RFC 6749 §3.1.2.3: the default redirect URI is the only registered one, or none', () => {
    expect(defaultRedirectUri(['https://a.example/cb'])).toBe('https://a.example/cb');
    expect(defaultRedirectUri([])).toBeUndefined();
    expect(defaultRedirectUri(['https://a.example/cb', 'https://b.example/cb'])).toBeUndefined();
  });
});
