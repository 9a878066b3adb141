// GET /v2/logout (spec §2.9): the session ends, then the browser goes to `returnTo` if it is
// exactly one of the allowed logout URLs — the application's when client_id is given, else the
// tenant's. With client_id and no returnTo: the application's first logout URL. Anything else is
// our error page: never an open redirect (T-RU-30).
import type { AuditLog } from '../audit/audit-log.ts';
import type { Registry } from '../cache/registry.ts';
import type { Tenant } from '../domain/tenant.ts';
import { endSession, type SessionDeps } from './authorize/session.ts';
import { AUTHORIZE_TEXT, AuthorizePageError } from './errors.ts';

export type LogoutOutcome = { kind: 'redirect'; location: string } | { kind: 'page' };

export async function logoutTarget(tenant: Tenant, clientId: string | undefined, returnTo: string | undefined, registry: Registry): Promise<LogoutOutcome> {
  let allowed: readonly string[];
  if (clientId !== undefined) {
    const client = clientId.length <= 255 ? await registry.client(tenant.id, clientId) : null;
    if (!client) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.unknownClient(clientId));
    allowed = client.record.data.allowed_logout_urls ?? [];
  } else {
    const tenantList = tenant.settings.allowed_logout_urls;
    allowed = Array.isArray(tenantList) ? tenantList.filter((u): u is string => typeof u === 'string') : [];
  }
  if (returnTo === undefined) {
    const first = clientId !== undefined ? allowed[0] : undefined;
    return first === undefined ? { kind: 'page' } : { kind: 'redirect', location: first };
  }
  if (!allowed.includes(returnTo)) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.invalidReturnTo(returnTo));
  return { kind: 'redirect', location: returnTo };
}

export interface LogoutRequest {
  tenant: Tenant;
  /** The session cookie's value, if any. */
  session: string | undefined;
  clientId: string | undefined;
  returnTo: string | undefined;
  ip: string;
  userAgent: string | undefined;
}

/** Ends the session (logged as `slo`), whatever happens next, then says where the browser goes. */
export async function logout(request: LogoutRequest, deps: SessionDeps & { registry: Registry; audit: AuditLog }): Promise<LogoutOutcome> {
  const { tenant } = request;
  const ended = await endSession(tenant, request.session, deps);
  if (ended) {
    const user = await deps.storage.users.get(tenant.id, ended.userId);
    deps.audit.record(tenant, request, {
      type: 'slo',
      description: 'Successful logout',
      user_id: ended.userId,
      user_name: user?.email ?? user?.username ?? '',
      client: request.clientId === undefined ? undefined : { clientId: request.clientId },
    });
  }
  return logoutTarget(tenant, request.clientId, request.returnTo, deps.registry);
}
