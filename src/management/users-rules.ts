// Rules shared by the user endpoints: loading a user (404 inexistent_user), the database
// connection and its rules for email, username and password, hashing, metadata merging and
// limits, and forgetting everything a removed user left behind.
import { metadataShapeProblem, metadataSizeProblem, type MetadataField } from '../domain/metadata.ts';
import { PasswordBusy, passwordProblem } from '../domain/passwords.ts';
import { isValidEmail, requiresUsername, usernameProblem } from '../domain/users.ts';

export { forgetUser } from '../domain/users.ts';
import type { ConnectionRecord, Storage, UserRecord } from '../storage/ports.ts';
import { badRequest, ERROR_CODE, ManagementError, notFound, TEXT } from './errors.ts';
import type { ManagementDeps } from './route.ts';

export async function loadUser(storage: Storage, tenantId: string, userId: string): Promise<UserRecord> {
  const user = await storage.users.get(tenantId, userId);
  if (!user) throw notFound(TEXT.userNotFound, ERROR_CODE.inexistentUser);
  return user;
}

/** The named connection, which must be a database connection (the only kind that stores users here). */
export async function databaseConnection(storage: Storage, tenantId: string, name: string): Promise<ConnectionRecord> {
  const connection = await storage.connections.getByName(tenantId, name);
  if (!connection) throw badRequest(TEXT.connectionMissing);
  if (connection.strategy !== 'auth0') throw badRequest(TEXT.connectionNotDatabase);
  return connection;
}

/** The email as stored: lower-cased, as Auth0 stores database users' emails. */
export function checkEmail(email: string): string {
  if (!isValidEmail(email)) throw badRequest(TEXT.invalidEmail(email));
  return email.toLowerCase();
}

/** The connection's username rules. */
export function checkUsername(connection: ConnectionRecord, username: string): void {
  if (!requiresUsername(connection)) throw badRequest(TEXT.usernameNotAllowed);
  const problem = usernameProblem(connection, username);
  if (problem) throw badRequest(TEXT.invalidUsername(problem));
}

/**
 * Checks the password policy, then hashes it off the event loop (argon2id). The calling
 * application is the hash's source: its bulk changes wait in their own queue, not before logins.
 */
export async function hashPassword(deps: ManagementDeps, password: string, caller: { tenantId: string; clientId: string | undefined }): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw badRequest(TEXT.passwordStrength(problem), ERROR_CODE.invalidPassword);
  try {
    return await deps.passwords.hash(password, `api:${caller.tenantId}:${caller.clientId ?? ''}`);
  } catch (error) {
    if (error instanceof PasswordBusy) throw new ManagementError(503, TEXT.unavailable);
    throw error;
  }
}

/**
 * Auth0's metadata rules (domain/metadata.ts, T-OUT-02): the shape of what the request sends,
 * then the size of what would be stored (after a PATCH's merge).
 */
export function checkMetadata(field: MetadataField, sent: Readonly<Record<string, unknown>> | null, stored: Readonly<Record<string, unknown>>): void {
  const problem = (sent === null ? undefined : metadataShapeProblem(field, sent)) ?? metadataSizeProblem(stored);
  if (problem) throw badRequest(TEXT.invalidMetadata(problem, field));
}

/**
 * Auth0's metadata PATCH (spec §3.5.4): merged at the root only (nested objects replaced whole),
 * a key set to null removed, `{}` or null removing everything.
 */
export function mergeMetadata(existing: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>> | null): Record<string, unknown> {
  if (patch === null || Object.keys(patch).length === 0) return {};
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

