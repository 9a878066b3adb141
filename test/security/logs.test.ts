// T-LOG-01 (ASVS 16.2.5, security catalogue §2.11): after a full flow through the in-process server
// (token requests with Basic and body secrets, failures, Management API calls with bearer tokens,
// client creation and rotation, secrets in URLs, a logged 500) no captured log line holds a secret,
// a token, an Authorization value, a PEM block or the master key. T-LOG-03: CR/LF stays escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrub } from '../../src/audit/scrub.ts';
import { redactUrl } from '../../src/http/logger.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tamper } from '../helpers/tamper.ts';

const JWT_SHAPED = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\./;
// read:resource_servers: an HS256 API's generated signing_secret is answered only to a token that may read it (issue 9, S1).
const ADMIN_SCOPES = ['read:clients', 'create:clients', 'update:clients', 'read:client_keys', 'update:client_keys', 'create:resource_servers', 'read:resource_servers'];

describe('T-LOG-01: no secret or token in any log line after a full flow', () => {
  let s: TestServer;
  const secrets: string[] = [];
  const tokens: string[] = [];
  const authorizations: string[] = [];

  beforeAll(async () => {
    s = await startTestServer();
    const admin = await seedM2M(s, ADMIN_SCOPES);
    secrets.push(admin.clientSecret);
    const basic = `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`;
    const wrongBasic = `Basic ${Buffer.from(`${admin.clientId}:wrong-${admin.clientSecret}`).toString('base64')}`;
    authorizations.push(basic, wrongBasic);
    secrets.push(`wrong-${admin.clientSecret}`);
    const audience = s.tenant.managementAudience;

    const token = async (options: Parameters<TestServer['inject']>[0]) => {
      const res = await s.inject({ method: 'POST', url: '/oauth/token', ...options });
      const body = res.json<Record<string, string>>();
      if (body.access_token) tokens.push(body.access_token);
      return res.statusCode;
    };
    const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
    // Successes: JSON body, form body, HTTP Basic.
    expect(await token({ payload: { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience } })).toBe(200);
    expect(await token(form({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience }))).toBe(200);
    expect(await token({ headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&audience=${encodeURIComponent(audience)}` })).toBe(200);
    // Failures: wrong Basic secret, wrong body secret, both methods at once, unknown client, malformed JSON holding a secret.
    expect(await token({ headers: { authorization: wrongBasic, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' })).toBe(401);
    expect(await token(form({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: `wrong-${admin.clientSecret}`, audience }))).toBe(401);
    expect(await token({ headers: { authorization: basic }, payload: { grant_type: 'client_credentials', client_secret: admin.clientSecret, audience } })).toBe(400);
    expect(await token({ payload: { grant_type: 'client_credentials', client_id: 'unknown', client_secret: admin.clientSecret, audience } })).toBe(401);
    expect(await token({ headers: { 'content-type': 'application/json' }, payload: `{"client_secret":"${admin.clientSecret}",` })).toBe(400);

    const bearer = tokens[0]!;
    const auth = { authorization: `Bearer ${bearer}` };
    authorizations.push(auth.authorization);
    const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
      const res = await s.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.json<Record<string, string>>() };
    };
    expect((await call('GET', '/api/v2/clients')).status).toBe(200);
    const created = await call('POST', '/api/v2/clients', { name: 'logged app', app_type: 'non_interactive' });
    expect(created.status).toBe(201);
    secrets.push(created.body.client_secret!);
    const rotated = await call('POST', `/api/v2/clients/${created.body.client_id}/rotate-secret`);
    secrets.push(rotated.body.client_secret!);
    const chosen = 'chosen-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
    secrets.push(chosen);
    expect((await call('PATCH', `/api/v2/clients/${created.body.client_id}`, { client_secret: chosen })).status).toBe(200);
    expect((await call('GET', `/api/v2/clients/${created.body.client_id}`)).body.client_secret).toBe(chosen);
    const api = await call('POST', '/api/v2/resource-servers', { identifier: 'https://hs.example/', signing_alg: 'HS256' });
    expect(api.body.signing_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    secrets.push(api.body.signing_secret!);
    expect((await call('POST', '/api/v2/clients', { name: `<${chosen}>` })).status).toBe(400);
    const malformed = await s.inject({ method: 'POST', url: '/api/v2/clients', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"client_secret":"${chosen}"` });
    expect(malformed.statusCode).toBe(400);

    // Refused bearer tokens: tampered signature, and one from another tenant's domain.
    const tampered = tamper(bearer);
    authorizations.push(`Bearer ${tampered}`);
    expect((await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: `Bearer ${tampered}` } })).statusCode).toBe(401);

    // Secrets and tokens in URLs.
    const inUrl = await s.inject({ method: 'POST', url: `/oauth/token?client_secret=${admin.clientSecret}&code=code-in-the-url-123456`, payload: { grant_type: 'client_credentials' } });
    expect(inUrl.statusCode).toBeGreaterThanOrEqual(400);
    secrets.push('code-in-the-url-123456');
    await s.inject({ method: 'GET', url: `/api/v2/clients?access_token=${bearer}` });
    await s.inject({ method: 'GET', url: `/v2/logout?id_token_hint=${bearer}&returnTo=https%3A%2F%2Fapp.example%2F` });
    await s.inject({ method: 'GET', url: `/authorize?response_type=code&code_verifier=verifier-in-url-0123456789&state=xyz&foo=${bearer}` });
    secrets.push('verifier-in-url-0123456789');

    // A logged 500: a sealed secret that no longer decrypts (tampered row), read with read:client_keys.
    const victim = await s.storage.clients.get(s.tenant.id, created.body.client_id!);
    await s.storage.clients.update(s.tenant.id, created.body.client_id!, { secretSealed: tamper(victim!.secretSealed!) });
    expect((await call('GET', `/api/v2/clients/${created.body.client_id}`)).status).toBe(500);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('the flow was logged: one request line per call, with sensitive query values masked', () => {
    const urls = s.logs.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter(Boolean);
    expect(urls.length).toBeGreaterThanOrEqual(20);
    expect(urls).toContain('/oauth/token?client_secret=%5Bredacted%5D&code=%5Bredacted%5D');
    expect(urls).toContain('/api/v2/clients?access_token=%5Bredacted%5D');
    expect(urls).toContain('/v2/logout?id_token_hint=%5Bredacted%5D&returnTo=https%3A%2F%2Fapp.example%2F');
    expect(urls).toContain('/authorize?response_type=code&code_verifier=%5Bredacted%5D&state=%5Bredacted%5D&foo=[jwt]');
    const errors = s.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['sealed secret did not decrypt (wrong master key or tampered row)']);
  });

  it('no client secret, HS256 secret, code or code_verifier appears in any line', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const hits = secrets.flatMap((secret) => s.logs.filter((l) => l.includes(secret)).map((l) => `${secret.slice(0, 6)}…: ${l}`));
    expect(hits).toEqual([]);
  });

  it('no access token, and nothing JWT-shaped, appears in any line', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    for (const t of tokens) {
      expect(s.logs.filter((l) => l.includes(t) || l.includes(t.split('.')[2]!))).toEqual([]);
    }
    expect(s.logs.filter((l) => JWT_SHAPED.test(l))).toEqual([]);
  });

  it('no Authorization value (Basic or Bearer, whole or its credential part) appears in any line', () => {
    for (const a of authorizations) {
      const credential = a.split(' ')[1]!;
      expect(s.logs.filter((l) => l.includes(a) || l.includes(credential))).toEqual([]);
    }
    expect(s.logs.filter((l) => /authorization/i.test(l) && !l.includes('[redacted]'))).toEqual([]);
  });

  it('no PEM block and no master key (base64, base64url or hex) appears in any line', () => {
    expect(s.logs.filter((l) => l.includes('-----BEGIN'))).toEqual([]);
    for (const form of ['base64', 'base64url', 'hex'] as const) {
      expect(s.logs.filter((l) => l.includes(s.masterKey.toString(form)))).toEqual([]);
    }
  });
});

