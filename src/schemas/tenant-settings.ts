// Tenant settings (spec §3.5.7): every field of Auth0's documented tenant settings object (issue
// 12, E4; stored whether or not Scopeward acts on it: docs/tenant-settings.md says which take
// effect), plus `rate_limits` (a Scopeward extension, T-RL). Unknown keys are refused with 400
// invalid_body.
import { Type, type Static } from 'typebox';
import { DefaultTokenQuota } from './token-quota.ts';

const Url = Type.String({ maxLength: 2048 });
const Window = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }) },
  { additionalProperties: false },
);

/** Auth0's suspicious-IP-throttling stage: `max_attempts` at once, one more every `rate` ms. */
const Bucket = Type.Object(
  { max_attempts: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), rate: Type.Integer({ minimum: 1, maximum: 86_400_000, description: 'Milliseconds per attempt regained.' }) },
  { additionalProperties: false },
);

export const TenantFlags = Type.Object(
  {
    enable_legacy_management_tokens: Type.Optional(
      Type.Boolean({ description: 'Accept HS256 Management API tokens signed with the Global Client Secret (legacy, off by default; see the warning).' }),
    ),
    remove_alg_from_jwks: Type.Optional(Type.Boolean({ description: 'Omit `alg` from the keys in /.well-known/jwks.json.' })),
  },
  // Auth0 defines dozens of flags; the others are kept and returned, but only booleans.
  { additionalProperties: Type.Boolean() },
);

export const RateLimits = Type.Object(
  {
    token_endpoint: Type.Optional(Window),
    token_endpoint_per_ip: Type.Optional(Window),
    management_api: Type.Optional(Window),
    management_api_unauthenticated_per_ip: Type.Optional(Window),
    signing_key_rotations: Type.Optional(Window),
    failed_client_authentication: Type.Optional(
      Type.Object(
        {
          slow_after: Type.Integer({ minimum: 1, maximum: 1000 }),
          block_after: Type.Integer({ minimum: 1, maximum: 1000 }),
          window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
        },
        { additionalProperties: false },
      ),
    ),
    login_per_ip: Type.Optional(Bucket),
    signup_per_ip: Type.Optional(Bucket),
    authorize_per_ip: Type.Optional(Window),
    ip_allowlist: Type.Optional(
      Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 100, description: 'IPv4/IPv6 addresses and CIDR ranges exempt from the per-address login, sign-up and /authorize limits.' }),
    ),
  },
  { additionalProperties: false, description: 'Scopeward extension: per-tenant rate limits (defaults in the README).' },
);

/** An Auth0 settings object Scopeward stores without acting on it: checked for its type only. */
const Stored = (description: string) => Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: `${description} Stored; no effect in Scopeward. null removes it.` });
const StoredFlag = (description: string) => Type.Union([Type.Boolean(), Type.Null()], { description: `${description} Stored; no effect in Scopeward.` });
const Hours = (description: string) => Type.Number({ minimum: 1, maximum: 8760, description: `${description} (hours).` });
const Minutes = (description: string) => Type.Number({ minimum: 1, maximum: 525_600, description: `${description} (minutes; stored as the hours field, which GET returns).` });

