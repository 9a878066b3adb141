// Redirect URIs at /authorize (security catalogue §4.7 T-RU, D9, RFC 9700 §2.1, RFC 8252 §7.3):
// the exact registered string, or a registered loopback IP literal on any port; anything else is
// "rejected" — our 400 error page, no Location header, nothing issued (no auth_codes row), even
// for a browser that already has a live session and would otherwise get a code at once.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp } from '../helpers/fixtures.ts';
import { CALLBACK_MISMATCH, CB, expectErrorPage, expectOAuthError, loginThrough, postToken, rowsOf, sqliteFile } from '../helpers/authorize-flow.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const REGISTERED = [CB, 'https://app.example.com/cb2?mode=x', 'http://127.0.0.1/native'];
const { challenge, verifier } = pkcePair();

let s: TestServer;
let db: ReturnType<typeof sqliteFile>;
let app: SeededApp;
let browser: TestBrowser;
let user: { email: string; password: string; userId: string };

const codeParams = (clientId: string, redirectUri?: string): Record<string, string> => ({
  client_id: clientId,
  response_type: 'code',
  ...(redirectUri !== undefined && { redirect_uri: redirectUri }),
  state: 'st-1',
  scope: 'openid',
  code_challenge: challenge,
  code_challenge_method: 'S256',
});
const codes = () => rowsOf(db.file, 'auth_codes').length;

beforeAll(async () => {
  db = sqliteFile();
  s = await startTestServer({ databaseUrl: db.url });
  app = await seedApp(s, { callbacks: REGISTERED });
  user = await seedLoginUser(s, 'rita@example.com');
  browser = new TestBrowser(s);
  // A live session: from now on an accepted redirect_uri is answered with a code straight away.
  const first = await loginThrough(browser, codeParams(app.clientId, CB), user);
  expect(first.statusCode, first.body).toBe(302);
});
afterAll(async () => {
  await s.close();
  db.cleanup();
});

/** /authorize with this redirect_uri (as the browser with a session) is rejected, and no code was made. */
async function expectRejected(candidate: string, clientId = app.clientId): Promise<LightMyRequestResponse> {
  const before = codes();
  const res = await browser.get(authorizeUrl(codeParams(clientId, candidate)));
  expectErrorPage(res, 400, ...CALLBACK_MISMATCH);
  expect(codes()).toBe(before);
  return res;
}

async function expectAccepted(candidate: string, clientId = app.clientId): Promise<void> {
  const res = await browser.get(authorizeUrl(codeParams(clientId, candidate)));
  expect(res.statusCode, res.body).toBe(302);
  const location = String(res.headers.location);
  const separator = candidate.includes('?') ? '&' : '?';
  expect(location.startsWith(`${candidate}${separator}code=`), location).toBe(true);
  const { fields } = locationFields(res);
  expect(Object.keys(fields).sort()).toEqual([...(candidate.includes('mode=x') ? ['mode'] : []), 'code', 'state'].sort());
  expect(fields.state).toBe('st-1');
}