describe('T-LOG-03: log lines cannot be forged with CR/LF or ANSI escapes', () => {
  it('a User-Agent, Host and query with CR/LF/ESC stay inside one JSON line', async () => {
    const s = await startTestServer();
    try {
      const forged = 'evil\r\n{"level":60,"msg":"forged"}\u001b[31m';
      await s.inject({ method: 'GET', url: '/healthz', headers: { 'user-agent': forged } });
      await s.inject({ method: 'GET', url: '/api/v2/clients?q=a%0D%0A%7B%22level%22%3A60%7D%1B', headers: { 'user-agent': forged } });
      await s.inject({ method: 'GET', url: '/api/v2/clients', host: 'tenant-a.test\r\n{"level":60,"msg":"forged"}' });
      expect(s.logs).toHaveLength(3);
      for (const chunk of s.logs) {
        expect(chunk.endsWith('\n')).toBe(true);
        const line = chunk.slice(0, -1);
        expect([line.includes('\r'), line.includes('\n'), line.includes('\u001b')]).toEqual([false, false, false]);
        expect((JSON.parse(line) as { msg: string }).msg).toBe('request');
      }
      expect((JSON.parse(s.logs[2]!) as { req: { host: string } }).req.host).toBe('tenant-a.test\r\n{"level":60,"msg":"forged"}');
    } finally {
      await s.close();
    }
  });
});

