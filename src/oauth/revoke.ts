// POST /oauth/revoke (RFC 7009, spec §2.4): a client revokes one of its refresh tokens, and with it
// every token rotated from the same grant. An unknown token, or one of another client, changes
// nothing and is answered the same 200 (RFC 7009 §2.2), so the endpoint reveals nothing. The
// client authenticates as at /oauth/token, through the same failed-authentication brake (S6).
import type { Tenant } from '../domain/tenant.ts';
import { opaqueDigest } from '../domain/opaque.ts';
import type { Storage } from '../storage/ports.ts';
import { invalidRequest, TOKEN_TEXT } from './errors.ts';
import { readParams } from './params.ts';
import { identifyClient, type ClientAuthDeps } from './token/client-auth.ts';

export interface RevokeDeps extends ClientAuthDeps {
  storage: Storage;
}

export interface RevokeRequest {
  tenant: Tenant;
  body: unknown;
  authorization: string | undefined;
  ip: string;
}

export async function revokeToken({ tenant, body, authorization, ip }: RevokeRequest, deps: RevokeDeps): Promise<void> {
  const params = readParams(body, {});
  const { client } = await identifyClient({ tenant, params, authorization, ip }, deps);
  const token = params.get('token');
  if (token === undefined) throw invalidRequest(TOKEN_TEXT.missingParameter('token'));
  if (token.length > 128) return;
  const record = await deps.storage.refreshTokens.getByHash(tenant.id, opaqueDigest(token));
  if (!record || record.clientId !== client.clientId) return;
  await deps.storage.refreshTokens.revokeFamily(tenant.id, record.familyId, new Date(deps.clock.now()).toISOString());
}
