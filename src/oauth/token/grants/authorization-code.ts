// grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636, spec §2.4): a code is redeemed once
// (one conditional UPDATE, T-PK-08), by the client it was issued to (T-PK-09), within 60 s
// (T-PK-10), with the redirect_uri of the request when that named one (T-RU-27) and the PKCE
// verifier when a challenge was sent (T-PK-04/05). A replayed code also revokes what its first
// redemption issued (RFC 6749 §4.1.2, T-PK-07), also when the replay lands while that redemption
// is still in flight: the redemption that consumed the code answers (exactly one 200, T-PK-08,
// whatever the timing), and what it gave is revoked as soon as it is recorded. Errors: Auth0's
// 403 invalid_grant.
import { isAdmin } from '../../../domain/admins.ts';
import { opaqueDigest } from '../../../domain/opaque.ts';
import type { AuthCodeRecord } from '../../../storage/ports.ts';
import { ADMIN_TEXT, isAdminRequest } from '../../admin-scopes.ts';
import { issueUserTokens } from '../../user-tokens.ts';
import type { GrantDeps, GrantModule } from './grant.ts';
import { createRefreshToken, GRANT_TEXT, invalidGrant, mayRefresh, tokenBody, userOf, verifyPkce } from './user-grant.ts';

/** What a replayed code issued stops working: its access token (denylist) and its refresh tokens. */
async function revokeIssued(deps: GrantDeps, code: AuthCodeRecord): Promise<void> {
  const at = new Date(deps.clock.now()).toISOString();
  if (code.issued?.jti) {
    const expiresAt = new Date(Date.parse(code.createdAt) + 2_592_000_000).toISOString();
    await deps.storage.denylist.add({ tenantId: code.tenantId, jti: code.issued.jti, aud: undefined, createdAt: at, expiresAt });
  }
  if (code.issued?.refreshTokenFamily) await deps.storage.refreshTokens.revokeFamily(code.tenantId, code.issued.refreshTokenFamily, at);
}

export const authorizationCode: GrantModule<'code', 'redirect_uri' | 'code_verifier'> = {
  grantType: 'authorization_code',
  params: { required: ['code'], optional: ['redirect_uri', 'code_verifier'] },
  // A public client (a SPA, a native app) redeems its code with PKCE instead of a secret.
  clientAuthentication: 'secret-or-public',
  log: { success: 'seacft', failure: 'feacft', description: 'Authorization Code for Access Token' },
  async handle({ tenant, client, secret, params }, deps) {
    const { code } = params;
    const codeHash = opaqueDigest(code);
    const now = deps.clock.now();

    const record = code.length <= 128 ? await deps.storage.authCodes.consume(tenant.id, codeHash, new Date(now).toISOString()) : undefined;
    if (!record) {
      // A used code presented again: revoke what its redemption issued. If that redemption has not
      // recorded it yet, the mark makes it revoke its own tokens once it has (below).
      const replayed = code.length <= 128 ? await deps.storage.authCodes.markReplayed(tenant.id, codeHash, new Date(now).toISOString()) : undefined;
      if (replayed?.issued) await revokeIssued(deps, replayed);
      throw invalidGrant(GRANT_TEXT.invalidCode);
    }
    if (record.clientId !== client.clientId || now >= Date.parse(record.expiresAt)) throw invalidGrant(GRANT_TEXT.invalidCode);
    const redirectUri = params.redirect_uri;
    if ((record.redirectUriGiven || redirectUri !== undefined) && redirectUri !== record.redirectUri) throw invalidGrant(GRANT_TEXT.redirectMismatch);
    verifyPkce(record.codeChallenge, params.code_verifier);

    const user = await deps.storage.users.get(tenant.id, record.userId);
    if (!user) throw invalidGrant(GRANT_TEXT.invalidCode);
    if (user.blocked) throw invalidGrant(GRANT_TEXT.userBlocked);
    const api = record.audience === null ? undefined : ((await deps.registry.api(tenant.id, record.audience)) ?? undefined);
    if (record.audience !== null && !api) throw invalidGrant(GRANT_TEXT.invalidCode);
    // An administrator removed since /authorize gets nothing (decision 0006).
    if (isAdminRequest(client, api) && !(await isAdmin(deps.storage, tenant.id, user.userId))) throw invalidGrant(ADMIN_TEXT.notAdmin);

    const scopes = record.scope === '' ? [] : record.scope.split(' ');
    const refresh = mayRefresh(scopes, client, api);
    const granted = refresh ? scopes : scopes.filter((s) => s !== 'offline_access');
    const issued = await issueUserTokens(
      {
        tenant,
        client,
        api,
        user,
        scopes: granted,
        accessToken: true,
        idToken: granted.includes('openid'),
        browser: secret === undefined,
        nonce: record.nonce ?? undefined,
        authTime: record.authTime,
        sid: record.sid,
        atHash: false,
      },
      deps,
    );
    const refreshToken = refresh
      ? await createRefreshToken(deps, { tenant, client, user, audience: record.audience, scope: issued.scope, sid: record.sid, authTime: record.authTime })
      : undefined;
    await deps.storage.authCodes.setIssued(tenant.id, codeHash, { ...(issued.jti && { jti: issued.jti }), ...(refreshToken && { refreshTokenFamily: refreshToken.record.familyId }) });
    const after = await deps.storage.authCodes.get(tenant.id, codeHash);
    // Replayed while this redemption was in flight: the code leaked, so nothing it gives stands. It
    // is revoked here, as a replay a moment later would have done; the answer still goes out, so
    // the outcome does not depend on how long signing took (RFC 6749 §4.1.2 denies the repeated
    // request, not the first).
    if (after?.replayedAt) await revokeIssued(deps, after);
    return { body: tokenBody(issued, refreshToken?.token), audience: issued.audience, scope: issued.scope, jti: issued.jti, user: userOf(user) };
  },
};
