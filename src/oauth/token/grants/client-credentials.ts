// grant_type=client_credentials (RFC 6749 §4.4, spec §2.2): a confidential client gets an access
// token for an API it holds a client grant on, with the grant's scopes or the subset it asks for.
// No refresh token (§4.4.3). Statuses and texts are Auth0's (D1).
import { nowSeconds } from '../../../domain/clock.ts';
import { parseScopeParam } from '../../../domain/scopes.ts';
import { defaultAudience } from '../../../domain/tenant.ts';
import { grantedScopes, issueClientCredentialsToken } from '../../../tokens/client-credentials.ts';
import { accessTokenSigner } from '../../../tokens/signer.ts';
import { OAuthError, TOKEN_TEXT } from '../../errors.ts';
import type { GrantModule } from './grant.ts';

export const clientCredentials: GrantModule<never, 'audience' | 'scope'> = {
  grantType: 'client_credentials',
  params: { required: [], optional: ['audience', 'scope'] },
  clientAuthentication: 'secret',
  log: { success: 'seccft', failure: 'feccft', description: 'Client Credentials for Access Token' },
  async handle({ tenant, client, params }, deps) {
    const audience = params.audience ?? defaultAudience(tenant);
    if (audience === undefined) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.noAudience);
    const api = await deps.registry.api(tenant.id, audience);
    if (!api) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.serviceNotEnabled(audience));
    const grant = await deps.registry.grant(tenant.id, client.clientId, audience);
    if (!grant) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.noClientGrant(audience));

    const granted = grantedScopes(grant, api.scopes);
    let scopes = granted;
    if (params.scope !== undefined) {
      const wanted = parseScopeParam(params.scope);
      if (!wanted) throw new OAuthError(400, 'invalid_scope', TOKEN_TEXT.invalidScope);
      const allowed = new Set(granted);
      const missing = wanted.filter((s) => !allowed.has(s));
      if (missing.length > 0) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.scopesNotGranted(missing));
      scopes = wanted;
    }

    const signer = accessTokenSigner(await deps.registry.keys(tenant.id), api);
    const issued = await issueClientCredentialsToken({
      issuer: tenant.issuer,
      audience,
      clientId: client.clientId,
      scopes,
      now: nowSeconds(deps.clock),
      lifetime: api.tokenLifetime,
      dialect: api.dialect,
      signer,
    });
    const scope = scopes.join(' ');
    return {
      body: { access_token: issued.token, ...(scope ? { scope } : {}), expires_in: api.tokenLifetime, token_type: 'Bearer' },
      audience,
      scope,
      jti: issued.jti,
    };
  },
};
