// Checking a username/email and password typed into our login page, with Auth0's brute-force
// protection (10 consecutive failures for one user from one address block that pair until an
// administrator unblocks it or the password changes; D11: the counters live in the database, so a
// database failure fails the login rather than skipping the count) and its suspicious IP
// throttling (failed logins per address across accounts, address-limits.ts). Unknown users cost a
// dummy argon2id verification, so timing does not reveal who exists, and get the same message.
import type { AuditLog, LogEvent } from '../../audit/audit-log.ts';
import type { Clock } from '../../domain/clock.ts';
import { PasswordBusy, type PasswordHasher } from '../../domain/passwords.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { ipKey } from '../../ratelimit/limiter.ts';
import type { ConnectionRecord, Storage, UserRecord } from '../../storage/ports.ts';
import { ADDRESS_LIMIT_TEXT, admitAttempt, type AddressLimitDeps } from './address-limits.ts';

/** Auth0's threshold: 10 consecutive failed attempts for one user from one IP address. */
export const BLOCK_AFTER = 10;

export const LOGIN_TEXT = {
  wrongCredentials: 'Wrong email or password.',
  blocked: 'Your account has been blocked after multiple consecutive login attempts. Ask an administrator of this tenant to unblock it.',
  userBlocked: 'This user is blocked. Ask an administrator of this tenant to unblock it.',
  busy: 'Too many logins are being checked right now. Please try again in a moment.',
  busyHere: 'Too many logins are being checked from your network right now. Please try again in a moment.',
  missing: 'Enter your email (or username) and your password.',
} as const;

export interface LoginDeps extends AddressLimitDeps {
  storage: Storage;
  passwords: PasswordHasher;
  audit: AuditLog;
  clock: Clock;
}

export interface Attempt {
  tenant: Tenant;
  connection: ConnectionRecord;
  client: { clientId: string; name: string };
  username: string;
  password: string;
  ip: string;
  userAgent: string | undefined;
}

/** A refusal may carry its own status (429, 503) and a Retry-After in seconds; otherwise the page answers 400. */
export type LoginResult = { ok: true; user: UserRecord } | { ok: false; message: string; status?: number; retryAfter?: number };

type Log = (event: Omit<LogEvent, 'client_id' | 'client_name' | 'ip' | 'user_agent' | 'hostname' | 'connection'>) => void;

/** Hashing refused before it started: this address has too many in progress (429), or the server (503). */
export function busyResult(busy: PasswordBusy, messages: { here: string; server: string }): LoginResult {
  return busy.scope === 'source' ? { ok: false, message: messages.here, status: 429, retryAfter: 1 } : { ok: false, message: messages.server, status: 503, retryAfter: 1 };
}

function bruteForceOn(connection: ConnectionRecord): boolean {
  const options = connection.data.options as { brute_force_protection?: unknown } | undefined;
  return options?.brute_force_protection !== false;
}

async function findUser(storage: Storage, tenantId: string, connection: string, login: string): Promise<UserRecord | undefined> {
  if (login.includes('@')) {
    const byEmail = await storage.users.getByEmail(tenantId, connection, login);
    if (byEmail) return byEmail;
  }
  return storage.users.getByUsername(tenantId, connection, login);
}

