// Serving the dashboard (issue #5; T-UI-07/08/11): index.html with exactly the page headers at
// /dashboard/, every non-asset path under it and /explorer; immutable hashed assets with their
// content types (compressed when asked); 404 for unknown assets and for every way of spelling a
// path traversal; a 503 page while the dashboard is not built; config.json per tenant.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, EXPLORER_CSP } from '../../src/http/dashboard.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { DASHBOARD_CLIENT_NAME } from '../../src/domain/dashboard-client.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
const STYLE = 'body{color:red}';

const INDEX_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A GET written to the socket exactly as given (no URL normalization on the way). */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${DOMAIN}\r\nConnection: close\r\n\r\n`);
  });
}

function fakeBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'scopeward-dashboard-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), STYLE);
  // A file outside assets/ that a traversal would reach.
  writeFileSync(path.join(dir, 'secret.txt'), 'not an asset');
  return dir;
}

describe('dashboard pages', () => {
  let s: TestServer;
  let dir: string;
  let port: number;
  beforeAll(async () => {
    dir = fakeBuild();
    s = await startTestServer({ dashboardDir: dir });
    await s.fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (s.fastify.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('CSP: the dashboard connects to its own origin only; the explorer to any https origin (Set API Token takes a domain)', () => {
    expect(DASHBOARD_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
    );
    expect(EXPLORER_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self' https:; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
    );
  });

  it.each(['/dashboard/', '/dashboard/applications', '/dashboard/apis/abc/explorer', '/dashboard/users/auth0%7C123?tab=metadata', '/explorer', '/explorer/'])(
    'T-UI-07/08: GET %s answers index.html with the page headers',
    async (url) => {
      const res = await s.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(INDEX);
      for (const [name, value] of Object.entries(INDEX_HEADERS)) expect([name, res.headers[name]]).toStrictEqual([name, value]);
      expect(res.headers['content-security-policy']).toBe(url.startsWith('/explorer') ? EXPLORER_CSP : DASHBOARD_CSP);
    },
  );

  it('/dashboard redirects to /dashboard/ (keeping the query)', async () => {
    const plain = await s.inject({ method: 'GET', url: '/dashboard' });
    expect([plain.statusCode, plain.headers.location, plain.headers['cache-control']]).toStrictEqual([302, '/dashboard/', 'no-store']);
    const withQuery = await s.inject({ method: 'GET', url: '/dashboard?code=abc&state=xyz' });
    expect([withQuery.statusCode, withQuery.headers.location]).toStrictEqual([302, '/dashboard/?code=abc&state=xyz']);
  });

  it('no state change by other methods: POST to a page is 404', async () => {
    const res = await s.inject({ method: 'POST', url: '/dashboard/', payload: {} });
    expect(res.statusCode).toBe(404);
  });

  it('assets: exact bytes, content type, immutable caching, nosniff', async () => {
    const js = await s.inject({ method: 'GET', url: '/dashboard/assets/index-abc123.js' });
    expect([js.statusCode, js.body, js.headers['content-type'], js.headers['cache-control'], js.headers['x-content-type-options'], js.headers['content-encoding']]).toStrictEqual([
      200,
      SCRIPT,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      'nosniff',
      undefined,
    ]);
    const css = await s.inject({ method: 'GET', url: '/dashboard/assets/index-abc123.css' });
    expect([css.statusCode, css.body, css.headers['content-type']]).toStrictEqual([200, STYLE, 'text/css; charset=utf-8']);
  });

  it('assets are compressed when the browser accepts it (brotli first, then gzip)', async () => {
    const br = await s.inject({ method: 'GET', url: '/dashboard/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect([br.headers['content-encoding'], br.headers.vary]).toStrictEqual(['br', 'Accept-Encoding']);
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(SCRIPT);
    expect(br.rawPayload.length).toBeLessThan(SCRIPT.length / 4);
    const gz = await s.inject({ method: 'GET', url: '/dashboard/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(SCRIPT);
  });

  it('a missing asset is 404 (never index.html)', async () => {
    const res = await s.inject({ method: 'GET', url: '/dashboard/assets/index-missing.js' });
    expect([res.statusCode, res.json()]).toStrictEqual([404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }]);
  });

  // Sent byte for byte over a socket: inject() (like browsers) would normalize `..` and `\\` first.
  it.each([
    '/dashboard/assets/../secret.txt',
    '/dashboard/assets/..%2fsecret.txt',
    '/dashboard/assets/%2e%2e%2fsecret.txt',
    '/dashboard/assets/%2e%2e/secret.txt',
    '/dashboard/assets/..%5csecret.txt',
    '/dashboard/assets/..\\secret.txt',
    '/dashboard/assets/%2e%2e%5c%2e%2e%5cpackage.json',
    '/dashboard/assets/.%2e/secret.txt',
    '/dashboard/assets/sub/../../secret.txt',
    '/dashboard/assets/%252e%252e%252fsecret.txt',
    '/dashboard/assets/index-abc123.js%00.png',
    '/dashboard/assets/.htaccess',
    '/dashboard/assets/',
  ])('no path traversal: %s is 404 and reads nothing outside assets/', async (url) => {
    const res = await rawGet(port, url);
    expect([res.status, res.body]).toStrictEqual([404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'Not Found' })]);
  });

  it('the same paths normalized by a browser land on the SPA, never on the file', async () => {
    for (const url of ['/dashboard/assets/../secret.txt', '/dashboard/assets/..\\secret.txt', '/dashboard/assets/sub/../../secret.txt']) {
      const res = await s.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.body]).toStrictEqual([url, 200, INDEX]);
    }
  });

  it('config.json names the tenant, its dashboard application and every Management API scope', async () => {
    const res = await s.inject({ method: 'GET', url: '/dashboard/config.json' });
    const clients = await s.storage.clients.list(s.tenant.id, {}, { offset: 0, limit: 100, withTotal: false });
    const dashboard = clients.items.find((c) => c.data.name === DASHBOARD_CLIENT_NAME)!;
    expect([res.statusCode, res.headers['content-type'], res.headers['cache-control']]).toStrictEqual([200, 'application/json; charset=utf-8', 'no-store']);
    // Counted against the same per-address limit as discovery and the JWKS.
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
    const next = await s.inject({ method: 'GET', url: '/dashboard/config.json' });
    expect(Number(next.headers['x-ratelimit-remaining'])).toBe(Number(res.headers['x-ratelimit-remaining']) - 1);
    expect(res.json()).toStrictEqual({
      domain: DOMAIN,
      issuer: `https://${DOMAIN}/`,
      client_id: dashboard.clientId,
      audience: `https://${DOMAIN}/api/v2/`,
      scopes: [...MANAGEMENT_SCOPES],
    });
  });

  it('config.json is per tenant (resolved by Host); an unknown host gets no dashboard', async () => {
    await s.addTenant('second', 'tenant-b.test');
    const a = (await s.inject({ method: 'GET', url: '/dashboard/config.json' })).json<{ client_id: string }>();
    const b = await s.inject({ method: 'GET', url: '/dashboard/config.json', host: 'tenant-b.test' });
    expect(b.statusCode).toBe(200);
    const body = b.json<{ domain: string; issuer: string; audience: string; client_id: string }>();
    expect([body.domain, body.issuer, body.audience]).toStrictEqual(['tenant-b.test', 'https://tenant-b.test/', 'https://tenant-b.test/api/v2/']);
    expect(body.client_id).not.toBe(a.client_id);
    const tenantB = (await s.storage.tenants.getByDomain('tenant-b.test'))!;
    const dashboardB = await s.storage.clients.get(tenantB.id, body.client_id);
    expect([dashboardB?.data.scopeward_system, dashboardB?.data.callbacks]).toStrictEqual(['dashboard', ['https://tenant-b.test/dashboard/']]);
    const unknown = await s.inject({ method: 'GET', url: '/dashboard/', host: 'nobody.test' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('dashboard not built', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scopeward-unbuilt-'));
    s = await startTestServer({ dashboardDir: dir });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/dashboard/', '/dashboard/users', '/explorer'])('GET %s answers 503 with a page that says to run npm run build', async (url) => {
    const res = await s.inject({ method: 'GET', url });
    expect([res.statusCode, res.headers['content-type'], res.headers['x-frame-options'], res.headers['cache-control']]).toStrictEqual([
      503,
      'text/html; charset=utf-8',
      'DENY',
      'no-store',
    ]);
    expect(res.body).toContain('Run npm run build in the Scopeward directory');
  });

  it('assets are 404 and config.json still answers', async () => {
    expect((await s.inject({ method: 'GET', url: '/dashboard/assets/index.js' })).statusCode).toBe(404);
    expect((await s.inject({ method: 'GET', url: '/dashboard/config.json' })).statusCode).toBe(200);
  });
});

describe('the real build (dashboard/dist, made by npm run build)', () => {
  it('is found by default and its index.html links only same-origin assets that are served', async () => {
    const s = await startTestServer();
    try {
      const index = await s.inject({ method: 'GET', url: '/dashboard/' });
      expect(index.statusCode).toBe(200);
      const assets = [...index.body.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(0);
      expect(index.body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
      for (const url of assets) expect([url, (await s.inject({ method: 'GET', url })).statusCode]).toStrictEqual([url, 200]);
    } finally {
      await s.close();
    }
  });
});
