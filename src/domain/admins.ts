// Tenant administrators (issue #5, decision 0006): an ordinary user of the tenant's default
// database connection plus a membership row. Only the CLI makes or removes one (there is no API
// for it, so no token can grant itself administration); the Management API treats an admin user
// as read-only, and /authorize gives Management API scopes to the dashboard only for admins.
import { randomBytes } from 'node:crypto';
import type { Storage, UserRecord } from '../storage/ports.ts';
import type { Clock } from './clock.ts';
import { DEFAULT_CONNECTION_NAME } from './connections.ts';
import { passwordProblem, type PasswordHasher } from './passwords.ts';
import { isValidEmail, newDatabaseUser } from './users.ts';

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
  /** For a new user; absent: a generated one (returned once). */
  password?: string | undefined;
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
 * Makes `email` an administrator: the existing user of the default connection, or a new one with
 * the given (policy-checked) or a generated password. An existing user keeps its password.
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
  if (existing) {
    if (input.password !== undefined) throw new AdminError(`${email} already exists; it keeps its password (leave out --password to make it an administrator)`);
  } else {
    const password = input.password ?? (generatedPassword = generatePassword());
    const problem = passwordProblem(password);
    if (problem) throw new AdminError(`${problem}: at least 8 characters with 3 of lower case, upper case, digits and symbols`);
    // Hashing is slow: before the transaction holds the database.
    fresh = newDatabaseUser(tenantId, connection, { email, emailVerified: true }, await passwords.hash(password), now);
  }
  const user = (existing ?? fresh)!;
  const alreadyAdmin = await storage.transaction(async (tx) => {
    if (fresh) await tx.users.create(fresh);
    if (await tx.tenantAdmins.get(tenantId, user.userId)) return true;
    await tx.tenantAdmins.create({ tenantId, userId: user.userId, createdAt: now });
    return false;
  });
  const createdUser = fresh !== undefined;
  return { user, createdUser, alreadyAdmin, ...(generatedPassword !== undefined && { generatedPassword }) };
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
