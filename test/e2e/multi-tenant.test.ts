// One process, two tenants chosen by Host (DESIGN "Tenants"): a tenant made with the CLI answers
// at its own domain with its own issuer, its own TLS certificate (SNI, from the local CA) and its
// own keys, so a token of the default tenant means nothing there.
//
// *.localhost names do not resolve on every machine (glibc without nss-myhostname answers
// ENOTFOUND, as it does here), so requests connect to 127.0.0.1 through a `lookup` override while
// keeping the real name for SNI, certificate checks and the Host header.
import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** An HTTPS request to a URL whose host may not resolve; TLS is verified as usual (NODE_EXTRA_CA_CERTS). */
function request(url: string, headers: Record<string, string> = {}, method = 'GET', payload?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, lookup: loopback, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The certificate the server presents for `servername`, and whether Node's default trust accepts it. */
function peerCertificate(port: number, servername: string): Promise<{ authorized: boolean; cert: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      resolve({ authorized: socket.authorized, cert: new X509Certificate(raw) });
      socket.end();
    });
    socket.on('error', reject);
  });
}

let server: RealServer;
let beta = '';

beforeAll(async () => {
  server = await startRealServer();
  beta = `beta.localhost:${server.port}`;
  const created = server.cli(['tenants', 'create', 'beta', '--domain', beta, '--json']);
  if (created.status !== 0) throw new Error(`tenants create failed: ${created.stderr}`);
  // The server loads tenants at start (on SQLite a running one would wait for its 30 s resync).
  await server.restart();
});

afterAll(async () => {
  await server?.cleanup();
});

describe('a second tenant on the same process', () => {
  it('the CLI reports the tenant with its issuer', () => {
    const listed = server.cli(['tenants', 'list', '--json']);
    expect(listed.status).toBe(0);
    const rows = JSON.parse(listed.stdout) as { name: string; domain: string; default: boolean; issuer: string }[];
    expect(rows.find((t) => t.name === 'beta')).toMatchObject({ domain: beta, default: false, issuer: `https://${beta}/` });
  });

  it('§0 row 2: discovery at https://beta.localhost:PORT/ has issuer https://beta.localhost:PORT/', async () => {
    const reply = await request(`https://${beta}/.well-known/openid-configuration`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      issuer: `https://${beta}/`,
      token_endpoint: `https://${beta}/oauth/token`,
      jwks_uri: `https://${beta}/.well-known/jwks.json`,
    });
    const home = await request(`${server.baseUrl}/.well-known/openid-configuration`);
    expect((home.body as { issuer: string }).issuer).toBe(`https://localhost:${server.port}/`);
  });

  it('SNI: the certificate for beta.localhost is issued by the test CA and valid for that name only', async () => {
    const ca = new X509Certificate(readFileSync(path.join(server.dataDir, 'ca.crt')));
    const { authorized, cert } = await peerCertificate(server.port, 'beta.localhost');
    expect(authorized).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:beta.localhost');
    expect(cert.checkHost('beta.localhost')).toBe('beta.localhost');
    expect(cert.checkHost('localhost')).toBeUndefined();

    // The default certificate does not cover the tenant's name: SNI chose a different one.
    const home = await peerCertificate(server.port, 'localhost');
    expect(home.cert.checkHost('beta.localhost')).toBeUndefined();
    expect(home.cert.fingerprint256).not.toBe(cert.fingerprint256);
  });

  it('each tenant publishes its own signing keys', async () => {
    const kids = async (base: string) => ((await request(`${base}/.well-known/jwks.json`)).body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const betaKids = await kids(`https://${beta}`);
    const homeKids = await kids(server.baseUrl);
    expect(betaKids.length).toBeGreaterThan(0);
    expect(betaKids.filter((k) => homeKids.includes(k))).toEqual([]);
  });

  it("a token of the default tenant is refused at beta's /api/v2/clients with 401 Invalid token", async () => {
    const token = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);
    expect((await request(`${server.baseUrl}/api/v2/clients`, { authorization: `Bearer ${token}` })).status).toBe(200);

    const reply = await request(`https://${beta}/api/v2/clients`, { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } });
    expect(reply.headers['www-authenticate']).toBe(`Bearer realm="${beta}", error="invalid_token", error_description="Invalid token"`);
  });

  it("D1: the default tenant's application does not exist at beta's /oauth/token (401 access_denied)", async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: server.init.client_id,
      client_secret: server.init.client_secret,
      audience: `https://${beta}/api/v2/`,
    }).toString();
    const reply = await request(`https://${beta}/oauth/token`, { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', form);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    // ...while it still gets tokens at home.
    const home = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: server.init.client_id, client_secret: server.init.client_secret, audience: server.init.audience });
    expect(home.status).toBe(200);
  });
});
