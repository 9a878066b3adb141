// JSON endpoints of the Authentication API used from browsers and servers alike: /userinfo (spec
// §2.8) and /oauth/revoke (RFC 7009). CORS for them is in cors.ts; bodies and headers here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../cache/registry.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { bearerChallenge } from '../management/auth.ts';
import type { Clock } from '../domain/clock.ts';
import { revokeToken } from '../oauth/revoke.ts';
import { bearerFrom, userinfo, UserinfoError } from '../oauth/userinfo.ts';
import type { RateLimiter } from '../ratelimit/limiter.ts';
import type { Storage } from '../storage/ports.ts';

export interface AuthApiDeps {
  registry: Registry;
  storage: Storage;
  envelope: Envelope;
  clock: Clock;
  /** The failed-client-authentication brake of /oauth/revoke (the one /oauth/token uses). */
  limiter: RateLimiter;
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

function sendUserinfoError(reply: FastifyReply, request: FastifyRequest, error: UserinfoError): FastifyReply {
  const challenge = bearerChallenge(request.tenant!.domain, error.tokenMissing ? undefined : { code: error.error, description: error.message, ...(error.scope !== undefined && { scope: error.scope }) });
  return reply
    .code(error.status)
    .headers({ 'www-authenticate': challenge, 'cache-control': 'no-store' })
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: error.error, error_description: error.message }));
}

export function registerAuthApiRoutes(app: FastifyInstance, deps: AuthApiDeps, limit: Hook): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const query = (request.query as Record<string, unknown>).access_token;
      const bodyToken = (request.body as Record<string, unknown> | undefined)?.access_token;
      const token = bearerFrom(request.headers.authorization, typeof query === 'string' ? query : typeof bodyToken === 'string' ? bodyToken : undefined);
      const claims = await userinfo(request.tenant!, token, deps);
      return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(claims));
    } catch (error) {
      if (error instanceof UserinfoError) return sendUserinfoError(reply, request, error);
      throw error;
    }
  };
  app.get('/userinfo', { preHandler: limit, config: { family: 'oauth' } }, handler);
  app.post('/userinfo', { preHandler: limit, config: { family: 'oauth' }, bodyLimit: 16 * 1024 }, handler);

  app.post('/oauth/revoke', { preHandler: limit, config: { family: 'oauth' }, bodyLimit: 16 * 1024 }, async (request, reply) => {
    await revokeToken({ tenant: request.tenant!, body: request.body, authorization: request.headers.authorization, ip: request.ip }, deps);
    return reply.code(200).header('cache-control', 'no-store').send();
  });
}
