// Table types for Kysely. Columns are snake_case; JSON is stored as text and booleans as 0/1 so
// that one set of queries runs on SQLite and PostgreSQL alike.
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  domain: string;
  is_default: number;
  settings: string;
  created_at: string;
}

export interface ClientsTable {
  tenant_id: string;
  client_id: string;
  name: string;
  app_type: string | null;
  is_global: number;
  is_first_party: number;
  data: string;
  secret_sealed: string | null;
  secret_mac: string | null;
  previous_secret_mac: string | null;
  previous_secret_expires_at: string | null;
  secret_last_used: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClientGrantsTable {
  tenant_id: string;
  id: string;
  client_id: string;
  audience: string;
  subject_type: string;
  allow_any_organization: number;
  scope: string;
  extra: string;
  created_at: string;
}

export interface ResourceServersTable {
  tenant_id: string;
  id: string;
  identifier: string;
  is_system: number;
  data: string;
  signing_secret_sealed: string | null;
  created_at: string;
}

export interface SigningKeysTable {
  tenant_id: string;
  kid: string;
  alg: string;
  state: string;
  private_sealed: string;
  public_jwk: string;
  cert: string;
  created_at: string;
  current_since: string | null;
  current_until: string | null;
  revoked_at: string | null;
}

export interface DenylistTable {
  tenant_id: string;
  jti: string;
  aud: string;
  created_at: string;
  expires_at: string | null;
}

export interface LogsTable {
  tenant_id: string;
  log_id: string;
  date: string;
  type: string;
  client_id: string | null;
  user_id: string | null;
  ip: string | null;
  data: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ConnectionsTable {
  tenant_id: string;
  id: string;
  name: string;
  strategy: string;
  data: string;
  created_at: string;
}

/** `*_lower` columns hold the NFC, lower-cased value (computed in JS so both dialects agree). */
export interface UsersTable {
  tenant_id: string;
  user_id: string;
  connection: string;
  email: string | null;
  email_lower: string | null;
  email_domain: string | null;
  email_verified: number;
  username: string | null;
  username_lower: string | null;
  phone_number: string | null;
  phone_verified: number;
  name: string | null;
  name_lower: string | null;
  nickname: string | null;
  nickname_lower: string | null;
  given_name: string | null;
  given_name_lower: string | null;
  family_name: string | null;
  family_name_lower: string | null;
  picture: string | null;
  blocked: number;
  user_metadata: string;
  app_metadata: string;
  linked_identities: string;
  password_hash: string | null;
  last_password_reset: string | null;
  last_login: string | null;
  last_ip: string | null;
  logins_count: number;
  created_at: string;
  updated_at: string;
}

export interface DeviceCredentialsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  device_id: string;
  type: string;
  value: string;
  created_at: string;
}

export interface LoginTransactionsTable {
  tenant_id: string;
  id: string;
  browser_hash: string;
  request: string;
  created_at: string;
  expires_at: string;
}

export interface LoginSessionsTable {
  tenant_id: string;
  id_hash: string;
  sid: string;
  user_id: string;
  auth_time: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface AuthCodesTable {
  tenant_id: string;
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_given: number;
  code_challenge: string | null;
  scope: string;
  audience: string | null;
  nonce: string | null;
  sid: string;
  auth_time: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
  replayed_at: string | null;
  issued: string | null;
}

export interface RefreshTokensTable {
  tenant_id: string;
  id: string;
  token_hash: string;
  family_id: string;
  client_id: string;
  user_id: string;
  audience: string | null;
  scope: string;
  sid: string | null;
  auth_time: string;
  rotating: number;
  created_at: string;
  expires_at: string | null;
  idle_expires_at: string | null;
  used_at: string | null;
  revoked_at: string | null;
}

export interface LoginFailuresTable {
  tenant_id: string;
  user_id: string;
  ip: string;
  failures: number;
  last_failure_at: string;
  blocked_at: string | null;
}

export interface TenantAdminsTable {
  tenant_id: string;
  user_id: string;
  created_at: string;
}

export interface MintedTokensTable {
  tenant_id: string;
  id: string;
  jti: string;
  name: string;
  client_id: string;
  audience: string;
  scope: string;
  legacy: number;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

export interface LogStreamsTable {
  tenant_id: string;
  id: string;
  name: string;
  status: string;
  data: string;
  sink_secrets_sealed: string | null;
  created_at: string;
  updated_at: string;
  failures: Generated<number>;
  failing_since: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
  last_delivered_log_id: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface LogStreamOutboxTable {
  tenant_id: string;
  stream_id: string;
  log_id: string;
}

export interface Database {
  tenants: TenantsTable;
  clients: ClientsTable;
  client_grants: ClientGrantsTable;
  resource_servers: ResourceServersTable;
  signing_keys: SigningKeysTable;
  meta: MetaTable;
  denylist: DenylistTable;
  logs: LogsTable;
  connections: ConnectionsTable;
  users: UsersTable;
  device_credentials: DeviceCredentialsTable;
  login_transactions: LoginTransactionsTable;
  login_sessions: LoginSessionsTable;
  auth_codes: AuthCodesTable;
  refresh_tokens: RefreshTokensTable;
  login_failures: LoginFailuresTable;
  tenant_admins: TenantAdminsTable;
  minted_tokens: MintedTokensTable;
  log_streams: LogStreamsTable;
  log_stream_outbox: LogStreamOutboxTable;
  client_credentials: ClientCredentialsTable;
  assertion_jtis: AssertionJtisTable;
  token_quota_counters: TokenQuotaCountersTable;
}

export interface ClientCredentialsTable {
  tenant_id: string;
  id: string;
  client_id: string;
  name: string | null;
  kid: string;
  alg: string;
  credential_type: string;
  pem: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
}

export interface AssertionJtisTable {
  tenant_id: string;
  client_id: string;
  jti: string;
  expires_at: string;
}

export interface TokenQuotaCountersTable {
  tenant_id: string;
  bucket: string;
  window_start: string;
  issued: number;
  expires_at: string;
}
