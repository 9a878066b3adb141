// Registration-time URL rules for applications (T-RU-19/20/21/24, D9): nothing that could become a
// script URL, an open redirect or a wildcard is ever stored, on create or on update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let api: MgmtCaller;
let existing: string;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['read:clients', 'create:clients', 'update:clients']));
  existing = (await api.post('/clients', { name: 'target', callbacks: ['https://app.example.com/cb'] })).json<{ client_id: string }>().client_id;
});
afterAll(() => s.close());

const count = async () => (await api.get('/clients?include_totals=true')).json<{ total: number }>().total;
const invalid = (value: string, problem: string, property: string) => `Payload validation error: 'Invalid URL: ${value} ${problem}' on property ${property}.`;

const BAD_REDIRECTS: [string, string][] = [
  ['javascript:alert(1)', 'javascript: URLs are not allowed'],
  ['JAVASCRIPT:alert(1)', 'javascript: URLs are not allowed'],
  ['JaVaScRiPt:alert(document.domain)', 'javascript: URLs are not allowed'],
  ['data:text/html,<script>alert(1)</script>', 'data: URLs are not allowed'],
  ['vbscript:msgbox(1)', 'vbscript: URLs are not allowed'],
  ['file:///etc/passwd', 'file: URLs are not allowed'],
  ['https://app.example.com/cb#frag', 'must not contain a fragment'],
  ['https://app.example.com/cb#', 'must not contain a fragment'],
  ['https://user:pass@app.example.com/cb', 'must not contain credentials'],
  ['https://app.example.com@evil.com/cb', 'must not contain credentials'],
  ['https://*.example.com/cb', 'wildcards are not supported; register each URL exactly'],
  ['https://app.example.com/*', 'wildcards are not supported; register each URL exactly'],
  ['http://app.example.com/cb', 'http is only allowed for localhost; use https'],
  ['http://localhost.evil.test/cb', 'http is only allowed for localhost; use https'],
  ['/relative/cb', 'is not an absolute URL'],
  ['app.example.com/cb', 'is not an absolute URL'],
  [' https://app.example.com/cb', 'must not contain spaces or control characters'],
  ['https://app.example.com/cb\n', 'must not contain spaces or control characters'],
  ['https://app.example.com/c\tb', 'must not contain spaces or control characters'],
];

describe('callbacks and allowed_logout_urls (T-RU-20, T-RU-21)', () => {
  it.each(BAD_REDIRECTS)('POST with callback %j → 400 and nothing stored', async (value, problem) => {
    const before = await count();
    expectMgmtError(await api.post('/clients', { name: 'bad', callbacks: ['https://ok.example.com/cb', value] }), 400, invalid(value, problem, 'callbacks[1]'), 'invalid_body');
    expect(await count()).toBe(before);
  });

  it.each(BAD_REDIRECTS)('POST with logout URL %j → 400', async (value, problem) => {
    expectMgmtError(await api.post('/clients', { name: 'bad', allowed_logout_urls: [value] }), 400, invalid(value, problem, 'allowed_logout_urls[0]'), 'invalid_body');
  });

  it.each(BAD_REDIRECTS.slice(0, 8))('PATCH with callback %j → 400 and the stored list is unchanged', async (value, problem) => {
    expectMgmtError(await api.patch(`/clients/${existing}`, { callbacks: [value] }), 400, invalid(value, problem, 'callbacks[0]'), 'invalid_body');
    expect((await api.get(`/clients/${existing}`)).json<{ callbacks: string[] }>().callbacks).toStrictEqual(['https://app.example.com/cb']);
  });

  it('T-RU-19: a NUL anywhere in the body is refused before any URL rule', async () => {
    expectMgmtError(
      await api.post('/clients', { name: 'bad', callbacks: ['https://app.example.com/c\u0000b'] }),
      400,
      "Payload validation error: 'String must not contain NUL characters' on property callbacks[0].",
      'invalid_body',
    );
  });

  it('T-RU-20: logo_uri and initiate_login_uri refuse script URLs too', async () => {
    expectMgmtError(await api.post('/clients', { name: 'bad', logo_uri: 'javascript:alert(1)' }), 400, invalid('javascript:alert(1)', 'javascript: URLs are not allowed', 'logo_uri'), 'invalid_body');
    expectMgmtError(
      await api.post('/clients', { name: 'bad', initiate_login_uri: 'data:text/html,x' }),
      400,
      invalid('data:text/html,x', 'data: URLs are not allowed', 'initiate_login_uri'),
      'invalid_body',
    );
  });

  it('RFC 8252 §7.3 / D9: https, loopback http and private-use schemes are stored exactly as given', async () => {
    const callbacks = ['https://app.example.com/cb', 'https://app.example.com/cb2?mode=x', 'http://localhost:3000/callback', 'http://127.0.0.1:8080/native', 'http://[::1]:4000/cb', 'com.example.app://callback'];
    const allowed_logout_urls = ['https://app.example.com/logged-out', 'http://localhost:3000/'];
    const res = await api.post('/clients', { name: 'good', callbacks, allowed_logout_urls });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ callbacks, allowed_logout_urls });
  });
});

describe('web_origins and allowed_origins (T-RU-21)', () => {
  it.each([
    ['https://app.example.com/path', 'must be an origin (scheme://host[:port]) without path or query'],
    ['https://app.example.com/?x=1', 'must be an origin (scheme://host[:port]) without path or query'],
    ['https://app.example.com:8443/a', 'must be an origin (scheme://host[:port]) without path or query'],
    ['com.example.app://callback', 'must be an http(s) origin'],
    ['http://app.example.com', 'http is only allowed for localhost; use https'],
    ['javascript:alert(1)', 'javascript: URLs are not allowed'],
    ['https://*.example.com', 'wildcards are not supported; register each URL exactly'],
  ])('origin %j → 400 in web_origins and allowed_origins', async (value, problem) => {
    expectMgmtError(await api.post('/clients', { name: 'bad', web_origins: [value] }), 400, invalid(value, problem, 'web_origins[0]'), 'invalid_body');
    expectMgmtError(await api.post('/clients', { name: 'bad', allowed_origins: [value] }), 400, invalid(value, problem, 'allowed_origins[0]'), 'invalid_body');
  });

  it('origins with or without a trailing slash, and loopback http origins, are accepted', async () => {
    const web_origins = ['https://app.example.com', 'https://app.example.com:8443/', 'http://localhost:3000'];
    const res = await api.post('/clients', { name: 'origins', web_origins, allowed_origins: ['https://other.example.com'] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ web_origins, allowed_origins: ['https://other.example.com'] });
  });
});