const REJECTED: [string, string[]][] = [
  ['T-RU-01 unregistered (CVE-2025-4143)', ['https://app.example.com/other', 'https://evil.com/cb', 'https://evil.com']],
  ['T-RU-02 trailing slash, missing path, case, path parameter, encoded space', ['https://app.example.com/cb/', 'https://app.example.com', 'https://app.example.com/', 'https://app.example.com/CB', 'https://app.example.com/cb;x', 'https://app.example.com/cb%20']],
  ['T-RU-03 host and scheme case (CVE-2020-15234)', ['https://APP.example.com/cb', 'https://App.Example.Com/cb', 'HTTPS://app.example.com/cb']],
  ['T-RU-04 explicit default port, other port', ['https://app.example.com:443/cb', 'https://app.example.com:8443/cb']],
  ['T-RU-05 added, changed, extra or reordered query', ['https://app.example.com/cb?x=1', 'https://app.example.com/cb2?mode=y', 'https://app.example.com/cb2?mode=x&a=b', 'https://app.example.com/cb2?a=b&mode=x', 'https://app.example.com/cb2', 'https://app.example.com/cb2?mode=X']],
  ['T-RU-06 fragment (RFC 6749 §3.1.2)', ['https://app.example.com/cb#x', 'https://app.example.com/cb#']],
  ['T-RU-07 trailing dot host', ['https://app.example.com./cb']],
  ['T-RU-08 dot segments', ['https://app.example.com/cb/../cb', 'https://app.example.com/x/../cb', 'https://app.example.com/./cb']],
  ['T-RU-09 encoded dot segments', ['https://app.example.com/cb/%2e%2e/', 'https://app.example.com/cb%2F%2E%2E%2F', 'https://app.example.com/%63b']],
  ['T-RU-10 double and triple encoding (CVE-2022-3782)', ['https://app.example.com/cb/%252e%252e/', 'https://app.example.com/cb/%25252e%25252e/']],
  ['T-RU-11 path parameters (CVE-2026-3872)', ['https://app.example.com/cb/..;/', 'https://app.example.com/cb;/../', 'https://app.example.com/..;/cb']],
  ['T-RU-12 userinfo', ['https://app.example.com@evil.com/cb', 'https://evil.com@app.example.com/cb', 'https://user:pw@app.example.com/cb']],
  ['T-RU-13 several @, %40, backslash (CVE-2026-7504)', ['https://a@b@evil.com/cb', 'https://app.example.com%40evil.com/cb', 'https://app.example.com\\@evil.com/cb', 'https://app.example.com\\cb']],
  ['T-RU-14 loopback userinfo (CVE-2024-8883)', ['http://localhost:80@evil.com/native', 'http://127.0.0.1:80@evil.com/native', 'http://127.0.0.1@evil.com/native']],
  [
    'T-RU-16 loopback with another path, query, host, scheme or port syntax (CVE-2020-15233)',
    [
      'http://127.0.0.1:1/native2', 'http://127.0.0.1:1/native?a=b', 'http://127.0.0.1:1/native/', 'http://127.0.0.1:1/native#x', 'http://127.0.0.2:1/native',
      'http://localhost:1/native', 'http://localhost/native', 'https://127.0.0.1:1/native', 'http://127.0.0.1:0/native', 'http://127.0.0.1:65536/native',
      'http://127.0.0.1:/native', 'http://127.1:1/native', 'http://2130706433/native', 'http://[::1]:4000/native', 'http://[::ffff:127.0.0.1]:1/native',
    ],
  ],
  ['T-RU-17 suffix and prefix host tricks', ['https://app.example.com.evil.com/cb', 'https://evilapp.example.com/cb', 'https://evil.com/https://app.example.com/cb', 'https://evil.com/?https://app.example.com/cb', 'https://app.example.com/cbevil']],
  ['T-RU-18 IDN and punycode look-alikes', ['https://\u0430pp.example.com/cb', new URL('https://\u0430pp.example.com/cb').href]],
  ['T-RU-19 spaces and control characters', [' https://app.example.com/cb', 'https://app.example.com/cb ', 'https://app.example.com/cb\t', 'https://app.example.com/c\tb', 'https://app.example.com/cb\r\nSet-Cookie: x=y', 'https://app.example.com/cb\n', 'https://app.example.com/cb\u007f', 'https://app.example.com/cb\u000b']],
];

