// The one exception to "browser tokens for the Management API carry only current-user scopes"
// (decision 0006): the tenant's own dashboard application, for the tenant's Management API, on
// behalf of one of the tenant's administrators, gets the Management API scopes it asked for. Every
// other combination goes through grantedUserScopes. The dashboard client is recognised by a marker
// no API caller can set, and administrators are made only by the CLI; a non-admin signing in to
// the dashboard is refused (access_denied) rather than given a token the dashboard cannot use.
import type { CachedApi, CachedClient } from '../cache/registry.ts';
import { isAdmin } from '../domain/admins.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import { isCurrentUserScope } from '../domain/scopes.ts';
import { OIDC_SCOPES } from '../domain/user-claims.ts';
import type { Storage, UserRecord } from '../storage/ports.ts';
import { grantedUserScopes } from './user-tokens.ts';

export const ADMIN_TEXT = {
  notAdmin: 'This user is not an administrator of this tenant.',
} as const;

/** Thrown when the dashboard asks for Management API scopes for a user who is not an admin. */
export class NotAnAdmin extends Error {
  override name = 'NotAnAdmin';
  constructor() {
    super(ADMIN_TEXT.notAdmin);
  }
}

/** Whether this client asking for this API is the dashboard asking for administration. */
export const isAdminRequest = (client: CachedClient, api: CachedApi | undefined): boolean => api?.isSystem === true && isDashboardClient(client.record.data);

/**
 * The scopes a user token may carry. For an admin request, the requested Management API scopes
 * (and OIDC scopes); throws NotAnAdmin when the user is not (or no longer) an administrator.
 */
export async function userTokenScopes(
  storage: Storage,
  tenantId: string,
  client: CachedClient,
  api: CachedApi | undefined,
  user: UserRecord,
  requested: readonly string[],
): Promise<string[]> {
  if (!api || !isAdminRequest(client, api)) return grantedUserScopes(requested, api);
  if (!(await isAdmin(storage, tenantId, user.userId))) throw new NotAnAdmin();
  return requested.filter((s) => OIDC_SCOPES.has(s) || api.scopes.has(s) || isCurrentUserScope(s));
}
