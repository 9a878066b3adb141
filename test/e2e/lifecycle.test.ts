// The real server's life: health endpoints, private files in the data dir, restart persistence
// (T-FLT-07), a wrong master key (T-FLT-08), graceful SIGTERM (T-FLT-10), and a first start in an
// empty data dir that makes its own local CA and says how to trust it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../cli/run.ts';
import { BIN, freePort, NODE, startRealServer, type RealServer } from '../helpers/real-server.ts';

interface Reply {
  status: number;
  type: string | undefined;
  text: string;
}

/** One HTTPS request on a fresh connection (no pooled socket outlives a test). */
function request(url: string, options: { method?: string; body?: string; token?: string; ca?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        ...(options.ca && { ca: options.ca }),
        headers: { ...(options.body && { 'content-type': 'application/json' }), ...(options.token && { authorization: `Bearer ${options.token}` }) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const mode = (file: string): number => statSync(file).mode & 0o777;

describe('real server lifecycle', { timeout: 180_000 }, () => {
  let s: RealServer;
  const token = async (clientId: string, secret: string): Promise<Reply> =>
    request(`${s.baseUrl}/oauth/token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: s.init.audience }) });

  beforeAll(async () => {
    s = await startRealServer();
  }, 120_000);
  afterAll(async () => {
    await s?.cleanup();
  });

  it('/healthz answers 200 {"status":"ok"} and /readyz 200 {"status":"ready"} with what it checked', async () => {
    expect(await request(`${s.baseUrl}/healthz`)).toEqual({ status: 200, type: 'application/json; charset=utf-8', text: '{"status":"ok"}' });
    // One process on SQLite: changes are heard in-process ("local"), nothing to reconnect.
    expect(await request(`${s.baseUrl}/readyz`)).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      text: '{"status":"ready","checks":{"database":"ok","notifications":"local"}}',
    });
  });

  it('the master key and the SQLite files are private to the owner (0600)', () => {
    expect(mode(path.join(s.dataDir, 'master.key'))).toBe(0o600);
    for (const suffix of ['', '-wal', '-shm']) {
      const file = path.join(s.dataDir, `scopeward.db${suffix}`);
      if (suffix === '' || existsSync(file)) expect([file, mode(file)]).toEqual([file, 0o600]);
    }
    expect(mode(path.join(s.dataDir, 'ca.key'))).toBe(0o600);
  });

  it('T-FLT-07: after a restart, tokens issued before still work, the JWKS is identical, secrets still authenticate', async () => {
    const before = await token(s.init.client_id, s.init.client_secret);
    expect(before.status).toBe(200);
    const bearer = (JSON.parse(before.text) as { access_token: string }).access_token;
    const created = await request(`${s.baseUrl}/api/v2/clients`, { method: 'POST', token: bearer, body: JSON.stringify({ name: 'survives restart', app_type: 'non_interactive' }) });
    expect(created.status).toBe(201);
    const app = JSON.parse(created.text) as { client_id: string; client_secret: string };
    const grant = await request(`${s.baseUrl}/api/v2/client-grants`, { method: 'POST', token: bearer, body: JSON.stringify({ client_id: app.client_id, audience: s.init.audience, scope: ['read:clients'] }) });
    expect(grant.status).toBe(201);
    const jwksBefore = await request(`${s.baseUrl}/.well-known/jwks.json`);
    const listBefore = await request(`${s.baseUrl}/api/v2/clients`, { token: bearer });
    expect(listBefore.status).toBe(200);

    await s.restart();

    const listAfter = await request(`${s.baseUrl}/api/v2/clients`, { token: bearer });
    expect(listAfter.status).toBe(200);
    // Secret-use bookkeeping (client_secret_rotation) moves with every token request; the rest may not.
    const settled = (text: string) => (JSON.parse(text) as Record<string, unknown>[]).map(({ client_secret_rotation: _u, ...c }) => c);
    expect(settled(listAfter.text)).toEqual(settled(listBefore.text));
    const jwksAfter = await request(`${s.baseUrl}/.well-known/jwks.json`);
    expect(jwksAfter.status).toBe(200);
    const kids = (r: Reply) => (JSON.parse(r.text) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids(jwksAfter)).toEqual(kids(jwksBefore));
    expect(kids(jwksAfter)).toHaveLength(2);
    expect(jwksAfter.text).toBe(jwksBefore.text);
    expect((await token(s.init.client_id, s.init.client_secret)).status).toBe(200);
    const appToken = await token(app.client_id, app.client_secret);
    expect([appToken.status, (JSON.parse(appToken.text) as { scope: string }).scope]).toEqual([200, 'read:clients']);
    expect((await token(app.client_id, `${app.client_secret}x`)).status).toBe(401);
  });

  it('T-FLT-08: serve with a wrong SCOPEWARD_MASTER_KEY refuses to start with a clear error', () => {
    const r = s.cli(['serve'], { SCOPEWARD_MASTER_KEY: randomBytes(32).toString('base64') });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('scopeward: the master key does not match the one this database was written with; refusing to start\n');
  });

  it('T-FLT-10: on SIGTERM in-flight requests finish, new connections are refused, the process exits 0 with no WAL left', async () => {
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: s.init.client_id, client_secret: s.init.client_secret, audience: s.init.audience });
    const half = Math.floor(body.length / 2);
    // Two requests whose bodies are still arriving when the signal comes.
    const slow = [0, 1].map(() => {
      let finish!: () => void;
      let sent!: () => void;
      // Sent: connected, TLS done and the first half handed to the kernel (a handshake can take
      // long on a loaded machine; a signal before it would find no request in flight).
      const halfSent = new Promise<void>((resolve) => (sent = resolve));
      const response = new Promise<Reply>((resolve, reject) => {
        const req = https.request(`${s.baseUrl}/oauth/token`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }));
        });
        req.on('error', reject);
        req.on('socket', (socket) => socket.once('secureConnect', () => req.write(body.slice(0, half), () => sent())));
        finish = () => req.end(body.slice(half));
      });
      return { response, halfSent, finish: () => finish() };
    });
    await Promise.all(slow.map((r) => r.halfSent));
    // Then a moment for the server to read the headers: the request is in flight.
    await new Promise((r) => setTimeout(r, 500));

    const exited = s.stop('SIGTERM');
    const refusedAt = await waitForRefusal(s.port, 10_000);
    expect(refusedAt).toBe('ECONNREFUSED');

    for (const r of slow) r.finish();
    for (const r of slow) {
      const reply = await r.response;
      expect([reply.status, typeof (JSON.parse(reply.text) as { access_token?: unknown }).access_token]).toEqual([200, 'string']);
    }
    expect(await exited).toBe(0);
    expect(existsSync(path.join(s.dataDir, 'scopeward.db-wal'))).toBe(false);
  });
});

/**
 * Opens TCP connections to 127.0.0.1:port until one is refused; returns the error code. A
 * connection that reached the accept queue just as the listener closed is reset, not refused:
 * that is the close happening, so it asks again.
 */
async function waitForRefusal(port: number, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const code = await new Promise<string | undefined>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    if (code && code !== 'ECONNRESET') return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server still accepted connections');
}

describe('first start in an empty data dir', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-first-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a private local CA, names it and NODE_EXTRA_CA_CERTS in the banner, serves a certificate it signed', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'data');
    const child = spawn(NODE, [BIN, 'serve', '--log-level', 'warn'], { env: cleanEnv({ SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!out.includes('Scopeward is listening on') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('Scopeward is listening on');

      const caPath = path.join(dataDir, 'ca.crt');
      expect(out).toContain(`  issuer (default tenant): https://localhost:${port}/\n`);
      expect(out).toContain(`  local CA: ${caPath}\n`);
      expect(out).toContain(`  trust it in Node.js with: export NODE_EXTRA_CA_CERTS=${caPath}\n`);
      expect([mode(path.join(dataDir, 'ca.key')), mode(path.join(dataDir, 'server.key')), mode(caPath)]).toEqual([0o600, 0o600, 0o644]);
      expect([mode(path.join(dataDir, 'master.key')), mode(path.join(dataDir, 'scopeward.db')), mode(dataDir)]).toEqual([0o600, 0o600, 0o700]);
      expect(out).toContain('created a new master key file');

      // The banner's CA is enough to trust the server: nothing else is needed.
      const health = await request(`https://localhost:${port}/healthz`, { ca: readFileSync(caPath, 'utf8') });
      expect([health.status, health.text]).toEqual([200, '{"status":"ok"}']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
