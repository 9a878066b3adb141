// A user's own API protecting routes with express-oauth2-jwt-bearer, configured only with the
// server's base URL and an API identifier (spec §0 rows 2-4, §5.4): it discovers the issuer and
// JWKS from /.well-known/openid-configuration and checks alg, iss, aud and scope of our tokens.
// The same token is verified with jose's remote JWKS, as any other resource server would.
import type { Server } from 'node:http';
import { once } from 'node:events';
import { ManagementClient } from 'auth0';
// @ts-expect-error -- express 5 ships no type declarations and @types/express is not installed; only app.get/use/listen are used.
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const THINGS = 'https://things.e2e.test/api';
const OTHER = 'https://other.e2e.test/api';

interface ApiReply {
  status: number;
  wwwAuthenticate: string | null;
  body: Record<string, unknown>;
}

interface BearerError extends Error {
  status?: number;
  code?: string;
  headers?: Record<string, string>;
}

let server: RealServer;
let api: Server;
let apiUrl = '';
let app = { clientId: '', clientSecret: '' };

/** Starts an Express API on 127.0.0.1:0 whose /things route needs a read:things token for THINGS. */
async function startProtectedApi(issuerBaseURL: string): Promise<{ server: Server; url: string }> {
  const application = express();
  application.get('/things', auth({ issuerBaseURL, audience: THINGS }), requiredScopes('read:things'), (req: { auth: { payload: { sub: string } } }, res: { json(body: unknown): void }) => {
    res.json({ sub: req.auth.payload.sub });
  });
  // Errors as JSON, so the tests can read what the library decided.
  application.use((err: BearerError, _req: unknown, res: { status(n: number): { set(h: Record<string, string>): { json(b: unknown): void } } }, _next: unknown) => {
    res.status(err.status ?? 500).set(err.headers ?? {}).json({ code: err.code ?? null, message: err.message });
  });
  const listener = application.listen(0, '127.0.0.1') as Server;
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  return { server: listener, url: `http://127.0.0.1:${port}` };
}

async function callApi(url: string, token: string): Promise<ApiReply> {
  const res = await fetch(`${url}/things`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startRealServer();
  const mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  await mgmt.resourceServers.create({ name: 'Things', identifier: THINGS, signing_alg: 'RS256', scopes: [{ value: 'read:things' }, { value: 'write:things' }] });
  await mgmt.resourceServers.create({ name: 'Other', identifier: OTHER, signing_alg: 'RS256', scopes: [{ value: 'read:things' }] });
  const created = await mgmt.clients.create({ name: 'things-reader', app_type: 'non_interactive' });
  app = { clientId: created.client_id!, clientSecret: created.client_secret! };
  await mgmt.clientGrants.create({ client_id: app.clientId, audience: THINGS, scope: ['read:things', 'write:things'] });
  await mgmt.clientGrants.create({ client_id: app.clientId, audience: OTHER, scope: ['read:things'] });
  ({ server: api, url: apiUrl } = await startProtectedApi(server.baseUrl));
});

afterAll(async () => {
  api?.closeAllConnections();
  await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
  await server?.cleanup();
});

describe('express-oauth2-jwt-bearer against Scopeward tokens', () => {
  it('§0 row 4: the discovery document answers 200 directly (no redirect) with issuer, jwks_uri and RS256', async () => {
    const res = await fetch(`${server.baseUrl}/.well-known/openid-configuration`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(`https://localhost:${server.port}/`);
    expect(doc.jwks_uri).toBe(`https://localhost:${server.port}/.well-known/jwks.json`);
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('a token with read:things for the API is accepted (200); the library found issuer and keys by discovery', async () => {
    const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, THINGS);
    // The library's metadata fetch (https.get) follows no redirects and needs a 200: acceptance
    // means it read /.well-known/openid-configuration from the first response.
    expect(await callApi(apiUrl, token)).toEqual({ status: 200, wwwAuthenticate: null, body: { sub: `${app.clientId}@clients` } });
  });

  it('the issuer as users copy it (with its trailing slash) works as issuerBaseURL too', async () => {
    const second = await startProtectedApi(`${server.baseUrl}/`);
    try {
      const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, THINGS);
      expect((await callApi(second.url, token)).status).toBe(200);
    } finally {
      second.server.closeAllConnections();
      second.server.close();
    }
  });

  it('RFC 6750 §3.1: a token for another audience is refused with 401 invalid_token', async () => {
    const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, OTHER);
    const reply = await callApi(apiUrl, token);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ code: 'invalid_token', message: "Unexpected 'aud' value" });
    // The library appends a DPoP challenge after the Bearer one; the Bearer part is what matters here.
    expect(reply.wwwAuthenticate?.split(', DPoP ')[0]).toBe(`Bearer realm="api", error="invalid_token", error_description="Unexpected 'aud' value"`);
  });

  it('RFC 6750 §3.1: a token narrowed by `scope` to write:things is refused with 403 insufficient_scope', async () => {
    const { status, body } = await postToken(server.baseUrl, {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      audience: THINGS,
      scope: 'write:things',
    });
    expect(status).toBe(200);
    expect(body.scope).toBe('write:things');
    const reply = await callApi(apiUrl, body.access_token as string);
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ code: 'insufficient_scope', message: 'Insufficient Scope' });
    expect(reply.wwwAuthenticate).toBe('Bearer realm="api", error="insufficient_scope", error_description="Insufficient Scope", scope="read:things"');
  });

  it('a token whose signature was tampered with is refused with 401', async () => {
    const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, THINGS);
    const [header, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'read:things admin' })).toString('base64url')}.${token.split('.')[2]}`;
    const reply = await callApi(apiUrl, forged);
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('invalid_token');
  });
});

describe('jose createRemoteJWKSet + jwtVerify against Scopeward tokens', () => {
  it('§2.2 claims: the token verifies with the published JWKS, issuer https://localhost:PORT/ and the API audience', async () => {
    const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, THINGS, 'read:things');
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: `https://localhost:${server.port}/`, audience: THINGS, algorithms: ['RS256'] });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: decodeProtectedHeader(token).kid });
    expect(payload.iss).toBe(`https://localhost:${server.port}/`);
    expect(payload.sub).toBe(`${app.clientId}@clients`);
    expect(payload.aud).toBe(THINGS);
    expect(payload.azp).toBe(app.clientId);
    expect(payload.gty).toBe('client-credentials');
    expect(payload.scope).toBe('read:things');
    expect(payload.exp! - payload.iat!).toBe(86400);
    expect(typeof payload.jti).toBe('string');
  });

  it('the same JWKS refuses the token for a different expected audience', async () => {
    const token = await clientCredentialsToken(server.baseUrl, app.clientId, app.clientSecret, OTHER);
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    await expect(jwtVerify(token, jwks, { issuer: `https://localhost:${server.port}/`, audience: THINGS })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
  });
});
