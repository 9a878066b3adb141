// Operator actions through the Management API, as the token-endpoint tests need them: calls with
// an admin token, applications and APIs created the way an operator creates them.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { mgmtToken } from './mgmt.ts';
import type { TestServer } from './test-server.ts';

export const ADMIN_SCOPES = [
  'read:clients',
  'read:client_keys',
  'create:clients',
  'update:clients',
  'update:client_keys',
  'delete:clients',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:resource_servers',
  'create:resource_servers',
];

export interface Admin {
  token: string;
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Like call, but the request must succeed; returns the parsed body. */
  ok<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<T>;
}

export async function adminFor(s: TestServer): Promise<Admin> {
  const token = await mgmtToken(s, ADMIN_SCOPES);
  const call: Admin['call'] = (method, url, payload) =>
    s.inject({ method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return {
    token,
    call,
    async ok<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<T> {
      const res = await call(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return (res.body === '' ? undefined : res.json()) as T;
    },
  };
}

export interface ApiClient {
  client_id: string;
  client_secret: string;
}

/** A client created through POST /api/v2/clients, with a grant on `audience` when given. */
export async function createClient(admin: Admin, body: Record<string, unknown>, grant?: { audience: string; scope: string[] }): Promise<ApiClient> {
  const client = await admin.ok<ApiClient>('POST', '/clients', body);
  if (grant) await admin.ok('POST', '/client-grants', { client_id: client.client_id, audience: grant.audience, scope: grant.scope });
  return client;
}

export interface CustomApi {
  identifier: string;
  signing_secret?: string;
}

export async function createApi(admin: Admin, body: Record<string, unknown>): Promise<CustomApi> {
  return admin.ok<CustomApi>('POST', '/resource-servers', body);
}
