// Storage ports for users and what hangs off them (issue #4): database connections, users (with
// the search compiled from GET /api/v2/users?q=), device credentials. Tenant-scoped like every
// other port; implementations map driver errors to storage/errors.ts.
import type { ListResult, PageRequest } from '../ports.ts';

export interface ConnectionRecord {
  tenantId: string;
  /** `con_` + 16 characters. */
  id: string;
  /** Unique per tenant, e.g. `Username-Password-Authentication`. */
  name: string;
  /** `auth0` for a database connection (the only kind Scopeward stores users in). */
  strategy: string;
  /**
   * Remaining Auth0 fields: options (requires_username, disable_signup, passwordPolicy, brute_force_protection …), realms,
   * is_domain_connection, display_name, and enabled_clients: absent means every application of the tenant (the default
   * connection), a list limits the connection to those client ids.
   */
  data: Record<string, unknown>;
  createdAt: string;
}

export interface ConnectionStore {
  list(tenantId: string): Promise<ConnectionRecord[]>;
  get(tenantId: string, id: string): Promise<ConnectionRecord | undefined>;
  getByName(tenantId: string, name: string): Promise<ConnectionRecord | undefined>;
  create(record: ConnectionRecord): Promise<void>;
  update(tenantId: string, id: string, patch: Partial<Pick<ConnectionRecord, 'data'>>): Promise<boolean>;
}

/** An identity linked into a user (Auth0 `identities[]` beyond the primary one). */
export interface UserIdentity {
  connection: string;
  user_id: string;
  provider: string;
  isSocial: boolean;
  profileData?: Record<string, unknown>;
}

export interface UserRecord {
  tenantId: string;
  /** `auth0|` + 24 hex digits (or a caller-chosen id after `auth0|`). */
  userId: string;
  /** The database connection's name. */
  connection: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  phoneNumber: string | null;
  phoneVerified: boolean;
  name: string | null;
  nickname: string | null;
  givenName: string | null;
  familyName: string | null;
  picture: string | null;
  blocked: boolean;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  /** Identities linked into this one; the primary identity is derived from userId and connection. */
  linkedIdentities: UserIdentity[];
  /** PHC string (argon2id); never leaves the server. */
  passwordHash: string | null;
  lastPasswordReset: string | null;
  lastLogin: string | null;
  lastIp: string | null;
  loginsCount: number;
  createdAt: string;
  updatedAt: string;
}

/** How a searchable user field compares (spec §3.5.4; Auth0 "User search query syntax"). */
export type UserFieldKind =
  /** exact, case-sensitive; prefix and suffix wildcards */
  | 'text'
  /** Auth0's normalized fields: compared case-insensitively (NFC, then lower case); prefix and suffix wildcards */
  | 'folded'
  | 'boolean'
  /** integer; ranges */
  | 'integer'
  /** ISO-8601 instants with milliseconds (the stored format); ranges */
  | 'date';

/**
 * The fields a UserCondition may name, besides `user_metadata.<path>` and `app_metadata.<path>`.
 * `email.domain` is the part after the last `@`, folded; `identities.*` match the primary identity
 * (the user's own connection, provider `auth0`, user_id without `auth0|`) or any linked one.
 */
export const USER_SEARCH_FIELDS = {
  user_id: 'text',
  email: 'folded',
  'email.domain': 'folded',
  email_verified: 'boolean',
  username: 'text',
  phone_number: 'text',
  phone_verified: 'boolean',
  name: 'folded',
  nickname: 'folded',
  given_name: 'folded',
  family_name: 'folded',
  blocked: 'boolean',
  logins_count: 'integer',
  created_at: 'date',
  updated_at: 'date',
  last_login: 'date',
  last_ip: 'text',
  connection: 'text',
  'identities.connection': 'text',
  'identities.provider': 'text',
  'identities.user_id': 'text',
} as const satisfies Record<string, UserFieldKind>;

export type UserSearchField = keyof typeof USER_SEARCH_FIELDS;

