// Operator actions the token-endpoint tests need: Management API calls with an admin token, and
// clients seeded straight into storage when an id the API would never mint is the point of a test.
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

/** Sets the tenant's default_audience (spec §3.5.7) and waits until requests see it. */
export async function setDefaultAudience(s: TestServer, audience: string | undefined): Promise<void> {
  const record = await s.storage.tenants.get(s.tenant.id);
  const settings = { ...record!.settings };
  if (audience === undefined) delete settings.default_audience;
  else settings.default_audience = audience;
  await s.storage.tenants.update(s.tenant.id, { settings });
  await s.registry.settled();
  await s.registry.reloadTenants();
}

/** A confidential client with an exact id and secret, written to storage directly. */
export async function seedClient(
  s: TestServer,
  options: { clientId: string; secret: string; audience?: string; scope?: string[]; grantTypes?: string[] },
): Promise<void> {
  const { newClientData } = await import('../../src/management/client-view.ts');
  const { newGrantId } = await import('../../src/domain/ids.ts');
  const { sealClientSecret } = await import('../../src/domain/secret-locations.ts');
  const now = new Date(s.clock.now()).toISOString();
  const data = newClientData({ name: 'seeded', app_type: 'non_interactive' }, { clientId: options.clientId, tenantName: s.tenant.name });
  if (options.grantTypes) data.grant_types = options.grantTypes as typeof data.grant_types;
  await s.storage.clients.create({
    tenantId: s.tenant.id,
    clientId: options.clientId,
    data,
    ...sealClientSecret(s.envelope, s.tenant.id, options.clientId, options.secret),
    createdAt: now,
    updatedAt: now,
  });
  await s.storage.grants.create({
    tenantId: s.tenant.id,
    id: newGrantId(),
    clientId: options.clientId,
    audience: options.audience ?? s.tenant.managementAudience,
    subjectType: 'client',
    scope: options.scope ?? ['read:clients'],
    extra: {},
    createdAt: now,
  });
}
