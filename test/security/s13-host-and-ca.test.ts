// S13 / T-OUT-12 (issue 9): the host a request names is never ambiguous, and the local CA users are
// asked to trust can sign only for the names it exists for.
// - RFC 9112 §3.2: two Host fields → 400; RFC 9112 §3.2.2: an absolute-form target that names
//   another authority than Host → 400. Neither picks a tenant (the first Host used to).
// - The local CA carries a critical Name Constraints extension (RFC 5280 §4.2.1.10): localhost,
//   .localhost, 127.0.0.0/8, ::1 and the tenant domains known when it was made; it lives 825 days;
//   a real TLS client trusting it refuses a certificate it issued for any other name. A CA of an
//   earlier version (no constraints, ten years) is replaced without breaking clients that trust it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKey, importRsaKey, issueServerCert } from '../../src/crypto/certs.ts';
import { ensureLocalCa, localCaHttps } from '../../src/http/tls.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const NOW = new Date(Date.UTC(2026, 10, 1, 12, 0, 0));
const DAY_MS = 86_400_000;

describe('T-OUT-12 (S13): RFC 9112 §3.2, exactly one unambiguous Host, or 400', () => {
  let s: TestServer;
  let port: number;

  beforeAll(async () => {
    s = await startTestServer();
    await s.addTenant('beta', 'tenant-b.test');
    await s.fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (s.fastify.server.address() as net.AddressInfo).port;
  });
  afterAll(() => s.close());

  /** One raw HTTP/1.1 request (the head as written, then `body`); the whole answer. */
  const raw = (head: string, body = ''): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      // Written, not ended: a client that half-closes its side has its request aborted by Node's
      // HTTP server when the answer is not ready yet (a token is signed on the threadpool).
      // `Connection: close` has the server close the connection after answering.
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head}Connection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    });
  const bodyOf = (text: string): unknown => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

  it('a single Host picks its tenant (the control)', async () => {
    const res = await raw(`GET /.well-known/openid-configuration HTTP/1.1\r\nHost: tenant-b.test\r\n`);
    expect(res.status).toBe(200);
    expect((bodyOf(res.text) as { issuer: string }).issuer).toBe('https://tenant-b.test/');
  });

  it.each([
    ['two tenants', 'Host: tenant-a.test\r\nHost: tenant-b.test\r\n'],
    ['the same host twice', 'Host: tenant-a.test\r\nHost: tenant-a.test\r\n'],
    ['two spellings', 'host: tenant-b.test\r\nHOST: tenant-a.test\r\n'],
  ])('two Host fields (%s) → 400, whatever the path, and no tenant answers', async (_name, hosts) => {
    for (const target of ['/.well-known/openid-configuration', '/.well-known/jwks.json', '/api/v2/clients', '/healthz']) {
      const res = await raw(`GET ${target} HTTP/1.1\r\n${hosts}`);
      expect(res.status, `${target}: ${res.text}`).toBe(400);
      expect(bodyOf(res.text)).toEqual({ statusCode: 400, error: 'Bad Request', message: 'A request must carry exactly one Host header' });
      expect(res.text).not.toContain('issuer');
    }
  });

  it('two Host fields at /oauth/token → 400 in the OAuth shape, never a token, even with the right credentials', async () => {
    const m2m = await seedM2M(s, ['read:clients']);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience: s.tenant.managementAudience }).toString();
    const res = await raw(`POST /oauth/token HTTP/1.1\r\nHost: ${DOMAIN}\r\nHost: tenant-b.test\r\nContent-Type: application/x-www-form-urlencoded\r\n`, form);
    expect(res.status).toBe(400);
    expect(bodyOf(res.text)).toEqual({ error: 'invalid_request', error_description: 'A request must carry exactly one Host header' });
    // The control: the same request with one Host gets its token.
    expect((await raw(`POST /oauth/token HTTP/1.1\r\nHost: ${DOMAIN}\r\nContent-Type: application/x-www-form-urlencoded\r\n`, form)).status).toBe(200);
  });

  it.each([
    ['another tenant', 'https://tenant-b.test/.well-known/openid-configuration', 'tenant-a.test'],
    ['another port', 'https://tenant-a.test:8443/.well-known/openid-configuration', 'tenant-a.test'],
    ['a host that is no tenant', 'http://attacker.example/.well-known/openid-configuration', 'tenant-a.test'],
    ['credentials in the target', 'https://user@tenant-a.test/.well-known/openid-configuration', 'tenant-a.test'],
  ])('an absolute-form target naming %s than Host → 400 (RFC 9112 §3.2.2)', async (_name, target, host) => {
    const res = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\n`);
    expect(res.status, res.text).toBe(400);
    expect(bodyOf(res.text)).toEqual({ statusCode: 400, error: 'Bad Request', message: 'The request target names another host than the Host header' });
  });

  it('an absolute-form target with another scheme → 400 (the router refuses it as a malformed URI)', async () => {
    const res = await raw(`GET ftp://tenant-a.test/.well-known/openid-configuration HTTP/1.1\r\nHost: tenant-a.test\r\n`);
    expect(res.status, res.text).toBe(400);
    expect(res.text).not.toContain('issuer');
  });

  it.each([
    ['the same host', 'https://tenant-b.test/.well-known/openid-configuration', 'tenant-b.test'],
    ['other letter case and the default port', 'HTTPS://Tenant-B.test:443/.well-known/openid-configuration', 'TENANT-B.TEST'],
  ])('an absolute-form target naming %s as Host is served, for that tenant', async (_name, target, host) => {
    const res = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\n`);
    expect(res.status, res.text).toBe(200);
    expect((bodyOf(res.text) as { issuer: string }).issuer).toBe('https://tenant-b.test/');
  });
});

/**
 * Whether node:tls, trusting only `ca`, verifies the chain a server presents for `servername`:
 * 'verified', or the verification error. (The host-name check is left out: it is the chain, with
 * the CA's constraints, that is under test; servers listen on 127.0.0.1 whatever name they serve.)
 */
async function verify(ca: string, key: string, chain: string, servername: string | undefined): Promise<string> {
  const server = tls.createServer({ key, cert: chain }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await connectTo(port, ca, servername);
  } finally {
    server.close();
  }
}

function connectTo(port: number, ca: string, servername: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, ...(servername !== undefined && { servername }), checkServerIdentity: () => undefined }, () => {
      resolve('verified');
      socket.destroy();
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

/** `openssl x509 -text` of a PEM certificate: an independent reading of its extensions. */
const opensslText = (pem: string): string => execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem }).toString('utf8');

async function x509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

describe('T-OUT-12 (S13): the local CA is name-constrained and short-lived', () => {
  let dir: string;
  let caPem: string;
  let ca: { certPem: string; keyPem: string };
  let serverKeyPem: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-s13-'));
    await ensureLocalCa(dir, NOW, { hosts: ['localhost:8443', 'auth.example.test:8443', '192.0.2.10:8443', 'beta.localhost:8443'] });
    caPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    ca = { certPem: caPem, keyPem: readFileSync(path.join(dir, 'ca.key'), 'utf8') };
    serverKeyPem = readFileSync(path.join(dir, 'server.key'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries a critical Name Constraints extension permitting exactly the loopback names and the tenant domains', async () => {
    const lib = await x509();
    const cert = new lib.X509Certificate(caPem);
    const nc = cert.getExtension('2.5.29.30');
    expect(nc, 'no Name Constraints extension').not.toBeNull();
    expect(nc!.critical).toBe(true);
    const text = opensslText(caPem);
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+DNS:\.localhost\s+DNS:auth\.example\.test\s+IP:127\.0\.0\.0\/255\.0\.0\.0\s+IP:0:0:0:0:0:0:0:1\/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF\s+IP:192\.0\.2\.10\/255\.255\.255\.255\n\s+Signature Algorithm/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  });

  it('lives 825 days (not ten years), and the certificates it issues never outlive it', async () => {
    const lib = await x509();
    const cert = new lib.X509Certificate(caPem);
    expect((cert.notAfter.getTime() - NOW.getTime()) / DAY_MS).toBe(825);
    const late = new Date(cert.notAfter.getTime() - 10 * DAY_MS);
    const leaf = new lib.X509Certificate(await issueServerCert(ca, await importRsaKey(serverKeyPem), ['localhost'], late));
    expect(leaf.notAfter.getTime()).toBe(cert.notAfter.getTime());
    const early = new lib.X509Certificate(await issueServerCert(ca, await importRsaKey(serverKeyPem), ['localhost'], NOW));
    expect((early.notAfter.getTime() - NOW.getTime()) / DAY_MS).toBe(397);
  });

  it('a real TLS client trusting it accepts certificates for the permitted names and refuses any other', async () => {
    const keys = await importRsaKey(serverKeyPem);
    const chainFor = async (name: string) => `${(await issueServerCert(ca, keys, [name], NOW)).trim()}\n${caPem.trim()}\n`;
    for (const name of ['localhost', 'tenant-x.localhost', 'auth.example.test', 'api.auth.example.test', '127.0.0.1', '127.8.9.10', '::1', '192.0.2.10']) {
      expect(await verify(caPem, serverKeyPem, await chainFor(name), net.isIP(name) ? undefined : name), name).toBe('verified');
    }
    for (const name of ['evil.example.com', 'example.test', 'auth.example.test.evil.com', 'localhost.evil.com', '10.0.0.1', '192.0.2.11', '2001:db8::1']) {
      expect(await verify(caPem, serverKeyPem, await chainFor(name), net.isIP(name) ? undefined : name), name).toBe('permitted subtree violation');
    }
  });

  it('a TLS client that insists on verification cannot connect to a certificate outside the constraints', async () => {
    const chain = `${(await issueServerCert(ca, await importRsaKey(serverKeyPem), ['evil.example.com'], NOW)).trim()}\n${caPem.trim()}\n`;
    const server = tls.createServer({ key: serverKeyPem, cert: chain }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await new Promise<Error>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, ca: caPem, servername: 'evil.example.com' }, () => resolve(new Error('connected')));
        socket.once('error', resolve);
      });
      expect(error.message).toBe('permitted subtree violation');
    } finally {
      server.close();
    }
  });

  it('a tenant host outside the constraints is served a certificate that will not verify, and the log says what to do', async () => {
    const warnings: string[] = [];
    const { https } = await localCaHttps(dir, 'auth.example.test:8443', (host) => host === 'tenant.elsewhere.example', () => NOW, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    const server = createHttpsServer(https, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(await connectTo((server.address() as net.AddressInfo).port, caPem, 'tenant.elsewhere.example')).toBe('permitted subtree violation');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('The local CA cannot sign for tenant.elsewhere.example');
      expect(warnings[0]).toContain('--tls-cert/--tls-key');
      expect(warnings[0]).toContain('--http behind a TLS-terminating proxy');
    } finally {
      server.close();
    }
    // A default domain outside the constraints is reported at start.
    const atStart: string[] = [];
    await localCaHttps(dir, 'login.other.example:8443', () => false, () => NOW, (m) => atStart.push(m));
    expect(atStart).toHaveLength(1);
    expect(atStart[0]).toContain('The local CA cannot sign for login.other.example');
  });
});

describe('T-OUT-12 (S13): a CA from an earlier version (unconstrained, ten years) is replaced, and says so', () => {
  let dir: string;
  let oldCaPem: string;
  let oldKeyPem: string;
  let state: Awaited<ReturnType<typeof ensureLocalCa>>;
  const warnings: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-s13-legacy-'));
    // Made exactly as the earlier version did: CA:TRUE, pathlen 0, key usage, ten years, no constraints.
    const lib = await x509();
    const { keys, privatePem } = await generateRsaKey();
    const cert = await lib.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01a2b3c4',
      name: 'CN=Scopeward local development CA',
      notBefore: new Date(NOW.getTime() - 400 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 3250 * DAY_MS),
      keys,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      extensions: [new lib.BasicConstraintsExtension(true, 0, true), new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true), await lib.SubjectKeyIdentifierExtension.create(keys.publicKey)],
    });
    oldCaPem = cert.toString('pem');
    oldKeyPem = privatePem;
    writeFileSync(path.join(dir, 'ca.crt'), oldCaPem);
    writeFileSync(path.join(dir, 'ca.key'), oldKeyPem, { mode: 0o600 });
    state = await ensureLocalCa(dir, NOW, { hosts: ['localhost:8443'], warn: (m) => warnings.push(m) });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the new CA is constrained; the old key is gone, its certificate kept aside; the notice says how to trust the new one', () => {
    const newPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    expect(newPem).not.toBe(oldCaPem);
    expect(opensslText(newPem)).toMatch(/X509v3 Name Constraints: critical/);
    expect(readFileSync(path.join(dir, 'ca.key'), 'utf8')).not.toBe(oldKeyPem);
    expect(readFileSync(path.join(dir, 'ca-previous.crt'), 'utf8')).toBe(oldCaPem);
    expect(warnings).toEqual([state.replaced]);
    expect(state.replaced).toMatch(/^Replaced the local CA .*ca\.crt: the previous one \(CN=Scopeward local development CA, kept as .*ca-previous\.crt\) had no Name Constraints/);
    expect(state.replaced).toContain('can sign only for localhost, .localhost, 127.0.0.0/8, ::1/128');
    expect(state.replaced).toContain('restart applications that use NODE_EXTRA_CA_CERTS=');
    expect(state.replaced).toContain('import');
  });

  it('the next start changes nothing more', async () => {
    const before = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    const again: string[] = [];
    const next = await ensureLocalCa(dir, NOW, { hosts: ['localhost:8443'], warn: (m) => again.push(m) });
    expect(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe(before);
    expect([next.replaced, again]).toEqual([undefined, []]);
  });

  it('the server is verified by the new CA (and, as the notice says, no longer by the old one)', async () => {
    const { https } = await localCaHttps(dir, 'localhost:8443', () => false, () => NOW);
    const [key, chain] = [https.key, https.cert] as [string, string];
    const newPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    expect(await verify(newPem, key, chain, 'localhost')).toBe('verified');
    expect(await verify(oldCaPem, key, chain, 'localhost')).toBe('self-signed certificate in certificate chain');
  });

  it('a constrained CA is announced in its last 30 days, and replaced once it has expired', async () => {
    const pem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    const end = new (await x509()).X509Certificate(pem).notAfter.getTime();
    const notices: string[] = [];
    const late = await ensureLocalCa(dir, new Date(end - 10 * DAY_MS), { warn: (m) => notices.push(m) });
    expect(late.replaced).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^The local CA .*ca\.crt ends on 2029-02-03; the first start after that makes a new one, which clients must trust again/);
    expect(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe(pem);
    // The server's HTTPS set-up after that start-up check says it no second time.
    await localCaHttps(dir, 'localhost:8443', () => false, () => new Date(end - 10 * DAY_MS), (m) => notices.push(m));
    expect(notices).toHaveLength(1);
    const expired = await ensureLocalCa(dir, new Date(end + DAY_MS), { warn: (m) => notices.push(m) });
    expect(expired.replaced).toMatch(/the previous one \(CN=Scopeward local development CA 2026-11-01, kept as .*ca-previous\.crt\) expired on 2029-02-03\./);
    expect(readFileSync(path.join(dir, 'ca-previous.crt'), 'utf8')).toBe(pem);
  });
});
