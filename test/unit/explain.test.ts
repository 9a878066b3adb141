// The explorer's plain sentences for refused calls (dashboard/src/lib/explain.ts), fed with the
// bodies the server really sends: each case makes the refusal happen on an in-process server and
// explains its answer, so a change to a server text (src/management/errors.ts) fails here. Also
// the unverified JWT decoder the explorer and the token debugger share (dashboard/src/lib/jwt.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, formatInstant, parseRejection, REJECTION_HEADER, relative, tokenProblems } from '../../dashboard/src/lib/explain.ts';
import { decodeJwt } from '../../dashboard/src/lib/jwt.ts';
import { REJECTION_HEADER as SERVER_REJECTION_HEADER } from '../../src/management/auth.ts';
import { TEXT } from '../../src/management/errors.ts';
import { b64url, currentSigningKey, signRs256 } from '../helpers/craft-jwt.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';

const CLIENT_READ = ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'];

let s: TestServer;
let app: M2M;
let audience: string;

beforeAll(async () => {
  s = await startTestServer();
  audience = s.tenant.managementAudience;
  app = await seedM2M(s, ['read:users', 'update:clients', 'create:signing_keys', 'blacklist:tokens']);
});
afterAll(() => s.close());

/** Calls the Management API with `token` (none when undefined) and explains the answer. */
async function explained(method: 'GET' | 'POST' | 'PATCH', url: string, token: string | undefined, payload?: Record<string, unknown>): Promise<{ status: number; sentence: string | undefined }> {
  const res = await s.inject({ method, url: `/api/v2${url}`, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
  const body: unknown = res.body === '' ? undefined : res.json();
  const sentence = explain({ status: res.statusCode, body, token: token === undefined ? undefined : decodeJwt(token), now: s.clock.now(), audience, scopes: CLIENT_READ, timeZone: 'UTC' });
  return { status: res.statusCode, sentence };
}

describe('explain(): why the Management API refused a call, in one sentence', () => {
  it('401 Missing authentication: no token was set', async () => {
    expect(await explained('GET', '/clients', undefined)).toStrictEqual({ status: 401, sentence: 'No token was sent: paste one under Set API Token.' });
  });

  it('400 Bad HTTP authentication header format: the token is not a JWT', async () => {
    expect(await explained('GET', '/clients', 'not-a-jwt')).toStrictEqual({ status: 400, sentence: 'The Authorization header must be "Bearer" followed by a JWT; this token is not a JWT.' });
  });

  it('403 Insufficient scope (any of): the scopes needed and the scopes held', async () => {
    const token = await tokenFor(s, app, audience, 'read:users');
    expect(await explained('GET', '/clients', token)).toStrictEqual({
      status: 403,
      sentence: 'This endpoint needs one of read:clients, read:client_keys, read:client_credentials, read:client_summary; the token has read:users.',
    });
  });

  it('403 Insufficient scope (all of): rotating signing keys needs both scopes', async () => {
    const token = await tokenFor(s, app, audience, 'create:signing_keys');
    expect(await explained('POST', '/keys/signing/rotate', token)).toStrictEqual({ status: 403, sentence: 'This endpoint needs all of create:signing_keys, update:signing_keys; the token has create:signing_keys.' });
  });

  it('403 for a field the scopes do not cover', async () => {
    const token = await tokenFor(s, app, audience, 'update:clients');
    expect(await explained('PATCH', `/clients/${app.clientId}`, token, { client_secret: 'a'.repeat(48) })).toStrictEqual({
      status: 403,
      sentence: "The token's scopes do not allow changing some of these fields: client_secret requires update:client_keys or update:client_credentials.",
    });
  });

  it("403 a user's token acting on another user: names the token's own user", async () => {
    const token = await userToken(s, 'auth0|me', ['read:current_user']);
    expect(await explained('GET', '/users/auth0%7Csomeone-else', token)).toStrictEqual({ status: 403, sentence: "This call may only act on the token's own user (auth0|me); the request names another user." });
  });

  it('401 Bad audience: the audience the token has and the one it needs', async () => {
    const key = await currentSigningKey(s, s.tenant.domain);
    const now = Math.floor(s.clock.now() / 1000);
    const token = signRs256(key, { iss: s.tenant.issuer, sub: 'x@clients', aud: 'https://api.example.com/', iat: now, exp: now + 600, scope: 'read:clients' });
    expect(await explained('GET', '/clients', token)).toStrictEqual({ status: 401, sentence: 'The token is for https://api.example.com/, not https://tenant-a.test/api/v2/.' });
  });

  it('401 Invalid signature', async () => {
    const [h, p] = (await tokenFor(s, app, audience, 'read:users')).split('.');
    expect(await explained('GET', '/clients', `${h}.${p}.${b64url('not the signature')}`)).toStrictEqual({ status: 401, sentence: "The token's signature does not match this tenant's keys." });
  });

  it("401 Invalid token for another tenant's token: says which tenant issued it", async () => {
    const other = await s.addTenant('explain-b', 'tenant-b.test');
    const key = await currentSigningKey(s, other.domain);
    const now = Math.floor(s.clock.now() / 1000);
    const token = signRs256(key, { iss: other.issuer, sub: 'x@clients', aud: other.managementAudience, iat: now, exp: now + 600, scope: 'read:clients' });
    expect(await explained('GET', '/clients', token)).toStrictEqual({
      status: 401,
      sentence: 'The token was issued by https://tenant-b.test/, not by this tenant (https://tenant-a.test/). The token is for https://tenant-b.test/api/v2/, not https://tenant-a.test/api/v2/.',
    });
  });

  it('401 Invalid token for a revoked token: the causes the browser cannot see, with the kid', async () => {
    const revoker = await tokenFor(s, app, audience, 'blacklist:tokens');
    const token = await tokenFor(s, app, audience, 'read:users');
    const { header, payload } = decodeJwt(token)!;
    const denied = await s.inject({ method: 'POST', url: '/api/v2/blacklists/tokens', headers: { authorization: `Bearer ${revoker}` }, payload: { aud: audience, jti: payload.jti } });
    expect(denied.statusCode).toBe(204);
    expect(await explained('GET', '/users', token)).toStrictEqual({
      status: 401,
      sentence: `The token looks right but the server does not accept it: it was revoked, its application was deleted, or the key that signed it (kid ${String(header.kid)}) is no longer published by this tenant.`,
    });
  });

  it('401 Expired token: when, in local time, and how long ago', async () => {
    const token = await mgmtToken(s, ['read:clients']);
    const exp = decodeJwt(token)!.payload.exp as number;
    const start = s.clock.now();
    try {
      s.clock.set(exp * 1000 + 180_000);
      expect(await explained('GET', '/clients', token)).toStrictEqual({ status: 401, sentence: `The token expired at ${formatInstant(exp, s.clock.now(), 'UTC')} (3 minutes ago).` });
      expect(formatInstant(exp, s.clock.now(), 'UTC')).toBe('2026-11-02 12:00:00 UTC');
    } finally {
      s.clock.set(start);
    }
  });

  it('HS256 refusals (legacy tokens), from the texts the server sends', () => {
    const token = decodeJwt(`${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ aud: 'not-the-global-client' }))}.x`);
    const base = { token, now: s.clock.now(), audience };
    expect(explain({ ...base, status: 401, body: { statusCode: 401, error: 'Unauthorized', message: TEXT.notGlobal } })).toBe("This HS256 (legacy) token's audience (not-the-global-client) is not the tenant's Global Client Id.");
    expect(explain({ ...base, status: 401, body: { statusCode: 401, error: 'Unauthorized', message: TEXT.invalidSignature } })).toBe(
      "The token's signature does not match this tenant's keys. An HS256 token must be signed with the base64-decoded Global Client Secret.",
    );
  });

  it('says nothing about answers that are not refusals', () => {
    const base = { token: undefined, now: 0, audience };
    expect(explain({ ...base, status: 200, body: [] })).toBeUndefined();
    expect(explain({ ...base, status: 404, body: { statusCode: 404, error: 'Not Found', message: TEXT.clientNotFound, errorCode: 'inexistent_client' } })).toBeUndefined();
    expect(explain({ ...base, status: 403, body: 'not json' })).toBeUndefined();
  });
});

describe('explain() with the claim the server names (its rejection header), for an "Invalid token"', () => {
  const INVALID = { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } };

  /** Calls GET /clients with `token`: Auth0's body stays "Invalid token"; the header names the claim, and the sentence says it. */
  async function named(token: string): Promise<{ body: unknown; header: unknown; sentence: string | undefined }> {
    const res = await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${token}` } });
    const header = res.headers[REJECTION_HEADER];
    const sentence = explain({ status: res.statusCode, body: res.json(), token: decodeJwt(token), now: s.clock.now(), audience, timeZone: 'UTC', rejection: parseRejection(header) });
    return { body: res.json(), header, sentence };
  }

  it('the explorer and the server name the same header', () => {
    expect(REJECTION_HEADER).toBe(SERVER_REJECTION_HEADER);
  });

  it('a revoked token: its jti is on the denylist', async () => {
    const revoker = await tokenFor(s, app, audience, 'blacklist:tokens');
    const token = await tokenFor(s, app, audience, 'read:users');
    const jti = decodeJwt(token)!.payload.jti as string;
    expect((await s.inject({ method: 'POST', url: '/api/v2/blacklists/tokens', headers: { authorization: `Bearer ${revoker}` }, payload: { aud: audience, jti } })).statusCode).toBe(204);
    expect(await named(token)).toStrictEqual({ body: INVALID, header: 'reason=revoked; claim=jti; kind=check_failed', sentence: `The token was revoked: its jti (${jti}) is on this tenant's denylist.` });
  });

  it("another tenant's key: its kid; our key with another issuer: its iss", async () => {
    const other = await s.addTenant('explain-c', 'tenant-c.test');
    const key = await currentSigningKey(s, other.domain);
    const now = Math.floor(s.clock.now() / 1000);
    const token = signRs256(key, { iss: other.issuer, sub: 'x@clients', aud: audience, iat: now, exp: now + 600, scope: 'read:clients' });
    expect(await named(token)).toStrictEqual({
      body: INVALID,
      header: 'reason=unknown_key; claim=kid; kind=check_failed',
      sentence: `The key that signed the token (kid ${key.kid}) is not published by this tenant: it was revoked, or the token comes from elsewhere.`,
    });
    const ours = signRs256(await currentSigningKey(s, s.tenant.domain), { iss: other.issuer, sub: 'x@clients', aud: audience, iat: now, exp: now + 600 });
    expect(await named(ours)).toStrictEqual({
      body: INVALID,
      header: 'reason=issuer; claim=iss; kind=check_failed',
      sentence: "The token's iss (https://tenant-c.test/) does not match this tenant's issuer (https://tenant-a.test/).",
    });
  });

  it('a token of a deleted application: its azp', async () => {
    const doomed = await seedM2M(s, ['read:clients'], { audience, name: 'doomed app' });
    const token = await tokenFor(s, doomed, audience);
    const deleter = await tokenFor(s, await seedM2M(s, ['delete:clients']), audience);
    expect((await s.inject({ method: 'DELETE', url: `/api/v2/clients/${doomed.clientId}`, headers: { authorization: `Bearer ${deleter}` } })).statusCode).toBe(204);
    await s.registry.settled();
    expect(await named(token)).toStrictEqual({
      body: INVALID,
      header: 'reason=unknown_client; claim=azp; kind=check_failed',
      sentence: `The application the token was issued to (azp ${doomed.clientId}) no longer exists.`,
    });
  });

  it('a claim of the wrong type, and one missing', async () => {
    const key = await currentSigningKey(s, s.tenant.domain);
    const now = Math.floor(s.clock.now() / 1000);
    const claims = { iss: s.tenant.issuer, sub: 'x@clients', aud: audience, iat: now, exp: now + 600 };
    expect(await named(signRs256(key, { ...claims, scope: ['read:clients'] }))).toStrictEqual({
      body: INVALID,
      header: 'reason=invalid_claim; claim=scope; kind=invalid',
      sentence: 'The token\'s scope (["read:clients"]) is not a string.',
    });
    const { exp: _exp, ...noExpiry } = claims;
    expect(await named(signRs256(key, noExpiry))).toStrictEqual({ body: INVALID, header: 'reason=missing_claim; claim=exp; kind=missing', sentence: 'The token has no exp claim, and the server requires one.' });
  });

  it('parseRejection: reads the header, ignores what it cannot read', () => {
    expect(parseRejection('reason=signature; kind=check_failed')).toStrictEqual({ reason: 'signature', claim: undefined, kind: 'check_failed' });
    expect([parseRejection(undefined), parseRejection('nonsense'), parseRejection('reason=revoked')]).toStrictEqual([undefined, undefined, undefined]);
  });
});

