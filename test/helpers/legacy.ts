// Legacy HS256 Management API tokens (spec §2.3, D8) for tests: the tenant switch, the global
// client's credentials as an operator reads them, and tokens signed as the seed document's
// snippet does (HMAC-SHA256 keyed with the base64-decoded Global Client Secret).
import { expect } from 'vitest';
import type { Tenant } from '../../src/domain/tenant.ts';
import { craftJwt } from './craft-jwt.ts';
import { tokenFor } from './mgmt.ts';
import { seedM2M } from './fixtures.ts';
import { mgmt } from './mgmt-http.ts';
import type { TestServer } from './test-server.ts';

export interface GlobalClient {
  clientId: string;
  clientSecret: string;
}

/** The test server seen as another of its tenants (seedM2M and tokenFor then act on that tenant). */
export function asTenant(s: TestServer, tenant: Tenant): TestServer {
  return { ...s, tenant, inject: (o) => s.inject({ ...o, host: o.host ?? tenant.domain }) };
}

/** A Management API token of `s.tenant` allowed to read secrets and change tenant settings. */
export async function operatorToken(s: TestServer): Promise<string> {
  return tokenFor(s, await seedM2M(s, ['read:client_keys', 'update:tenant_settings', 'read:tenant_settings'], { name: 'operator' }));
}

/** Turns the tenant's legacy-token switch on or off over the Management API. */
export async function setLegacy(s: TestServer, operator: string, on: boolean): Promise<void> {
  const res = await mgmt(s, operator, s.tenant.domain).patch('/tenants/settings', { flags: { enable_legacy_management_tokens: on } });
  expect([res.statusCode, res.json<{ flags: Record<string, unknown> }>().flags.enable_legacy_management_tokens]).toEqual([200, on]);
}

/** The Global Client Id and Secret, read back as an operator would (GET /clients?is_global=true). */
export async function globalClient(s: TestServer, operator: string): Promise<GlobalClient> {
  const res = await mgmt(s, operator, s.tenant.domain).get('/clients?is_global=true');
  const [global, ...others] = res.json<{ client_id: string; client_secret: string; global: boolean }[]>();
  expect([res.statusCode, others.length, global?.global]).toEqual([200, 0, true]);
  return { clientId: global!.client_id, clientSecret: global!.client_secret };
}

/** HS256 over `payload`, keyed with the base64 decoding of `secret` (the seed's `new Buffer(secret, 'base64')`). */
export function signLegacy(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  return craftJwt({ header: { alg: 'HS256', typ: 'JWT', ...header }, payload, sign: { kind: 'hmac', key: Buffer.from(secret, 'base64') } });
}

/** The claims of the old API explorer's token for `tenant` (spec §2.3), `iat` = the server's now. */
export function legacyClaims(s: TestServer, global: GlobalClient, extra: Record<string, unknown> = {}, tenant: Tenant = s.tenant): Record<string, unknown> {
  return { iss: tenant.issuer, aud: global.clientId, scope: 'read:clients', iat: Math.floor(s.clock.now() / 1000), ...extra };
}
