// Browser tokens for the Management API, minted the way the server issues them to a single-page
// application (issue #4, spec §4.2): signed with the tenant's current key from the registry,
// `sub` = the user, `aud` = [Management API, /userinfo], `azp` = an SPA, current-user scopes,
// no `gty`. Also: ID tokens for link_with.
import { nowSeconds } from '../../src/domain/clock.ts';
import { issueAccessToken } from '../../src/tokens/issue.ts';
import { signRs256 } from '../../src/tokens/jws.ts';
import { seedApp } from './fixtures.ts';
import type { TestServer } from './test-server.ts';

/** Auth0's token_lifetime_for_web (spec §9). */
export const WEB_LIFETIME = 7200;

export interface UserTokenOptions {
  /** The SPA the token was issued to (`azp`); a new one is seeded when absent. */
  clientId?: string;
  lifetime?: number;
  /** Claims that replace the minted ones (e.g. `gty`, to imitate other grant types). */
  grantType?: string;
  subject?: string;
}

/** An access token for the Management API acting for `userId`, carrying exactly `scopes`. */
export async function userToken(s: TestServer, userId: string, scopes: readonly string[], options: UserTokenOptions = {}): Promise<string> {
  const clientId = options.clientId ?? (await seedApp(s, { type: 'spa' })).clientId;
  const ring = await s.registry.keys(s.tenant.id);
  const issued = await issueAccessToken({
    issuer: s.tenant.issuer,
    subject: options.subject ?? userId,
    audience: [s.tenant.managementAudience, `https://${s.tenant.domain}/userinfo`],
    clientId,
    scopes,
    now: nowSeconds(s.clock),
    lifetime: options.lifetime ?? WEB_LIFETIME,
    ...(options.grantType !== undefined && { grantType: options.grantType }),
    signer: { alg: 'RS256', kid: ring.current.kid, key: ring.current.privateKey! },
  });
  return issued.token;
}

/** An ID token for `userId` issued to `clientId` (what `link_with` carries), signed by the tenant. */
export async function idTokenFor(s: TestServer, userId: string, clientId: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const ring = await s.registry.keys(s.tenant.id);
  const now = nowSeconds(s.clock);
  return signRs256(
    { alg: 'RS256', typ: 'JWT', kid: ring.current.kid, ...header },
    { iss: s.tenant.issuer, sub: userId, aud: clientId, iat: now, exp: now + 36000, nonce: 'n-0S6_WzA2Mj', ...claims },
    ring.current.privateKey!,
  );
}
