// Tenant settings (spec §3.5.7): the Auth0 keys Scopeward stores and acts on, plus `rate_limits`
// (a Scopeward extension, T-RL). Unknown keys are refused with 400 invalid_body.
import { Type, type Static } from 'typebox';

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

const settings = {
  friendly_name: Type.Optional(Type.String({ maxLength: 255, pattern: '^[^<>]*$' })),
  picture_url: Type.Optional(Url),
  support_email: Type.Optional(Type.String({ maxLength: 255 })),
  support_url: Type.Optional(Url),
  default_audience: Type.Optional(Type.String({ maxLength: 600 })),
  default_directory: Type.Optional(Type.String({ maxLength: 255 })),
  default_redirection_uri: Type.Optional(Url),
  allowed_logout_urls: Type.Optional(Type.Array(Url, { maxItems: 100 })),
  session_lifetime: Type.Optional(Type.Number({ minimum: 1, maximum: 8760, description: 'Hours.' })),
  idle_session_lifetime: Type.Optional(Type.Number({ minimum: 1, maximum: 8760, description: 'Hours.' })),
  enabled_locales: Type.Optional(Type.Array(Type.String({ maxLength: 16, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), { maxItems: 100 })),
  sandbox_version: Type.Optional(Type.String({ maxLength: 16 })),
  flags: Type.Optional(TenantFlags),
  rate_limits: Type.Optional(RateLimits),
};

export const TenantSettingsUpdate = Type.Object(settings, { additionalProperties: false, $id: 'TenantSettingsUpdate' });
export type TenantSettingsUpdate = Static<typeof TenantSettingsUpdate>;

export const TenantSettings = Type.Object(settings, { $id: 'TenantSettings' });