describe('T-RU: exact matching of redirect_uri (D9)', () => {
  it('T-RU-01: the exact registered URIs are accepted, the code and state in the query', async () => {
    await expectAccepted(CB);
    await expectAccepted('https://app.example.com/cb2?mode=x');
    await expectAccepted('http://127.0.0.1/native');
  });

  it('T-RU-15 (RFC 8252 §7.3): a registered loopback IP literal matches on any port', async () => {
    for (const port of ['1', '4000', '49152', '65535']) await expectAccepted(`http://127.0.0.1:${port}/native`);
  });

  it('T-RU-15: http://[::1]:4000/native is accepted only for an application that registered [::1]', async () => {
    const v6 = await seedApp(s, { callbacks: ['http://[::1]/native'] });
    await expectAccepted('http://[::1]:4000/native', v6.clientId);
    await expectAccepted('http://[::1]/native', v6.clientId);
    await expectRejected('http://127.0.0.1:4000/native', v6.clientId);
    await expectRejected('http://[::1]:4000/native');
  });

  it.each(REJECTED)('%s → rejected', async (_rule, candidates) => {
    for (const candidate of candidates) await expectRejected(candidate);
  });

  it('T-RU-19: a NUL is refused while reading the query; no header of any answer carries CR or LF', async () => {
    const before = codes();
    const res = await browser.get(authorizeUrl(codeParams(app.clientId, 'https://app.example.com/cb\u0000')));
    expectErrorPage(res, 400, 'Invalid request', 'Parameter redirect_uri is not valid');
    expect(codes()).toBe(before);
    const injected = await browser.get(authorizeUrl(codeParams(app.clientId, 'https://app.example.com/cb\r\nSet-Cookie: x=y')));
    for (const [name, value] of Object.entries(injected.headers)) expect(`${name}: ${String(value)}`).not.toMatch(/[\r\n]|x=y/);
  });

  it('T-RU-24: a registered http://localhost name is a plain string, not a loopback literal (any port)', async () => {
    const named = await seedApp(s, { callbacks: ['http://localhost/cb', 'http://localhost.evil.test/cb'] });
    await expectAccepted('http://localhost/cb', named.clientId);
    await expectRejected('http://localhost:3000/cb', named.clientId);
    await expectRejected('http://localhost.evil.test:8080/cb', named.clientId);
  });

  it('T-RU-25 (wildcards disabled, D9): a stored "*" label matches nothing but itself', async () => {
    const wild = await seedApp(s, { callbacks: ['https://*.preview.example.com/cb'] });
    for (const candidate of ['https://pr-1.preview.example.com/cb', 'https://preview.example.com/cb', 'https://a.b.preview.example.com/cb', 'https://x.preview.example.com.evil.com/cb']) {
      await expectRejected(candidate, wild.clientId);
    }
  });
});

describe('T-RU-22/23: missing redirect_uri, missing or unknown client', () => {
  it('T-RU-22 (RFC 6749 §3.1.2.3): no redirect_uri and exactly one callback → that callback', async () => {
    const single = await seedApp(s, { callbacks: ['https://single.example.com/cb'] });
    const res = await browser.get(authorizeUrl(codeParams(single.clientId)));
    expect(res.statusCode, res.body).toBe(302);
    expect(String(res.headers.location)).toMatch(/^https:\/\/single\.example\.com\/cb\?code=[A-Za-z0-9_-]{43}&state=st-1$/);
  });

  it('T-RU-22: no redirect_uri and several callbacks → error page (Keycloak testNoParamMultipleValidUris)', async () => {
    const before = codes();
    expectErrorPage(await browser.get(authorizeUrl(codeParams(app.clientId))), 400, 'Invalid request', 'Missing required parameter: redirect_uri');
    expect(codes()).toBe(before);
  });

  it('T-RU-22: an application without callbacks has nothing to redirect to', async () => {
    const none = await seedApp(s, { callbacks: [] });
    expectErrorPage(await browser.get(authorizeUrl(codeParams(none.clientId))), 400, 'Invalid request', 'Missing required parameter: redirect_uri');
    expectErrorPage(await browser.get(authorizeUrl(codeParams(none.clientId, CB))), 400, ...CALLBACK_MISMATCH);
  });

  it('T-RU-23 (RFC 6749 §4.1.2.1): missing, unknown or global client_id → error page, never a redirect', async () => {
    const before = codes();
    const { client_id: _, ...noClient } = codeParams(app.clientId, CB);
    expectErrorPage(await browser.get(authorizeUrl(noClient)), 400, 'Invalid request', 'Missing required parameter: client_id');
    expectErrorPage(await browser.get(authorizeUrl(codeParams('nope', CB))), 400, 'Invalid request', 'Unknown client: nope');
    expectErrorPage(await browser.get(authorizeUrl(codeParams('<b>x</b>', CB))), 400, 'Invalid request', 'Unknown client: <b>x</b>');
    const [global] = (await s.storage.clients.list(s.tenant.id, { isGlobal: true }, { offset: 0, limit: 1, withTotal: false })).items;
    expectErrorPage(await browser.get(authorizeUrl(codeParams(global!.clientId, CB))), 400, 'Invalid request', `Unknown client: ${global!.clientId}`);
    expect(codes()).toBe(before);
  });
});

