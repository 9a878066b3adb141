// /.well-known/openid-configuration (spec §2.7). Only what the server implements is advertised;
// `issuer` keeps its trailing slash, and id_token_signing_alg_values_supported includes the
// access-token algorithm because express-oauth2-jwt-bearer uses it as its allow-list (spec §0 row 4).
import type { Tenant } from '../domain/tenant.ts';

/** How clients authenticate at /oauth/token; /oauth/introspect takes the same, less `none`. */
const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

export function discoveryDocument(tenant: Tenant): Record<string, unknown> {
  const base = tenant.issuer;
  return {
    issuer: base,
    authorization_endpoint: `${base}authorize`,
    token_endpoint: `${base}oauth/token`,
    userinfo_endpoint: `${base}userinfo`,
    jwks_uri: `${base}.well-known/jwks.json`,
    revocation_endpoint: `${base}oauth/revoke`,
    // RFC 8414 §2 / RFC 7662: the introspection endpoint and how a client authenticates there.
    introspection_endpoint: `${base}oauth/introspect`,
    introspection_endpoint_auth_methods_supported: TOKEN_AUTH_METHODS.filter((method) => method !== 'none'),
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
    response_types_supported: ['code', 'token', 'id_token', 'token id_token'],
    response_modes_supported: ['query', 'fragment', 'form_post', 'web_message'],
    grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
    // D13: S256 only; `plain` is refused.
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: TOKEN_AUTH_METHODS,
    // Private Key JWT (issue 15): the algorithms Auth0 allows for client credentials.
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'PS256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['HS256', 'RS256'],
    claims_supported: ['aud', 'auth_time', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'nickname', 'phone_number', 'picture', 'sid', 'sub', 'updated_at'],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
  };
}
