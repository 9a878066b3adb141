// Storage ports for the browser flows (issue #4): login transactions (an /authorize request
// waiting for the user to log in), login sessions, authorization codes, refresh tokens and the
// brute-force counters. Every secret a browser holds (session cookie, code, refresh token) is
// stored only as a SHA-256 digest: a database dump yields nothing usable.

export interface LoginTransactionRecord {
  tenantId: string;
  /** Random, carried by the login page (`?state=`); unguessable. */
  id: string;
  /** Digest of the value of the cookie that binds the transaction to the browser that started it. */
  browserHash: string;
  /** The validated /authorize request, replayed once the user has logged in. */
  request: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
}

export interface LoginTransactionStore {
  create(record: LoginTransactionRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<LoginTransactionRecord | undefined>;
  /** Sets a new expiry. */
  touch(tenantId: string, id: string, expiresAt: string): Promise<void>;
  remove(tenantId: string, id: string): Promise<boolean>;
  prune(before: string): Promise<number>;
}

export interface LoginSessionRecord {
  tenantId: string;
  /** SHA-256 (base64url) of the session cookie's value. */
  idHash: string;
  /** Public session id (`sid` claim, logout). */
  sid: string;
  userId: string;
  /** When the user last entered their password. */
  authTime: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute end, whatever the activity. */
  expiresAt: string;
}

export interface LoginSessionStore {
  create(record: LoginSessionRecord): Promise<void>;
  get(tenantId: string, idHash: string): Promise<LoginSessionRecord | undefined>;
  touch(tenantId: string, idHash: string, lastSeenAt: string): Promise<void>;
  remove(tenantId: string, idHash: string): Promise<boolean>;
  removeForUser(tenantId: string, userId: string): Promise<number>;
  /** Removes sessions whose absolute end is before `before`, or that were idle since `idleBefore`. */
  prune(before: string, idleBefore: string): Promise<number>;
}

export interface AuthCodeRecord {
  tenantId: string;
  /** SHA-256 (base64url) of the code. */
  codeHash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** The request named redirect_uri (then the exchange must repeat it, RFC 6749 §4.1.3). */
  redirectUriGiven: boolean;
  /** S256 challenge; null when the request carried none (then no verifier may be sent). */
  codeChallenge: string | null;
  scope: string;
  audience: string | null;
  nonce: string | null;
  sid: string;
  authTime: string;
  createdAt: string;
  expiresAt: string;
  consumedAt: string | null;
  /** When the code was presented again after its redemption (a replay: what it issued is revoked). */
  replayedAt: string | null;
  /** What the redemption issued, revoked if the code is replayed (RFC 6749 §4.1.2). */
  issued: { jti?: string; refreshTokenFamily?: string } | null;
}

export interface AuthCodeStore {
  create(record: AuthCodeRecord): Promise<void>;
  /** Marks the code used if it was not; returns it then, undefined when unknown or already used. Atomic. */
  consume(tenantId: string, codeHash: string, at: string): Promise<AuthCodeRecord | undefined>;
  get(tenantId: string, codeHash: string): Promise<AuthCodeRecord | undefined>;
  /** Records a replay of a used code and returns the code as it now is (undefined: unknown code). */
  markReplayed(tenantId: string, codeHash: string, at: string): Promise<AuthCodeRecord | undefined>;
  setIssued(tenantId: string, codeHash: string, issued: NonNullable<AuthCodeRecord['issued']>): Promise<void>;
  prune(before: string): Promise<number>;
}

export interface RefreshTokenRecord {
  tenantId: string;
  /** Public id (`dcr_…`, as Auth0 lists refresh tokens among device credentials). */
  id: string;
  /** SHA-256 (base64url) of the token. */
  tokenHash: string;
  /** Every token rotated from one grant shares it; reuse of a rotated token revokes the family. */
  familyId: string;
  clientId: string;
  userId: string;
  audience: string | null;
  scope: string;
  sid: string | null;
  authTime: string;
  rotating: boolean;
  createdAt: string;
  /** Absolute end; null: never. */
  expiresAt: string | null;
  /** Idle end, pushed on every use; null: none. */
  idleExpiresAt: string | null;
  /** When a rotating token was exchanged for its successor. */
  usedAt: string | null;
  revokedAt: string | null;
}

export interface RefreshTokenStore {
  create(record: RefreshTokenRecord): Promise<void>;
  getByHash(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Sets usedAt if still unused; false when another exchange got there first. Atomic. */
  markUsed(tenantId: string, id: string, at: string): Promise<boolean>;
  touch(tenantId: string, id: string, idleExpiresAt: string): Promise<void>;
  revokeFamily(tenantId: string, familyId: string, at: string): Promise<number>;
  revoke(tenantId: string, id: string, at: string): Promise<boolean>;
  revokeForUser(tenantId: string, userId: string, at: string): Promise<number>;
  /** Live (not revoked, not used) tokens, newest first. */
  list(tenantId: string, filter: { userId?: string; clientId?: string }): Promise<RefreshTokenRecord[]>;
  prune(before: string): Promise<number>;
}

export interface LoginFailureRecord {
  tenantId: string;
  userId: string;
  ip: string;
  /** Consecutive failures since the last success. */
  failures: number;
  lastFailureAt: string;
  /** Set when the threshold was reached: login from this address is refused until unblocked. */
  blockedAt: string | null;
}

export interface LoginFailureStore {
  /** Adds one failure atomically and returns the record after it (blockedAt set at `blockAfter`). */
  recordFailure(tenantId: string, userId: string, ip: string, at: string, blockAfter: number): Promise<LoginFailureRecord>;
  get(tenantId: string, userId: string, ip: string): Promise<LoginFailureRecord | undefined>;
  /** A successful login clears the address's count. */
  reset(tenantId: string, userId: string, ip: string): Promise<void>;
  listBlocked(tenantId: string, userId: string): Promise<LoginFailureRecord[]>;
  /** Unblocks every address for the user (admin unblock, password change). */
  clearForUser(tenantId: string, userId: string): Promise<number>;
}
