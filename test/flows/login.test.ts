// The login page (issue #4): by email or username, one message for a wrong password and an
// unknown user (T-RL-11), Auth0's brute-force protection (T-RL-01/02: 10 consecutive failures
// block that user from that address only, until an administrator unblocks it), and the tenant
// log entries of the browser flows (spec §3.5.9 codes), read through GET /api/v2/logs.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, loginThrough, mainOf, postToken } from '../helpers/authorize-flow.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectNoContent, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const WRONG = 'Wrong email or password.';
const BLOCKED = 'Your account has been blocked after multiple consecutive login attempts. Ask an administrator of this tenant to unblock it.';
const { challenge, verifier } = pkcePair();

let s: TestServer;
let spa: SeededApp;
let user: SeededUser;
let admin: MgmtCaller;

const params = (extra: Record<string, string> = {}) => ({ client_id: spa.clientId, response_type: 'code', redirect_uri: CB, state: 'st', scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256', ...extra });

/** One login attempt from `ip` with a fresh transaction. */
async function attempt(username: string, password: string, ip = '203.0.113.10'): Promise<LightMyRequestResponse> {
  return loginThrough(new TestBrowser(s, ip), params(), { email: username, password });
}
/** The error paragraph of a re-shown login page (status 400), or undefined for a redirect. */
function errorOf(res: LightMyRequestResponse): string | undefined {
  if (res.statusCode === 302) return undefined;
  expect(res.statusCode).toBe(400);
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(mainOf(res.body))?.[1];
}
const succeeded = (res: LightMyRequestResponse) => res.statusCode === 302 && String(res.headers.location).startsWith(`${CB}?code=`);

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s, { name: 'Login app' });
  user = await seedLoginUser(s, 'mara@example.com', 'Correct-Horse-7', { username: 'mara_k' });
  admin = mgmt(s, await mgmtToken(s, ['read:users', 'update:users', 'read:logs']));
});
afterAll(() => s.close());

describe('logging in', () => {
  it('by email (any case) and by username', async () => {
    expect(succeeded(await attempt('mara@example.com', user.password))).toBe(true);
    expect(succeeded(await attempt('Mara@Example.COM', user.password))).toBe(true);
    expect(succeeded(await attempt('mara_k', user.password))).toBe(true);
  });

  it('T-RL-11: a wrong password and an unknown user get the same page and message', async () => {
    const wrong = await attempt('mara@example.com', 'not-it');
    const unknown = await attempt('nobody@example.com', 'not-it');
    expect([errorOf(wrong), errorOf(unknown)]).toEqual([WRONG, WRONG]);
    const strip = (r: LightMyRequestResponse) => mainOf(r.body).replace(/name="state" value="[^"]*"/, '').replace(/state=[^"]*"/, '').replace(/ value="[^"]*">/, '>');
    expect(strip(wrong)).toBe(strip(unknown));
  });

  it('empty fields: one message; an administrator-blocked user: "This user is blocked"', async () => {
    expect(errorOf(await attempt('mara@example.com', ''))).toBe('Enter your email (or username) and your password.');
    const blocked = await seedLoginUser(s, 'blocked@example.com', 'Correct-Horse-7', { blocked: true });
    expect(errorOf(await attempt(blocked.email, blocked.password))).toBe('This user is blocked. Ask an administrator of this tenant to unblock it.');
  });
});

describe('T-RL-01/02: brute-force protection (10 consecutive failures per user and address)', () => {
  it('blocks that user from that address only; the right password is refused while blocked; an administrator unblocks', async () => {
    const victim = await seedLoginUser(s, 'vic@example.com');
    const A = '203.0.113.66';
    for (let i = 1; i <= 9; i++) expect(errorOf(await attempt(victim.email, `wrong-${i}`, A))).toBe(WRONG);
    expect(errorOf(await attempt(victim.email, 'wrong-10', A))).toBe(BLOCKED);
    expect(errorOf(await attempt(victim.email, victim.password, A))).toBe(BLOCKED);
    expect(succeeded(await attempt(victim.email, victim.password, '203.0.113.67'))).toBe(true);
    // Another user from the blocked address is not affected.
    expect(succeeded(await attempt(user.email, user.password, A))).toBe(true);

    const path = `/user-blocks/${encodeURIComponent(victim.userId)}`;
    expect((await admin.get(path)).json()).toStrictEqual({ blocked_for: [{ identifier: 'vic@example.com', ip: A }] });
    expectNoContent(await admin.del(path));
    expect((await admin.get(path)).json()).toStrictEqual({ blocked_for: [] });
    expect(succeeded(await attempt(victim.email, victim.password, A))).toBe(true);
  });

  it('only consecutive failures count: a success in between starts the count again', async () => {
    const u = await seedLoginUser(s, 'again@example.com');
    for (let i = 0; i < 9; i++) await attempt(u.email, 'nope', '203.0.113.70');
    expect(succeeded(await attempt(u.email, u.password, '203.0.113.70'))).toBe(true);
    for (let i = 0; i < 9; i++) expect(errorOf(await attempt(u.email, 'nope', '203.0.113.70'))).toBe(WRONG);
    expect(succeeded(await attempt(u.email, u.password, '203.0.113.70'))).toBe(true);
  });
});

