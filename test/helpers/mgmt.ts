// Tokens an operator's machine-to-machine application gets for the Management API (or any API).
import { seedM2M, type M2M } from './fixtures.ts';
import type { TestServer } from './test-server.ts';

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
