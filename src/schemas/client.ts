// Applications (Auth0 "clients"), spec §3.5.1. Field names are Auth0's, end to end.
import { Type, type Static } from 'typebox';
import { Nullable, StringList } from './common.ts';
import { TokenQuota } from './token-quota.ts';

export const APP_TYPES = ['native', 'spa', 'regular_web', 'non_interactive'] as const;
export const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;
export const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'http://auth0.com/oauth/grant-type/password-realm',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;


/** Auth0 forbids < and > in names (OAS pattern), which also keeps names inert in HTML. */
const Name = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^<>]+$', description: 'Application name; no < or >.' });
const Description = Type.String({ maxLength: 140, description: 'Free text, up to 140 characters.' });

const JwtConfiguration = Type.Object(
  {
    lifetime_in_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 2592000 })),
    secret_encoded: Type.Optional(Type.Boolean()),
    scopes: Type.Optional(Type.Object({}, { additionalProperties: true })),
    alg: Type.Optional(Type.Enum(['HS256', 'RS256', 'RS512', 'PS256'], { description: 'ID token signing algorithm' })),
  },
  { additionalProperties: false },
);

const RefreshToken = Type.Object(
  {
    rotation_type: Type.Optional(Type.Enum(['rotating', 'non-rotating'], { description: 'rotation' })),
    expiration_type: Type.Optional(Type.Enum(['expiring', 'non-expiring'], { description: 'expiration' })),
    leeway: Type.Optional(Type.Integer({ minimum: 0 })),
    token_lifetime: Type.Optional(Type.Integer({ minimum: 1 })),
    infinite_token_lifetime: Type.Optional(Type.Boolean()),
    idle_token_lifetime: Type.Optional(Type.Integer({ minimum: 1 })),
    infinite_idle_token_lifetime: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Up to 10 string values of at most 255 characters (Auth0 client_metadata rules). */
const ClientMetadata = Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 255 }), { maxProperties: 10 });

/** Settings Auth0 defines that Scopeward stores and returns but does not act on. */
const Opaque = Type.Object({}, { additionalProperties: true });

