// Fastify wiring: tenant resolution by Host, body parsers, validation, CORS, the Authentication
// API, discovery, the Management API and health endpoints. Everything it needs arrives in
// AppDeps (built by main.ts, or by the test helper); it keeps no module-level state.
import type { ServerOptions as HttpsOptions } from 'node:https';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import { ipKey, rateLimitHeaders, type RateLimiter } from '../ratelimit/limiter.ts';
import type { SecretUsage } from '../oauth/token/secret-usage.ts';
import type { Logger } from 'pino';
import type { Registry } from '../cache/registry.ts';
import type { NotificationStatus } from '../cache/bus.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import { BearerAuthenticator } from '../management/auth.ts';
import { ERROR_CODE, ManagementError, TEXT } from '../management/errors.ts';
import { API_PREFIX, registerManagementRoutes } from '../management/register.ts';
import { MANAGEMENT_ROUTES } from '../management/routes.ts';
import { OpenApiDocuments } from '../management/openapi.ts';
import { discoveryDocument } from '../oauth/discovery.ts';
import { OAuthError, TOKEN_TEXT } from '../oauth/errors.ts';
import { admitAddress, handleTokenRequest } from '../oauth/token/endpoint.ts';
import type { Storage } from '../storage/ports.ts';
import { PasswordHasher } from '../domain/passwords.ts';
import { installBodyParsers } from './body.ts';
import { registerAuthApiRoutes } from './auth-api.ts';
import { registerBrowserRoutes } from './browser.ts';
import { registerDashboardRoutes } from './dashboard.ts';
import { installCors } from './cors.ts';
import { registerHealthRoutes } from './health.ts';
import { installErrorHandling, NO_STORE, renderFrameworkError, writeClientError } from './errors.ts';
import { hostProblem } from './host.ts';
import { admitUnknownPath, answerUnknownPath } from './unknown-path.ts';
import { DEFAULT_HTTP_TIMEOUTS, serverTimeoutOptions, type HttpTimeouts } from './timeouts.ts';
import { compileValidator } from './validation.ts';

export interface AppDeps {
  storage: Storage;
  registry: Registry;
  envelope: Envelope;
  clock: Clock;
  logger: Logger;
  /** One log line per request (method, path with sensitive values masked, status, duration). */
  accessLog?: boolean;
  /** Proxies whose X-Forwarded-* headers are believed (empty: none). */
  trustProxy: string[];
  /** Options for https.createServer; absent for plain HTTP. */
  https?: HttpsOptions;
  /** Connection time limits (default: those of `scopeward serve`). */
  timeouts?: HttpTimeouts;
  limiter: RateLimiter;
  audit: AuditLog;
  secretUsage: SecretUsage;
  /** How this process hears other instances' changes (/readyz). */
  notifications: () => NotificationStatus;
  /** argon2id hashing with a bound on concurrent work; one per app (made here when absent). */
  passwords?: PasswordHasher;
  /** The built dashboard (default: dashboard/dist of this installation). */
  dashboardDir?: string;
}

export interface App {
  fastify: FastifyInstance;
  authenticator: BearerAuthenticator;
}

const UNTENANTED = new Set(['/healthz', '/readyz']);
const PUBLIC_RATE = { limit: 200, window_seconds: 1 };
const TOKEN_BODY_LIMIT = 64 * 1024;

