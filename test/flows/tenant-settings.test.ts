// /api/v2/tenants/settings (spec §3.5.7, issue 3 "Tenant settings"): GET with fields/include_fields,
// PATCH of every key Scopeward acts on, the merge rules (root; flags and rate_limits one level
// deeper), Auth0's 400 invalid_body texts, and the settings' effects: default_audience at
// /oauth/token, the legacy-token switch's warning and depnote event, remove_alg_from_jwks.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEGACY_WARNING } from '../../src/management/tenant-settings.ts';
import { createApi } from '../helpers/apis.ts';
import { asTenant } from '../helpers/legacy.ts';
import { mgmtToken, tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SCOPES = ['read:tenant_settings', 'update:tenant_settings'];
const FULL = {
  friendly_name: 'Acme Identity',
  support_email: 'support@acme.example',
  support_url: 'https://acme.example/support',
  default_audience: 'https://orders.acme.example/',
  allowed_logout_urls: ['https://acme.example/bye', 'https://app.acme.example/'],
  session_lifetime: 72,
  idle_session_lifetime: 12.5,
  flags: { enable_sso: true, remove_alg_from_jwks: false },
  enabled_locales: ['en', 'fr-CA', 'pt-BR'],
  rate_limits: { token_endpoint: { limit: 40, window_seconds: 1 }, management_api: { limit: 90, window_seconds: 1 } },
};

let s: TestServer;
let api: MgmtCaller;

beforeEach(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, SCOPES));
});
afterEach(() => s.close());

const settings = async (caller = api) => (await caller.get('/tenants/settings')).json<Record<string, unknown>>();

describe('GET /tenants/settings (spec §3.5.7)', () => {
  it('read:tenant_settings: a new tenant answers 200 with its friendly name only', async () => {
    const res = await api.get('/tenants/settings');
    expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([200, JSON_UTF8, { friendly_name: 'default' }]);
  });

  it('spec §3.4: fields selects keys (include_fields=true, the default) or leaves them out (false)', async () => {
    await api.patch('/tenants/settings', FULL);
    expect((await api.get('/tenants/settings?fields=friendly_name,support_email')).json()).toStrictEqual({ friendly_name: FULL.friendly_name, support_email: FULL.support_email });
    expect((await api.get('/tenants/settings?fields=flags&include_fields=true')).json()).toStrictEqual({ flags: FULL.flags });
    const { flags: _f, rate_limits: _r, ...rest } = FULL;
    expect((await api.get('/tenants/settings?fields=flags,rate_limits&include_fields=false')).json()).toStrictEqual(rest);
  });

  it('spec §3.5.7: GET needs read:tenant_settings, PATCH needs update:tenant_settings (403 insufficient_scope)', async () => {
    const writer = mgmt(s, await mgmtToken(s, ['update:tenant_settings']));
    const reader = mgmt(s, await mgmtToken(s, ['read:tenant_settings']));
    expectMgmtError(await writer.get('/tenants/settings'), 403, 'Insufficient scope, expected any of: read:tenant_settings', 'insufficient_scope');
    expectMgmtError(await reader.patch('/tenants/settings', { friendly_name: 'x' }), 403, 'Insufficient scope, expected any of: update:tenant_settings', 'insufficient_scope');
    expect(await settings()).toStrictEqual({ friendly_name: 'default' });
  });
});

