// Token introspection (RFC 7662, issue 15) with openid-client 6, configured as for any provider:
// it finds introspection_endpoint in discovery, authenticates with the client's secret, and reads
// the answer; a token denylisted through the Management API turns inactive at once, and a client
// without a grant for the token's audience learns nothing (decision 0017).
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { realAdmin, type AdminCall } from '../helpers/real-admin.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

const API = 'https://orders.introspect.e2e.test/';

let server: RealServer;
let admin: AdminCall;
let m2m: { client_id: string; client_secret: string };
let stranger: { client_id: string; client_secret: string };

beforeAll(async () => {
  server = await startRealServer();
  admin = await realAdmin(server);
  expect((await admin('POST', '/resource-servers', { identifier: API, name: 'Orders', scopes: [{ value: 'read:orders' }] })).status).toBe(201);
  m2m = (await admin<typeof m2m>('POST', '/clients', { name: 'introspecting m2m', app_type: 'non_interactive' })).body;
  expect((await admin('POST', '/client-grants', { client_id: m2m.client_id, audience: API, scope: ['read:orders'] })).status).toBe(201);
  stranger = (await admin<typeof stranger>('POST', '/clients', { name: 'no grant', app_type: 'non_interactive' })).body;
});
afterAll(async () => {
  await server?.cleanup();
});

describe('openid-client 6: tokenIntrospection against Scopeward', () => {
  it('a live token → active with the RFC 7662 members; denylisted → inactive; a client without a grant → inactive', async () => {
    const config = await oidc.discovery(new URL(server.baseUrl), m2m.client_id, m2m.client_secret);
    expect(config.serverMetadata().introspection_endpoint).toBe(`${server.baseUrl}/oauth/introspect`);
    const { access_token } = await oidc.clientCredentialsGrant(config, { audience: API });
    const claims = decodeJwt(access_token);

    const live = await oidc.tokenIntrospection(config, access_token, { token_type_hint: 'access_token' });
    expect(live).toMatchObject({ active: true, client_id: m2m.client_id, scope: 'read:orders', aud: API, sub: `${m2m.client_id}@clients`, jti: claims.jti, exp: claims.exp });

    const other = await oidc.discovery(new URL(server.baseUrl), stranger.client_id, stranger.client_secret);
    expect(await oidc.tokenIntrospection(other, access_token)).toEqual({ active: false });

    expect((await admin('POST', '/blacklists/tokens', { aud: API, jti: claims.jti })).status).toBe(204);
    expect(await oidc.tokenIntrospection(config, access_token)).toEqual({ active: false });
  });
});
