// The authorization endpoint (security catalogue §4.7 T-AZ-01..10, spec §2.5, D10, RFC 9700).
// Once the client and its redirect URI are trusted, errors go back to the application in the
// request's own response mode (query for code, fragment for tokens); before that, only to our page.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp, type SeededUser } from '../helpers/fixtures.ts';
import { CB, expectErrorPage, expectPageHeaders, formPostOf, loginThrough } from '../helpers/authorize-flow.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge } = pkcePair();
const PKCE = { code_challenge: challenge, code_challenge_method: 'S256' };

let s: TestServer;
let spa: SeededApp;
let noImplicit: SeededApp;
let user: SeededUser;
/** A browser with a live session: accepted requests are answered at once. */
let browser: TestBrowser;

const code = (extra: Record<string, string> = {}, clientId = spa.clientId) => ({ client_id: clientId, response_type: 'code', redirect_uri: CB, state: 'st', scope: 'openid', ...PKCE, ...extra });
const implicit = (extra: Record<string, string> = {}, clientId = spa.clientId) => ({ client_id: clientId, response_type: 'token', redirect_uri: CB, state: 'st', scope: 'openid', nonce: 'n-1', ...extra });

/** The exact Location of an error sent back in the query or the fragment. */
function errorLocation(part: '?' | '#', error: string, description: string, state: string | null = 'st'): string {
  return `${CB}${part}${new URLSearchParams({ error, error_description: description, ...(state !== null && { state }) }).toString()}`;
}

