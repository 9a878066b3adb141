// CORS (spec §0 row 8). Discovery and JWKS are public (`*`). /oauth/token, /oauth/revoke,
// /userinfo and /api/v2 answer only origins that one of the tenant's applications lists in
// web_origins, allowed_origins or its callbacks; preflights allow the headers the SDKs send (Auth0-Client, Authorization). No
// credentials mode: these endpoints take bearer tokens and client secrets, never cookies.
// The preflight routes belong to the audience that serves each path; the response headers are a
// property of the path, whichever audience (or the tenant scope's 404) answered it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../cache/registry.ts';
import { REJECTION_HEADER } from '../management/auth.ts';
import { tenantOrNone } from './tenant-scope.ts';

const ALLOW_HEADERS = 'authorization, content-type, auth0-client, dpop';
const MAX_AGE = '86400';
/** Paths an application's origin may call from the browser (spec §0 row 8). */
const CORS_PATHS = ['/oauth/token', '/oauth/revoke', '/userinfo', '/api/v2/'];
const EXPOSE_HEADERS = `x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, ${REJECTION_HEADER}`;

async function allowedOrigin(request: FastifyRequest, registry: Registry): Promise<string | undefined> {
  const origin = request.headers.origin;
  const tenant = tenantOrNone(request);
  if (!origin || !tenant) return undefined;
  const allowed = await registry.allowedOrigins(tenant.id);
  return allowed.has(origin) ? origin : undefined;
}

/** The preflight of a public document: any origin, GET. */
export function publicPreflight(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(204).headers({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-max-age': MAX_AGE }).send();
}

/** The preflight of an endpoint applications call from the browser: their origins only, `methods`. */
export function preflight(registry: Registry, methods: string): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    const origin = await allowedOrigin(request, registry);
    reply.header('vary', 'Origin');
    if (origin) {
      reply.headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': methods,
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': MAX_AGE,
      });
    }
    return reply.code(204).send();
  };
}

/** The CORS headers of every answer (preflights aside) in `app`'s context. */
export function installCorsHeaders(app: FastifyInstance, registry: Registry): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const url = request.url;
    if (request.method === 'OPTIONS') return done(null, payload);
    if (url.startsWith('/.well-known/')) {
      reply.header('access-control-allow-origin', '*');
      return done(null, payload);
    }
    if (!CORS_PATHS.some((p) => url.startsWith(p))) return done(null, payload);
    reply.header('vary', 'Origin');
    // Server-to-server calls (the common case) carry no Origin: nothing to look up.
    if (!request.headers.origin) return done(null, payload);
    allowedOrigin(request, registry).then((origin) => {
      if (origin) reply.headers({ 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSE_HEADERS });
      done(null, payload);
    }, done);
  });
}