describe('logger.ts redactUrl and scrub', () => {
  it('redactUrl leaves a URL without query alone', () => {
    expect(redactUrl('/oauth/token')).toBe('/oauth/token');
  });

  it('redactUrl masks every sensitive query key, case-insensitively, keeping the others', () => {
    expect(redactUrl('/cb?code=abc&state=s1&audience=https://a/')).toBe('/cb?code=%5Bredacted%5D&state=%5Bredacted%5D&audience=https%3A%2F%2Fa%2F');
    expect(redactUrl('/x?Client_Secret=s&ACCESS_TOKEN=t&id_token=i&refresh_token=r&code_verifier=v&password=p&client_assertion=a')).toBe(
      '/x?Client_Secret=%5Bredacted%5D&ACCESS_TOKEN=%5Bredacted%5D&id_token=%5Bredacted%5D&refresh_token=%5Bredacted%5D&code_verifier=%5Bredacted%5D&password=%5Bredacted%5D&client_assertion=%5Bredacted%5D',
    );
  });

  it('redactUrl masks a percent-encoded key and every repeat of a key', () => {
    expect(redactUrl('/x?client%5Fsecret=s&code=a&code=b')).toBe('/x?client_secret=%5Bredacted%5D&code=%5Bredacted%5D');
  });

  it('redactUrl masks id_token_hint and any JWT-shaped value or path segment', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(redactUrl(`/v2/logout?id_token_hint=${jwt}`)).toBe('/v2/logout?id_token_hint=%5Bredacted%5D');
    expect(redactUrl(`/x?other=${jwt}`)).toBe('/x?other=[jwt]');
    expect(redactUrl(`/tokens/${jwt}`)).toBe('/tokens/[jwt]');
  });

  it('scrub masks JWT-shaped text and PEM blocks inside free text, and nothing else', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(scrub(`token ${jwt} and key ${pem} end`)).toBe('token [jwt] and key [pem] end');
    expect(scrub(`${jwt}, ${jwt}`)).toBe('[jwt], [jwt]');
    expect(scrub('eyJ is not a token; nor is eyJabc')).toBe('eyJ is not a token; nor is eyJabc');
  });
});