describe('spec §3.5.9: tenant log entries of the browser flows', () => {
  it('s, seacft, sertft, ssa, fsa, fp, fu, fs, ss and slo, with who, what and from where', async () => {
    const ip = '198.51.100.77';
    const browser = new TestBrowser(s, ip);
    const code = locationFields(await loginThrough(browser, params(), user)).fields.code!;
    const tokens = (await postToken(s, { grant_type: 'authorization_code', client_id: spa.clientId, code, code_verifier: verifier, redirect_uri: CB }, {}, ip)).json<{ refresh_token: string }>();
    expect((await postToken(s, { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: tokens.refresh_token }, {}, ip)).statusCode).toBe(200);
    expect((await browser.get(authorizeUrl(params({ prompt: 'none' })))).statusCode).toBe(302);
    await new TestBrowser(s, ip).get(authorizeUrl(params({ prompt: 'none' })));
    await attempt('mara@example.com', 'bad', ip);
    await attempt('ghost@example.com', 'bad', ip);
    const other = new TestBrowser(s, ip);
    const state = loginState(await other.get(authorizeUrl(params({ screen_hint: 'signup' }))));
    expect(errorOf(await other.post('/u/signup', { state, username: 'weak@example.com', password: 'short' }))).toMatch(/^Password is too weak/);
    expect((await other.post('/u/signup', { state, username: 'newbie@example.com', password: 'Str0ng-Passw0rd!' })).statusCode).toBe(302);
    expect((await browser.get(`/v2/logout?client_id=${spa.clientId}`)).statusCode).toBe(302);

    await s.audit.flush();
    const since = new Date(s.clock.now() - 1000).toISOString();
    const res = await admin.get(`/logs?per_page=100&q=${encodeURIComponent(`ip:"${ip}" AND date:[${since} TO *]`)}`);
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json<Record<string, unknown>[]>().reverse();
    const newbie = (await s.storage.users.getByEmail(s.tenant.id, 'Username-Password-Authentication', 'newbie@example.com'))!;
    const seen = entries.map((e) => [e.type, e.description, e.client_id, e.user_id, e.user_name]);
    expect(seen).toEqual([
      ['s', 'Successful login', spa.clientId, user.userId, 'mara@example.com'],
      ['seacft', 'Authorization Code for Access Token', spa.clientId, user.userId, 'mara@example.com'],
      ['sertft', 'Refresh Token for Access Token', spa.clientId, user.userId, 'mara@example.com'],
      ['ssa', 'Successful silent authentication', spa.clientId, user.userId, 'mara@example.com'],
      ['fsa', 'Login required', spa.clientId, '', ''],
      ['fp', WRONG, spa.clientId, user.userId, 'mara@example.com'],
      ['fu', WRONG, spa.clientId, '', 'ghost@example.com'],
      ['fs', 'Password is too weak: use at least 8 characters, with 3 of lower case, upper case, digits and symbols.', spa.clientId, '', 'weak@example.com'],
      ['ss', 'Successful signup', spa.clientId, newbie.userId, 'newbie@example.com'],
      ['slo', 'Successful logout', spa.clientId, user.userId, 'mara@example.com'],
    ]);
    for (const e of entries) expect([e.ip, e.hostname]).toEqual([ip, s.tenant.domain]);
    for (const e of entries.filter((x) => ['s', 'fp', 'fu', 'fs', 'ss'].includes(String(x.type)))) expect(e.connection).toBe('Username-Password-Authentication');
  });

  it('limit_wc for the blocking attempt and for every attempt while blocked; f for an administrator block', async () => {
    const ip = '198.51.100.78';
    const u = await seedLoginUser(s, 'limited@example.com');
    for (let i = 0; i < 11; i++) await attempt(u.email, 'nope', ip);
    const blocked = await seedLoginUser(s, 'adminblocked@example.com', 'Correct-Horse-7', { blocked: true });
    await attempt(blocked.email, blocked.password, ip);
    await s.audit.flush();
    const types = (await admin.get(`/logs?per_page=100&q=${encodeURIComponent(`ip:"${ip}"`)}`)).json<{ type: string; user_id: string; description: string }[]>().reverse();
    expect(types.map((e) => [e.type, e.user_id, e.description])).toEqual([
      ...Array.from({ length: 9 }, () => ['fp', u.userId, WRONG]),
      ['limit_wc', u.userId, 'Blocked Account'],
      ['limit_wc', u.userId, 'Blocked Account'],
      ['f', blocked.userId, 'user is blocked'],
    ]);
  });
});
