// S10 (issue 9; T-OUT-09, security catalogue §4.17): a JSON body nested 10,000 deep (20 KB) on
// PATCH /api/v2/users/{id} answered 500 "Maximum call stack size exceeded" (the NUL walk in
// http/validation.ts). Every JSON body, on every endpoint, is now measured before it is parsed
// (one pass, no recursion) and refused past MAX_JSON_DEPTH levels: Auth0's 400 body on the
// Management API, the OAuth error body on the Authentication API, our HTML page on the login pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/http/body.ts';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedM2M, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8 } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const TOO_DEEP = `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`;
/** `{"a":{"a":…1…}}` with `levels` objects. */
const nested = (levels: number, leaf = '1'): string => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
const arrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('nestsDeeperThan: one pass over the text, strings skipped', () => {
  it('counts objects and arrays, mixed, up to the limit and one past it', () => {
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(`[${'{"a":['.repeat(32)}1${']}'.repeat(32)}]`, MAX_JSON_DEPTH)).toBe(true);
    // Depth, not count: many siblings at one level are fine.
    expect(nestsDeeperThan(`[${'[],'.repeat(10_000)}[]]`, MAX_JSON_DEPTH)).toBe(false);
  });

  it('brackets inside strings, escaped quotes included, do not count', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '['.repeat(1000) }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: `\\"${'{'.repeat(100)}` }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify([`"]]]]`, [[['x']]]]), 3)).toBe(true);
    // Unterminated strings and stray closers are the parser's business (no valid JSON has them).
    expect(nestsDeeperThan('{"a":"[[[[[', 2)).toBe(false);
    expect(nestsDeeperThan(']]]][[[', 2)).toBe(false);
  });
});

describe('S10: over-deep JSON bodies are refused with 400 before any recursive walk', () => {
  let s: TestServer;
  let userId: string;

  beforeAll(async () => {
    s = await startTestServer();
    userId = (await seedUser(s, { email: 'deep@example.com', userMetadata: { kept: 'yes' } })).userId;
  });
  afterAll(() => s.close());

  const send = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload: string, headers: Record<string, string> = {}) =>
    s.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, payload });

  it('the issue\'s repro: PATCH /users/{id} with user_metadata 10,000 deep (20 KB) is 400 invalid_body and changes nothing', async () => {
    const token = await mgmtToken(s, ['update:users', 'read:users']);
    const body = `{"user_metadata":${arrays(10_000)}}`;
    expect(body.length).toBeGreaterThan(20_000);
    const res = await send('PATCH', `/api/v2/users/${encodeURIComponent(userId)}`, body, { authorization: `Bearer ${token}` });
    expectMgmtError(res, 400, TOO_DEEP, 'invalid_body');
    const after = await s.inject({ method: 'GET', url: `/api/v2/users/${encodeURIComponent(userId)}`, headers: { authorization: `Bearer ${token}` } });
    expect(after.json<{ user_metadata: unknown }>().user_metadata).toStrictEqual({ kept: 'yes' });
    expect(s.logs.join('')).not.toContain('Maximum call stack size exceeded');
  });

  it('every Management API route that takes a body refuses one nested past the limit, with Auth0\'s 400 body', async () => {
    const routes = MANAGEMENT_ROUTES.filter((r) => r.schema.body);
    expect(routes.length).toBeGreaterThan(10);
    const token = await mgmtToken(s, [...new Set(routes.flatMap((r) => r.scopes))]);
    for (const route of routes) {
      const url = `/api/v2${route.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' && route.url.startsWith('/users') ? encodeURIComponent(userId) : 'x'))}`;
      const res = await send(route.method as 'POST' | 'PATCH' | 'PUT' | 'DELETE', url, `{"name":${nested(MAX_JSON_DEPTH)}}`, { authorization: `Bearer ${token}` });
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({
        route: `${route.method} ${route.url}`,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: TOO_DEEP, errorCode: 'invalid_body' },
      });
    }
  });

  it('a body at the limit is parsed and reaches validation; brackets inside strings never count', async () => {
    const token = await mgmtToken(s, ['create:clients']);
    const auth = { authorization: `Bearer ${token}` };
    // MAX_JSON_DEPTH levels in all (the root object is one): parsed, then refused by the schema.
    const atLimit = await send('POST', '/api/v2/clients', `{"name":"x","deep":${arrays(MAX_JSON_DEPTH - 1)}}`, auth);
    expectMgmtError(atLimit, 400, "Payload validation error: 'Additional properties not allowed: deep'.", 'invalid_body');
    const created = await send('POST', '/api/v2/clients', JSON.stringify({ name: `${'['.repeat(100)}${'{'.repeat(100)}` }), auth);
    expect(created.statusCode).toBe(201);
    // A NUL at the deepest level still reaches the NUL rule of http/validation.ts, which walks the whole value.
    const nul = await send('POST', '/api/v2/clients', `{"name":"x","client_metadata":{"a":"\\u0000"}}`, auth);
    expect(nul.statusCode).toBe(400);
  });

  it('Authentication API: /oauth/token, /oauth/revoke and /userinfo answer the OAuth error body, no-store (T-TOK-03\'s text)', async () => {
    const m2m = await seedM2M(s, ['read:clients']);
    // One level too many (the 10,000-deep body is over /oauth/revoke's 16 KB limit: 413 before parsing).
    const deep = `{"grant_type":"client_credentials","client_id":"${m2m.clientId}","client_secret":"${m2m.clientSecret}","audience":${arrays(MAX_JSON_DEPTH)}}`;
    for (const url of ['/oauth/token', '/oauth/revoke', '/userinfo']) {
      const res = await send('POST', url, deep);
      expect({ url, status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ url, status: 400, body: { error: 'invalid_request', error_description: 'The request body could not be parsed' } });
      expect(res.headers['content-type']).toBe(JSON_UTF8);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('the login and sign-up pages answer our HTML error page', async () => {
    for (const url of ['/u/login', '/u/signup']) {
      const res = await send('POST', url, `{"state":"x","username":${arrays(MAX_JSON_DEPTH + 1)}}`, { 'sec-fetch-site': 'same-origin' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain(`<p class="sub">${TOO_DEEP}</p>`);
    }
  });
});