describe('tokenProblems(): what a token shows before it is sent', () => {
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  const jwt = (header: Record<string, unknown>, payload: Record<string, unknown>) => decodeJwt(`${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.sig`)!;

  it('a good token for this audience has none', () => {
    expect(tokenProblems(jwt({ alg: 'RS256' }, { iss: 'https://tenant-a.test/', aud: [audience, 'https://tenant-a.test/userinfo'], exp: now / 1000 + 60 }), now, audience)).toStrictEqual([]);
  });

  it('an ID token, an unaccepted alg, a future iat and an expiry on another day', () => {
    const problems = tokenProblems(jwt({ alg: 'none' }, { iss: 'https://tenant-a.test/', aud: audience, nonce: 'n', iat: now / 1000 + 3600, exp: now / 1000 - 2 * 86_400 }), now, audience, 'UTC');
    expect(problems).toStrictEqual([
      'The token is signed with none; the Management API accepts RS256 (and HS256 legacy tokens).',
      'This is an ID token; the Management API takes access tokens.',
      'The token expired at 2026-10-30 12:00:00 UTC (2 days ago).',
      'The token is not valid until 2026-11-01 13:00:00 UTC (in 1 hour).',
    ]);
  });

  it('relative times', () => {
    expect(relative(now / 1000, now)).toBe('just now');
    expect(relative(now / 1000 - 1, now)).toBe('1 second ago');
    expect(relative(now / 1000 + 125, now)).toBe('in 2 minutes');
  });
});

describe('decodeJwt(): header and payload, unverified', () => {
  it('reads base64url JSON with UTF-8 text, ignoring "Bearer " and spaces around', () => {
    const token = `${b64url('{"alg":"RS256"}')}.${b64url('{"name":"Zoë ✓"}')}.sig`;
    expect(decodeJwt(`  Bearer ${token}\n`)).toStrictEqual({ header: { alg: 'RS256' }, payload: { name: 'Zoë ✓' } });
  });

  it.each([
    ['two segments', `${b64url('{}')}.${b64url('{}')}`],
    ['not base64url', `${b64url('{}')}.a+b/.sig`],
    ['not JSON', `${b64url('{}')}.${b64url('hello')}.sig`],
    ['a JSON array', `${b64url('{}')}.${b64url('[1]')}.sig`],
    ['invalid UTF-8', `${b64url('{}')}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.sig`],
  ])('%s → undefined', (_name, token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });
});