const settings = {
  friendly_name: Type.Optional(Type.String({ maxLength: 255, pattern: '^[^<>]*$' })),
  picture_url: Type.Optional(Url),
  support_email: Type.Optional(Type.String({ maxLength: 255 })),
  support_url: Type.Optional(Url),
  default_audience: Type.Optional(Type.String({ maxLength: 600 })),
  default_directory: Type.Optional(Type.String({ maxLength: 255 })),
  default_redirection_uri: Type.Optional(Url),
  allowed_logout_urls: Type.Optional(Type.Array(Url, { maxItems: 100 })),
  session_lifetime: Type.Optional(Hours('Absolute login-session lifetime')),
  idle_session_lifetime: Type.Optional(Hours('Idle login-session lifetime')),
  ephemeral_session_lifetime: Type.Optional(Hours('Absolute lifetime of non-persistent sessions; stored')),
  idle_ephemeral_session_lifetime: Type.Optional(Hours('Idle lifetime of non-persistent sessions; stored')),
  enabled_locales: Type.Optional(Type.Array(Type.String({ maxLength: 16, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), { maxItems: 100 })),
  sandbox_version: Type.Optional(Type.String({ maxLength: 16 })),
  legacy_sandbox_version: Type.Optional(Type.String({ maxLength: 16 })),
  flags: Type.Optional(TenantFlags),
  change_password: Type.Optional(Stored('Password-reset page {enabled, html}.')),
  guardian_mfa_page: Type.Optional(Stored('MFA page {enabled, html}.')),
  error_page: Type.Optional(Stored('Error page {html, show_log_link, url}.')),
  device_flow: Type.Optional(Stored('Device flow {charset, mask}.')),
  default_token_quota: Type.Optional(Type.Union([DefaultTokenQuota, Type.Null()])),
  security_headers: Type.Optional(Stored('Security headers.')),
  session_cookie: Type.Optional(Stored('Session cookie {mode}.')),
  sessions: Type.Optional(Stored('Sessions {oidc_logout_prompt_enabled, anonymous}.')),
  oidc_logout: Type.Optional(Stored('OIDC logout {rp_logout_end_session_endpoint_discovery}.')),
  mtls: Type.Optional(Stored('mTLS {enable_endpoint_aliases}.')),
  country_codes: Type.Optional(Stored('Phone country codes {list, mode}.')),
  customize_mfa_in_postlogin_action: Type.Optional(StoredFlag('MFA customized in a post-login Action.')),
  allow_organization_name_in_authentication_api: Type.Optional(StoredFlag('Organization names in the Authentication API.')),
  acr_values_supported: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 }), Type.Null()], { description: 'Supported ACR values. Stored; no effect in Scopeward.' })),
  pushed_authorization_requests_supported: Type.Optional(StoredFlag('Pushed authorization requests.')),
  authorization_response_iss_parameter_supported: Type.Optional(StoredFlag('`iss` in authorization responses.')),
  skip_non_verifiable_callback_uri_confirmation_prompt: Type.Optional(StoredFlag('Callback confirmation prompt.')),
  resource_parameter_profile: Type.Optional(Type.String({ maxLength: 64, description: 'Resource parameter profile. Stored; no effect in Scopeward.' })),
  client_id_metadata_document_supported: Type.Optional(Type.Boolean({ description: 'Client ID metadata documents. Stored; no effect in Scopeward.' })),
  enable_ai_guide: Type.Optional(Type.Boolean({ description: 'Stored; no effect in Scopeward.' })),
  phone_consolidated_experience: Type.Optional(Type.Boolean({ description: 'Stored; no effect in Scopeward.' })),
  include_session_metadata_in_tenant_logs: Type.Optional(Type.Boolean({ description: 'Stored; no effect in Scopeward.' })),
  dynamic_client_registration_security_mode: Type.Optional(Type.String({ maxLength: 64, description: 'Stored; no effect in Scopeward.' })),
  rate_limits: Type.Optional(RateLimits),
};

export const TenantSettingsUpdate = Type.Object(
  {
    ...settings,
    session_lifetime_in_minutes: Type.Optional(Minutes('Absolute login-session lifetime')),
    idle_session_lifetime_in_minutes: Type.Optional(Minutes('Idle login-session lifetime')),
    ephemeral_session_lifetime_in_minutes: Type.Optional(Minutes('Absolute lifetime of non-persistent sessions')),
    idle_ephemeral_session_lifetime_in_minutes: Type.Optional(Minutes('Idle lifetime of non-persistent sessions')),
  },
  { additionalProperties: false, $id: 'TenantSettingsUpdate' },
);
export type TenantSettingsUpdate = Static<typeof TenantSettingsUpdate>;

export const TenantSettings = Type.Object(
  { ...settings, sandbox_versions_available: Type.Optional(Type.Array(Type.String(), { description: 'Read-only.' })) },
  { $id: 'TenantSettings', description: "Auth0's tenant settings object: what is stored over Auth0's defaults for a new tenant." },
);
