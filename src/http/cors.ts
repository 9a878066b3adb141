// CORS (spec §0 row 8). Discovery and JWKS are public (`*`). /oauth/token, /oauth/revoke,
// /userinfo and /api/v2 answer only origins that one of the tenant's applications lists in
// web_origins, allowed_origins or its callbacks; preflights allow the headers the SDKs send (Auth0-Client, Authorization). No
// credentials mode: these endpoints take bearer tokens and client secrets, never cookies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../cache/registry.ts';
import { REJECTION_HEADER } from '../management/auth.ts';

const ALLOW_HEADERS = 'authorization, content-type, auth0-client, dpop';
const MAX_AGE = '86400';
/** Paths an application's origin may call from the browser (spec §0 row 8). */
const CORS_PATHS = ['/oauth/token', '/oauth/revoke', '/userinfo', '/api/v2/'];
const EXPOSE_HEADERS = `x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, ${REJECTION_HEADER}`;

async function allowedOrigin(request: FastifyRequest, registry: Registry): Promise<string | undefined> {
  const origin = request.headers.origin;
  if (!origin || !request.tenant) return undefined;
  const allowed = await registry.allowedOrigins(request.tenant.id);
  return allowed.has(origin) ? origin : undefined;
}

export function installCors(app: FastifyInstance, registry: Registry): void {
  const publicPreflight = (_request: FastifyRequest, reply: FastifyReply) =>
    reply.code(204).headers({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-max-age': MAX_AGE }).send();
  app.options('/.well-known/*', publicPreflight);

  const preflight = (methods: string) => async (request: FastifyRequest, reply: FastifyReply) => {
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
  app.options('/oauth/token', preflight('POST'));
  app.options('/oauth/revoke', preflight('POST'));
  app.options('/userinfo', preflight('GET, POST'));
  app.options('/api/v2/*', preflight('GET, POST, PATCH, PUT, DELETE'));

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
