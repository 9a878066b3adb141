// Auth0 Management API resources Scopeward does not serve (issue 12, E5). Tools that walk every
// resource type (Auth0's Deploy CLI) skip a type whose answer says the token lacks its scope, and
// stop on most others (a 404 on /rules ends an export). So a path under one of these resources
// answers what Auth0 answers a token without the scope: 403 "Insufficient scope, expected any
// of: read:rules", plus why no token here can hold it. The token is checked first, as on every
// route (401 without a valid one). Any other unknown path stays 404.
import { ERROR_CODE, ManagementError, TEXT } from './errors.ts';
import { API_PREFIX_PATH as API_PREFIX } from './paths.ts';

/** Path prefix (below /api/v2/) → the resource part of Auth0's scope for it; longest prefix first. */
const UNSERVED: readonly (readonly [string, string])[] = ([
  ['actions', 'actions'],
  ['anomaly', 'anomaly_blocks'],
  ['attack-protection', 'attack_protection'],
  ['branding/phone/providers', 'phone_providers'],
  ['branding/phone/templates', 'phone_templates'],
  ['branding', 'branding'],
  ['connection-profiles', 'connection_profiles'],
  ['connections-directory-provisionings', 'directory_provisionings'],
  ['custom-domains', 'custom_domains'],
  ['email-templates', 'email_templates'],
  ['emails', 'email_provider'],
  ['event-streams', 'event_streams'],
  ['flows/vault', 'flows_vault_connections'],
  ['flows', 'flows'],
  ['forms', 'forms'],
  ['grants', 'grants'],
  ['groups', 'groups'],
  ['guardian/enrollments', 'guardian_enrollments'],
  ['guardian/policies', 'mfa_policies'],
  ['guardian', 'guardian_factors'],
  ['hooks', 'hooks'],
  ['keys/custom-signing', 'custom_signing_keys'],
  ['keys/encryption', 'encryption_keys'],
  ['network-acls', 'network_acls'],
  ['organizations', 'organizations'],
  ['prompts', 'prompts'],
  ['rate-limit-policies', 'rate_limit_policies'],
  ['refresh-tokens', 'refresh_tokens'],
  ['risk-assessments', 'attack_protection'],
  ['roles', 'roles'],
  ['rules-configs', 'rules_configs'],
  ['rules', 'rules'],
  ['self-service-profiles', 'self_service_profiles'],
  ['sessions', 'sessions'],
  ['stats', 'stats'],
  ['supplemental-signals', 'attack_protection'],
  ['token-exchange-profiles', 'token_exchange_profiles'],
  ['user-attribute-profiles', 'user_attribute_profiles'],
  ['verifiable-credentials', 'vdcs_templates'],
] as const satisfies readonly (readonly [string, string])[]).toSorted((a, b) => b[0].length - a[0].length);

const VERBS: Record<string, string> = { GET: 'read', HEAD: 'read', POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

/** The Auth0 scope a call to an unserved resource would need, or undefined for any other path. */
export function unservedScope(method: string, url: string): string | undefined {
  const path = url.split('?', 1)[0]!;
  if (!path.startsWith(`${API_PREFIX}/`)) return undefined;
  const rest = path.slice(API_PREFIX.length + 1);
  const found = UNSERVED.find(([prefix]) => rest === prefix || rest.startsWith(`${prefix}/`));
  return found && `${VERBS[method] ?? 'read'}:${found[1]}`;
}

/** The answer of the /api/v2 catch-all for a call that passed its admission (http/unknown-path.ts). */
export function unknownPathError(method: string, url: string): ManagementError {
  const scope = unservedScope(method, url);
  if (scope === undefined) return new ManagementError(404, TEXT.notFoundRoute);
  return new ManagementError(403, `${TEXT.insufficientScope([scope])} (Scopeward does not serve this Auth0 resource)`, { errorCode: ERROR_CODE.insufficientScope });
}
