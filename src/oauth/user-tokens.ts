// Tokens for a user (from /authorize, a code or a refresh token): which scopes a user token may
// carry, the access token's audience and lifetime, and the id_token beside it.
//  - Management API: only the current-user scopes (spec §4.2; DESIGN "Browser tokens for the
//    Management API only ever carry current-user scopes"); other APIs: the scopes they define.
//    OIDC scopes (openid, profile, email, offline_access …) always pass.
//  - Browser tokens (implicit, or a public client's code/refresh exchange) live the API's
//    token_lifetime_for_web; a confidential client's live token_lifetime.
//  - No audience: a token for /userinfo only, aud https://DOMAIN/userinfo.
import type { CachedApi, CachedClient, Registry } from '../cache/registry.ts';
import { nowSeconds, type Clock } from '../domain/clock.ts';
import { isCurrentUserScope } from '../domain/scopes.ts';
import type { Tenant } from '../domain/tenant.ts';
import { OIDC_SCOPES, userClaims } from '../domain/user-claims.ts';
import type { UserRecord } from '../storage/ports.ts';
import { issueIdToken } from '../tokens/id-token.ts';
import { issueAccessToken } from '../tokens/issue.ts';
import { accessTokenSigner, idTokenSigner } from '../tokens/signer.ts';

/** Auth0's lifetime for a token that only reaches /userinfo. */
const USERINFO_TOKEN_LIFETIME = 86_400;
/** jwt_configuration.lifetime_in_seconds when a client sets none (spec §2.6). */
const ID_TOKEN_LIFETIME = 36_000;

export const userinfoAudience = (tenant: Tenant): string => `${tenant.issuer}userinfo`;

export function grantedUserScopes(requested: readonly string[], api: CachedApi | undefined): string[] {
  return requested.filter((s) => OIDC_SCOPES.has(s) || (api !== undefined && (api.isSystem ? isCurrentUserScope(s) : api.scopes.has(s))));
}

export interface UserTokenRequest {
  tenant: Tenant;
  client: CachedClient;
  api: CachedApi | undefined;
  user: UserRecord;
  /** Scopes already narrowed by grantedUserScopes. */
  scopes: readonly string[];
  accessToken: boolean;
  idToken: boolean;
  /** Issued to a browser: implicit, or a public client (token_endpoint_auth_method none). */
  browser: boolean;
  nonce: string | undefined;
  /** ISO date of the login. */
  authTime: string;
  sid: string | undefined;
  /** Put at_hash in the id_token (access token and id_token both from /authorize). */
  atHash: boolean;
}

export interface IssuedUserTokens {
  accessToken?: string;
  jti?: string;
  expiresIn: number;
  idToken?: string;
  scope: string;
  audience: string;
}

export interface UserTokenDeps {
  registry: Registry;
  clock: Clock;
}

export async function issueUserTokens(request: UserTokenRequest, deps: UserTokenDeps): Promise<IssuedUserTokens> {
  const { tenant, client, api, user } = request;
  const now = nowSeconds(deps.clock);
  const scope = request.scopes.join(' ');
  const userinfo = userinfoAudience(tenant);
  const audience = api?.identifier ?? userinfo;
  const lifetime = api ? (request.browser ? api.tokenLifetimeForWeb : api.tokenLifetime) : USERINFO_TOKEN_LIFETIME;
  const out: IssuedUserTokens = { expiresIn: lifetime, scope, audience };
  if (request.accessToken) {
    const withUserinfo = api !== undefined && request.scopes.includes('openid');
    const issued = await issueAccessToken({
      issuer: tenant.issuer,
      subject: user.userId,
      audience: withUserinfo ? [audience, userinfo] : audience,
      clientId: client.clientId,
      scopes: request.scopes,
      now,
      lifetime,
      dialect: api?.dialect,
      signer: accessTokenSigner(await deps.registry.keys(tenant.id), api),
    });
    out.accessToken = issued.token;
    out.jti = issued.jti;
  }
  if (request.idToken) {
    out.idToken = await issueIdToken({
      issuer: tenant.issuer,
      subject: user.userId,
      clientId: client.clientId,
      now,
      lifetime: client.record.data.jwt_configuration?.lifetime_in_seconds ?? ID_TOKEN_LIFETIME,
      nonce: request.nonce,
      authTime: Math.floor(Date.parse(request.authTime) / 1000),
      sid: request.sid,
      ...(request.atHash && out.accessToken !== undefined && { accessToken: out.accessToken }),
      claims: userClaims(user, request.scopes),
      signer: idTokenSigner(await deps.registry.keys(tenant.id)),
    });
  }
  return out;
}
