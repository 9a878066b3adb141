// The OIDC claims a user's id_token and /userinfo carry, by scope (OIDC Core §5.4; spec §2.6,
// §2.8): `profile` gives name, nickname, picture, updated_at (and given/family names when set),
// `email` gives email and email_verified. Never anything else of the user record.
import type { UserRecord } from '../storage/ports.ts';

export const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access', 'address', 'phone']);

export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes('profile')) {
    if (user.givenName !== null) claims.given_name = user.givenName;
    if (user.familyName !== null) claims.family_name = user.familyName;
    if (user.nickname !== null) claims.nickname = user.nickname;
    if (user.name !== null) claims.name = user.name;
    if (user.picture !== null) claims.picture = user.picture;
    claims.updated_at = user.updatedAt;
  }
  if (scopes.includes('email') && user.email !== null) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  if (scopes.includes('phone') && user.phoneNumber !== null) {
    claims.phone_number = user.phoneNumber;
    claims.phone_number_verified = user.phoneVerified;
  }
  return claims;
}
