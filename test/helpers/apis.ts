// Creates a user-defined API (resource server) through the Management API, as an operator would.
import { mgmtToken } from './mgmt.ts';
import type { TestServer } from './test-server.ts';

export async function createApi(server: TestServer, body: Record<string, unknown>): Promise<{ id: string; identifier: string }> {
  const token = await mgmtToken(server, ['create:resource_servers']);
  const res = await server.inject({ method: 'POST', url: '/api/v2/resource-servers', payload: body, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 201) throw new Error(`create API failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