describe('PATCH /tenants/settings (spec §3.5.7)', () => {
  it('answers 200 with the full updated object, and GET returns the same', async () => {
    const res = await api.patch('/tenants/settings', FULL);
    expect([res.statusCode, res.headers['content-type'], res.json()]).toStrictEqual([200, JSON_UTF8, FULL]);
    expect(res.headers.warning).toBeUndefined();
    expect(await settings()).toStrictEqual(FULL);
  });

  it('merges at the root: keys not sent are kept; arrays and scalars sent replace the stored ones', async () => {
    await api.patch('/tenants/settings', FULL);
    const res = await api.patch('/tenants/settings', { support_url: 'https://help.acme.example/', allowed_logout_urls: ['https://only.example/'] });
    const expected = { ...FULL, support_url: 'https://help.acme.example/', allowed_logout_urls: ['https://only.example/'] };
    expect([res.statusCode, res.json()]).toStrictEqual([200, expected]);
    expect(await settings()).toStrictEqual(expected);
  });

  it('flags merge one level deeper: changing one flag keeps the others', async () => {
    await api.patch('/tenants/settings', FULL);
    const res = await api.patch('/tenants/settings', { flags: { remove_alg_from_jwks: true, revoke_refresh_token_grant: false } });
    const flags = { enable_sso: true, remove_alg_from_jwks: true, revoke_refresh_token_grant: false };
    expect([res.statusCode, res.json()]).toStrictEqual([200, { ...FULL, flags }]);
    expect((await settings()).flags).toStrictEqual(flags);
  });

  it('rate_limits merge one level deeper: setting one window keeps the others; a window sent is replaced whole', async () => {
    await api.patch('/tenants/settings', FULL);
    const res = await api.patch('/tenants/settings', { rate_limits: { management_api: { limit: 7, window_seconds: 60 } } });
    const rateLimits = { token_endpoint: { limit: 40, window_seconds: 1 }, management_api: { limit: 7, window_seconds: 60 } };
    expect([res.statusCode, res.json()]).toStrictEqual([200, { ...FULL, rate_limits: rateLimits }]);
    expect((await settings()).rate_limits).toStrictEqual(rateLimits);
  });

  it('spec §1.2: a PATCH with no body changes nothing and answers the stored object', async () => {
    await api.patch('/tenants/settings', FULL);
    const res = await s.inject({ method: 'PATCH', url: '/api/v2/tenants/settings', headers: { authorization: api.authorization } });
    expect([res.statusCode, res.json()]).toStrictEqual([200, FULL]);
  });

  it('spec §3.2: an unknown key, at the root or inside rate_limits, is 400 invalid_body with Auth0\'s text; nothing is stored', async () => {
    await api.patch('/tenants/settings', FULL);
    expectMgmtError(await api.patch('/tenants/settings', { friendly_name: 'changed', colour: 'blue' }), 400, "Payload validation error: 'Additional properties not allowed: colour'.", 'invalid_body');
    expectMgmtError(
      await api.patch('/tenants/settings', { rate_limits: { token_endpoint: { limit: 1, window_seconds: 1 }, logins: { limit: 1, window_seconds: 1 } } }),
      400,
      "Payload validation error: 'Additional properties not allowed: logins' on property rate_limits.",
      'invalid_body',
    );
    expectMgmtError(
      await api.patch('/tenants/settings', { rate_limits: { token_endpoint: { limit: 1, window_seconds: 1, burst: 3 } } }),
      400,
      "Payload validation error: 'Additional properties not allowed: burst' on property rate_limits.token_endpoint.",
      'invalid_body',
    );
    expect(await settings()).toStrictEqual(FULL);
  });

  it.each([
    [{ session_lifetime: '72' }, "Payload validation error: 'Expected type number but found type string' on property session_lifetime."],
    [{ idle_session_lifetime: 0 }, "Payload validation error: 'Value 0 is less than minimum 1' on property idle_session_lifetime."],
    [{ allowed_logout_urls: 'https://acme.example/bye' }, "Payload validation error: 'Expected type array but found type string' on property allowed_logout_urls."],
    [{ flags: { enable_sso: 'yes' } }, "Payload validation error: 'Expected type boolean but found type string' on property flags.enable_sso."],
    [{ flags: { enable_legacy_management_tokens: 1 } }, "Payload validation error: 'Expected type boolean but found type integer' on property flags.enable_legacy_management_tokens."],
    [{ enabled_locales: ['en', 'not a locale'] }, "Payload validation error: 'String does not match pattern ^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$: not a locale' on property enabled_locales[1]."],
    [{ default_audience: 42 }, "Payload validation error: 'Expected type string but found type integer' on property default_audience."],
    [{ rate_limits: { token_endpoint: { limit: 5 } } }, "Payload validation error: 'Missing required property: window_seconds' on property rate_limits.token_endpoint."],
    [{ friendly_name: 'Acme <script>' }, "Payload validation error: 'String does not match pattern ^[^<>]*$: Acme <script>' on property friendly_name."],
  ])('spec §3.2: a wrong value (%j) is 400 invalid_body and changes nothing', async (body, message) => {
    expectMgmtError(await api.patch('/tenants/settings', body), 400, message, 'invalid_body');
    expect(await settings()).toStrictEqual({ friendly_name: 'default' });
  });

  it('T-RU-20/30: allowed_logout_urls and the other URL settings refuse script schemes, protocol-relative and credentialed URLs; nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ allowed_logout_urls: ['https://ok.example/', 'javascript:alert(1)'] }, "Payload validation error: 'Invalid URL: javascript:alert(1) javascript: URLs are not allowed' on property allowed_logout_urls[1]."],
      [{ allowed_logout_urls: ['//evil.example/'] }, "Payload validation error: 'Invalid URL: //evil.example/ is not an absolute URL' on property allowed_logout_urls[0]."],
      [{ allowed_logout_urls: ['https://user:pw@evil.example/'] }, "Payload validation error: 'Invalid URL: https://user:pw@evil.example/ must not contain credentials' on property allowed_logout_urls[0]."],
      [{ default_redirection_uri: 'data:text/html,hi' }, "Payload validation error: 'Invalid URL: data:text/html,hi data: URLs are not allowed' on property default_redirection_uri."],
    ];
    const before = await settings();
    for (const [body, message] of cases) expectMgmtError(await api.patch('/tenants/settings', body), 400, message, 'invalid_body');
    expect(await settings()).toStrictEqual(before);
  });

  it('tenant isolation (T-MG-10): tenant B\'s PATCH never touches tenant A', async () => {
    await api.patch('/tenants/settings', FULL);
    const bravo = await s.addTenant('bravo', 'tenant-b.test');
    const b = mgmt(s, await mgmtToken(asTenant(s, bravo), SCOPES), 'tenant-b.test');
    const res = await b.patch('/tenants/settings', { friendly_name: 'Bravo', flags: { enable_sso: false }, rate_limits: { token_endpoint: { limit: 1, window_seconds: 1 } } });
    expect([res.statusCode, res.json()]).toStrictEqual([200, { friendly_name: 'Bravo', flags: { enable_sso: false }, rate_limits: { token_endpoint: { limit: 1, window_seconds: 1 } } }]);
    expect(await settings()).toStrictEqual(FULL);
    expect(await settings(b)).toStrictEqual(res.json());
    // A's token is refused on B's host: its audience is A's Management API.
    expect((await mgmt(s, api.authorization.slice(7), 'tenant-b.test').get('/tenants/settings')).statusCode).toBe(401);
  });
});