/** Auth0's client_authentication_methods: the credentials (by id) enabled for Private Key JWT. */
const ClientAuthenticationMethods = Type.Object(
  {
    private_key_jwt: Type.Optional(
      Type.Object(
        {
          credentials: Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), {
            maxItems: 2,
            description: 'Ids of the client credentials (POST /clients/{id}/credentials) its assertions may be signed with.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Private Key JWT (RFC 7523); set token_endpoint_auth_method to null with it.' },
);

/** Every writable setting; shared by create and update. */
const settings = {
  description: Type.Optional(Description),
  logo_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  callbacks: Type.Optional(StringList('Allowed callback URLs (exact match).')),
  allowed_origins: Type.Optional(StringList('Origins allowed to make cross-origin requests.')),
  web_origins: Type.Optional(StringList('Origins allowed for web_message and cross-origin authentication.')),
  client_aliases: Type.Optional(StringList('Audiences for SAML/WS-Fed.')),
  allowed_clients: Type.Optional(StringList('Clients allowed to request delegation tokens.')),
  allowed_logout_urls: Type.Optional(StringList('URLs allowed as returnTo of /v2/logout.')),
  grant_types: Type.Optional(Type.Array(Type.Enum(GRANT_TYPES, { description: 'grant type' }), { maxItems: 10 })),
  token_endpoint_auth_method: Type.Optional(Type.Enum(AUTH_METHODS, { description: 'How the client authenticates at /oauth/token.' })),
  is_token_endpoint_ip_header_trusted: Type.Optional(Type.Boolean()),
  app_type: Type.Optional(Type.Enum(APP_TYPES, { description: 'native, spa, regular_web or non_interactive (machine to machine).' })),
  is_first_party: Type.Optional(Type.Boolean()),
  oidc_conformant: Type.Optional(Type.Boolean()),
  jwt_configuration: Type.Optional(JwtConfiguration),
  sso: Type.Optional(Type.Boolean()),
  sso_disabled: Type.Optional(Type.Boolean()),
  cross_origin_authentication: Type.Optional(Type.Boolean()),
  cross_origin_loc: Type.Optional(Type.String({ maxLength: 2048 })),
  custom_login_page_on: Type.Optional(Type.Boolean()),
  custom_login_page: Type.Optional(Type.String({ maxLength: 100000 })),
  custom_login_page_preview: Type.Optional(Type.String({ maxLength: 100000 })),
  form_template: Type.Optional(Type.String({ maxLength: 100000 })),
  client_metadata: Type.Optional(ClientMetadata),
  initiate_login_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  refresh_token: Nullable(RefreshToken),
  organization_usage: Type.Optional(Type.Enum(['deny', 'allow', 'require'], { description: 'organization usage' })),
  organization_require_behavior: Type.Optional(Type.Enum(['no_prompt', 'pre_login_prompt', 'post_login_prompt'], { description: 'organization prompt' })),
  addons: Type.Optional(Opaque),
  mobile: Type.Optional(Opaque),
  native_social_login: Type.Optional(Opaque),
  oidc_logout: Type.Optional(Opaque),
  oidc_backchannel_logout: Type.Optional(Opaque),
  require_pushed_authorization_requests: Type.Optional(Type.Boolean()),
  require_proof_of_possession: Type.Optional(Type.Boolean()),
  /** Issue 15: quotas on this client's client-credentials tokens (null removes them; the tenant default then applies). */
  token_quota: Nullable(TokenQuota),
};

export const ClientCreate = Type.Object({ name: Name, ...settings }, { additionalProperties: false, $id: 'ClientCreate' });
export type ClientCreate = Static<typeof ClientCreate>;

export const ClientUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    client_secret: Type.Optional(Type.String({ minLength: 32, maxLength: 512, description: 'Needs update:client_keys.' })),
    ...settings,
    token_endpoint_auth_method: Nullable(Type.Enum(AUTH_METHODS, { description: 'How the client authenticates at /oauth/token; null with client_authentication_methods.' })),
    client_authentication_methods: Nullable(ClientAuthenticationMethods),
  },
  { additionalProperties: false, $id: 'ClientUpdate' },
);
export type ClientUpdate = Static<typeof ClientUpdate>;

/** What is stored for a client: the Auth0 object without its secret (kept sealed beside it). */
export const ClientData = Type.Object({
  client_id: Type.String(),
  tenant: Type.String(),
  global: Type.Boolean(),
  name: Type.String(),
  callback_url_template: Type.Boolean(),
  // Not in `settings`: no create or update body can set it (domain/dashboard-client.ts).
  client_authentication_methods: Type.Optional(ClientAuthenticationMethods),
  scopeward_system: Type.Optional(Type.Literal('dashboard', { description: 'Scopeward extension: a system application (the dashboard) that the API cannot change or delete.' })),
  ...settings,
});
export type ClientData = Static<typeof ClientData>;

export const SigningKeyRef = Type.Object({ cert: Type.String(), pkcs7: Type.String(), subject: Type.String() });

// The wire object: what is stored, less Scopeward's own marker (issue 12, E3: never answered).
const { scopeward_system: _stored, ...wireProperties } = ClientData.properties;

export const Client = Type.Object(
  {
    ...wireProperties,
    client_id: Type.Optional(Type.String()),
    tenant: Type.Optional(Type.String()),
    global: Type.Optional(Type.Boolean()),
    name: Type.Optional(Type.String()),
    callback_url_template: Type.Optional(Type.Boolean()),
    client_secret: Type.Optional(Type.String({ description: 'Only with read:client_keys.' })),
    signing_keys: Type.Optional(Type.Array(SigningKeyRef, { description: 'Only with read:client_keys or read:client_credentials.' })),
    client_secret_rotation: Type.Optional(
      Type.Object(
        {
          previous_secret_expires_at: Type.Optional(Type.String({ description: 'Until then the secret before the last rotation is still accepted.' })),
          last_used_secret: Type.Optional(Type.Enum(['current', 'previous'], { description: 'Which of the secrets accepted now authenticated last.' })),
          last_used_at: Type.Optional(Type.String()),
          current_secret_last_used_at: Type.Optional(Type.String({ description: 'Last authentication with the current secret (absent until it is used after the last rotation).' })),
          previous_secret_last_used_at: Type.Optional(Type.String({ description: 'Last authentication with the previous secret, while it is still accepted.' })),
        },
        { description: 'Scopeward extension: the rotation grace period and when each secret was last used (in GET /clients only when `fields` names it).' },
      ),
    ),
  },
  { $id: 'Client', description: 'An application; which fields appear depends on the token scopes and `fields`.' },
);
export type Client = Static<typeof Client>;

export const ClientListQuery = Type.Object({
  is_global: Type.Optional(Type.Boolean()),
  is_first_party: Type.Optional(Type.Boolean()),
  app_type: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated app types.' })),
});
