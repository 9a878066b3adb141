// Storage ports for the dashboard (issue #5): tenant administrators and the tokens minted from
// the dashboard. Tenant-scoped like every other port; implementations map driver errors to
// storage/errors.ts (a second create of the same admin is a UniqueViolation).

/** Membership that makes a user of the tenant one of its administrators (written by the CLI only). */
export interface TenantAdminRecord {
  tenantId: string;
  userId: string;
  createdAt: string;
}

export interface TenantAdminStore {
  /** Oldest first. */
  list(tenantId: string): Promise<TenantAdminRecord[]>;
  get(tenantId: string, userId: string): Promise<TenantAdminRecord | undefined>;
  create(record: TenantAdminRecord): Promise<void>;
  remove(tenantId: string, userId: string): Promise<boolean>;
}

/** What is kept of a token minted from the dashboard: never the token, only how to revoke it. */
export interface MintedTokenRecord {
  tenantId: string;
  /** `mtk_` + 16 characters. */
  id: string;
  jti: string;
  name: string;
  /** The application the token was issued to (the Global Client Id for a legacy token). */
  clientId: string;
  audience: string;
  /** Space-separated, as in the token. */
  scope: string;
  legacy: boolean;
  /** Null: a legacy token that never expires. */
  expiresAt: string | null;
  createdAt: string;
  /** The admin's email, or the subject of the token that minted it. */
  createdBy: string;
  revokedAt: string | null;
}

export interface MintedTokenFilter {
  clientId?: string;
  audience?: string;
}

export interface MintedTokenStore {
  create(record: MintedTokenRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<MintedTokenRecord | undefined>;
  /** Newest first, at most `limit`. */
  list(tenantId: string, filter: MintedTokenFilter, limit: number): Promise<MintedTokenRecord[]>;
  /** Sets revokedAt unless already set; false when there is no such record or it was revoked before. */
  revoke(tenantId: string, id: string, at: string): Promise<boolean>;
}
