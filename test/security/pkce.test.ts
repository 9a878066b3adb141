// PKCE and authorization codes (security catalogue §4.8 T-PK-01..12, RFC 7636, RFC 9700 §2.1.1,
// D13, spec §2.4): S256 only, required of public clients, no downgrade; a code is redeemed once,
// by its client, within 60 s; a replay revokes what the first redemption issued; codes are stored
// only as digests, in their own table.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectOAuthError, jwt, loginThrough, postToken, rowsOf, sqliteFile } from '../helpers/authorize-flow.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const pair = pkcePair();
const INVALID_CODE = 'Invalid authorization code';
const VERIFIER_FAILED = 'Failed to verify code verifier';

let s: TestServer;
let db: ReturnType<typeof sqliteFile>;
let spa: SeededApp;
let web: SeededApp;
let user: SeededUser;
let browser: TestBrowser;

const authorize = (extra: Record<string, string> = {}, clientId = spa.clientId) =>
  browser.get(authorizeUrl({ client_id: clientId, response_type: 'code', redirect_uri: CB, state: 'st', scope: 'openid', code_challenge: pair.challenge, code_challenge_method: 'S256', ...extra }));

async function newCode(extra: Record<string, string> = {}, clientId = spa.clientId): Promise<string> {
  const res = await authorize(extra, clientId);
  expect(res.statusCode, res.body).toBe(302);
  return locationFields(res).fields.code!;
}

const redeem = (code: string, extra: Record<string, string> = {}, clientId = spa.clientId) =>
  postToken(s, { grant_type: 'authorization_code', client_id: clientId, code, code_verifier: pair.verifier, redirect_uri: CB, ...extra });

/** An error sent back to the callback in the query, exactly. */
function expectQueryError(location: unknown, error: string, description: string): void {
  expect(location).toBe(`${CB}?${new URLSearchParams({ error, error_description: description, state: 'st' }).toString()}`);
}

beforeAll(async () => {
  db = sqliteFile();
  s = await startTestServer({ databaseUrl: db.url });
  spa = await seedApp(s);
  web = await seedApp(s, { name: 'web app', type: 'regular_web' });
  user = await seedLoginUser(s, 'pia@example.com');
  browser = new TestBrowser(s);
  expect((await loginThrough(browser, { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: pair.challenge, code_challenge_method: 'S256' }, user)).statusCode).toBe(302);
});
afterAll(async () => {
  await s.close();
  db.cleanup();
});

