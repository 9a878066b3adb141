// Table types for Kysely. Columns are snake_case; JSON is stored as text and booleans as 0/1 so
// that one set of queries runs on SQLite and PostgreSQL alike.

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

export interface Database {
  tenants: TenantsTable;
  clients: ClientsTable;
  client_grants: ClientGrantsTable;
  resource_servers: ResourceServersTable;
  signing_keys: SigningKeysTable;
  meta: MetaTable;
  denylist: DenylistTable;
  logs: LogsTable;
}
