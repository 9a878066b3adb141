// POST /oauth/token: read the parameters strictly, pick the grant, let it answer. Framework-free:
// http/app.ts adapts the request and renders the result (RFC 6749 §5.1 headers included).
import type { Tenant } from '../../domain/tenant.ts';
import { invalidRequest, OAuthError, TOKEN_TEXT } from '../errors.ts';
import { readParams } from '../params.ts';
import type { GrantDeps, TokenOutcome } from './grants/grant.ts';
import { GRANTS } from './grants/index.ts';

export interface TokenRequest {
  tenant: Tenant;
  body: unknown;
  query: Record<string, unknown>;
  authorization: string | undefined;
}

export async function handleTokenRequest(request: TokenRequest, deps: GrantDeps): Promise<TokenOutcome> {
  const params = readParams(request.body, request.query);
  const grantType = params.get('grant_type');
  if (grantType === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('grant_type'));
  const grant = GRANTS.get(grantType);
  if (!grant) throw new OAuthError(400, 'unsupported_grant_type', TOKEN_TEXT.unsupportedGrantType(grantType));
  return grant.handle({ tenant: request.tenant, params, authorization: request.authorization, deps });
}
