// grant_type=client_credentials (RFC 6749 §4.4, spec §2.2): a confidential client gets an access
// token for an API it holds a client grant on, with the grant's scopes or the subset it asks for.
// No refresh token (§4.4.3). Statuses and texts are Auth0's (D1).
import { nowSeconds } from '../../../domain/clock.ts';
import { parseScopeParam } from '../../../domain/scopes.ts';
import { defaultAudience } from '../../../domain/tenant.ts';
import { grantedScopes, issueClientCredentialsToken } from '../../../tokens/client-credentials.ts';
import { accessTokenSigner } from '../../../tokens/signer.ts';
import { OAuthError, TOKEN_TEXT } from '../../errors.ts';
import { authenticateClient } from '../client-auth.ts';
import type { Grant } from './grant.ts';

const GRANT = 'client_credentials';

export const clientCredentials: Grant = {
  grantType: GRANT,
  failureLog: { type: 'feccft' },
  async handle(ctx) {
    const { tenant, params, deps, admit } = ctx;
    const { client, secret } = await authenticateClient(ctx, deps);
    await admit(client.clientId);
    if (!client.grantTypes.has(GRANT)) {
      throw new OAuthError(403, 'unauthorized_client', TOKEN_TEXT.grantTypeNotAllowed(GRANT), { errorUri: TOKEN_TEXT.grantTypeUri });
    }

    const audience = params.get('audience') ?? defaultAudience(tenant);
    if (audience === undefined) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.noAudience);
    const api = await deps.registry.api(tenant.id, audience);
    if (!api) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.serviceNotEnabled(audience));
    const grant = await deps.registry.grant(tenant.id, client.clientId, audience);
    if (!grant) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.noClientGrant(audience));

    const granted = grantedScopes(grant, api.scopes);
    let scopes = granted;
    const requested = params.get('scope');
    if (requested !== undefined) {
      const wanted = parseScopeParam(requested);
      if (!wanted) throw new OAuthError(400, 'invalid_scope', TOKEN_TEXT.invalidScope);
      const allowed = new Set(granted);
      const missing = wanted.filter((s) => !allowed.has(s));
      if (missing.length > 0) throw new OAuthError(403, 'access_denied', TOKEN_TEXT.scopesNotGranted(missing));
      scopes = wanted;
    }

    const signer = accessTokenSigner(await deps.registry.keys(tenant.id), api);
    const issued = issueClientCredentialsToken({
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
      clientId: client.clientId,
      clientName: client.name,
      secretUsed: secret,
      audience,
      scope,
      jti: issued.jti,
      log: { type: 'seccft', description: 'Client Credentials for Access Token' },
    };
  },
};
