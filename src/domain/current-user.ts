// Current-user tokens (spec §4.2; security catalogue T-MG-07..09): a browser token for the
// Management API acts only for the user it was issued to. These are the rules; management/
// register.ts enforces them once, where routes are mounted.

/** Claims of a verified token, as far as these rules read them. */
export interface SubjectClaims {
  sub?: unknown;
  gty?: unknown;
}

/**
 * Whether the token acts for a user. RFC 9700 §4.15: a client acting on its own behalf must never
 * be mistaken for a user, so a client-credentials token (`gty`, or Auth0's `CLIENT_ID@clients`
 * subject) is not one, whatever scopes it carries; nor is a token without a string `sub`.
 */
export function actsForUser(claims: SubjectClaims): boolean {
  const { sub, gty } = claims;
  return typeof sub === 'string' && sub !== '' && gty !== 'client-credentials' && !sub.endsWith('@clients');
}

/** The route's current-user scopes that the token holds; none for a token not acting for a user. */
export function heldCurrentUserScopes(routeScopes: readonly string[], granted: ReadonlySet<string>, claims: SubjectClaims): string[] {
  return actsForUser(claims) ? routeScopes.filter((s) => granted.has(s)) : [];
}

/**
 * Whether the user a request names is the token's subject. The id is compared exactly as the
 * router decoded the path once: no case folding, no Unicode normalization, no second
 * percent-decoding, no trimming (so `auth0%257C123`, `AUTH0|123`, `auth0|123/` and `auth0|123\0`
 * all name someone else).
 */
export function isSameUser(named: unknown, subject: string): boolean {
  return typeof named === 'string' && named === subject;
}

/** Scopes by what a confined PATCH does to `user_metadata` (spec §4.2; seed table). */
export const METADATA_SCOPES = {
  /** Changing an existing key. */
  change: ['update:current_user_metadata'],
  /** Adding a key: Auth0 lets update:current_user_metadata add keys too (SPA guides rely on it). */
  add: ['create:current_user_metadata', 'update:current_user_metadata'],
  /** Removing a key (null), or all of them ({} or null for the whole object). */
  remove: ['delete:current_user_metadata', 'update:current_user_metadata'],
} as const;

/**
 * What a confined PATCH of `user_metadata` does that the token's scopes do not allow, as
 * `user_metadata.<key> (<action> needs <scopes>)` phrases; empty when everything is allowed.
 * `patch` is the body's user_metadata: an object merged at the root, or null / `{}` to clear it.
 */
export function metadataRefusals(existing: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>> | null, scopes: ReadonlySet<string>): string[] {
  const can = (needed: readonly string[]) => needed.some((s) => scopes.has(s));
  const refusals: string[] = [];
  const refuse = (key: string, action: string, needed: readonly string[]) => refusals.push(`user_metadata.${key} (${action} needs ${needed.join(' or ')})`);
  const has = (key: string) => Object.prototype.hasOwnProperty.call(existing, key);
  if (patch === null || Object.keys(patch).length === 0) {
    for (const key of Object.keys(existing)) if (!can(METADATA_SCOPES.remove)) refuse(key, 'removing', METADATA_SCOPES.remove);
    return refusals;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (has(key) && !can(METADATA_SCOPES.remove)) refuse(key, 'removing', METADATA_SCOPES.remove);
    } else if (has(key)) {
      if (!can(METADATA_SCOPES.change)) refuse(key, 'changing', METADATA_SCOPES.change);
    } else if (!can(METADATA_SCOPES.add)) {
      refuse(key, 'adding', METADATA_SCOPES.add);
    }
  }
  return refusals;
}
