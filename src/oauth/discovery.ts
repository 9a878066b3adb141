// /.well-known/openid-configuration (spec §2.7). Only what the server implements is advertised;
// `issuer` keeps its trailing slash, and id_token_signing_alg_values_supported includes the
// access-token algorithm because express-oauth2-jwt-bearer uses it as its allow-list (spec §0 row 4).
import type { Tenant } from '../domain/tenant.ts';

export function discoveryDocument(tenant: Tenant): Record<string, unknown> {
  const base = tenant.issuer;
  return {
    issuer: base,
    token_endpoint: `${base}oauth/token`,
    jwks_uri: `${base}.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['HS256', 'RS256'],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
  };
}
