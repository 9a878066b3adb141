// The Management API of a server in this very process, called through Fastify's inject(): the
// request still goes through every hook, the scope guard, validation, the handler and the tenant
// log, only without a socket. `scopeward dev` seeds itself with it (no TLS round trip at start-up).
import type { FastifyInstance } from 'fastify';
import type { Send } from './api.ts';

export function injectSend(fastify: FastifyInstance, host: string, token: string): Send {
  return async ({ method, path, body }) => {
    const res = await fastify.inject({
      method: method as 'GET',
      url: path,
      headers: { host, authorization: `Bearer ${token}`, 'user-agent': 'scopeward-import', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
  };
}