describe('T-PK-01..06: the challenge and the verifier', () => {
  it('T-PK-01: a valid S256 pair → 200 with the tokens', async () => {
    const res = await redeem(await newCode());
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json<object>()).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
  });

  it('T-PK-02 (D13): plain, a method without S256 spelling, or no method → invalid_request', async () => {
    for (const method of ['plain', 's256', 'S256 ', 'S512']) {
      expectQueryError((await authorize({ code_challenge_method: method })).headers.location, 'invalid_request', 'code_challenge_method must be S256');
    }
    const params = { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, state: 'st', code_challenge: pair.challenge };
    expectQueryError((await browser.get(authorizeUrl(params))).headers.location, 'invalid_request', 'code_challenge_method must be S256');
  });

  it('T-PK-03 (RFC 7636 §4.4.1): a public client without code_challenge → invalid_request; a method alone too', async () => {
    const base = { client_id: spa.clientId, response_type: 'code', redirect_uri: CB, state: 'st' };
    expectQueryError((await browser.get(authorizeUrl(base))).headers.location, 'invalid_request', 'code_challenge is required: public clients must use PKCE (S256)');
    expectQueryError((await browser.get(authorizeUrl({ ...base, code_challenge_method: 'S256' }))).headers.location, 'invalid_request', 'code_challenge_method was sent without code_challenge');
  });

  it('T-PK-04 (RFC 9700 §2.1.1): a code issued without challenge, redeemed with a verifier → invalid_grant', async () => {
    const res = await browser.get(authorizeUrl({ client_id: web.clientId, response_type: 'code', redirect_uri: CB, state: 'st' }));
    const code = locationFields(res).fields.code!;
    expectOAuthError(await redeem(code, { client_secret: web.clientSecret! }, web.clientId), 403, 'invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge');
  });

  it('T-PK-05: challenge sent, verifier missing or wrong → invalid_grant "Failed to verify code verifier"', async () => {
    const code = await newCode();
    const { code_verifier: _, ...missing } = { grant_type: 'authorization_code', client_id: spa.clientId, code, code_verifier: '', redirect_uri: CB };
    expectOAuthError(await postToken(s, missing), 403, 'invalid_grant', VERIFIER_FAILED);
    expectOAuthError(await redeem(await newCode(), { code_verifier: pkcePair().verifier }), 403, 'invalid_grant', VERIFIER_FAILED);
    // The verifier's characters are compared as they are: not case-folded, not trimmed.
    expectOAuthError(await redeem(await newCode(), { code_verifier: pair.verifier.toUpperCase() }), 403, 'invalid_grant', VERIFIER_FAILED);
  });

  it('T-PK-06: a challenge not of 43 base64url characters → invalid_request', async () => {
    for (const challenge of [pair.challenge.slice(0, 42), `${pair.challenge}A`, `${pair.challenge}=`, 'a'.repeat(129), `${pair.challenge.slice(0, 42)}+`, `${pair.challenge.slice(0, 42)}.`, `${pair.challenge.slice(0, 42)}~`]) {
      expectQueryError((await authorize({ code_challenge: challenge })).headers.location, 'invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the code_verifier');
    }
  });

  it('T-PK-06: a verifier of 42 or 129 characters or outside [A-Za-z0-9-._~] → invalid_grant; 43 and 128 work', async () => {
    const FORMAT = 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~';
    for (const verifier of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}/`, `${'a'.repeat(42)} `, `${'a'.repeat(42)}é`]) {
      expectOAuthError(await redeem(await newCode(), { code_verifier: verifier }), 403, 'invalid_grant', FORMAT);
    }
    for (const length of [43, 128]) {
      const verifier = 'A-._~z9'.repeat(20).slice(0, length);
      const code = await newCode({ code_challenge: createHash('sha256').update(verifier).digest('base64url') });
      expect((await redeem(code, { code_verifier: verifier })).statusCode).toBe(200);
    }
  });
});

describe('T-PK-07..10: one redemption, by its client, in time', () => {
  it('T-PK-07 (RFC 6749 §4.1.2): a replay is refused and revokes the first access token at the Management API', async () => {
    const code = await newCode({ audience: s.tenant.managementAudience, scope: 'openid read:current_user' });
    const first = await redeem(code);
    expect(first.statusCode).toBe(200);
    const api = mgmt(s, first.json<{ access_token: string }>().access_token);
    const path = `/users/${encodeURIComponent(user.userId)}`;
    expect((await api.get(path)).statusCode).toBe(200);
    expectOAuthError(await redeem(code), 403, 'invalid_grant', INVALID_CODE);
    await s.registry.settled();
    const after = await api.get(path);
    expect([after.statusCode, after.json<{ message: string }>().message]).toEqual([401, 'Invalid token']);
  });

  it('T-PK-07: the replay also revokes the refresh token and the /userinfo token of the first redemption', async () => {
    const code = await newCode({ scope: 'openid offline_access' });
    const first = (await redeem(code)).json<{ access_token: string; refresh_token: string }>();
    expect(first.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const userinfo = () => s.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${first.access_token}` } });
    expect((await userinfo()).statusCode).toBe(200);
    expectOAuthError(await redeem(code), 403, 'invalid_grant', INVALID_CODE);
    await s.registry.settled();
    expect((await userinfo()).statusCode).toBe(401);
    expectOAuthError(await postToken(s, { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: first.refresh_token }), 403, 'invalid_grant', 'Unknown or invalid refresh token.');
  });

  it('T-PK-07: a replay that lands while the first redemption is still recording what it issued revokes it all the same (the first still answers)', async () => {
    const code = await newCode({ scope: 'openid offline_access' });
    const codes = s.storage.authCodes;
    const setIssued = codes.setIssued.bind(codes);
    let replay: Awaited<ReturnType<typeof redeem>> | undefined;
    // The replay is sent after the code was consumed and before the first redemption recorded its tokens.
    codes.setIssued = async (...args) => {
      replay = await redeem(code);
      return setIssued(...args);
    };
    let first;
    try {
      first = await redeem(code);
    } finally {
      codes.setIssued = setIssued;
    }
    expectOAuthError(replay!, 403, 'invalid_grant', INVALID_CODE);
    // The redemption that consumed the code answers, with tokens that are revoked already.
    expect(first.statusCode).toBe(200);
    const given = first.json<{ access_token: string; refresh_token: string }>();
    await s.registry.settled();
    expect((await s.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${given.access_token}` } })).statusCode).toBe(401);
    expectOAuthError(await postToken(s, { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: given.refresh_token }), 403, 'invalid_grant', 'Unknown or invalid refresh token.');
    const row = rowsOf(db.file, 'auth_codes').find((r) => r.code_hash === createHash('sha256').update(code).digest('base64url'))!;
    const issued = JSON.parse(String(row.issued)) as { jti: string; refreshTokenFamily: string };
    await s.registry.settled();
    expect((await s.registry.denylist(s.tenant.id)).has(issued.jti)).toBe(true);
    expect(rowsOf(db.file, 'refresh_tokens').filter((r) => r.family_id === issued.refreshTokenFamily).map((r) => r.revoked_at !== null)).toEqual([true]);
  });

  it('T-PK-08: 20 parallel redemptions of one code → exactly one 200', async () => {
    const code = await newCode();
    const answers = await Promise.all(Array.from({ length: 20 }, () => redeem(code)));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(403)]);
    for (const r of answers.filter((a) => a.statusCode === 403)) expectOAuthError(r, 403, 'invalid_grant', INVALID_CODE);
    // The 19 were replays: the one token given is revoked, whenever they landed.
    const token = answers.find((a) => a.statusCode === 200)!.json<{ access_token: string }>().access_token;
    await s.registry.settled();
    expect((await s.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it('T-PK-09: a code redeemed by another client (with valid credentials) → invalid_grant', async () => {
    const other = await seedApp(s, { name: 'other spa' });
    expectOAuthError(await redeem(await newCode(), {}, other.clientId), 403, 'invalid_grant', INVALID_CODE);
    const webCode = locationFields(await browser.get(authorizeUrl({ client_id: web.clientId, response_type: 'code', redirect_uri: CB }))).fields.code!;
    expectOAuthError(await redeem(webCode, { code_verifier: '' }), 403, 'invalid_grant', INVALID_CODE);
    const secondWeb = await seedApp(s, { name: 'web 2', type: 'regular_web' });
    const code = await newCode({}, web.clientId);
    expectOAuthError(await redeem(code, { client_secret: secondWeb.clientSecret! }, secondWeb.clientId), 403, 'invalid_grant', INVALID_CODE);
  });

  it('T-PK-10: a code lives 60 s (frozen clock): at 59 s it works, at 60 s it is refused', async () => {
    const young = await newCode();
    s.clock.advance(59);
    expect((await redeem(young)).statusCode).toBe(200);
    const old = await newCode();
    s.clock.advance(60);
    expectOAuthError(await redeem(old), 403, 'invalid_grant', INVALID_CODE);
  });
});

describe('T-PK-11/12: what is stored, and where', () => {
  it('T-PK-11: codes carry 256 bits, and the auth_codes table holds only their digests', async () => {
    const codes = await Promise.all(Array.from({ length: 5 }, () => newCode()));
    for (const code of codes) expect(Buffer.from(code, 'base64url')).toHaveLength(32);
    const rows = rowsOf(db.file, 'auth_codes');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const dump = JSON.stringify(rows);
    for (const code of codes) expect(dump).not.toContain(code);
    const hashes = new Set(rows.map((r) => r.code_hash));
    for (const code of codes) expect(hashes.has(createHash('sha256').update(code).digest('base64url'))).toBe(true);
  });

  it('T-PK-11: refresh tokens and session cookies are stored as digests too', async () => {
    const body = (await redeem(await newCode({ scope: 'openid offline_access' }))).json<{ refresh_token: string }>();
    const session = browser.cookies.get('__Host-scopeward_session')!;
    const dump = JSON.stringify([rowsOf(db.file, 'refresh_tokens'), rowsOf(db.file, 'login_sessions')]);
    expect(dump).not.toContain(body.refresh_token);
    expect(dump).not.toContain(session);
  });

  it('T-PK-12: a refresh token, a session cookie or a login transaction id is never accepted as a code, nor a code as a refresh token', async () => {
    const { refresh_token, access_token } = (await redeem(await newCode({ scope: 'openid offline_access' }))).json<{ refresh_token: string; access_token: string }>();
    const transaction = String((await new TestBrowser(s).get(authorizeUrl({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, code_challenge: pair.challenge, code_challenge_method: 'S256' }))).headers.location).split('state=')[1]!;
    for (const value of [refresh_token, browser.cookies.get('__Host-scopeward_session')!, decodeURIComponent(transaction), access_token, jwt(access_token).claims.jti as string]) {
      expectOAuthError(await redeem(value), 403, 'invalid_grant', INVALID_CODE);
    }
    expectOAuthError(await postToken(s, { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: await newCode() }), 403, 'invalid_grant', 'Unknown or invalid refresh token.');
  });
});
