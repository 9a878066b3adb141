// How a stored user looks on the wire (spec §3.5.4, NA7 UserResponseSchema; GO-REC
// TestUserManager_*): Auth0 field names, absent fields left out, the primary identity first in
// `identities`, dates as stored (ISO 8601 with milliseconds and Z). The password hash never leaves.
import type { UserIdentity, UserRecord } from '../storage/ports.ts';

/** `auth0|abc` → provider `auth0`, id `abc` (the identity's user_id is what follows the first `|`). */
export function splitUserId(userId: string): { provider: string; id: string } {
  const bar = userId.indexOf('|');
  return bar < 0 ? { provider: 'auth0', id: userId } : { provider: userId.slice(0, bar), id: userId.slice(bar + 1) };
}

/** The profile fields Auth0 copies into `profileData` of a linked identity (GO-REC TestUserManager_Link). */
export function profileData(u: UserRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (u.email !== null) out.email = u.email;
  if (u.givenName !== null) out.given_name = u.givenName;
  if (u.familyName !== null) out.family_name = u.familyName;
  if (u.username !== null) out.username = u.username;
  if (u.nickname !== null) out.nickname = u.nickname;
  if (u.picture !== null) out.picture = u.picture;
  if (u.phoneNumber !== null) {
    out.phone_number = u.phoneNumber;
    out.phone_verified = u.phoneVerified;
  }
  if (u.email !== null) out.email_verified = u.emailVerified;
  return out;
}

/** The user's own identity: its connection, and its id without the provider prefix. */
export function primaryIdentity(u: UserRecord): UserIdentity {
  const { provider, id } = splitUserId(u.userId);
  return { connection: u.connection, user_id: id, provider, isSocial: false };
}

function renderIdentity(i: UserIdentity): Record<string, unknown> {
  return { ...(i.profileData && { profileData: i.profileData }), connection: i.connection, user_id: i.user_id, provider: i.provider, isSocial: i.isSocial };
}

/**
 * `identities[]`, primary first. The link and unlink answers also carry the primary's own
 * profileData (as Auth0's do); GET /users does not.
 */
export function renderIdentities(u: UserRecord, withPrimaryProfile = false): Record<string, unknown>[] {
  const primary = primaryIdentity(u);
  if (withPrimaryProfile) primary.profileData = profileData(u);
  return [primary, ...u.linkedIdentities].map(renderIdentity);
}

/** The user as GET /users/{id} returns it. */
export function renderUser(u: UserRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { created_at: u.createdAt };
  if (u.email !== null) {
    out.email = u.email;
    out.email_verified = u.emailVerified;
  }
  if (u.familyName !== null) out.family_name = u.familyName;
  if (u.givenName !== null) out.given_name = u.givenName;
  out.identities = renderIdentities(u);
  if (u.name !== null) out.name = u.name;
  if (u.nickname !== null) out.nickname = u.nickname;
  if (u.phoneNumber !== null) {
    out.phone_number = u.phoneNumber;
    out.phone_verified = u.phoneVerified;
  }
  if (u.picture !== null) out.picture = u.picture;
  out.updated_at = u.updatedAt;
  out.user_id = u.userId;
  if (Object.keys(u.userMetadata).length > 0) out.user_metadata = u.userMetadata;
  if (u.username !== null) out.username = u.username;
  if (Object.keys(u.appMetadata).length > 0) out.app_metadata = u.appMetadata;
  if (u.lastPasswordReset !== null) out.last_password_reset = u.lastPasswordReset;
  if (u.lastIp !== null) out.last_ip = u.lastIp;
  if (u.lastLogin !== null) out.last_login = u.lastLogin;
  if (u.loginsCount > 0) out.logins_count = u.loginsCount;
  if (u.blocked) out.blocked = true;
  return out;
}

/**
 * Auth0's default picture for a database user: the Gravatar of the trimmed, lower-cased email,
 * falling back to Auth0's initials avatar (`d=https://cdn.auth0.com/avatars/<initials>.png`).
 */
