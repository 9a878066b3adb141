// The tenant settings object as Auth0 answers it (issue 12, E4): what the tenant stored, over
// Auth0's defaults for a new tenant, `flags` included, so that a tool reading it (the Deploy CLI,
// the SDKs) sees every field, the legacy-token switch and the session lifetimes among them.

/** Auth0's flags for a new tenant, plus Scopeward's legacy-token switch (D8, off). */
export const DEFAULT_TENANT_FLAGS: Readonly<Record<string, boolean>> = {
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
};

/**
 * Auth0's other defaults for a new tenant. The page objects (change_password, guardian_mfa_page,
 * error_page) stay absent until set: the Deploy CLI exports a present one as a custom page.
 */
export const DEFAULT_TENANT_SETTINGS: Readonly<Record<string, unknown>> = {
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
};

/** Auth0 takes session lifetimes in minutes too, and answers them in hours (its GET has no *_in_minutes). */
const IN_MINUTES: Readonly<Record<string, string>> = {
  session_lifetime_in_minutes: 'session_lifetime',
  idle_session_lifetime_in_minutes: 'idle_session_lifetime',
  ephemeral_session_lifetime_in_minutes: 'ephemeral_session_lifetime',
  idle_ephemeral_session_lifetime_in_minutes: 'idle_ephemeral_session_lifetime',
};

/** GET's answer: the stored settings over the defaults. */
export function settingsView(stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...DEFAULT_TENANT_SETTINGS, ...stored, flags: { ...DEFAULT_TENANT_FLAGS, ...(stored.flags as object | undefined) } };
}

/**
 * PATCH merges at the root (flags and rate_limits one level deeper, so changing one flag keeps the
 * others); a lifetime in minutes is stored as the hours field; null removes a field (its default
 * shows again).
 */
export function mergeSettings(before: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    const hours = IN_MINUTES[key];
    if (hours !== undefined) merged[hours] = (value as number) / 60;
    else if (value === null) delete merged[key];
    else if ((key === 'flags' || key === 'rate_limits') && typeof value === 'object') merged[key] = { ...(before[key] as object | undefined), ...value };
    else merged[key] = value;
  }
  return merged;
}
