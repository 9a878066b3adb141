// The Management API's scope catalogue (spec §4.1) and the current-user scopes (spec §4.2).
// The system resource server publishes CATALOGUE in this order; every Management route must name
// only scopes from here (enforced in management/register.ts).

/** Spec §4.1, in the order a live tenant's Permissions tab lists them (219 scopes). */
const CORE = `
  read:client_grants create:client_grants delete:client_grants update:client_grants read:users
  update:users delete:users create:users read:users_app_metadata update:users_app_metadata
  delete:users_app_metadata create:users_app_metadata read:user_custom_blocks
  create:user_custom_blocks delete:user_custom_blocks create:user_tickets read:clients
  update:clients delete:clients create:clients read:client_keys update:client_keys
  delete:client_keys create:client_keys read:client_credentials update:client_credentials
  delete:client_credentials create:client_credentials read:connections update:connections
  delete:connections create:connections read:resource_servers update:resource_servers
  delete:resource_servers create:resource_servers read:device_credentials
  update:device_credentials delete:device_credentials create:device_credentials read:rules
  update:rules delete:rules create:rules read:rules_configs update:rules_configs
  delete:rules_configs read:hooks update:hooks delete:hooks create:hooks read:actions
  update:actions delete:actions create:actions read:email_provider update:email_provider
  delete:email_provider create:email_provider blacklist:tokens read:stats read:insights
  read:tenant_settings update:tenant_settings read:logs read:logs_users read:shields
  create:shields update:shields delete:shields read:anomaly_blocks delete:anomaly_blocks
  update:triggers read:triggers read:grants delete:grants read:guardian_factors
  update:guardian_factors read:guardian_enrollments delete:guardian_enrollments
  create:guardian_enrollment_tickets read:user_idp_tokens create:passwords_checking_job
  delete:passwords_checking_job read:custom_domains delete:custom_domains create:custom_domains
  update:custom_domains read:email_templates create:email_templates update:email_templates
  read:mfa_policies update:mfa_policies read:roles create:roles delete:roles update:roles
  read:prompts update:prompts read:branding update:branding delete:branding read:log_streams
  create:log_streams delete:log_streams update:log_streams create:signing_keys read:signing_keys
  update:signing_keys read:limits update:limits create:role_members read:role_members
  delete:role_members read:entitlements read:attack_protection update:attack_protection
  read:organizations_summary create:authentication_methods read:authentication_methods
  update:authentication_methods delete:authentication_methods read:organizations
  update:organizations create:organizations delete:organizations
  read:organization_discovery_domains update:organization_discovery_domains
  create:organization_discovery_domains delete:organization_discovery_domains
  create:organization_members read:organization_members delete:organization_members
  create:organization_connections read:organization_connections update:organization_connections
  delete:organization_connections create:organization_member_roles read:organization_member_roles
  delete:organization_member_roles create:organization_invitations read:organization_invitations
  delete:organization_invitations read:scim_config create:scim_config update:scim_config
  delete:scim_config create:scim_token read:scim_token delete:scim_token delete:phone_providers
  create:phone_providers read:phone_providers update:phone_providers delete:phone_templates
  create:phone_templates read:phone_templates update:phone_templates create:encryption_keys
  read:encryption_keys update:encryption_keys delete:encryption_keys read:sessions delete:sessions
  read:refresh_tokens delete:refresh_tokens create:self_service_profiles
  read:self_service_profiles update:self_service_profiles delete:self_service_profiles
  create:sso_access_tickets delete:sso_access_tickets read:forms update:forms delete:forms
  create:forms read:flows update:flows delete:flows create:flows read:flows_vault
  read:flows_vault_connections update:flows_vault_connections delete:flows_vault_connections
  create:flows_vault_connections read:flows_executions delete:flows_executions
  read:connections_options update:connections_options read:self_service_profile_custom_texts
  update:self_service_profile_custom_texts create:network_acls update:network_acls
  read:network_acls delete:network_acls delete:vdcs_templates read:vdcs_templates
  create:vdcs_templates update:vdcs_templates create:custom_signing_keys read:custom_signing_keys
  update:custom_signing_keys delete:custom_signing_keys read:federated_connections_tokens
  delete:federated_connections_tokens create:user_attribute_profiles read:user_attribute_profiles
  update:user_attribute_profiles delete:user_attribute_profiles read:event_streams
  create:event_streams delete:event_streams update:event_streams read:event_deliveries
  update:event_deliveries create:connection_profiles read:connection_profiles
  update:connection_profiles delete:connection_profiles
`;

/** Present in a 2026 Terraform export of a real tenant (spec §4.1, "append after the above"). */
const NEWER = `
  create:connections_keys read:connections_keys update:connections_keys
  create:directory_provisionings read:directory_provisionings update:directory_provisionings
  delete:directory_provisionings create:group_roles read:group_roles delete:group_roles
  create:organization_client_grants read:organization_client_grants
  delete:organization_client_grants create:organization_groups read:organization_groups
  delete:organization_groups create:organization_group_roles read:organization_group_roles
  delete:organization_group_roles read:organization_member_effective_roles
  read:organization_member_role_source_groups create:token_exchange_profiles
  read:token_exchange_profiles update:token_exchange_profiles delete:token_exchange_profiles
  read:user_effective_permissions read:user_effective_roles read:user_permission_source_roles
  read:user_role_source_groups update:refresh_tokens update:sessions
`;

/** In the `auth0@7` SDK's OauthScope enum only (spec §4.1); `read:client_summary` is used by GET /clients. */
const SDK_ONLY = `
  create:agents read:agents update:agents delete:agents read:client_summary
  update:client_token_vault_privileged_access read:events update:experimentation
  read:group_members read:groups delete:groups create:network_acl_keys read:network_acl_keys
  delete:network_acl_keys create:organization_clients read:organization_clients
  update:organization_clients delete:organization_clients read:organization_templates
  create:rate_limit_policies read:rate_limit_policies update:rate_limit_policies
  delete:rate_limit_policies
`;

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

export const MANAGEMENT_SCOPES: readonly string[] = Object.freeze([...new Set([...words(CORE), ...words(NEWER), ...words(SDK_ONLY)])]);

const CATALOGUE = new Set(MANAGEMENT_SCOPES);

export function isManagementScope(scope: string): boolean {
  return CATALOGUE.has(scope);
}

/** Spec §4.2: grantable only in user tokens for the Management API, always confined to `{id} == sub`. */
export const CURRENT_USER_SCOPES: readonly string[] = Object.freeze([
  'read:current_user',
  'update:current_user_identities',
  'update:current_user_metadata',
  'create:current_user_metadata',
  'delete:current_user_metadata',
  'create:current_user_device_credentials',
  'delete:current_user_device_credentials',
  'delete:current_user',
]);

const CURRENT_USER = new Set(CURRENT_USER_SCOPES);

export function isCurrentUserScope(scope: string): boolean {
  return CURRENT_USER.has(scope);
}

/** "read:client_grants" → "Read Client Grants", as the dashboard shows them (spec §4.1). */
export function describeScope(scope: string): string {
  if (scope === 'delete:role_members') return 'Update role members'; // Auth0's own oddity, kept.
  const [verb = '', noun = ''] = scope.split(':');
  const title = (w: string): string => (w ? w[0]!.toUpperCase() + w.slice(1) : w);
  return [verb, ...noun.split('_')].map(title).join(' ');
}

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ); scope-token = 1*NQCHAR. */
export function parseScopeParam(value: string): string[] | undefined {
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(value)) return undefined;
  return [...new Set(value.split(' '))];
}
