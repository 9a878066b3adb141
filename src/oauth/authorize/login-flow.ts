// Our login page's two steps: show it for a login transaction, and take the form. The
// transaction's /authorize parameters are checked again first (the client may have changed
// meanwhile); a successful login starts a fresh session and answers the application.
import { connectionEnabledFor, DEFAULT_CONNECTION_NAME } from '../../domain/connections.ts';
import { originOf } from '../../domain/redirects.ts';
import { requiresUsername, signupDisabled } from '../../domain/users.ts';
import type { ConnectionRecord, UserRecord } from '../../storage/ports.ts';
import { AUTHORIZE_TEXT, AuthorizePageError } from '../errors.ts';
import type { CheckContext } from './checks/check.ts';
import { answer, checkRequest, type AuthorizeDeps, type BrowserContext } from './endpoint.ts';
import { ipKey } from '../../ratelimit/limiter.ts';
import { attemptLogin, LOGIN_TEXT, type LoginDeps } from './login.ts';
import type { AuthorizeRequest } from './request.ts';
import type { AuthorizeResponse } from './respond.ts';
import { endSession, startSession } from './session.ts';
import { attemptSignup, SIGNUP_TEXT } from './signup.ts';
import { finishTransaction, loadTransaction } from './transaction.ts';

export type FlowDeps = AuthorizeDeps & LoginDeps;

export interface LoginScreen {
  transaction: string;
  tenantName: string;
  clientName: string;
  signupAllowed: boolean;
  returnOrigin: string | undefined;
}

export type FlowOutcome =
  | { kind: 'respond'; response: AuthorizeResponse; session?: { cookie: string; maxAgeSeconds: number } }
  | { kind: 'screen'; screen: LoginScreen; error?: string; username?: string; status?: number; retryAfter?: number };

interface Prepared {
  ctx: CheckContext;
  request: AuthorizeRequest;
  connection: ConnectionRecord;
  screen: LoginScreen;
}

/** The transaction's request, checked again, with what the page shows; or the response to send instead. */
export async function prepare(browser: BrowserContext, transaction: string | undefined, deps: FlowDeps): Promise<Prepared | { response: AuthorizeResponse }> {
  const { tenant } = browser;
  const params = await loadTransaction(tenant, transaction, browser.browser, deps);
  if (!params) throw new AuthorizePageError(AUTHORIZE_TEXT.transactionTitle, AUTHORIZE_TEXT.transactionExpired);
  const checked = await checkRequest(tenant, params, deps.registry);
  if ('response' in checked) return { response: checked.response };
  const { ctx, request } = checked;
  const connection = await deps.storage.connections.getByName(tenant.id, DEFAULT_CONNECTION_NAME);
  if (!connection || !connectionEnabledFor(connection, ctx.client!.clientId)) {
    throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, 'No database connection is enabled for this application.');
  }
  const friendly = tenant.settings.friendly_name;
  return {
    ctx,
    request,
    connection,
    screen: {
      transaction: transaction!,
      tenantName: typeof friendly === 'string' && friendly !== '' ? friendly : tenant.name,
      clientName: ctx.client!.name,
      signupAllowed: !signupDisabled(connection) && !requiresUsername(connection),
      returnOrigin: originOf(request.redirectUri),
    },
  };
}

/**
 * Logs the user in: a fresh session, then the answer. The session the browser had before (a
 * re-login, prompt=login, max_age) ends server-side: its value, if stolen or planted, is worth
 * nothing afterwards (T-UI-02).
 */
export async function finishLogin(prepared: Prepared, user: UserRecord, browser: BrowserContext, deps: FlowDeps): Promise<FlowOutcome> {
  const { tenant } = browser;
  await endSession(tenant, browser.session, deps);
  const session = await startSession(tenant, user, deps);
  await finishTransaction(tenant, prepared.screen.transaction, deps);
  const login = { user, sid: session.record.sid, authTime: session.record.authTime };
  const response = await answer(prepared.ctx, prepared.request, login, browser, deps);
  const maxAgeSeconds = Math.max(0, Math.floor((Date.parse(session.record.expiresAt) - deps.clock.now()) / 1000));
  return { kind: 'respond', response, session: { cookie: session.cookie, maxAgeSeconds } };
}

export async function showLogin(browser: BrowserContext, transaction: string | undefined, deps: FlowDeps): Promise<FlowOutcome> {
  const prepared = await prepare(browser, transaction, deps);
  if ('response' in prepared) return { kind: 'respond', response: prepared.response };
  return { kind: 'screen', screen: prepared.screen, ...(prepared.request.loginHint !== undefined && { username: prepared.request.loginHint }) };
}

export interface LoginForm {
  state?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Before the form is even read: an address already holding its share of the password hashing (or
 * a server whose queue is full) is refused at once, on a plain page with Retry-After, so a flood
 * from one address costs each of its requests next to nothing (T-OUT-03). The same refusal can
 * still come later, on the form, when hashing fills up in between.
 */
export function refuseWhileBusy(ip: string, screen: 'login' | 'signup', deps: Pick<FlowDeps, 'passwords'>): void {
  const busy = deps.passwords.busyFor(ipKey(ip));
  if (!busy) return;
  const text = screen === 'signup' ? SIGNUP_TEXT : LOGIN_TEXT;
  const here = busy.scope === 'source';
  throw new AuthorizePageError(AUTHORIZE_TEXT.busyTitle, here ? text.busyHere : text.busy, here ? 429 : 503, { 'retry-after': '1' });
}

/** Takes the login (or sign-up) form; a failure shows the page again with the message. */
export async function submitLogin(browser: BrowserContext, form: LoginForm, deps: FlowDeps, screen: 'login' | 'signup' = 'login'): Promise<FlowOutcome> {
  const prepared = await prepare(browser, form.state, deps);
  if ('response' in prepared) return { kind: 'respond', response: prepared.response };
  if (screen === 'signup' && !prepared.screen.signupAllowed) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, SIGNUP_TEXT.disabled, 403);
  const result = await (screen === 'signup' ? attemptSignup : attemptLogin)(
    {
      tenant: browser.tenant,
      connection: prepared.connection,
      client: { clientId: prepared.ctx.client!.clientId, name: prepared.ctx.client!.name },
      username: form.username ?? '',
      password: form.password ?? '',
      ip: browser.ip,
      userAgent: browser.userAgent,
    },
    deps,
  );
  if (!result.ok) {
    const { message, status, retryAfter } = result;
    return { kind: 'screen', screen: prepared.screen, error: message, username: form.username ?? '', ...(status !== undefined && { status }), ...(retryAfter !== undefined && { retryAfter }) };
  }
  return finishLogin(prepared, result.user, browser, deps);
}
