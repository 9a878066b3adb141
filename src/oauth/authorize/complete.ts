// The end of a successful /authorize: the user is logged in (a live session), so issue what the
// response_type asks for — a one-time code bound to the client, redirect URI, PKCE challenge and
// session (60 s, stored as a digest), or tokens straight away for the implicit flow.
import type { CachedApi, CachedClient, Registry } from '../../cache/registry.ts';
import type { Clock } from '../../domain/clock.ts';
import { newOpaqueToken, opaqueDigest } from '../../domain/opaque.ts';
import type { Tenant } from '../../domain/tenant.ts';
import type { Storage, UserRecord } from '../../storage/ports.ts';
import { userTokenScopes } from '../admin-scopes.ts';
import { issueUserTokens } from '../user-tokens.ts';
import type { AuthorizeRequest } from './request.ts';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; spec §2.4 and T-PK-10: 60 s. */
export const CODE_TTL_SECONDS = 60;

export interface LoginState {
  user: UserRecord;
  sid: string;
  /** ISO date of the login. */
  authTime: string;
}

export interface CompleteDeps {
  storage: Storage;
  registry: Registry;
  clock: Clock;
}

export interface Completion {
  fields: Record<string, string>;
  /** For the tenant log. */
  scope: string;
  audience: string;
}

export async function completeAuthorization(
  tenant: Tenant,
  client: CachedClient,
  api: CachedApi | undefined,
  request: AuthorizeRequest,
  login: LoginState,
  deps: CompleteDeps,
): Promise<Completion> {
  // Throws NotAnAdmin when the dashboard asks for administration for a user who is not an admin.
  const scopes = await userTokenScopes(deps.storage, tenant.id, client, api, login.user, request.scope);
  if (request.responseType.includes('code')) {
    const code = newOpaqueToken();
    const now = deps.clock.now();
    await deps.storage.authCodes.create({
      tenantId: tenant.id,
      codeHash: opaqueDigest(code),
      clientId: client.clientId,
      userId: login.user.userId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      codeChallenge: request.codeChallenge ?? null,
      scope: scopes.join(' '),
      audience: api?.identifier ?? null,
      nonce: request.nonce ?? null,
      sid: login.sid,
      authTime: login.authTime,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + CODE_TTL_SECONDS * 1000).toISOString(),
      consumedAt: null,
      replayedAt: null,
      issued: null,
    });
    return { fields: { code }, scope: scopes.join(' '), audience: api?.identifier ?? '' };
  }
  const wantsToken = request.responseType.includes('token');
  const issued = await issueUserTokens(
    {
      tenant,
      client,
      api,
      user: login.user,
      // Implicit never issues refresh tokens (RFC 6749 §4.2.2): offline_access is not granted.
      scopes: scopes.filter((s) => s !== 'offline_access'),
      accessToken: wantsToken,
      idToken: request.responseType.includes('id_token'),
      browser: true,
      nonce: request.nonce,
      authTime: login.authTime,
      sid: login.sid,
      atHash: wantsToken,
    },
    deps,
  );
  const fields: Record<string, string> = {};
  if (issued.accessToken !== undefined) {
    fields.access_token = issued.accessToken;
    fields.scope = issued.scope;
    fields.expires_in = String(issued.expiresIn);
    fields.token_type = 'Bearer';
  }
  if (issued.idToken !== undefined) fields.id_token = issued.idToken;
  return { fields, scope: issued.scope, audience: issued.audience };
}