function expectRedirect(res: LightMyRequestResponse, location: string): void {
  expect({ status: res.statusCode, location: res.headers.location }).toStrictEqual({ status: 302, location });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

beforeAll(async () => {
  s = await startTestServer();
  spa = await seedApp(s);
  noImplicit = await seedApp(s, { name: 'code only', grantTypes: ['authorization_code', 'refresh_token'] });
  user = await seedLoginUser(s, 'azra@example.com');
  browser = new TestBrowser(s);
  expect((await loginThrough(browser, code(), user)).statusCode).toBe(302);
});
afterAll(() => s.close());

describe('T-AZ-01/02: reading the parameters', () => {
  it.each(['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'prompt'])('T-AZ-01: %s sent twice → our error page, nothing issued', async (name) => {
    const params = new URLSearchParams(code({ prompt: 'login' }));
    params.append(name, params.get(name)!);
    expectErrorPage(await browser.get(`/authorize?${params.toString()}`), 400, 'Invalid request', `Parameter ${name} must not be sent more than once`);
  });

  it('T-AZ-02: unknown and SDK-only parameters are ignored', async () => {
    const res = await browser.get(authorizeUrl(code({ foo: 'bar', auth0Client: 'eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0=', connection: 'x', ui_locales: 'fr', _csrf: 'y', owp: 'true' })));
    expect(res.statusCode).toBe(302);
    expect(String(res.headers.location)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=[A-Za-z0-9_-]{43}&state=st$/);
  });

  it('T-AZ-02: a 2 KB state with & # < and non-ASCII is echoed exactly, encoded, in the query and in the fragment', async () => {
    const state = `a&b=c#d<e>"f'g%20h+i é😀 `.repeat(80).slice(0, 2048);
    const viaQuery = await browser.get(authorizeUrl(code({ state })));
    const q = locationFields(viaQuery);
    expect([q.part, q.fields.state]).toEqual(['query', state]);
    expect(String(viaQuery.headers.location)).not.toMatch(/[#<>"' ]/);
    const viaFragment = await browser.get(authorizeUrl(implicit({ state })));
    const f = locationFields(viaFragment);
    expect([f.part, f.fields.state]).toEqual(['fragment', state]);
    expect(String(viaFragment.headers.location).split('#')[1]).not.toMatch(/[#<>"' ]/);
  });

  it('T-AZ-02: a state over 4096 characters is refused cleanly (invalid_request, not echoed)', async () => {
    expectRedirect(await browser.get(authorizeUrl(code({ state: 'x'.repeat(4097) }))), errorLocation('?', 'invalid_request', 'state must not be longer than 4096 characters', null));
  });
});

describe('T-AZ-03: errors for a trusted client and redirect URI go back with error and state', () => {
  it('invalid_scope in the query for code, in the fragment for implicit', async () => {
    const description = 'The scope parameter is not a space-delimited list of scope tokens';
    expectRedirect(await browser.get(authorizeUrl(code({ scope: 'openid "x"' }))), errorLocation('?', 'invalid_scope', description));
    expectRedirect(await browser.get(authorizeUrl(implicit({ scope: 'openid\\x' }))), errorLocation('#', 'invalid_scope', description));
  });

  it('unsupported_response_type (hybrid and unknown types are not offered)', async () => {
    for (const type of ['code token', 'code id_token', 'token token', 'none', 'device']) {
      expectRedirect(await browser.get(authorizeUrl(code({ response_type: type }))), errorLocation('?', 'unsupported_response_type', `Unsupported response_type: ${type}`));
    }
    expectRedirect(await browser.get(authorizeUrl({ client_id: spa.clientId, redirect_uri: CB, state: 'st' })), errorLocation('?', 'invalid_request', 'Missing required parameter: response_type'));
  });

  it('access_denied for an unknown audience (spec §2.5 "Service not found")', async () => {
    expectRedirect(await browser.get(authorizeUrl(code({ audience: 'https://nope.example/' }))), errorLocation('?', 'access_denied', 'Service not found: https://nope.example/'));
    expectRedirect(await browser.get(authorizeUrl(implicit({ audience: 'https://nope.example/' }))), errorLocation('#', 'access_denied', 'Service not found: https://nope.example/'));
  });

  it('invalid_request for a bad prompt or max_age, in the response mode asked for', async () => {
    expectRedirect(await browser.get(authorizeUrl(implicit({ prompt: 'bogus' }))), errorLocation('#', 'invalid_request', 'Unsupported prompt value: bogus'));
    expectRedirect(await browser.get(authorizeUrl(code({ prompt: 'none login' }))), errorLocation('?', 'invalid_request', 'prompt=none cannot be combined with other prompt values'));
    expectRedirect(await browser.get(authorizeUrl(code({ max_age: '-1' }))), errorLocation('?', 'invalid_request', 'max_age must be a non-negative integer'));
    const posted = await browser.get(authorizeUrl(code({ prompt: 'bogus', response_mode: 'form_post' })));
    expect(formPostOf(posted.body)).toStrictEqual({ action: CB, fields: { error: 'invalid_request', error_description: 'Unsupported prompt value: bogus', state: 'st' } });
  });
});

describe('T-AZ-04 (RFC 9700 §4.12): the answer to a posted login form is 302, never 307', () => {
  it('login and sign-up forms answer 302 to the callback', async () => {
    const fresh = new TestBrowser(s, '198.51.100.4');
    const login = await loginThrough(fresh, code(), user);
    expect(login.statusCode).toBe(302);
    expect(String(login.headers.location).startsWith(`${CB}?code=`)).toBe(true);

    const other = new TestBrowser(s, '198.51.100.5');
    const state = loginState(await other.get(authorizeUrl(code({ screen_hint: 'signup' }))));
    const signup = await other.post('/u/signup', { state, username: 'new-az@example.com', password: 'Str0ng-Passw0rd!' });
    expect(signup.statusCode).toBe(302);
    expect(String(signup.headers.location).startsWith(`${CB}?code=`)).toBe(true);
  });
});

describe('T-AZ-05/06/07: the implicit grant (D10, RFC 9700 §2.1.2)', () => {
  it('T-AZ-05: token or id_token for a client without implicit → unauthorized_client in the fragment', async () => {
    for (const type of ['token', 'id_token', 'id_token token']) {
      expectRedirect(await browser.get(authorizeUrl(implicit({ response_type: type }, noImplicit.clientId))), errorLocation('#', 'unauthorized_client', `Unauthorized response_type: ${type.split(' ').sort().join(' ')} is not allowed for the client`));
    }
    const noCode = await seedApp(s, { name: 'implicit only', grantTypes: ['implicit'] });
    expectRedirect(await browser.get(authorizeUrl(code({}, noCode.clientId))), errorLocation('?', 'unauthorized_client', 'Unauthorized response_type: code is not allowed for the client'));
  });

  it('T-AZ-06: implicit tokens travel only in the fragment, never in the query or the logs', async () => {
    const res = await browser.get(authorizeUrl(implicit({ response_type: 'id_token token' })));
    const { base, part, fields } = locationFields(res);
    expect([res.statusCode, base, part]).toEqual([302, CB, 'fragment']);
    expect(Object.keys(fields).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'state', 'token_type']);
    expect(String(res.headers.location)).not.toContain('?');
    const logs = s.logs.join('\n');
    for (const value of [fields.access_token!, fields.id_token!]) {
      expect(logs).not.toContain(value);
      expect(logs).not.toContain(value.split('.')[2]!);
    }
  });

  it('T-AZ-06: response_mode=query with token or id_token → invalid_request, sent in the fragment', async () => {
    for (const type of ['token', 'id_token', 'id_token token']) {
      expectRedirect(await browser.get(authorizeUrl(implicit({ response_type: type, response_mode: 'query' }))), errorLocation('#', 'invalid_request', 'response_mode=query cannot carry tokens; use fragment, form_post or web_message'));
    }
  });

  it('T-AZ-07: an id_token without nonce → invalid_request; an access token alone needs none', async () => {
    const { nonce: _, ...noNonce } = implicit();
    for (const type of ['id_token', 'id_token token']) {
      expectRedirect(await browser.get(authorizeUrl({ ...noNonce, response_type: type })), errorLocation('#', 'invalid_request', 'Missing required parameter: nonce (required whenever an id_token is returned)'));
    }
    expect(locationFields(await browser.get(authorizeUrl(noNonce))).fields.access_token).toBeDefined();
  });
});

describe('T-AZ-08: prompt=none', () => {
  it('without a session → login_required to the registered callback, in the response mode (and an fsa log entry)', async () => {
    const stranger = new TestBrowser(s, '198.51.100.8');
    expectRedirect(await stranger.get(authorizeUrl(code({ prompt: 'none' }))), errorLocation('?', 'login_required', 'Login required'));
    expectRedirect(await stranger.get(authorizeUrl(implicit({ prompt: 'none' }))), errorLocation('#', 'login_required', 'Login required'));
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'fsa' }, { offset: 0, limit: 10, withTotal: false });
    expect(items.map((r) => [r.event.type, r.event.description, r.event.client_id, r.event.ip])).toContainEqual(['fsa', 'Login required', spa.clientId, '198.51.100.8']);
  });

  it('with an unregistered redirect_uri → our error page, never a silent redirect', async () => {
    expectErrorPage(await new TestBrowser(s).get(authorizeUrl(code({ prompt: 'none', redirect_uri: 'https://evil.com/cb' }))), 400, 'Callback URL mismatch', 'Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs.');
  });
});

describe('T-AZ-09: response_mode=form_post', () => {
  it('the auto-submitting page escapes every value and carries our CSP (form-action limited to the callback origin)', async () => {
    const state = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const res = await browser.get(authorizeUrl(code({ response_mode: 'form_post', state })));
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res, { formAction: 'https://app.example.com' });
    const { action, fields } = formPostOf(res.body);
    expect([action, Object.keys(fields)]).toEqual([CB, ['code', 'state']]);
    expect(fields.state).toBe(state);
    expect(res.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"');
    expect(res.body.match(/<script/g)).toHaveLength(1);
  });

  it.each(['form_post.jwt', 'jwt', 'query.jwt', 'fragment.jwt', 'FORM_POST', 'form_post '])('unsupported response_mode %j → invalid_request (CVE-2023-6927)', async (mode) => {
    expectRedirect(await browser.get(authorizeUrl(code({ response_mode: mode }))), errorLocation('?', 'invalid_request', `Unsupported response_mode: ${mode}`));
  });
});

describe('T-AZ-10: no CORS on /authorize and the login pages; no referrer from them (RFC 9700 §2.6, §4.2)', () => {
  const ORIGIN = { origin: 'https://app.example.com' };

  it('/authorize answers (redirect, login redirect, error page) carry no Access-Control-Allow-Origin', async () => {
    const fresh = new TestBrowser(s, '198.51.100.10');
    const answers = [
      await browser.get(authorizeUrl(code()), ORIGIN),
      await fresh.get(authorizeUrl(code()), ORIGIN),
      await fresh.get(authorizeUrl(code({ redirect_uri: 'https://evil.com/' })), ORIGIN),
      await s.inject({ method: 'OPTIONS', url: '/authorize', headers: { ...ORIGIN, 'access-control-request-method': 'GET' } }),
    ];
    for (const res of answers) {
      expect(res.headers['access-control-allow-origin'], res.body).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
    expect(answers[0]!.headers['referrer-policy']).toBe('no-referrer');
    expect(answers[1]!.statusCode).toBe(302);
  });

  it('login page GET and POST, error page and logout: no CORS, Referrer-Policy no-referrer', async () => {
    const fresh = new TestBrowser(s, '198.51.100.11');
    const state = loginState(await fresh.get(authorizeUrl(code())));
    const page = await fresh.get(`/u/login?state=${encodeURIComponent(state)}`, ORIGIN);
    expect(page.statusCode).toBe(200);
    expectPageHeaders(page, { formAction: 'https://app.example.com' });
    const wrong = await fresh.post('/u/login', { state, username: user.email, password: 'wrong' }, { origin: `https://${s.tenant.domain}` });
    expect(wrong.statusCode).toBe(400);
    expectPageHeaders(wrong, { formAction: 'https://app.example.com' });
    const logout = await fresh.get('/v2/logout', ORIGIN);
    expect(logout.statusCode).toBe(200);
    expectPageHeaders(logout);
  });
});
