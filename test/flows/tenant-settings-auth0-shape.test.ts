// Issue 12, E4: /api/v2/tenants/settings takes every field of Auth0's documented tenant settings
// object (the Deploy CLI sends session lifetimes in minutes) and answers Auth0's whole object with
// its defaults for a new tenant, flags included; fields Scopeward does not act on are stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionLifetimeMs } from '../../src/oauth/authorize/session.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** What a new tenant answers: Auth0's defaults (GO-REC TestTenantManager), Scopeward's legacy switch off. */
const NEW_TENANT = {
  friendly_name: 'default',
  allowed_logout_urls: [],
  acr_values_supported: [],
  enabled_locales: ['en'],
  session_lifetime: 168,
  idle_session_lifetime: 72,
  sandbox_version: '22',
  sandbox_versions_available: ['22', '18'],
  session_cookie: { mode: 'persistent' },
  sessions: { oidc_logout_prompt_enabled: true },
  oidc_logout: { rp_logout_end_session_endpoint_discovery: true },
  customize_mfa_in_postlogin_action: false,
  pushed_authorization_requests_supported: false,
  mtls: { enable_endpoint_aliases: false },
  flags: {
    allow_changing_enable_sso: false,
    allow_legacy_delegation_grant_types: false,
    allow_legacy_ro_grant_types: false,
    allow_legacy_tokeninfo_endpoint: false,
    change_pwd_flow_v1: false,
    disable_clickjack_protection_headers: false,
    disable_fields_map_fix: false,
    disable_impersonation: true,
    disable_management_api_sms_obfuscation: false,
    enable_adfs_waad_email_verification: false,
    enable_apis_section: false,
    enable_client_connections: true,
    enable_dynamic_client_registration: false,
    enable_idtoken_api2: false,
    enable_legacy_management_tokens: false,
    enable_legacy_profile: false,
    enable_pipeline2: true,
    enable_public_signup_user_exists_error: false,
    enable_sso: true,
    enforce_client_authentication_on_passwordless_start: true,
    mfa_show_factor_list_on_enrollment: false,
    new_universal_login_experience_enabled: true,
    no_disclose_enterprise_connections: false,
    remove_alg_from_jwks: false,
    revoke_refresh_token_grant: false,
    trust_azure_adfs_email_verified_connection_property: false,
    universal_login: true,
  },
};

/** Every documented field Scopeward stores without acting on it, with a non-default value. */
const STORED_ONLY = {
  picture_url: 'https://acme.example/logo.png',
  support_email: 'help@acme.example',
  support_url: 'https://acme.example/help',
  default_directory: 'Username-Password-Authentication',
  default_redirection_uri: 'https://acme.example/login',
  enabled_locales: ['en', 'fr'],
  sandbox_version: '18',
  legacy_sandbox_version: 'v1',
  ephemeral_session_lifetime: 24,
  idle_ephemeral_session_lifetime: 2,
  change_password: { enabled: false, html: '' },
  guardian_mfa_page: { enabled: false, html: '' },
  error_page: { html: '', show_log_link: false, url: 'https://acme.example/error' },
  device_flow: { charset: 'base20', mask: '****-****' },
  default_token_quota: { clients: { client_credentials: { enforce: true, per_day: 100, per_hour: 10 } } },
  security_headers: { x_xss_protection: null },
  session_cookie: { mode: 'non-persistent' },
  sessions: { oidc_logout_prompt_enabled: false },
  oidc_logout: { rp_logout_end_session_endpoint_discovery: false },
  mtls: { enable_endpoint_aliases: true },
  country_codes: { list: ['FR'], mode: 'allow' },
  customize_mfa_in_postlogin_action: true,
  allow_organization_name_in_authentication_api: false,
  acr_values_supported: ['urn:acme:loa:1'],
  pushed_authorization_requests_supported: true,
  authorization_response_iss_parameter_supported: true,
  skip_non_verifiable_callback_uri_confirmation_prompt: true,
  resource_parameter_profile: 'audience',
  client_id_metadata_document_supported: false,
  enable_ai_guide: false,
  phone_consolidated_experience: false,
  include_session_metadata_in_tenant_logs: false,
  dynamic_client_registration_security_mode: 'strict',
};

let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['read:tenant_settings', 'update:tenant_settings']));
});
afterAll(() => s.close());

const settings = async () => (await api.get('/tenants/settings')).json<Record<string, unknown>>();

describe('E4: tenant settings are Auth0\'s object', () => {
  it('a new tenant answers the whole object with Auth0\'s defaults, flags (the legacy switch among them) included', async () => {
    expect(await settings()).toStrictEqual(NEW_TENANT);
    expect((await api.get('/tenants/settings?fields=flags')).json<{ flags: Record<string, boolean> }>().flags.enable_legacy_management_tokens).toBe(false);
  });

  it('the Deploy CLI\'s session lifetimes in minutes → 200; GET answers them in hours, and login sessions follow them', async () => {
    const res = await api.patch('/tenants/settings', { friendly_name: 'Acme', session_lifetime_in_minutes: 600, idle_session_lifetime_in_minutes: 90 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toStrictEqual({ ...NEW_TENANT, friendly_name: 'Acme', session_lifetime: 10, idle_session_lifetime: 1.5 });
    expect(await settings()).toStrictEqual(res.json());
    expect(sessionLifetimeMs(s.registry.tenantByHost(DOMAIN)!)).toStrictEqual({ absolute: 10 * 3_600_000, idle: 1.5 * 3_600_000 });
  });

  it('every other documented field is accepted and stored, and answered back', async () => {
    const res = await api.patch('/tenants/settings', { ...STORED_ONLY, ephemeral_session_lifetime_in_minutes: 30 });
    expect(res.statusCode, res.body).toBe(200);
    const expected = { ...NEW_TENANT, friendly_name: 'Acme', session_lifetime: 10, idle_session_lifetime: 1.5, ...STORED_ONLY, ephemeral_session_lifetime: 0.5 };
    expect(res.json()).toStrictEqual(expected);
    expect(await settings()).toStrictEqual(expected);
  });

  it('null removes a stored object: its default shows again', async () => {
    const res = await api.patch('/tenants/settings', { session_cookie: null, mtls: null, acr_values_supported: null, error_page: null });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect([body.session_cookie, body.mtls, body.acr_values_supported, body.error_page]).toStrictEqual([NEW_TENANT.session_cookie, NEW_TENANT.mtls, [], undefined]);
  });

  it.each([
    [{ sandbox_versions_available: ['22'] }, "Payload validation error: 'Additional properties not allowed: sandbox_versions_available'."],
    [{ session_lifetime_in_minutes: 0 }, "Payload validation error: 'Value 0 is less than minimum 1' on property session_lifetime_in_minutes."],
    [{ customize_mfa_in_postlogin_action: 'yes' }, undefined],
    [{ session_cookie: 'persistent' }, undefined],
  ])('%j → 400 invalid_body, nothing stored', async (body, message) => {
    const before = await settings();
    const res = await api.patch('/tenants/settings', body);
    if (message !== undefined) expectMgmtError(res, 400, message, 'invalid_body');
    else expect([res.statusCode, res.json<{ errorCode: string }>().errorCode]).toStrictEqual([400, 'invalid_body']);
    expect(await settings()).toStrictEqual(before);
  });
});