describe('T-RU-27 (RFC 6749 §4.1.3): redirect_uri at the token endpoint', () => {
  async function code(redirectUri?: string): Promise<string> {
    const res = await browser.get(authorizeUrl(codeParams(app.clientId, redirectUri)));
    expect(res.statusCode, res.body).toBe(302);
    return locationFields(res).fields.code!;
  }
  const exchange = (c: string, redirectUri?: string) =>
    postToken(s, { grant_type: 'authorization_code', client_id: app.clientId, code: c, code_verifier: verifier, ...(redirectUri !== undefined && { redirect_uri: redirectUri }) });
  const MISMATCH = 'redirect_uri does not match the one of the authorization request';

  it('a different redirect_uri → 403 invalid_grant, and the code is spent', async () => {
    const c = await code(CB);
    expectOAuthError(await exchange(c, 'https://app.example.com/cb2?mode=x'), 403, 'invalid_grant', MISMATCH);
    expectOAuthError(await exchange(c, CB), 403, 'invalid_grant', 'Invalid authorization code');
  });

  it('omitted when the authorization request sent one (Keycloak okThenNull) → 403 invalid_grant', async () => {
    expectOAuthError(await exchange(await code(CB)), 403, 'invalid_grant', MISMATCH);
  });

  it('a loopback port must be repeated exactly', async () => {
    expectOAuthError(await exchange(await code('http://127.0.0.1:5000/native'), 'http://127.0.0.1:5001/native'), 403, 'invalid_grant', MISMATCH);
    expect((await exchange(await code('http://127.0.0.1:5000/native'), 'http://127.0.0.1:5000/native')).statusCode).toBe(200);
  });

  it('the same redirect_uri → 200', async () => {
    expect((await exchange(await code(CB), CB)).statusCode).toBe(200);
  });
});

describe('T-RU-30: other redirect parameters', () => {
  it('a redirect_uri or continue field posted with the login form is ignored: the answer goes to the request\'s callback', async () => {
    const other = new TestBrowser(s, '198.51.100.30');
    const start = await other.get(authorizeUrl(codeParams(app.clientId, CB)));
    const state = /state=([^&]+)$/.exec(String(start.headers.location))![1]!;
    const res = await other.post('/u/login', { state: decodeURIComponent(state), username: user.email, password: user.password, redirect_uri: 'https://evil.com/cb', continue: 'https://evil.com/', returnTo: '//evil.com' });
    expect(res.statusCode).toBe(302);
    expect(String(res.headers.location).startsWith(`${CB}?code=`)).toBe(true);
  });

  const OPEN_REDIRECTS = ['//evil.com', '/\\evil.com', 'https:evil.com', 'https://evil.com', 'https://app.example.com/bye/', 'https://app.example.com/bye?x=1', 'https://app.example.com/bye#x', 'HTTPS://app.example.com/bye', 'https://app.example.com@evil.com/bye', '/bye', 'javascript:alert(1)'];

  it.each(OPEN_REDIRECTS)('/v2/logout?returnTo=%j → 400 error page, no Location', async (returnTo) => {
    const res = await browser.get(`/v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo }).toString()}`);
    // The value is quoted with RFC 6749 §5.2's characters only ("\\" and '"' become '?').
    const quoted = returnTo.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
    expectErrorPage(res, 400, 'Invalid request', `The "returnTo" querystring parameter "${quoted}" is not defined as a valid URL in "Allowed Logout URLs".`);
  });

  it('/v2/logout?returnTo=<an allowed logout URL, exactly> → 302 there', async () => {
    const res = await browser.get(`/v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: 'https://app.example.com/bye' }).toString()}`);
    expect([res.statusCode, res.headers.location]).toEqual([302, 'https://app.example.com/bye']);
  });
});
