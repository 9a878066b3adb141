// T-TOK-16 (security catalogue §4.1): whatever arrives at /oauth/token — any method, encoding,
// Content-Type, parameters, values and Authorization header — the answer keeps the token endpoint
// contract, is never 5xx, and is a 200 only for a client's own secret on an audience it holds a
// grant for. Storage only ever sees string ids.
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { assertTokenContract, basicHeader, issued } from '../helpers/token-contract.ts';
import { adminFor, createApi } from '../helpers/admin-api.ts';

const CC = 'client_credentials';
const API_B = 'https://b.example.com/';

let s: TestServer;
let a: M2M;
let b: M2M;
let MGMT: string;

beforeAll(async () => {
  s = await startTestServer();
  MGMT = s.tenant.managementAudience;
  await createApi(await adminFor(s), { identifier: API_B, scopes: [{ value: 'read:b' }, { value: 'write:b' }] });
  a = await seedM2M(s, ['read:clients', 'read:users'], { audience: MGMT, name: 'client a' });
  b = await seedM2M(s, ['read:b'], { audience: API_B, name: 'client b' });
});
afterAll(async () => s.close());

const printable = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

type Entry = [string, string];

interface Req {
  method: 'POST' | 'GET' | 'PUT' | 'DELETE' | 'PATCH';
  encoding: 'form' | 'json' | 'json-any' | 'raw';
  entries: Entry[];
  anyJson: unknown;
  raw: string;
  contentType: string | undefined;
  /** Whether contentType replaces the one the encoding implies (raw bodies always use it). */
  overrideType: boolean;
  authorization: string | undefined;
  query: Entry[];
}

function arbitraries() {
  const KEYS = ['grant_type', 'client_id', 'client_secret', 'audience', 'scope', 'client_assertion', 'test', '__proto__', 'constructor', 'client_id[]', 'a.b'];
  const VALUES = [CC, a.clientId, a.clientSecret, b.clientId, b.clientSecret, MGMT, API_B, 'read:clients', 'read:b write:b', 'create:users', ''];
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  );
  const entry = fc.tuple(key, value);
  const validOf = (c: M2M, audience: string): Entry[] => [
    ['grant_type', CC],
    ['client_id', c.clientId],
    ['client_secret', c.clientSecret],
    ['audience', audience],
  ];
  // Near-valid requests reach the deep branches: a subset of a valid request plus random extras.
  const nearValid = fc
    .tuple(fc.constantFrom(validOf(a, MGMT), validOf(b, API_B), validOf(a, API_B), validOf(b, MGMT)), fc.array(entry, { maxLength: 3 }))
    .chain(([base, extra]) => fc.tuple(fc.subarray(base, { minLength: 2 }), fc.constant(extra)))
    .chain(([base, extra]) => fc.shuffledSubarray([...base, ...extra], { minLength: base.length }));
  const authorization = fc.option(
    fc.oneof(
      fc.constantFrom(a, b).map((c) => basicHeader(c.clientId, c.clientSecret)),
      fc.tuple(printable(20), printable(20)).map(([id, secret]) => basicHeader(id, secret, false)),
      printable(30).map((x) => `Basic ${x}`),
      printable(40),
    ),
    { nil: undefined, freq: 2 },
  );
  return fc.record<Req>({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('POST' as const) }, { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }),
    encoding: fc.constantFrom('form', 'form', 'json', 'json', 'json-any', 'raw'),
    entries: fc.oneof(
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(validOf(a, MGMT), validOf(b, API_B)), fc.array(entry, { maxLength: 2 })).map(([v, extra]) => [...v, ...extra]) },
      { weight: 3, arbitrary: nearValid },
      { weight: 1, arbitrary: fc.array(entry, { maxLength: 8 }) },
    ),
    anyJson: fc.jsonValue({ maxDepth: 3 }),
    raw: fc.string({ maxLength: 60 }),
    contentType: fc.option(
      fc.oneof(
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data'),
        printable(40),
      ),
      { nil: undefined },
    ),
    overrideType: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    authorization,
    query: fc.oneof({ weight: 5, arbitrary: fc.constant<Entry[]>([]) }, { weight: 1, arbitrary: fc.array(entry, { minLength: 1, maxLength: 2 }) }),
  });
}

function build(r: Req): InjectOptions {
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (r.encoding === 'form') {
    payload = new URLSearchParams(r.entries).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (r.encoding === 'json') {
    payload = JSON.stringify(Object.fromEntries(r.entries));
    headers['content-type'] = 'application/json';
  } else if (r.encoding === 'json-any') {
    payload = JSON.stringify(r.anyJson);
    headers['content-type'] = 'application/json';
  } else {
    payload = r.raw;
  }
  if (r.contentType !== undefined && (r.encoding === 'raw' || r.overrideType)) headers['content-type'] = r.contentType;
  if (r.authorization !== undefined) headers.authorization = r.authorization;
  const query = r.query.length > 0 ? `?${new URLSearchParams(r.query).toString()}` : '';
  return { method: r.method, url: `/oauth/token${query}`, headers, ...(r.method === 'GET' ? {} : { payload }) };
}

/** The secrets a request presented (body fields and Basic), however they were encoded. */
function presented(r: Req): string[] {
  const out = r.encoding === 'form' || r.encoding === 'json' ? r.entries.filter(([k]) => k === 'client_secret').map(([, v]) => v) : [];
  if (r.authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(r.authorization.slice(6), 'base64').toString('utf8');
    try {
      out.push(decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1).replace(/\+/g, ' ')));
    } catch {
      // Not App. B encoded: cannot be a valid secret.
    }
  }
  return out;
}

test('T-TOK-16: arbitrary requests keep the contract, never 5xx, 200 only for own secret on a granted audience', async () => {
  const grants = new Map([
    [`${a.clientId} ${MGMT}`, { secret: a.clientSecret, scopes: ['read:clients', 'read:users'] }],
    [`${b.clientId} ${API_B}`, { secret: b.clientSecret, scopes: ['read:b'] }],
  ]);
  const lookups = vi.spyOn(s.storage.clients, 'get');
  const seen = new Map<number, number>();

  await fc.assert(
    fc.asyncProperty(arbitraries(), async (r) => {
      const res = await s.inject(build(r));
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      // Auth0's texts quote grant_type and audience back (spec §2.2), so a secret the request itself
      // put into one of those fields may come back; a secret from anywhere else never may.
      const echoedInputs = new Set([...r.entries, ...r.query].filter(([k]) => k !== 'client_secret').map(([, v]) => v));
      assertTokenContract(res, [a.clientSecret, b.clientSecret].filter((secret) => !echoedInputs.has(secret)));
      if (res.statusCode !== 200) return;
      const { claims } = issued(res);
      const grant = grants.get(`${String(claims.azp)} ${String(claims.aud)}`);
      expect(grant, 'a token for a (client, audience) without a grant').toBeDefined();
      expect(r.method).toBe('POST');
      expect(presented(r)).toContain(grant!.secret);
      for (const scope of claims.scope?.split(' ') ?? []) expect(grant!.scopes).toContain(scope);
    }),
    { numRuns: 300 },
  );

  for (const call of lookups.mock.calls) expect(call.map((arg) => typeof arg)).toEqual(['string', 'string']);
  // The oracle must have been exercised on both sides.
  expect(seen.get(200) ?? 0).toBeGreaterThan(0);
  expect([...seen.keys()].filter((k) => k !== 200).length).toBeGreaterThan(2);
});
