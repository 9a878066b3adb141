// Calling /api/v2 as an SDK would, and asserting Auth0's error bodies (spec §3.2) exactly.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestServer } from './test-server.ts';

export const JSON_UTF8 = 'application/json; charset=utf-8';

export interface MgmtCaller {
  /** The Authorization header value, for requests the helpers do not shape. */
  authorization: string;
  get(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(path: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  del(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Requests to `/api/v2${path}` with `Bearer token`, on the seeded tenant's host unless told otherwise. */
export function mgmt(server: TestServer, token: string, host?: string): MgmtCaller {
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload: unknown, headers: Record<string, string> = {}) =>
    server.inject({
      method,
      url: `/api/v2${path}`,
      ...(host !== undefined && { host }),
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
  return {
    authorization: `Bearer ${token}`,
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, payload, headers) => send('POST', path, payload, headers),
    patch: (path, payload, headers) => send('PATCH', path, payload, headers),
    del: (path, headers) => send('DELETE', path, undefined, headers),
  };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 415: 'Unsupported Media Type' };

/** The response is exactly Auth0's `{statusCode, error, message[, errorCode]}` as JSON UTF-8. */
export function expectMgmtError(res: LightMyRequestResponse, status: number, message: string, errorCode?: string): void {
  const expected: Record<string, unknown> = { statusCode: status, error: REASONS[status], message };
  if (errorCode !== undefined) expected.errorCode = errorCode;
  expect({ status: res.statusCode, body: res.json<unknown>() }).toStrictEqual({ status, body: expected });
  expect(res.headers['content-type']).toBe(JSON_UTF8);
}

/** A 204 with nothing in it. */
export function expectNoContent(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(204);
  expect(res.body).toBe('');
}

/** Client-credentials token request; returns the raw response. */
export function requestToken(server: TestServer, clientId: string, clientSecret: string, audience: string, scope?: string): Promise<LightMyRequestResponse> {
  return server.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience, ...(scope !== undefined && { scope }) },
  });
}
