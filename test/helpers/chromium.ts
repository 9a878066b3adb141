// A real browser for end-to-end tests (spec security-tests §5.4): Debian's /usr/bin/chromium driven
// by playwright-core (which never downloads a browser), and small HTTPS sites served by the test
// itself (an SPA using the official SDKs, an attacker page) with certificates from the local CA of
// test/global-setup.ts. Chromium is required: without it the tests fail, they are never skipped.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { localCaHttps } from '../../src/http/tls.ts';
import { ROOT } from './real-server.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Every browser step waits at most this long (vitest's own timeout for the file is longer). */
export const STEP_TIMEOUT_MS = 20_000;

/** The SDKs' browser bundles as an application would load them from a CDN, served from node_modules. */
export const SDK_BUNDLES = {
  '/sdk/auth0.min.js': path.join(ROOT, 'node_modules', 'auth0-js', 'dist', 'auth0.min.js'),
  '/sdk/auth0-spa-js.production.js': path.join(ROOT, 'node_modules', '@auth0', 'auth0-spa-js', 'dist', 'auth0-spa-js.production.js'),
} as const;

/** Headless Chromium with the flags of spec §5.4 (a fresh profile per launch). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: the browser tests need Debian's chromium package (apt-get install chromium; .ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: STEP_TIMEOUT_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser profile of its own (cookies, storage). The local CA is not in Chromium's trust store,
 * so certificate errors are ignored; the pages are still https, so Secure and __Host- cookies
 * behave as in production.
 */
export async function newBrowserContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return context;
}

/**
 * A 1280×900 page on the dashboard of `server`, signed in as the administrator `scopeward init`
 * made; the page's uncaught errors are pushed onto `problems` (the tests assert none).
 */
export async function signedInDashboard(
  browser: Browser,
  server: { baseUrl: string; init: object },
  problems: string[],
  options: { timezoneId?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, ...(options.timezoneId && { timezoneId: options.timezoneId }) });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const { admin } = server.init as { admin: { email: string; password: string } };
  await page.goto(`${server.baseUrl}/dashboard/`);
  await page.locator('#username').fill(admin.email);
  await page.locator('#password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
  return { context, page };
}

export interface SiteResponse {
  status?: number;
  type: string;
  body: string | Buffer;
}

export type SiteRoute = SiteResponse | (() => SiteResponse);

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StaticSite {
  /** https://HOST:PORT */
  origin: string;
  port: number;
  /** Every request this site answered, in order. */
  readonly requests: SeenRequest[];
  /** Serves `route` at `pathname` (query strings are ignored when matching). */
  route(pathname: string, route: SiteRoute): void;
  close(): Promise<void>;
}

export const html = (body: string): SiteResponse => ({ type: 'text/html; charset=utf-8', body });

/**
 * An HTTPS site on 127.0.0.1 named `host` (`localhost`, or a `*.localhost` name, which Chromium
 * resolves to loopback), with the SDK bundles already routed. Unknown paths answer 404.
 */
export async function startStaticSite(host = 'localhost'): Promise<StaticSite> {
  const caDir = process.env.SCOPEWARD_TEST_CA_DIR;
  if (!caDir) throw new Error('SCOPEWARD_TEST_CA_DIR is not set: run the tests through vitest (test/global-setup.ts)');
  const { https } = await localCaHttps(caDir, host, () => false, () => new Date());
  const routes = new Map<string, SiteRoute>();
  for (const [pathname, file] of Object.entries(SDK_BUNDLES)) routes.set(pathname, { type: 'text/javascript; charset=utf-8', body: readFileSync(file) });
  const requests: SeenRequest[] = [];

  const server: Server = createServer({ key: https.key, cert: https.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const route = routes.get(new URL(req.url ?? '/', 'https://site.invalid').pathname);
      const answer = route === undefined ? undefined : typeof route === 'function' ? route() : route;
      if (!answer) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      else res.writeHead(answer.status ?? 200, { 'content-type': answer.type, 'cache-control': 'no-store' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    origin: `https://${host}:${port}`,
    port,
    requests,
    route: (pathname, route) => void routes.set(pathname, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON value as a literal inside an inline <script> of a test page. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
