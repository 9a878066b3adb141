// Issue 9, S12 (security catalogue T-OUT-11): GET /api/v2/scopeward/tenants tells no tenant's token
// the name or domain of another tenant. An application's token sees its own tenant; a dashboard
// administrator's token sees the tenants where the same person (the same email, an administrator
// membership there too) administers, for the tenant switcher; nobody else's tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdmin, removeAdmin } from '../../src/domain/admins.ts';
import type { Tenant } from '../../src/domain/tenant.ts';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import { loginThrough, postToken } from '../helpers/authorize-flow.ts';
import { locationFields, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedLoginUser, seedM2M } from '../helpers/fixtures.ts';
import { asTenant } from '../helpers/legacy.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const { challenge, verifier } = pkcePair();
const PASSWORD = 'Admin-Pass-42';
const entry = (t: Pick<Tenant, 'name' | 'domain'>, current: boolean) => ({ name: t.name, domain: t.domain, friendly_name: t.name, dashboard_url: `https://${t.domain}/dashboard/`, current });

let s: TestServer;
let home: Tenant;
let beta: Tenant;
let gamma: Tenant;
let delta: Tenant;
const hasher = new PasswordHasher();

beforeAll(async () => {
  s = await startTestServer();
  home = s.tenant;
  beta = await s.addTenant('beta', 'beta.test');
  gamma = await s.addTenant('gamma', 'gamma.test');
  delta = await s.addTenant('delta', 'delta.test');
  // One person, administrator of the default tenant and of beta (the email folded as sign-in folds it).
  await makeAdmin(s.storage, hasher, s.clock, home.id, { email: 'ops@example.com', password: PASSWORD });
  await makeAdmin(s.storage, hasher, s.clock, beta.id, { email: 'OPS@example.com', password: PASSWORD });
  // Gamma has a user of that email who is not an administrator (anyone can sign up); delta an administrator of another email.
  await seedLoginUser(asTenant(s, gamma), 'ops@example.com', PASSWORD);
  await makeAdmin(s.storage, hasher, s.clock, delta.id, { email: 'someone-else@example.com', password: PASSWORD });
});
afterAll(() => s.close());

/** The administrator's dashboard token on `tenant`: signed in through its own /authorize (code + PKCE). */
async function dashboardToken(tenant: Tenant): Promise<string> {
  const on = asTenant(s, tenant);
  const clientId = (await on.inject({ method: 'GET', url: '/dashboard/config.json' })).json<{ client_id: string }>().client_id;
  const redirect = `https://${tenant.domain}/dashboard/`;
  const params = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirect,
    audience: `https://${tenant.domain}/api/v2/`,
    scope: `openid email ${MANAGEMENT_SCOPES.join(' ')}`,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const login = await loginThrough(new TestBrowser(on), params, { email: 'ops@example.com', password: PASSWORD });
  expect(login.statusCode, login.body).toBe(302);
  const code = locationFields(login).fields.code!;
  const res = await postToken(on, { grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirect, code_verifier: verifier });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ access_token: string }>().access_token;
}

const tenantsSeenBy = async (tenant: Tenant, token: string) => {
  const res = await mgmt(s, token, tenant.domain).get('/scopeward/tenants');
  expect(res.statusCode, res.body).toBe(200);
  return { list: res.json<unknown[]>(), text: res.body };
};

describe('T-OUT-11: GET /api/v2/scopeward/tenants', () => {
  it("an application token of tenant beta sees beta only: not the default tenant's name or domain", async () => {
    const token = await tokenFor(asTenant(s, beta), await seedM2M(asTenant(s, beta), ['read:tenant_settings'], { audience: `https://beta.test/api/v2/` }));
    const { list, text } = await tenantsSeenBy(beta, token);
    expect(list).toStrictEqual([entry(beta, true)]);
    for (const other of [home, gamma, delta]) {
      expect(text).not.toContain(other.domain);
      expect(text).not.toContain(`"${other.name}"`);
    }
  });

  it('an application token of the default tenant, with every Management API scope, sees the default tenant only', async () => {
    const token = await tokenFor(s, await seedM2M(s, [...MANAGEMENT_SCOPES]));
    expect((await tenantsSeenBy(home, token)).list).toStrictEqual([entry(home, true)]);
  });

  it('a dashboard administrator sees the tenants it administers under the same email, by name, from either of them, and no other', async () => {
    expect((await tenantsSeenBy(home, await dashboardToken(home))).list).toStrictEqual([entry(beta, false), entry(home, true)]);
    expect((await tenantsSeenBy(beta, await dashboardToken(beta))).list).toStrictEqual([entry(beta, true), entry(home, false)]);
  });

  it('a membership ended in beta takes beta off the list at once', async () => {
    const token = await dashboardToken(home);
    expect(await removeAdmin(s.storage, beta.id, 'ops@example.com')).toBe(true);
    try {
      expect((await tenantsSeenBy(home, token)).list).toStrictEqual([entry(home, true)]);
    } finally {
      await makeAdmin(s.storage, hasher, s.clock, beta.id, { email: 'ops@example.com', password: PASSWORD, promoteExisting: true });
    }
  });
});
