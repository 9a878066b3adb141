// The Fastify application: one encapsulated plugin per audience, each with its own error handler
// (docs/style.md §4), under a root that checks what every request must pass first. Everything it needs
// arrives in AppDeps (built by main.ts, or by the test helper); it keeps no module-level state.
//
//   root                 nosniff, S13 Host checks, body parsers, validation, access log
//   ├─ health            /healthz, /readyz, for any Host
//   └─ tenant scope      request.tenant from the Host; CORS headers; JSON 404 (tenant-scope.ts)
//      ├─ authentication API    discovery, JWKS; OAuth errors for /oauth/* and /userinfo (auth-api.ts)
//      ├─ Management API        /api/v2 (management-api.ts, management/register.ts)
//      ├─ login pages           /authorize, /u/login, /u/signup, /v2/logout (login-pages.ts)
//      └─ dashboard             /dashboard, /explorer and their files (dashboard.ts)
import type { Server } from 'node:http';
import type { ServerOptions as HttpsOptions } from 'node:https';
import Fastify, { LogController, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import type { SecretUsage } from '../oauth/token/secret-usage.ts';
import type { Logger } from 'pino';
import type { Registry } from '../cache/registry.ts';
import type { NotificationStatus } from '../cache/bus.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Clock } from '../domain/clock.ts';
import { BearerAuthenticator } from '../management/auth.ts';
import { ManagementError } from '../management/errors.ts';
import { NO_METRICS, type Metrics } from '../observability/metrics.ts';
import type { Storage } from '../storage/ports.ts';
import { PasswordHasher } from '../domain/passwords.ts';
import { authenticationApi } from './auth-api.ts';
import { installBodyParsers } from './body.ts';
import { installCorsHeaders } from './cors.ts';
import { dashboard } from './dashboard.ts';
import { favicon } from './favicon.ts';
import { jsonErrors } from './errors.ts';
import { renderFrameworkError, writeClientError } from './framework-errors.ts';
import { healthApi } from './health.ts';
import { hostProblem } from './host.ts';
import { loginPages } from './login-pages.ts';
import { managementApi } from './management-api.ts';
import { installRequestMetrics } from './request-metrics.ts';
import { decorateTenant, useTenantScope } from './tenant-scope.ts';
import type { TokenQuotaCounter } from '../ratelimit/token-quota-counter.ts';
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
  /** Token quotas (issue 15), counted in Redis or the database. */
  quotas: TokenQuotaCounter;
  audit: AuditLog;
  secretUsage: SecretUsage;
  /** How this process hears other instances' changes (/readyz). */
  notifications: () => NotificationStatus;
  /** argon2id hashing with a bound on concurrent work; one per app (made here when absent). */
  passwords?: PasswordHasher;
  /** The built dashboard (default: dashboard/dist of this installation). */
  dashboardDir?: string;
  /** Absolute path of the local CA's ca.crt when the server's certificate is signed by it. */
  localCaCertPath?: string;
  /** Prometheus metrics (main.ts, with --metrics-port); off when absent. */
  metrics?: Metrics;
}

export interface App {
  fastify: FastifyInstance;
}

export async function createApp(given: AppDeps): Promise<App> {
  const deps = { ...given, metrics: given.metrics ?? NO_METRICS };
  // Typed as serving http.Server whether or not it serves HTTPS (timeouts.ts says why that holds).
  const options: FastifyHttpOptions<Server> = {
    loggerInstance: deps.logger,
    // One access-log line per request is written in onResponse, with secrets masked.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy.length > 0 ? deps.trustProxy : false,
    bodyLimit: 1024 * 1024,
    // Silent, slow and idle clients are cut off (S7, CVE-2018-12122, T-HTTP-10).
    ...serverTimeoutOptions(deps.timeouts ?? DEFAULT_HTTP_TIMEOUTS, deps.https),
    return503OnClosing: true,
    // Fastify wants no value back; the answer is already sent.
    frameworkErrors: (error, request, reply) => void renderFrameworkError(error, request, reply),
    clientErrorHandler: writeClientError,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 512 },
  };
  const app = Fastify(options);

  installBodyParsers(app, { strictJson: false });
  app.setValidatorCompiler(({ schema, httpPart }) => compileValidator(schema, httpPart));
  // Response schemas document the API (OpenAPI) but do not serialize: the hot answers are sent
  // already serialized (GET /api/v2/clients from the registry's cache), and fast-json-stringify on
  // the route's own schema was slower than JSON.stringify on a 14-client list (135 vs 105 µs) and
  // put the fields in schema order rather than Auth0's (issue 11 item 4).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // The default for a context that sets none; every audience sets its own.
  app.setErrorHandler(jsonErrors);
  decorateTenant(app);

  // Hooks on every request are synchronous (callback style): no promise per request per hook.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    // Two Host fields, or an absolute-form target naming another host: 400, no tenant chosen (S13).
    const ambiguous = hostProblem(request.raw);
    done(ambiguous === undefined ? undefined : new ManagementError(400, ambiguous));
  });
  installRequestMetrics(app, deps.metrics);
  if (deps.accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
      done();
    });
  }

  const passwords = deps.passwords ?? new PasswordHasher();
  const authenticator = new BearerAuthenticator({ registry: deps.registry, storage: deps.storage, clock: deps.clock });
  const audienceDeps = { ...deps, passwords };

  await app.register(healthApi, { deps });
  await app.register(favicon);
  await app.register(async (scope) => {
    useTenantScope(scope, deps.registry);
    installCorsHeaders(scope, deps.registry);
    await scope.register(authenticationApi, { deps });
    await scope.register(managementApi, { deps: audienceDeps, authenticator });
    await scope.register(loginPages, { deps: audienceDeps });
    await scope.register(dashboard, { deps });
  });

  await app.ready();
  return { fastify: app };
}
