// grant_type=refresh_token (RFC 6749 §6, spec §2.4): a live token of this client, for a user who
// exists and is not blocked. A rotating token is exchanged once for a successor; presenting it
// again after the client's leeway is reuse — the whole family is revoked (RFC 9700 §4.14.2).
// `scope` may narrow, never widen. Every answer carries an id_token when openid was granted.
import { isAdmin } from '../../../domain/admins.ts';
import { opaqueDigest } from '../../../domain/opaque.ts';
import { parseScopeParam } from '../../../domain/scopes.ts';
import { ADMIN_TEXT, isAdminRequest } from '../../admin-scopes.ts';
import { OAuthError, TOKEN_TEXT } from '../../errors.ts';
import { issueUserTokens } from '../../user-tokens.ts';
import type { GrantModule } from './grant.ts';
import { createRefreshToken, GRANT_TEXT, invalidGrant, refreshSettings, tokenBody, userOf } from './user-grant.ts';

export const refreshToken: GrantModule<'refresh_token', 'scope'> = {
  grantType: 'refresh_token',
  params: { required: ['refresh_token'], optional: ['scope'] },
  // A public client refreshes without a secret: the token is bound to the client it was issued to,
  // and rotation detects its reuse (RFC 9700 §4.14.2).
  clientAuthentication: 'secret-or-public',
  log: { success: 'sertft', failure: 'fertft', description: 'Refresh Token for Access Token' },
  async handle({ tenant, client, secret, params }, deps) {
    const presented = params.refresh_token;
    const now = deps.clock.now();
    const at = new Date(now).toISOString();
    const record = presented.length <= 128 ? await deps.storage.refreshTokens.getByHash(tenant.id, opaqueDigest(presented)) : undefined;
    const expired = record !== undefined && ((record.expiresAt !== null && now >= Date.parse(record.expiresAt)) || (record.idleExpiresAt !== null && now >= Date.parse(record.idleExpiresAt)));
    if (!record || record.revokedAt !== null || record.clientId !== client.clientId || expired) throw invalidGrant(GRANT_TEXT.invalidRefresh);

    if (record.rotating) {
      const leewayMs = (refreshSettings(client).leeway ?? 0) * 1000;
      const first = await deps.storage.refreshTokens.markUsed(tenant.id, record.id, at);
      // Leeway 0 (Auth0's default) allows no reuse at all, not even within the same millisecond.
      const reusedInLeeway = !first && leewayMs > 0 && record.usedAt !== null && now - Date.parse(record.usedAt) <= leewayMs;
      if (!first && !reusedInLeeway) {
        await deps.storage.refreshTokens.revokeFamily(tenant.id, record.familyId, at);
        throw invalidGrant(GRANT_TEXT.invalidRefresh);
      }
    }

    const user = await deps.storage.users.get(tenant.id, record.userId);
    if (!user) throw invalidGrant(GRANT_TEXT.invalidRefresh);
    if (user.blocked) throw invalidGrant(GRANT_TEXT.userBlocked);
    const api = record.audience === null ? undefined : ((await deps.registry.api(tenant.id, record.audience)) ?? undefined);
    if (record.audience !== null && !api) throw invalidGrant(GRANT_TEXT.invalidRefresh);
    // Administration lasts only while the membership does (decision 0006).
    if (isAdminRequest(client, api) && !(await isAdmin(deps.storage, tenant.id, user.userId))) throw invalidGrant(ADMIN_TEXT.notAdmin);

    const original = record.scope === '' ? [] : record.scope.split(' ');
    let scopes = original;
    const requested = params.scope;
    if (requested !== undefined) {
      const wanted = parseScopeParam(requested);
      if (!wanted) throw new OAuthError(400, 'invalid_scope', TOKEN_TEXT.invalidScope);
      if (wanted.some((s) => !original.includes(s))) throw new OAuthError(403, 'invalid_scope', GRANT_TEXT.scopeNotGranted);
      scopes = wanted;
    }
    const issued = await issueUserTokens(
      {
        tenant,
        client,
        api,
        user,
        scopes,
        accessToken: true,
        idToken: scopes.includes('openid'),
        browser: secret === undefined,
        nonce: undefined,
        authTime: record.authTime,
        sid: record.sid ?? undefined,
        atHash: false,
      },
      deps,
    );
    let next: string | undefined;
    if (record.rotating) {
      next = (await createRefreshToken(deps, { tenant, client, user, audience: record.audience, scope: record.scope, sid: record.sid, authTime: record.authTime, family: record })).token;
    } else if (record.idleExpiresAt !== null) {
      const idle = refreshSettings(client).idle_token_lifetime ?? 1_296_000;
      await deps.storage.refreshTokens.touch(tenant.id, record.id, new Date(now + idle * 1000).toISOString());
    }
    return { body: tokenBody(issued, next), audience: issued.audience, scope: issued.scope, jti: issued.jti, user: userOf(user) };
  },
};
