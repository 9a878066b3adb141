// Serving the dashboard and the Management API explorer (issue #5): one single-page application
// built by Vite into dashboard/dist. index.html answers /dashboard/, every non-asset path under it
// and /explorer, with a strict CSP (script-src 'self': the build has no inline script) and no
// framing (T-UI-07/08); hashed assets are immutable. /dashboard/config.json tells the application
// which tenant it runs for. Paths are never joined from request text: an asset name must be one
// plain file name, so no `..`, encoded or not, reaches the file system. The pages answer failures
// with our HTML error page; config.json and the assets are files, and answer them in JSON.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../cache/registry.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import { MANAGEMENT_SCOPES } from '../domain/scopes.ts';
import type { Tenant } from '../domain/tenant.ts';
import { errorPage } from '../login/pages.ts';
import { ManagementError, TEXT } from '../management/errors.ts';
import type { Storage } from '../storage/ports.ts';
import { jsonErrors, pageErrors } from './errors.ts';
import { sendPage } from './pages.ts';
import { publicLimit } from './public-limit.ts';

/** dashboard/dist beside src/ (and beside dist/ when compiled): the same relative path from both. */
export const DEFAULT_DASHBOARD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard', 'dist');

/** The policy of both pages but for where scripts may connect (`%CONNECT%`). */
const CSP_TEMPLATE =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src %CONNECT%; " +
  "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";
/** The dashboard talks to its own origin only: an injection could not send what it reads elsewhere. */
export const DASHBOARD_CSP = CSP_TEMPLATE.replace('%CONNECT%', "'self'");
/** The explorer may be pointed at another Scopeward domain (Set API Token), so any https origin. */
export const EXPLORER_CSP = CSP_TEMPLATE.replace('%CONNECT%', "'self' https:");

const pageHeaders = (csp: string) =>
  ({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': csp,
  }) as const;
const DASHBOARD_HEADERS = pageHeaders(DASHBOARD_CSP);
const EXPLORER_HEADERS = pageHeaders(EXPLORER_CSP);

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.map', '.json', '.svg', '.txt']);
/** One file name of a Vite build (`index-DWA9Yg1j.js`): no separator, no leading dot, nothing else. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/;

/** Pages under /dashboard/ and /explorer/, not the config and assets. */
const PAGE_PATH = /^\/(dashboard|explorer)\/(?!config\.json(\?|$)|assets\/)/;

/** Whether a request, even one whose path does not decode, is for a dashboard or explorer page (framework-errors.ts). */
export function isDashboardPage(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PAGE_PATH.test(url);
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Asset {
  type: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
  mtimeMs: number;
}

export interface DashboardDeps {
  storage: Storage;
  registry: Registry;
  /** The per-address limit of config.json, that of the other public documents (discovery, JWKS). */
  limiter: RateLimiter;
  /** The built application (default: dashboard/dist of this installation). */
  dashboardDir?: string | undefined;
  /**
   * The local CA's ca.crt when it signs this server's certificate: config.json names it so that the
   * explorer's "Copy curl" adds `--cacert` (issue 14). Development only (production refuses the
   * local CA), so the path it discloses is a developer's own.
   */
  localCaCertPath?: string | undefined;
}

/** The tenant's dashboard application id, kept by the registry until a client change may move it. */
async function dashboardClientId(deps: DashboardDeps, tenant: Tenant): Promise<string | undefined> {
  return (await deps.registry.dashboardClientId(tenant.id)) ?? undefined;
}

function preferredEncoding(request: FastifyRequest): 'br' | 'gzip' | undefined {
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}

export const dashboard: FastifyPluginAsync<{ deps: DashboardDeps }> = async (app, { deps }) => {
  app.setErrorHandler(jsonErrors);
  const dir = deps.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  const assetsDir = path.join(dir, 'assets');
  // Per app, never per module (no module-level state): built files compressed once, dropped when rebuilt.
  const assets = new Map<string, Asset>();

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let body: Buffer;
    try {
      body = await readFile(path.join(dir, 'index.html'));
    } catch {
      return sendPage(reply, errorPage('The dashboard is not built', 'Run npm run build in the Scopeward directory (npm install does it too), then reload this page.', 503));
    }
    return reply.code(200).headers(request.url.startsWith('/explorer') ? EXPLORER_HEADERS : DASHBOARD_HEADERS).send(body);
  };

  const loadAsset = async (name: string): Promise<Asset | undefined> => {
    const file = path.join(assetsDir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const known = assets.get(name);
    if (known && known.mtimeMs === info.mtimeMs) return known;
    const ext = path.extname(name).toLowerCase();
    const identity = await readFile(file);
    const asset: Asset = { type: TYPES[ext] ?? 'application/octet-stream', identity, mtimeMs: info.mtimeMs };
    if (COMPRESSIBLE.has(ext) && identity.length > 1024) {
      asset.br = await brotli(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } });
      asset.gzip = await gzipAsync(identity, { level: 9 });
    }
    assets.set(name, asset);
    return asset;
  };

  // Public: the same facts discovery publishes, plus the dashboard's client id (a public client).
  app.get('/dashboard/config.json', { preHandler: publicLimit(deps.limiter) }, async (request, reply) => {
    const tenant = request.tenant;
    const clientId = await dashboardClientId(deps, tenant);
    if (!clientId) throw new ManagementError(503, TEXT.dashboardMissing);
    const body = {
      domain: tenant.domain,
      issuer: tenant.issuer,
      client_id: clientId,
      audience: tenant.managementAudience,
      scopes: MANAGEMENT_SCOPES,
      ...(deps.localCaCertPath !== undefined && { ca_cert_path: deps.localCaCertPath }),
    };
    return reply.headers({ 'cache-control': 'no-store' }).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  app.get('/dashboard/assets/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const asset = ASSET_NAME.test(name) && !name.includes('..') ? await loadAsset(name) : undefined;
    if (!asset) throw new ManagementError(404, TEXT.notFoundRoute);
    const encoding = preferredEncoding(request);
    const body = (encoding && asset[encoding]) ?? asset.identity;
    reply.headers({ 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    if (asset.br) reply.header('vary', 'Accept-Encoding');
    if (body !== asset.identity) reply.header('content-encoding', encoding);
    return reply.code(200).send(body);
  });

  await app.register(async (pages) => {
    pages.setErrorHandler(pageErrors);
    pages.get('/dashboard', async (request, reply) => {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.code(302).headers({ location: `/dashboard/${query}`, 'cache-control': 'no-store' }).send();
    });
    pages.get('/dashboard/', sendIndex);
    pages.get('/dashboard/*', sendIndex);
    pages.get('/explorer', sendIndex);
    pages.get('/explorer/*', sendIndex);
  });
};
