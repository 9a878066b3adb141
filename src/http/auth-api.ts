// The Authentication API's plugin. Its OAuth endpoints (/oauth/token, RFC 6749 §3.2; /oauth/revoke,
// RFC 7009; /userinfo, spec §2.8; anything else under /oauth/) answer errors as {error,
// error_description} and read JSON bodies strictly (a repeated member name is refused, RFC 6749
// §3.1). The public documents (discovery, JWKS) and the /userinfo preflight answer in the tenant
// scope's JSON terms, as they always have. CORS response headers are in cors.ts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { bearerChallenge } from '../management/auth.ts';
import { discoveryDocument } from '../oauth/discovery.ts';
import { NO_STORE, OAuthError, TOKEN_TEXT } from '../oauth/errors.ts';
import { Introspector } from '../oauth/introspect.ts';
import { revokeToken, type RevokeDeps } from '../oauth/revoke.ts';
import { admitAddress, handleTokenRequest } from '../oauth/token/endpoint.ts';
import type { TokenDeps } from '../oauth/token/exchange.ts';
import { bearerFrom, userinfo, UserinfoError, type UserinfoDeps } from '../oauth/userinfo.ts';
import { installBodyParsers } from './body.ts';
import { preflight, publicPreflight } from './cors.ts';
import { jsonErrors, oauthErrors, oauthNotFound } from './errors.ts';
import { publicLimit } from './public-limit.ts';

export type AuthApiDeps = TokenDeps & RevokeDeps & UserinfoDeps;

/** Every path under it is the Authentication API's, an unknown one included (its 404, its errors). */
export const OAUTH_PREFIX = '/oauth/';
const TOKEN_BODY_LIMIT = 64 * 1024;
const FORM_LIMIT = 16 * 1024;

export const authenticationApi: FastifyPluginAsync<{ deps: AuthApiDeps }> = async (app, { deps }) => {
  app.setErrorHandler(jsonErrors);
  const limit = publicLimit(deps.limiter);
  app.get('/.well-known/openid-configuration', { preHandler: limit }, async (request) => discoveryDocument(request.tenant));
  app.get('/.well-known/jwks.json', { preHandler: limit }, async (request, reply) => {
    const ring = await deps.registry.keys(request.tenant.id);
    const flags = (request.tenant.settings.flags ?? {}) as Record<string, unknown>;
    // Tenant flag remove_alg_from_jwks (spec §2.7): the same keys without `alg`.
    const body = flags.remove_alg_from_jwks === true ? { keys: ring.jwks.keys.map(({ alg: _alg, ...key }) => key) } : ring.jwks;
    return reply.header('cache-control', 'public, max-age=300').send(body);
  });
  app.options('/.well-known/*', publicPreflight);
  app.options('/userinfo', preflight(deps.registry, 'GET, POST'));
  await app.register(oauthEndpoints, { deps });
};

function sendUserinfoError(reply: FastifyReply, request: FastifyRequest, error: UserinfoError): FastifyReply {
  const challenge = bearerChallenge(request.tenant.domain, error.tokenMissing ? undefined : { code: error.error, description: error.message, ...(error.scope !== undefined && { scope: error.scope }) });
  return reply
    .code(error.status)
    .headers({ 'www-authenticate': challenge, 'cache-control': 'no-store' })
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: error.error, error_description: error.message }));
}

const oauthEndpoints: FastifyPluginAsync<{ deps: AuthApiDeps }> = async (app, { deps }) => {
  app.setErrorHandler(oauthErrors);
  installBodyParsers(app, { strictJson: true });
  const limit = publicLimit(deps.limiter);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const query = (request.query as Record<string, unknown>).access_token;
      const bodyToken = (request.body as Record<string, unknown> | undefined)?.access_token;
      const token = bearerFrom(request.headers.authorization, typeof query === 'string' ? query : typeof bodyToken === 'string' ? bodyToken : undefined);
      const claims = await userinfo(request.tenant, token, deps);
      return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(claims));
    } catch (error) {
      if (error instanceof UserinfoError) return sendUserinfoError(reply, request, error);
      throw error;
    }
  };
  app.get('/userinfo', { preHandler: limit }, handler);
  app.post('/userinfo', { preHandler: limit, bodyLimit: FORM_LIMIT }, handler);

  await app.register(oauthPaths, { prefix: OAUTH_PREFIX, deps });
};

/** Everything under /oauth/, unknown paths included (their 404 is the Authentication API's). */
const oauthPaths: FastifyPluginAsync<{ deps: AuthApiDeps }> = async (app, { deps }) => {
  app.setNotFoundHandler(oauthNotFound);

  // The address bucket counts before the body is parsed: malformed and oversized bodies count too,
  // and every answer (a parse error's included) carries x-ratelimit-*.
  const countAddress = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.headers(await admitAddress({ tenant: request.tenant, ip: request.ip, userAgent: request.headers['user-agent'] }, deps));
  };
  app.post('/token', { bodyLimit: TOKEN_BODY_LIMIT, onRequest: countAddress }, async (request, reply) => {
    const answer = await handleTokenRequest(
      {
        tenant: request.tenant,
        body: request.body,
        query: request.query as Record<string, unknown>,
        authorization: request.headers.authorization,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      },
      deps,
    );
    return reply.headers(answer.headers).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
  });
  // RFC 6749 §3.2: the token endpoint is POST only; a GET never yields a token (T-TOK-12).
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
    url: '/token',
    onRequest: countAddress,
    handler: async (_request, reply) => {
      reply.header('allow', 'POST, OPTIONS');
      throw new OAuthError(405, 'invalid_request', TOKEN_TEXT.methodNotAllowed);
    },
  });
  app.options('/token', preflight(deps.registry, 'POST'));

  app.post('/revoke', { preHandler: publicLimit(deps.limiter), bodyLimit: FORM_LIMIT }, async (request, reply) => {
    await revokeToken({ tenant: request.tenant, body: request.body, authorization: request.headers.authorization, ip: request.ip }, deps);
    return reply.code(200).header('cache-control', 'no-store').send();
  });
  app.options('/revoke', preflight(deps.registry, 'POST'));

  // RFC 7662: counted in the token endpoint's address bucket (token_endpoint_per_ip: an API may ask
  // once per request it serves); the answer describes a token, so it is never cached.
  const introspector = new Introspector(deps);
  app.post('/introspect', { bodyLimit: FORM_LIMIT, onRequest: countAddress }, async (request, reply) => {
    const answer = await introspector.introspect({ tenant: request.tenant, body: request.body, authorization: request.headers.authorization, ip: request.ip });
    return reply.headers(NO_STORE).type('application/json; charset=utf-8').send(JSON.stringify(answer));
  });
};
