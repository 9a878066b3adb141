// auth0-api-tokens (Auth0's deprecated library for legacy Management API v2 tokens) against the
// real server: a token signed with the Global Client Secret (read from GET /clients?is_global=true)
// is accepted once the tenant's legacy switch is on, refused while it is off (spec §2.3, D8;
// issue 12, Build 2). Scopeward reads the `scope` string and checks `iss`, which the library does
// not write by itself: both go in its `extra_claims`.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, type AdminCall } from '../helpers/real-admin.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

type TokenParams = { scopes?: Record<string, string[]>; lifetimeInSeconds?: number; extra_claims?: Record<string, unknown> };
// CommonJS without type declarations: a factory taking the global client's credentials.
const tokenGenerator = createRequire(import.meta.url)('auth0-api-tokens') as (credentials: { clientId: string; clientSecret: string }) => (params: TokenParams) => string;

let server: RealServer;
let admin: AdminCall;
let createToken: (params: TokenParams) => string;

beforeAll(async () => {
  server = await startRealServer();
  admin = await realAdmin(server);
  const [global] = (await admin<{ client_id: string; client_secret: string }[]>('GET', '/clients?is_global=true')).body;
  createToken = tokenGenerator({ clientId: global!.client_id, clientSecret: global!.client_secret });
});
afterAll(async () => {
  await server?.cleanup();
});

const listClients = async (token: string) => {
  const res = await fetch(`${server.baseUrl}/api/v2/clients?fields=name`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) };
};

describe('auth0-api-tokens 1.1.2 against Scopeward', () => {
  const token = () => createToken({ scopes: { clients: ['read'] }, lifetimeInSeconds: 600, extra_claims: { iss: `${server.baseUrl}/`, scope: 'read:clients' } });

  it('with the legacy switch off (the default), the token is refused: 401', async () => {
    expect((await admin<{ flags: Record<string, boolean> }>('GET', '/tenants/settings')).body.flags.enable_legacy_management_tokens).toBe(false);
    expect((await listClients(token())).status).toBe(401);
  });

  it('with enable_legacy_management_tokens on, the Management API accepts it for its scope and no other', async () => {
    const on = await admin<{ flags: Record<string, boolean> }>('PATCH', '/tenants/settings', { flags: { enable_legacy_management_tokens: true } });
    expect([on.status, on.body.flags.enable_legacy_management_tokens]).toEqual([200, true]);
    const listed = await listClients(token());
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(expect.arrayContaining([{ name: 'All Applications' }]));
    const users = await fetch(`${server.baseUrl}/api/v2/users`, { headers: { authorization: `Bearer ${token()}` } });
    expect(users.status).toBe(403);
  });

  it('the library\'s bare form (no iss, only its `scopes` object) is refused: Scopeward checks iss and reads `scope`', async () => {
    expect((await listClients(createToken({ scopes: { clients: ['read'] }, lifetimeInSeconds: 600 }))).status).toBe(401);
  });
});