export async function attemptLogin(attempt: Attempt, deps: LoginDeps): Promise<LoginResult> {
  const { tenant, connection, client } = attempt;
  const log: Log = (event) =>
    deps.audit.record(tenant, attempt, {
      client,
      connection: connection.name,
      connection_id: connection.id,
      ...event,
    });
  const login = attempt.username.trim();
  // Malformed attempts are no attempts (Auth0 counts neither them nor schema errors).
  if (login === '' || attempt.password === '') return { ok: false, message: LOGIN_TEXT.missing };
  if (login.length > 512 || attempt.password.length > 1024) return { ok: false, message: LOGIN_TEXT.wrongCredentials };

  // Refusals that cost nothing come first: a source already at its share of the hashing, then the
  // address's bucket. The attempt is taken before the check, so parallel attempts count exactly,
  // and given back when it was no failure.
  const source = ipKey(attempt.ip);
  const busy = deps.passwords.busyFor(source);
  if (busy) return busyResult(busy, { here: LOGIN_TEXT.busyHere, server: LOGIN_TEXT.busy });
  const admission = await admitAttempt(tenant, 'login', attempt.ip, deps);
  if (!admission.allowed) return { ok: false, message: ADDRESS_LIMIT_TEXT.login(admission.retryAfter), status: 429, retryAfter: admission.retryAfter };
  let result: LoginResult;
  try {
    result = await checkCredentials(attempt, login, source, deps, log);
  } catch (error) {
    if (!(error instanceof PasswordBusy)) throw error;
    await admission.giveBack();
    return busyResult(error, { here: LOGIN_TEXT.busyHere, server: LOGIN_TEXT.busy });
  }
  if (result.ok) await admission.giveBack();
  else if (admission.last) log({ type: 'limit_mu', description: ADDRESS_LIMIT_TEXT.blocked, user_name: login });
  return result;
}

/** The user, its brute-force block and its password; a failure here is a failed login. */
async function checkCredentials(attempt: Attempt, login: string, source: string, deps: LoginDeps, log: Log): Promise<LoginResult> {
  const { tenant, connection } = attempt;
  const user = await findUser(deps.storage, tenant.id, connection.name, login);
  const guard = bruteForceOn(connection);
  if (user && guard) {
    const failures = await deps.storage.loginFailures.get(tenant.id, user.userId, attempt.ip);
    if (failures?.blockedAt) {
      log({ type: 'limit_wc', description: 'Blocked Account', user_id: user.userId, user_name: login });
      return { ok: false, message: LOGIN_TEXT.blocked };
    }
  }
  const verified = await deps.passwords.verify(attempt.password, user?.passwordHash, source);
  if (!user) {
    log({ type: 'fu', description: LOGIN_TEXT.wrongCredentials, user_name: login });
    return { ok: false, message: LOGIN_TEXT.wrongCredentials };
  }
  if (!verified.ok) {
    const now = new Date(deps.clock.now()).toISOString();
    const after = guard ? await deps.storage.loginFailures.recordFailure(tenant.id, user.userId, attempt.ip, now, BLOCK_AFTER) : undefined;
    if (after?.blockedAt) {
      log({ type: 'limit_wc', description: 'Blocked Account', user_id: user.userId, user_name: login });
      return { ok: false, message: LOGIN_TEXT.blocked };
    }
    log({ type: 'fp', description: LOGIN_TEXT.wrongCredentials, user_id: user.userId, user_name: login });
    return { ok: false, message: LOGIN_TEXT.wrongCredentials };
  }
  if (user.blocked) {
    log({ type: 'f', description: 'user is blocked', user_id: user.userId, user_name: login });
    return { ok: false, message: LOGIN_TEXT.userBlocked };
  }
  const now = new Date(deps.clock.now()).toISOString();
  if (guard) await deps.storage.loginFailures.reset(tenant.id, user.userId, attempt.ip);
  await deps.storage.users.recordLogin(tenant.id, user.userId, now, attempt.ip);
  if (verified.rehash) await rehash(deps, tenant.id, user.userId, attempt.password, source);
  log({ type: 's', description: 'Successful login', user_id: user.userId, user_name: login });
  return { ok: true, user };
}

/** Stores the password with today's parameters; skipped (until the next login) when hashing is busy. */
async function rehash(deps: LoginDeps, tenantId: string, userId: string, password: string, source: string): Promise<void> {
  let passwordHash: string;
  try {
    passwordHash = await deps.passwords.hash(password, source);
  } catch (error) {
    if (error instanceof PasswordBusy) return;
    throw error;
  }
  await deps.storage.users.update(tenantId, userId, { passwordHash });
}
