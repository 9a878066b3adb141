// GET /authorize (spec §2.5): run the checks in order, then answer from a live login session, or
// refuse silently (prompt=none: login_required), or send the browser to our login page with a
// login transaction (counted per address: each is a stored row, T-OUT-08). Framework-free: http/
// adapts the request and renders the outcome.
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Registry } from '../../cache/registry.ts';
import type { Tenant } from '../../domain/tenant.ts';
import { NotAnAdmin } from '../admin-scopes.ts';
import { AUTHORIZE_TEXT, AuthorizePageError, AuthorizeRedirectError } from '../errors.ts';
import { ADDRESS_LIMIT_TEXT, admitTransaction, type AddressLimitDeps } from './address-limits.ts';
import { AUTHORIZE_CHECKS, AUTHORIZE_PARAMS } from './checks/index.ts';
import type { CheckContext } from './checks/check.ts';
import { defaultMode } from './checks/response-mode.ts';
import { completeAuthorization, type CompleteDeps, type LoginState } from './complete.ts';
import { readAuthorizeParams, type AuthorizeRequest, type RawParams } from './request.ts';
import { respond, respondWithError, type AuthorizeResponse } from './respond.ts';
import { loadSession } from './session.ts';
import { startTransaction } from './transaction.ts';

export interface AuthorizeDeps extends CompleteDeps, AddressLimitDeps {
  registry: Registry;
  audit: AuditLog;
}

export interface BrowserContext {
  tenant: Tenant;
  /** Value of the session cookie, if any. */
  session: string | undefined;
  /** Value of the browser-binding cookie; a new one is made when absent. */
  browser: string | undefined;
  ip: string;
  userAgent: string | undefined;
}

export type AuthorizeOutcome =
  | { kind: 'respond'; response: AuthorizeResponse }
  | { kind: 'login'; transaction: string; signup: boolean };

/**
 * Runs every check on the parameters they declare (the rest is ignored, and never stored); a
 * redirect error comes back as a response in the request's mode.
 */
export async function checkRequest(tenant: Tenant, params: RawParams, registry: Registry): Promise<{ ctx: CheckContext; request: AuthorizeRequest } | { ctx: CheckContext; response: AuthorizeResponse }> {
  const used = new Map([...params].filter(([name]) => AUTHORIZE_PARAMS.has(name)));
  const ctx: CheckContext = { tenant, params: used, registry, draft: {} };
  try {
    for (const check of AUTHORIZE_CHECKS) await check.run(ctx);
  } catch (error) {
    if (!(error instanceof AuthorizeRedirectError)) throw error;
    const { draft } = ctx;
    const target = { redirectUri: draft.redirectUri!, responseMode: draft.responseMode ?? defaultMode(draft), state: draft.state };
    return { ctx, response: respondWithError(target, error.error, error.description) };
  }
  return { ctx, request: ctx.draft as AuthorizeRequest };
}

/** Completes the request for a logged-in user and logs the success. */
export async function answer(ctx: CheckContext, request: AuthorizeRequest, login: LoginState, browser: BrowserContext, deps: AuthorizeDeps): Promise<AuthorizeResponse> {
  let completion;
  try {
    completion = await completeAuthorization(ctx.tenant, ctx.client!, ctx.api, request, login, deps);
  } catch (error) {
    if (!(error instanceof NotAnAdmin)) throw error;
    // The dashboard is for administrators only: refused through the registered redirect.
    deps.audit.record(ctx.tenant, browser, {
      type: 'f',
      description: error.message,
      client: ctx.client!,
      user_id: login.user.userId,
      user_name: login.user.email ?? login.user.username ?? '',
    });
    return respondWithError(request, 'access_denied', error.message);
  }
  if (request.prompt.includes('none')) {
    deps.audit.record(ctx.tenant, browser, {
      type: 'ssa',
      description: 'Successful silent authentication',
      client: ctx.client!,
      user_id: login.user.userId,
      user_name: login.user.email ?? login.user.username ?? '',
    });
  }
  return respond(request, completion.fields);
}

export async function handleAuthorize(query: Record<string, unknown>, browser: BrowserContext, deps: AuthorizeDeps): Promise<AuthorizeOutcome> {
  const { tenant } = browser;
  const params = readAuthorizeParams(query);
  const checked = await checkRequest(tenant, params, deps.registry);
  if ('response' in checked) return { kind: 'respond', response: checked.response };
  const { ctx, request } = checked;

  // OIDC Core §3.1.2.1: max_age=0 is prompt=login (however recent the session).
  const live = request.prompt.includes('login') || request.maxAge === 0 ? undefined : await loadSession(tenant, browser.session, deps);
  const fresh = live && (request.maxAge === undefined || deps.clock.now() - Date.parse(live.record.authTime) <= request.maxAge * 1000);
  if (live && fresh) {
    const login = { user: live.user, sid: live.record.sid, authTime: live.record.authTime };
    return { kind: 'respond', response: await answer(ctx, request, login, browser, deps) };
  }
  if (request.prompt.includes('none')) {
    deps.audit.record(tenant, browser, { type: 'fsa', description: AUTHORIZE_TEXT.loginRequired, client: ctx.client! });
    return { kind: 'respond', response: respondWithError(request, 'login_required', AUTHORIZE_TEXT.loginRequired) };
  }
  const admitted = await admitTransaction(tenant, browser.ip, deps);
  if (admitted && !admitted.allowed) {
    if (admitted.firstRefusal) {
      deps.audit.record(tenant, browser, { type: 'api_limit', description: ADDRESS_LIMIT_TEXT.transactionsLogged, client: ctx.client! });
    }
    throw new AuthorizePageError(AUTHORIZE_TEXT.tooManyTransactions, ADDRESS_LIMIT_TEXT.transactions(admitted.retryAfter), 429, { 'retry-after': String(admitted.retryAfter) });
  }
  const transaction = await startTransaction(tenant, ctx.params, browser.browser!, deps);
  return { kind: 'login', transaction, signup: request.screenHint === 'signup' };
}
