// The per-address limit of the public documents (discovery, JWKS, the OpenAPI document, the
// dashboard's config): generous, since verifiers fetch them rarely but many share NATs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODE, ManagementError, TEXT } from '../management/errors.ts';
import { ipKey, rateLimitHeaders, type RateLimiter } from '../ratelimit/limiter.ts';

const PUBLIC_RATE = { limit: 200, window_seconds: 1 };

export type PublicLimit = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** A preHandler that counts the call against its address and sets x-ratelimit-*; 429 past the limit. */
export function publicLimit(limiter: RateLimiter): PublicLimit {
  return async (request, reply) => {
    const limit = await limiter.consume(`${request.tenant.id}:public:${ipKey(request.ip)}`, PUBLIC_RATE);
    reply.headers(rateLimitHeaders(limit));
    if (!limit.allowed) throw new ManagementError(429, TEXT.rateLimited, { errorCode: ERROR_CODE.tooManyRequests });
  };
}
