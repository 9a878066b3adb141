// The storage interface: one small port per entity. Every method is tenant-scoped except the
// tenant port itself. Implementations map database errors to storage/errors.ts and never know
// about HTTP. Repository verbs are fixed: get, list, create, update, remove.
import type { ClientData } from '../schemas/client.ts';
import type { ResourceServerData } from '../schemas/resource-server.ts';
import type { AssertionJtiStore, ClientCredentialStore } from './ports/client-credentials.ts';
import type { MintedTokenStore, TenantAdminStore } from './ports/dashboard.ts';
import type { LogStreamStore } from './ports/log-streams.ts';
import type { AuthCodeStore, LoginFailureStore, LoginSessionStore, LoginTransactionStore, RefreshTokenStore } from './ports/login.ts';
import type { ConnectionStore, DeviceCredentialStore, UserStore } from './ports/users.ts';
import type { TokenQuotaCounterStore } from './ports/quotas.ts';

export type * from './ports/client-credentials.ts';
export type * from './ports/dashboard.ts';
export type * from './ports/log-streams.ts';
export type * from './ports/login.ts';
export type * from './ports/users.ts';
export type * from './ports/quotas.ts';

export interface TenantRecord {
  id: string;
  name: string;
  /** Lower-case host[:port]; the issuer is `https://${domain}/`. */
  domain: string;
  isDefault: boolean;
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface ClientRecord {
  tenantId: string;
  clientId: string;
  data: ClientData;
  /** AES-GCM sealed secret (crypto/envelope.ts); null for public clients. */
  secretSealed: string | null;
  /** base64 HMAC of the secret, for authentication without decryption. */
  secretMac: string | null;
  /** MAC of the secret before the last rotation, accepted until previousSecretExpiresAt (grace). */
  previousSecretMac?: string | null;
  previousSecretExpiresAt?: string | null;
  /**
   * When each secret last authenticated, one entry per secret named by its MAC (recorded in
   * batches, never on the request path). Keyed by MAC, not by "current"/"previous": a use recorded
   * around a rotation is never credited to the secret that replaced it.
   */
  secretLastUsed?: SecretUse[] | null;
  createdAt: string;
  updatedAt: string;
}

export interface SecretUse {
  /** secretMac (or previousSecretMac) of the secret that authenticated. */
  mac: string;
  at: string;
}

export interface ClientGrantRecord {
  tenantId: string;
  id: string;
  clientId: string;
  audience: string;
  subjectType: 'client' | 'user';
  scope: string[];
  /** Remaining Auth0 fields (organization_usage, allow_any_organization, …). */
  extra: Record<string, unknown>;
  createdAt: string;
}

export interface ResourceServerRecord {
  tenantId: string;
  id: string;
  identifier: string;
  isSystem: boolean;
  data: ResourceServerData;
  signingSecretSealed: string | null;
  createdAt: string;
}

export type SigningKeyState = 'next' | 'current' | 'previous' | 'revoked';

export interface SigningKeyRecord {
  tenantId: string;
  kid: string;
  alg: 'RS256';
  state: SigningKeyState;
  privateSealed: string;
  /** Public JWK (no private members). */
  publicJwk: Record<string, unknown>;
  /** PEM certificate. */
  cert: string;
  createdAt: string;
  currentSince: string | null;
  currentUntil: string | null;
  revokedAt: string | null;
}

export interface PageRequest {
  offset: number;
  limit: number;
  /** Count every match (include_totals=true). */
  withTotal: boolean;
}

export interface Cursor {
  createdAt: string;
  id: string;
}

export interface ListResult<T> {
  items: T[];
  total?: number;
}

export interface TenantStore {
  list(): Promise<TenantRecord[]>;
  get(id: string): Promise<TenantRecord | undefined>;
  getByDomain(domain: string): Promise<TenantRecord | undefined>;
  getByName(name: string): Promise<TenantRecord | undefined>;
  create(record: TenantRecord): Promise<void>;
  update(id: string, patch: Partial<Pick<TenantRecord, 'domain' | 'settings' | 'name'>>): Promise<void>;
}

export interface ClientFilter {
  isGlobal?: boolean;
  isFirstParty?: boolean;
  appTypes?: string[];
}

/** A client's place in the list order and the columns list filters read (issue 13: no rows kept for lists). */
export interface ClientListKey {
  clientId: string;
  createdAt: string;
  appType: string | null;
  isGlobal: boolean;
  isFirstParty: boolean;
  previousSecretExpiresAt: string | null;
}

export interface ClientStore {
  list(tenantId: string, filter: ClientFilter, page: PageRequest): Promise<ListResult<ClientRecord>>;
  /** Checkpoint pagination: items strictly after `after` in (createdAt, clientId) order. */
  listAfter(tenantId: string, filter: ClientFilter, after: Cursor | undefined, limit: number): Promise<ClientRecord[]>;
  /** The list keys of every client of the tenant in (createdAt, clientId) order, or of these clients only. */
  listKeys(tenantId: string, clientIds?: readonly string[]): Promise<ClientListKey[]>;
  /** Changes whenever a list key may have (count, latest created_at and updated_at). */
  listVersion(tenantId: string): Promise<string>;
  get(tenantId: string, clientId: string): Promise<ClientRecord | undefined>;
  create(record: ClientRecord): Promise<void>;
  /** false when there is no such client, or when `ifSecretMac` is given and no longer matches. */
  update(
    tenantId: string,
    clientId: string,
    patch: Partial<Pick<ClientRecord, 'data' | 'secretSealed' | 'secretMac' | 'previousSecretMac' | 'previousSecretExpiresAt' | 'updatedAt'>>,
    ifSecretMac?: string | null,
  ): Promise<boolean>;
  /**
   * Records a secret's use (bookkeeping: caches of single clients are not dropped for it). Keeps
   * the latest use of each secret the client still has (current, previous); a use of a secret it no
   * longer has is dropped.
   */
  recordSecretUse(tenantId: string, clientId: string, use: SecretUse): Promise<void>;
  remove(tenantId: string, clientId: string): Promise<boolean>;
}

export interface GrantFilter {
  clientId?: string;
  audience?: string;
  subjectType?: 'client' | 'user';
  allowAnyOrganization?: boolean;
}

/** A grant's place in the list order and the columns list filters read (issue 13). */
export interface GrantListKey {
  id: string;
  createdAt: string;
  clientId: string;
  audience: string;
  subjectType: 'client' | 'user';
  allowAnyOrganization: boolean;
}

/** Grants named by a change: of these applications, for these audiences, or these (application, audience). */
export interface GrantSelection {
  clientIds: readonly string[];
  audiences: readonly string[];
  pairs: readonly { clientId: string; audience: string }[];
}

export interface ClientGrantStore {
  list(tenantId: string, filter: GrantFilter, page: PageRequest): Promise<ListResult<ClientGrantRecord>>;
  /** The list keys of every grant of the tenant in (createdAt, id) order, or of the selected grants only (any order). */
  listKeys(tenantId: string, selection?: GrantSelection): Promise<GrantListKey[]>;
  /** Changes whenever a list key may have (count and latest created_at; the key columns are never updated). */
  listVersion(tenantId: string): Promise<string>;
  /** Checkpoint pagination: items strictly after `after`, in (createdAt, id) order. */
  listAfter(tenantId: string, filter: GrantFilter, after: Cursor | undefined, limit: number): Promise<ClientGrantRecord[]>;
  get(tenantId: string, id: string): Promise<ClientGrantRecord | undefined>;
  find(tenantId: string, clientId: string, audience: string, subjectType: 'client' | 'user'): Promise<ClientGrantRecord | undefined>;
  create(record: ClientGrantRecord): Promise<void>;
  update(tenantId: string, id: string, patch: Partial<Pick<ClientGrantRecord, 'scope' | 'extra'>>): Promise<boolean>;
  remove(tenantId: string, id: string): Promise<boolean>;
  removeForClient(tenantId: string, clientId: string): Promise<number>;
  /** Used when a tenant's domain (and so its Management API audience) changes. */
  renameAudience(tenantId: string, from: string, to: string): Promise<void>;
}

export interface ResourceServerStore {
  list(tenantId: string, filter: { identifiers?: string[] }, page: PageRequest): Promise<ListResult<ResourceServerRecord>>;
  get(tenantId: string, id: string): Promise<ResourceServerRecord | undefined>;
  getByIdentifier(tenantId: string, identifier: string): Promise<ResourceServerRecord | undefined>;
  create(record: ResourceServerRecord): Promise<void>;
  update(tenantId: string, id: string, patch: Partial<Pick<ResourceServerRecord, 'identifier' | 'data' | 'signingSecretSealed'>>): Promise<boolean>;
  remove(tenantId: string, id: string): Promise<boolean>;
}

export interface SigningKeyStore {
  list(tenantId: string): Promise<SigningKeyRecord[]>;
  create(record: SigningKeyRecord): Promise<void>;
  update(tenantId: string, kid: string, patch: Partial<Pick<SigningKeyRecord, 'state' | 'currentSince' | 'currentUntil' | 'revokedAt'>>): Promise<boolean>;
  /** Updates only while the key is still in state `from`; false when another change got there first. */
  updateIfState(tenantId: string, kid: string, from: SigningKeyState, patch: Partial<Pick<SigningKeyRecord, 'state' | 'currentSince' | 'currentUntil' | 'revokedAt'>>): Promise<boolean>;
}

export interface DenylistRecord {
  tenantId: string;
  jti: string;
  /** The audience (or client id) the entry is limited to; undefined: any token with this jti. */
  aud: string | undefined;
  createdAt: string;
  expiresAt: string | null;
}

export interface DenylistStore {
  /** Adds an entry; adding one that exists changes nothing. */
  add(record: DenylistRecord): Promise<void>;
  list(tenantId: string, aud?: string): Promise<DenylistRecord[]>;
  /** Sets when an entry may be forgotten (learned from the token it names). */
  setExpiry(tenantId: string, jti: string, aud: string | undefined, expiresAt: string): Promise<void>;
  /** Removes entries whose token expired before `before`; returns how many. */
  prune(before: string): Promise<number>;
}

export interface LogRecord {
  tenantId: string;
  logId: string;
  date: string;
  type: string;
  clientId: string | null;
  userId: string | null;
  ip: string | null;
  /** The whole log event as Auth0 returns it. */
  event: Record<string, unknown>;
}

/** A search over the indexed log fields (compiled from the Lucene subset of GET /logs?q=). */
export type LogField = 'type' | 'client_id' | 'user_id' | 'ip' | 'date' | 'log_id';
export type LogCondition =
  | { and: LogCondition[] }
  | { or: LogCondition[] }
  | { not: LogCondition }
  | { field: LogField; op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte' | 'prefix'; value: string };

export interface LogStore {
  insertMany(records: LogRecord[]): Promise<void>;
  /** Newest first unless `ascending`. */
  list(tenantId: string, where: LogCondition | undefined, page: PageRequest & { ascending?: boolean }): Promise<ListResult<LogRecord>>;
  /** Checkpoint pagination: entries with a log_id greater than `from`, oldest first. */
  listAfter(tenantId: string, where: LogCondition | undefined, from: string | undefined, limit: number): Promise<LogRecord[]>;
  get(tenantId: string, logId: string): Promise<LogRecord | undefined>;
  /** Deletes entries dated before `before` (retention); returns how many. */
  prune(before: string): Promise<number>;
}

export interface MetaStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface Storage {
  readonly dialect: 'sqlite' | 'postgres';
  readonly tenants: TenantStore;
  readonly clients: ClientStore;
  readonly grants: ClientGrantStore;
  readonly resourceServers: ResourceServerStore;
  readonly signingKeys: SigningKeyStore;
  readonly denylist: DenylistStore;
  readonly logs: LogStore;
  readonly meta: MetaStore;
  readonly connections: ConnectionStore;
  readonly users: UserStore;
  readonly deviceCredentials: DeviceCredentialStore;
  readonly loginTransactions: LoginTransactionStore;
  readonly loginSessions: LoginSessionStore;
  readonly authCodes: AuthCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly loginFailures: LoginFailureStore;
  readonly tenantAdmins: TenantAdminStore;
  readonly mintedTokens: MintedTokenStore;
  readonly logStreams: LogStreamStore;
  readonly clientCredentials: ClientCredentialStore;
  readonly assertionJtis: AssertionJtiStore;
  readonly tokenQuotaCounters: TokenQuotaCounterStore;
  /** Runs `work` atomically; the Storage it receives must be used for every call inside. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
