// What the two user grants (authorization_code, refresh_token) share: the error of RFC 6749 §5.2
// as Auth0 sends it (403 invalid_grant), PKCE verification, refresh tokens, and turning issued user
// tokens into the token response (spec §0 row 10: an id_token on every answer that has openid).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CachedApi, CachedClient } from '../../../cache/registry.ts';
import { newDeviceCredentialId, randomString } from '../../../domain/ids.ts';
import { newOpaqueToken, opaqueDigest } from '../../../domain/opaque.ts';
import type { Tenant } from '../../../domain/tenant.ts';
import type { RefreshTokenRecord, UserRecord } from '../../../storage/ports.ts';
import { OAuthError } from '../../errors.ts';
import type { IssuedUserTokens } from '../../user-tokens.ts';
import type { GrantDeps, GrantOutcome, TokenSuccess } from './grant.ts';

export const invalidGrant = (description: string): OAuthError => new OAuthError(403, 'invalid_grant', description);

export const GRANT_TEXT = {
  invalidCode: 'Invalid authorization code',
  verifierFailed: 'Failed to verify code verifier',
  verifierFormat: 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
  verifierUnexpected: 'code_verifier was sent but the authorization request had no code_challenge',
  redirectMismatch: 'redirect_uri does not match the one of the authorization request',
  invalidRefresh: 'Unknown or invalid refresh token.',
  userBlocked: 'user is blocked',
  scopeNotGranted: 'The requested scope exceeds the scope granted to the refresh token',
} as const;

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) equals the stored challenge, compared in constant time. */
export function verifyPkce(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt (T-PK-04).
    if (verifier !== undefined) throw invalidGrant(GRANT_TEXT.verifierUnexpected);
    return;
  }
  if (verifier === undefined) throw invalidGrant(GRANT_TEXT.verifierFailed);
  if (!VERIFIER.test(verifier)) throw invalidGrant(GRANT_TEXT.verifierFormat);
  const computed = createHash('sha256').update(verifier, 'ascii').digest();
  const expected = Buffer.from(challenge, 'base64url');
  if (expected.length !== computed.length || !timingSafeEqual(expected, computed)) throw invalidGrant(GRANT_TEXT.verifierFailed);
}

/** A refresh token may be issued: the user asked for offline_access, the client may use the grant, and the API allows it. */
export function mayRefresh(scopes: readonly string[], client: CachedClient, api: CachedApi | undefined): boolean {
  if (!scopes.includes('offline_access') || !client.grantTypes.has('refresh_token')) return false;
  return api === undefined || api.record.data.allow_offline_access === true;
}

interface RefreshSettings {
  rotation_type?: string;
  expiration_type?: string;
  token_lifetime?: number;
  infinite_token_lifetime?: boolean;
  idle_token_lifetime?: number;
  infinite_idle_token_lifetime?: boolean;
  leeway?: number;
}

export function refreshSettings(client: CachedClient): RefreshSettings {
  return (client.record.data.refresh_token ?? {});
}

export interface NewRefreshToken {
  token: string;
  record: RefreshTokenRecord;
}

/**
 * A refresh token by the client's settings (Auth0 `refresh_token`): rotating or not, expiring
 * (absolute and idle lifetimes) or not. A rotated token keeps its family and absolute end.
 */
export async function createRefreshToken(
  deps: GrantDeps,
  input: { tenant: Tenant; client: CachedClient; user: UserRecord; audience: string | null; scope: string; sid: string | null; authTime: string; family?: RefreshTokenRecord },
): Promise<NewRefreshToken> {
  const settings = refreshSettings(input.client);
  const now = deps.clock.now();
  const expiring = settings.expiration_type === 'expiring';
  const absolute = expiring && settings.infinite_token_lifetime !== true ? now + (settings.token_lifetime ?? 2_592_000) * 1000 : null;
  const idle = expiring && settings.infinite_idle_token_lifetime !== true ? now + (settings.idle_token_lifetime ?? 1_296_000) * 1000 : null;
  const token = newOpaqueToken();
  const record: RefreshTokenRecord = {
    tenantId: input.tenant.id,
    // Auth0 lists refresh tokens among a user's device credentials, with dcr_ ids.
    id: newDeviceCredentialId(),
    tokenHash: opaqueDigest(token),
    familyId: input.family?.familyId ?? `rtf_${randomString(20)}`,
    clientId: input.client.clientId,
    userId: input.user.userId,
    audience: input.audience,
    scope: input.scope,
    sid: input.sid,
    authTime: input.authTime,
    rotating: settings.rotation_type === 'rotating',
    createdAt: new Date(now).toISOString(),
    expiresAt: input.family ? input.family.expiresAt : absolute === null ? null : new Date(absolute).toISOString(),
    idleExpiresAt: idle === null ? null : new Date(idle).toISOString(),
    usedAt: null,
    revokedAt: null,
  };
  await deps.storage.refreshTokens.create(record);
  return { token, record };
}

export function tokenBody(issued: IssuedUserTokens, refreshToken: string | undefined): TokenSuccess {
  return {
    access_token: issued.accessToken!,
    ...(issued.idToken !== undefined && { id_token: issued.idToken }),
    ...(refreshToken !== undefined && { refresh_token: refreshToken }),
    ...(issued.scope !== '' && { scope: issued.scope }),
    expires_in: issued.expiresIn,
    token_type: 'Bearer',
  };
}

/** The user a token exchange is logged under: Auth0's user_name is the email, else the username. */
export function userOf(user: UserRecord): NonNullable<GrantOutcome['user']> {
  return { id: user.userId, name: user.email ?? user.username ?? '' };
}