describe('the settings take effect', () => {
  it('spec §2.2/§3.5.7: default_audience is the audience of /oauth/token requests that send none', async () => {
    const orders = await createApi(s, { identifier: 'https://orders.acme.example/', scopes: [{ value: 'read:orders', description: 'Read orders' }] });
    const app = await seedM2M(s, ['read:orders'], { audience: orders.identifier });
    const ask = () => s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret } });
    const before = await ask();
    expect([before.statusCode, before.json()]).toStrictEqual([403, { error: 'access_denied', error_description: 'No audience parameter was provided, and no default audience has been configured' }]);

    expect((await api.patch('/tenants/settings', { default_audience: orders.identifier })).statusCode).toBe(200);
    const after = await ask();
    expect(after.statusCode).toBe(200);
    const body = after.json<{ access_token: string; scope: string; token_type: string; expires_in: number }>();
    expect({ ...body, access_token: undefined }).toStrictEqual({ access_token: undefined, scope: 'read:orders', token_type: 'Bearer', expires_in: 86400 });
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: orders.identifier, azp: app.clientId, scope: 'read:orders', iss: 'https://tenant-a.test/' });

    // An audience sent still wins over the default.
    const other = await s.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, audience: s.tenant.managementAudience } });
    expect(other.statusCode).toBe(403);
  });

  it('issue 3: enabling enable_legacy_management_tokens answers a Warning: 299 header and records one depnote; enabling it again does not', async () => {
    const client = await seedM2M(s, SCOPES);
    const caller = mgmt(s, await tokenFor(s, client));
    const first = await caller.patch('/tenants/settings', { flags: { enable_legacy_management_tokens: true } });
    expect([first.statusCode, first.json()]).toStrictEqual([200, { friendly_name: 'default', flags: { enable_legacy_management_tokens: true } }]);
    expect(first.headers.warning).toBe(`299 - "${LEGACY_WARNING}"`);
    expect(LEGACY_WARNING).toMatch(/Global Client Secret.*long-lived tokens compromise your security/);

    const again = await caller.patch('/tenants/settings', { flags: { enable_legacy_management_tokens: true }, friendly_name: 'still legacy' });
    expect([again.statusCode, again.headers.warning]).toStrictEqual([200, undefined]);
    // Off, then on again: a new notice, since it is a new decision.
    expect((await caller.patch('/tenants/settings', { flags: { enable_legacy_management_tokens: false } })).headers.warning).toBeUndefined();
    expect((await caller.patch('/tenants/settings', { flags: { enable_legacy_management_tokens: true } })).headers.warning).toBe(`299 - "${LEGACY_WARNING}"`);

    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'depnote' }, { offset: 0, limit: 10, withTotal: false, ascending: true });
    expect(items.map((r) => r.event)).toStrictEqual([1, 2].map(() => expect.objectContaining({ type: 'depnote', description: LEGACY_WARNING, client_id: client.clientId, details: { flag: 'enable_legacy_management_tokens' } })));
    expect(s.logs.filter((l) => l.includes('Legacy HS256 Management API tokens are now accepted')).length).toBe(2);
  });

  it('spec §2.7: flags.remove_alg_from_jwks removes alg from every JWKS key, and nothing else', async () => {
    const jwks = async () => (await s.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Record<string, unknown>[] }>().keys;
    const withAlg = await jwks();
    expect(withAlg.length).toBeGreaterThanOrEqual(2);
    expect(withAlg.every((k) => k.alg === 'RS256')).toBe(true);
    await api.patch('/tenants/settings', { flags: { remove_alg_from_jwks: true } });
    expect(await jwks()).toStrictEqual(withAlg.map(({ alg: _alg, ...k }) => k));
    await api.patch('/tenants/settings', { flags: { remove_alg_from_jwks: false } });
    expect(await jwks()).toStrictEqual(withAlg);
  });
});
