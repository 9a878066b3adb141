// Database users: the rules every way of making one shares — POST /api/v2/users, our sign-up page,
// /dbconnections/signup — so they can never drift apart: what an email and a username must look
// like (the connection's rules), and Auth0's defaults for a new user (name = email, nickname = the
// email's local part, a Gravatar picture with Auth0's initials fallback).
import { createHash } from 'node:crypto';
import type { ConnectionRecord, Storage, UserRecord } from '../storage/ports.ts';
import { newUserId } from './ids.ts';

// No whitespace, no second @, and a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
// Auth0's allowed username characters: letters, digits and _ + - . ! # $ ' ^ ` ~ @.
const USERNAME = /^[A-Za-z0-9_+\-.!#$'^`~@]+$/;

export const isValidEmail = (email: string): boolean => EMAIL.test(email) && email.length <= 320;

function options(connection: ConnectionRecord): Record<string, unknown> {
  const o = connection.data.options;
  return o !== null && typeof o === 'object' ? (o as Record<string, unknown>) : {};
}

export const requiresUsername = (connection: ConnectionRecord): boolean => options(connection).requires_username === true;

export const signupDisabled = (connection: ConnectionRecord): boolean => options(connection).disable_signup === true;

/** What is wrong with `username` for this connection (`options.validation.username`, default 1–15), if anything. */
export function usernameProblem(connection: ConnectionRecord, username: string): string | undefined {
  const limits = (options(connection).validation as { username?: { min?: unknown; max?: unknown } } | undefined)?.username;
  const min = typeof limits?.min === 'number' ? limits.min : 1;
  const max = typeof limits?.max === 'number' ? limits.max : 15;
  if (username.length < min) return `String is too short (${username.length} chars), minimum ${min}`;
  if (username.length > max) return `String is too long (${username.length} chars), maximum ${max}`;
  if (!USERNAME.test(username)) return "Username may contain only letters, digits and _ + - . ! # $ ' ^ ` ~ @";
  return undefined;
}

/** The first two letters of the name, lower-cased (`chuck@example.com` → `ch`). */
function initials(name: string): string {
  return (name.toLowerCase().replace(/[^a-z]/g, '') + 'xx').slice(0, 2);
}

export function gravatarUrl(email: string, name: string): string {
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  const fallback = `https://cdn.auth0.com/avatars/${initials(name)}.png`;
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=${encodeURIComponent(fallback)}`;
}

export interface NewUserFields {
  /** Already checked and lower-cased. */
  email: string;
  username?: string | undefined;
  userId?: string | undefined;
  emailVerified?: boolean | undefined;
  phoneNumber?: string | undefined;
  phoneVerified?: boolean | undefined;
  name?: string | undefined;
  nickname?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  picture?: string | undefined;
  blocked?: boolean | undefined;
  userMetadata?: Record<string, unknown> | undefined;
  appMetadata?: Record<string, unknown> | undefined;
}

/** A new user of a database connection, with Auth0's defaults for what the fields leave out. */
export function newDatabaseUser(tenantId: string, connection: ConnectionRecord, fields: NewUserFields, passwordHash: string, now: string): UserRecord {
  const name = fields.name ?? fields.email;
  return {
    tenantId,
    userId: fields.userId ?? newUserId(),
    connection: connection.name,
    email: fields.email,
    emailVerified: fields.emailVerified ?? false,
    username: fields.username ?? null,
    phoneNumber: fields.phoneNumber ?? null,
    phoneVerified: fields.phoneVerified ?? false,
    name,
    nickname: fields.nickname ?? fields.email.slice(0, fields.email.indexOf('@')),
    givenName: fields.givenName ?? null,
    familyName: fields.familyName ?? null,
    picture: fields.picture ?? gravatarUrl(fields.email, name),
    blocked: fields.blocked ?? false,
    userMetadata: fields.userMetadata ?? {},
    appMetadata: fields.appMetadata ?? {},
    linkedIdentities: [],
    passwordHash,
    lastPasswordReset: null,
    lastLogin: null,
    lastIp: null,
    loginsCount: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Removes what hangs off a user who is gone (deleted, or absorbed by a link) or
 * whose account is taken over (an existing user promoted to administrator): login sessions,
 * refresh tokens, device credentials and brute-force blocks. Run inside the caller's transaction.
 */
export async function forgetUser(tx: Storage, tenantId: string, userId: string, at: string): Promise<void> {
  await tx.loginSessions.removeForUser(tenantId, userId);
  await tx.refreshTokens.revokeForUser(tenantId, userId, at);
  await tx.loginFailures.clearForUser(tenantId, userId);
  for (;;) {
    const { items } = await tx.deviceCredentials.list(tenantId, { userId }, { offset: 0, limit: 100, withTotal: false });
    let removed = 0;
    for (const credential of items) if (await tx.deviceCredentials.remove(tenantId, credential.id)) removed++;
    if (items.length < 100 || removed === 0) return;
  }
}
