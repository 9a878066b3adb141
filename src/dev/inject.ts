// The Management API of a server in this very process, called through Fastify's inject(): the
// request still goes through every hook, the scope guard, validation, the handler and the tenant
// log, only without a socket. `scopeward dev` seeds itself with it (no TLS round trip at start-up).
import type { Send } from '../config-as-code/api.ts';

/** What inject() needs of a Fastify instance (this layer does not import Fastify). */
export interface Injectable {
  inject(request: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; headers: Record<string, string>; payload?: string }): Promise<{ statusCode: number; body: string }>;
}

export function injectSend(server: Injectable, host: string, token: string): Send {
  return async ({ method, path, body }) => {
    const res = await server.inject({
      method: method as 'GET',
      url: path,
      headers: { host, authorization: `Bearer ${token}`, 'user-agent': 'scopeward-import', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
  };
}