export async function createApp(deps: AppDeps): Promise<App> {
  const options = {
    loggerInstance: deps.logger,
    // One access-log line per request is written in onResponse, with secrets masked.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
    bodyLimit: 1024 * 1024,
    // Silent, slow and idle clients are cut off (S7, CVE-2018-12122, T-HTTP-10).
    ...serverTimeoutOptions(deps.timeouts ?? DEFAULT_HTTP_TIMEOUTS, deps.https),
    return503OnClosing: true,
    frameworkErrors: renderFrameworkError,
    clientErrorHandler: writeClientError,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 512 },
  };
  const app = Fastify(options as FastifyServerOptions) as unknown as FastifyInstance;

  installBodyParsers(app);
  app.setValidatorCompiler(({ schema, httpPart }) => compileValidator(schema, httpPart));
  // Response schemas document the API (OpenAPI); bodies are serialized as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app);

  // Hooks on every request are synchronous (callback style): no promise per request per hook.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    // Two Host fields, or an absolute-form target naming another host: 400, no tenant chosen (S13).
    const ambiguous = hostProblem(request.raw);
    if (ambiguous !== undefined) return done(new ManagementError(400, ambiguous));
    const path = request.url.split('?', 1)[0]!;
    if (UNTENANTED.has(path)) return done();
    const tenant = deps.registry.tenantByHost(request.host);
    if (!tenant) return done(new ManagementError(404, 'No tenant answers the host this request was sent to'));
    request.tenant = tenant;
    done();
  });
  if (deps.accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
      done();
    });
  }

  installCors(app, deps.registry);

  registerHealthRoutes(app, deps);

  // Discovery and JWKS: per-address limit, generous (verifiers fetch them rarely but many share NATs).
  const publicLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = await deps.limiter.consume(`${request.tenant!.id}:public:${ipKey(request.ip)}`, PUBLIC_RATE);
    reply.headers(rateLimitHeaders(limit));
    if (!limit.allowed) throw new ManagementError(429, TEXT.rateLimited, { errorCode: ERROR_CODE.tooManyRequests });
  };
  app.get('/.well-known/openid-configuration', { preHandler: publicLimit }, async (request) => discoveryDocument(request.tenant!));
  app.get('/.well-known/jwks.json', { preHandler: publicLimit }, async (request, reply) => {
    const ring = await deps.registry.keys(request.tenant!.id);
    const flags = (request.tenant!.settings.flags ?? {}) as Record<string, unknown>;
    // Tenant flag remove_alg_from_jwks (spec §2.7): the same keys without `alg`.
    const body = flags.remove_alg_from_jwks === true ? { keys: ring.jwks.keys.map(({ alg: _alg, ...key }) => key) } : ring.jwks;
    return reply.header('cache-control', 'public, max-age=300').send(body);
  });

  // The address bucket counts before the body is parsed: malformed and oversized bodies count too,
  // and every answer (a parse error's included) carries x-ratelimit-*.
  const countAddress = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.headers(await admitAddress({ tenant: request.tenant!, ip: request.ip, userAgent: request.headers['user-agent'] }, deps));
  };
  app.post('/oauth/token', { bodyLimit: TOKEN_BODY_LIMIT, config: { family: 'oauth' }, onRequest: countAddress }, async (request, reply) => {
    const { outcome, headers } = await handleTokenRequest(
      {
        tenant: request.tenant!,
        body: request.body,
        query: request.query as Record<string, unknown>,
        authorization: request.headers.authorization,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      },
      deps,
    );
    return reply.headers(NO_STORE).headers(headers).type('application/json; charset=utf-8').send(JSON.stringify(outcome.body));
  });
  // RFC 6749 §3.2: the token endpoint is POST only; a GET never yields a token (T-TOK-12).
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
    url: '/oauth/token',
    config: { family: 'oauth' },
    onRequest: countAddress,
    handler: async (_request, reply) => {
      reply.header('allow', 'POST, OPTIONS');
      throw new OAuthError(405, 'invalid_request', TOKEN_TEXT.methodNotAllowed);
    },
  });

  const passwords = deps.passwords ?? new PasswordHasher();
  const authenticator = new BearerAuthenticator({ registry: deps.registry, storage: deps.storage, clock: deps.clock });
  registerManagementRoutes(app, MANAGEMENT_ROUTES, { ...deps, passwords }, authenticator);
  // The Management API's OpenAPI document: public, like Auth0's published spec (the explorer reads
  // it from any origin); a static path, so it wins over the /api/v2/* catch-all below.
  const openApi = new OpenApiDocuments(MANAGEMENT_ROUTES);
  app.get(`${API_PREFIX}/openapi.json`, { preHandler: publicLimit }, async (request, reply) =>
    reply.headers({ 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' }).type('application/json; charset=utf-8').send(openApi.json(request.tenant!)),
  );
  registerBrowserRoutes(app, { ...deps, passwords });
  registerAuthApiRoutes(app, deps, publicLimit);
  registerDashboardRoutes(app, deps, publicLimit);
  // A path under /api/v2 that names no route is still a Management API call, answered with
  // x-ratelimit-* like every other; it serves no one's token, so it counts against its address,
  // never the tenant's budget (issue 9, S4), and no token is verified for it. An Auth0 resource
  // Scopeward does not serve is the exception: 403 insufficient scope to a valid token (E5).
  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: `${API_PREFIX}/*`,
    config: { family: 'management' },
    onRequest: (request, reply) => admitUnknownPath(deps, authenticator, request, reply),
    handler: answerUnknownPath,
  });

  await app.ready();
  return { fastify: app, authenticator };
}