/** Fields GET /users?sort= accepts; ties are broken by user_id, and users without the field come last. */
export const USER_SORT_FIELDS = [
  'user_id',
  'email',
  'username',
  'phone_number',
  'name',
  'nickname',
  'given_name',
  'family_name',
  'email_verified',
  'blocked',
  'logins_count',
  'created_at',
  'updated_at',
  'last_login',
  'last_ip',
] as const satisfies readonly UserSearchField[];

export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/**
 * A key in a metadata search path (`user_metadata.<key>.<key>`): no quotes, backslashes, control
 * characters or query syntax (so it can be quoted in a SQLite JSON path), and not all digits
 * (PostgreSQL's `#>` would read that as an array position, SQLite as a key).
 */
export const METADATA_KEY = /^(?!-?\d+$)[^\s"\\.:()*?[\]{}\p{Cc}]+$/u;

/**
 * A search over users, compiled from the Lucene subset of GET /api/v2/users?q= (spec §3.5.4).
 * `field` is a USER_SEARCH_FIELDS key or `user_metadata.<path>` / `app_metadata.<path>` (dotted
 * object keys). Text ops: `eq`, `prefix` (`abc*`), `suffix` (`*abc`); integer and date fields
 * also `gt|gte|lt|lte`; metadata only `eq` (a string: it matches a string equal to it, a number
 * equal to it when it reads as one, `true`/`false` booleans; at the path or as an element of an
 * array there) and `exists` (present, not null, not an empty array or object).
 * Values are always bound parameters in SQL.
 */
export type UserCondition =
  | { and: UserCondition[] }
  | { or: UserCondition[] }
  | { not: UserCondition }
  | { exists: string }
  | { field: string; op: 'eq' | 'prefix' | 'suffix' | 'gt' | 'gte' | 'lt' | 'lte'; value: string | number | boolean };

export interface UserSort {
  field: UserSortField;
  descending: boolean;
}

export type UserPatch = Partial<Omit<UserRecord, 'tenantId' | 'userId' | 'createdAt'>>;

export interface UserStore {
  /** Without a sort: oldest first (created_at, then user_id). Throws on a condition naming an unknown field or op. */
  list(tenantId: string, where: UserCondition | undefined, sort: UserSort | undefined, page: PageRequest): Promise<ListResult<UserRecord>>;
  get(tenantId: string, userId: string): Promise<UserRecord | undefined>;
  /** Case-insensitive: emails and usernames are unique per connection regardless of case. */
  getByEmail(tenantId: string, connection: string, email: string): Promise<UserRecord | undefined>;
  getByUsername(tenantId: string, connection: string, username: string): Promise<UserRecord | undefined>;
  /** Throws UniqueViolation (storage/errors.ts) when the id, or the email/username within the connection, is taken. */
  create(record: UserRecord): Promise<void>;
  update(tenantId: string, userId: string, patch: UserPatch): Promise<boolean>;
  remove(tenantId: string, userId: string): Promise<boolean>;
  /** logins_count + 1, last_login, last_ip, in one statement (concurrent logins all count). */
  recordLogin(tenantId: string, userId: string, at: string, ip: string): Promise<void>;
}

export interface DeviceCredentialRecord {
  tenantId: string;
  /** `dcr_` + 16 characters. */
  id: string;
  userId: string;
  clientId: string;
  deviceName: string;
  deviceId: string;
  type: 'public_key';
  value: string;
  createdAt: string;
}

export interface DeviceCredentialFilter {
  userId?: string;
  clientId?: string;
}

export interface DeviceCredentialStore {
  list(tenantId: string, filter: DeviceCredentialFilter, page: PageRequest): Promise<ListResult<DeviceCredentialRecord>>;
  get(tenantId: string, id: string): Promise<DeviceCredentialRecord | undefined>;
  /** Throws UniqueViolation (storage/errors.ts) when the user already has a public key for this device and client. */
  create(record: DeviceCredentialRecord): Promise<void>;
  remove(tenantId: string, id: string): Promise<boolean>;
}
