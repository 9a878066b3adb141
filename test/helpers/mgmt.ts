// Helpers that act like an operator: create M2M applications, grant them scopes, get tokens.
import type { TestServer } from './test-server.ts';

export interface M2M {
  clientId: string;
  clientSecret: string;
}

/** Creates an application directly in storage with a grant on `audience` (no HTTP involved). */
export async function seedM2M(server: TestServer, scopes: string[], audience = server.tenant.managementAudience, name = 'test app'): Promise<M2M> {
  const { newClientData } = await import('../../src/management/client-view.ts');
  const { newClientId, newClientSecret, newGrantId } = await import('../../src/domain/ids.ts');
  const { sealClientSecret } = await import('../../src/domain/secret-locations.ts');
  const clientId = newClientId();
  const clientSecret = newClientSecret();
  const now = new Date(server.clock.now()).toISOString();
  await server.storage.clients.create({
    tenantId: server.tenant.id,
    clientId,
    data: newClientData({ name, app_type: 'non_interactive' }, { clientId, tenantName: server.tenant.name }),
    ...sealClientSecret(server.envelope, server.tenant.id, clientId, clientSecret),
    createdAt: now,
    updatedAt: now,
  });
  await server.storage.grants.create({
    tenantId: server.tenant.id,
    id: newGrantId(),
    clientId,
    audience,
    subjectType: 'client',
    scope: scopes,
    extra: {},
    createdAt: now,
  });
  return { clientId, clientSecret };
}

export async function tokenFor(server: TestServer, m2m: M2M, audience = server.tenant.managementAudience, scope?: string): Promise<string> {
  const res = await server.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: m2m.clientSecret, audience, ...(scope ? { scope } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
  return res.json<{ access_token: string }>().access_token;
}

/** An access token for the Management API carrying exactly `scopes`. */
export async function mgmtToken(server: TestServer, scopes: string[]): Promise<string> {
  return tokenFor(server, await seedM2M(server, scopes));
}
