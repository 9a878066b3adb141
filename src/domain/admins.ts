// Tenant administrators (issue #5, decision 0006): an ordinary user of the tenant's default
// database connection plus a membership row. Only the CLI makes or removes one (there is no API
// for it, so no token can grant itself administration); the Management API treats an admin user
// as read-only, and /authorize gives Management API scopes to the dashboard only for admins.
import { randomBytes } from 'node:crypto';
import type { Storage, UserRecord } from '../storage/ports.ts';
import type { Clock } from './clock.ts';
import { DEFAULT_CONNECTION_NAME } from './connections.ts';
import { passwordProblem, type PasswordHasher } from './passwords.ts';
import { forgetUser, isValidEmail, newDatabaseUser } from './users.ts';

export class AdminError extends Error {
  override name = 'AdminError';
}

/** Whether the user is an administrator of the tenant. */
export async function isAdmin(storage: Storage, tenantId: string, userId: string): Promise<boolean> {
  return (await storage.tenantAdmins.get(tenantId, userId)) !== undefined;
}

/** 24 characters from 144 random bits, always meeting the "good" policy (lower, upper, digit, symbol). */
export function generatePassword(): string {
  for (;;) {
    const candidate = `${randomBytes(18).toString('base64url')}!`;
    if (/[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9]/.test(candidate)) return candidate;
  }
}

export interface MakeAdminInput {
  email: string;
  /** The administrator's password; absent: a generated one (returned once). */
  password?: string | undefined;
  /**
   * Take over an existing user of that email. Anyone who can sign up could have registered it, so
   * this is never implicit: its password is replaced and its sessions, refresh tokens and device
   * credentials end, so that whoever registered it keeps nothing.
   */
  promoteExisting?: boolean | undefined;
}

export interface MadeAdmin {
  user: UserRecord;
  /** The user was created now (not an existing user made an admin). */
  createdUser: boolean;
  /** The user was an admin already (nothing changed). */
  alreadyAdmin: boolean;
  /** Set only when it was generated here. */
  generatedPassword?: string;
}

/**
 * Makes `email` an administrator: a new user of the default connection with the given
 * (policy-checked) or a generated password, or (only with promoteExisting) the existing user of
 * that email, whose password is then replaced and whose sessions end.
 */
export async function makeAdmin(storage: Storage, passwords: PasswordHasher, clock: Clock, tenantId: string, input: MakeAdminInput): Promise<MadeAdmin> {
  if (!isValidEmail(input.email)) throw new AdminError(`${input.email} is not a valid email address`);
  const email = input.email.toLowerCase();
  const connection = await storage.connections.getByName(tenantId, DEFAULT_CONNECTION_NAME);
  if (!connection) throw new AdminError(`the tenant has no ${DEFAULT_CONNECTION_NAME} connection`);
  const now = new Date(clock.now()).toISOString();
  const existing = await storage.users.getByEmail(tenantId, connection.name, email);
  let fresh: UserRecord | undefined;
  let generatedPassword: string | undefined;
  if (existing && (await storage.tenantAdmins.get(tenantId, existing.userId))) {
    if (input.password !== undefined) throw new AdminError(`${email} is an administrator already; its password is not changed here`);
    return { user: existing, createdUser: false, alreadyAdmin: true };
  }
  if (existing && !input.promoteExisting) {
    throw new AdminError(
      `${email} already exists (a user since ${existing.createdAt}); anyone who can sign up could have registered it. ` +
        'To make it an administrator anyway, run `scopeward admins create --promote-existing`: its password is replaced and its sessions end',
    );
  }
  const password = input.password ?? (generatedPassword = generatePassword());
  const problem = passwordProblem(password);
  if (problem) throw new AdminError(`${problem}: at least 8 characters with 3 of lower case, upper case, digits and symbols`);
  // Hashing is slow: before the transaction holds the database.
  const hash = await passwords.hash(password);
  if (!existing) fresh = newDatabaseUser(tenantId, connection, { email, emailVerified: true }, hash, now);
  const user = (existing ?? fresh)!;
  const alreadyAdmin = await storage.transaction(async (tx) => {
    if (fresh) await tx.users.create(fresh);
    else {
      await tx.users.update(tenantId, user.userId, { passwordHash: hash, lastPasswordReset: now, updatedAt: now });
      await forgetUser(tx, tenantId, user.userId, now);
    }
    if (await tx.tenantAdmins.get(tenantId, user.userId)) return true;
    await tx.tenantAdmins.create({ tenantId, userId: user.userId, createdAt: now });
    return false;
  });
  const createdUser = fresh !== undefined;
  return { user, createdUser, alreadyAdmin, ...(generatedPassword !== undefined && { generatedPassword }) };
}

/**
 * Of `others`, the tenants where the administrator `userId` of `tenantId` is an administrator too:
 * the same person, by the email of the default connection (folded as sign-in folds it), with a
 * membership there. Memberships are made only by the operator on the command line, so the email
 * is the operator's word that both accounts are one person (issue 9, S12).
 */
export async function alsoAdministers(storage: Storage, tenantId: string, userId: string, others: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const user = await storage.users.get(tenantId, userId);
  if (!user?.email || user.connection !== DEFAULT_CONNECTION_NAME || !(await isAdmin(storage, tenantId, userId))) return found;
  for (const other of others) {
    if (other === tenantId) continue;
    const same = await storage.users.getByEmail(other, DEFAULT_CONNECTION_NAME, user.email);
    if (same && (await isAdmin(storage, other, same.userId))) found.add(other);
  }
  return found;
}

export interface AdminEntry {
  userId: string;
  email: string | null;
  since: string;
}

export async function listAdmins(storage: Storage, tenantId: string): Promise<AdminEntry[]> {
  const out: AdminEntry[] = [];
  for (const m of await storage.tenantAdmins.list(tenantId)) {
    const user = await storage.users.get(tenantId, m.userId);
    out.push({ userId: m.userId, email: user?.email ?? null, since: m.createdAt });
  }
  return out;
}

/** Ends the membership of `email` (the user stays); false when it was not an administrator. */
export async function removeAdmin(storage: Storage, tenantId: string, email: string): Promise<boolean> {
  const user = await storage.users.getByEmail(tenantId, DEFAULT_CONNECTION_NAME, email.toLowerCase());
  if (!user) return false;
  return storage.tenantAdmins.remove(tenantId, user.userId);
}

/**
 * Lifts the brute-force blocks of administrator `email` (the Management API refuses to, so that a
 * token with update:users cannot keep clearing the lock while guessing). False when `email` is not
 * an administrator.
 */
export async function unblockAdmin(storage: Storage, tenantId: string, email: string): Promise<boolean> {
  const user = await storage.users.getByEmail(tenantId, DEFAULT_CONNECTION_NAME, email.toLowerCase());
  if (!user || !(await isAdmin(storage, tenantId, user.userId))) return false;
  await storage.loginFailures.clearForUser(tenantId, user.userId);
  return true;
}
