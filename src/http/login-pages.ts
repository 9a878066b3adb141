// The login pages' plugin: the browser-facing routes of the Authentication API (spec §2.5, §2.9),
// /authorize, our login and sign-up pages, /v2/logout. Adapters only: they read cookies and forms,
// call oauth/authorize, and render the outcome (a redirect, one of our pages, or a response-mode
// page); every failure is our HTML error page (errors.ts), never a redirect. No CORS here: these
// are navigations, never cross-origin reads (T-AZ-10).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { handleAuthorize, type AuthorizeDeps, type BrowserContext } from '../oauth/authorize/endpoint.ts';
import { refuseWhileBusy, showLogin, submitLogin, type FlowDeps, type FlowOutcome } from '../oauth/authorize/login-flow.ts';
import type { AuthorizeResponse } from '../oauth/authorize/respond.ts';
import { AUTHORIZE_TEXT, AuthorizePageError } from '../oauth/errors.ts';
import { errorPage, formPostPage, loggedOutPage, loginPage, webMessagePage } from '../login/pages.ts';
import { logout } from '../oauth/logout.ts';
import { BROWSER_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.ts';
import { pageErrors } from './errors.ts';
import { sendPage } from './pages.ts';

const FORM_LIMIT = 16 * 1024;

function browserContext(request: FastifyRequest, reply: FastifyReply): BrowserContext {
  let browser = readCookie(request, BROWSER_COOKIE);
  if (browser === undefined || !/^[A-Za-z0-9_-]{20,100}$/.test(browser)) {
    browser = randomBytes(24).toString('base64url');
    setCookie(reply, BROWSER_COOKIE, browser);
  }
  return { tenant: request.tenant, session: readCookie(request, SESSION_COOKIE), browser, ip: request.ip, userAgent: request.headers['user-agent'] };
}

export function sendAuthorizeResponse(reply: FastifyReply, response: AuthorizeResponse): FastifyReply {
  switch (response.kind) {
    case 'redirect':
      // RFC 9700 §4.12: 302 (or 303), never 307, so a posted password is not re-posted (T-AZ-04).
      return reply.code(302).headers({ location: response.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send();
    case 'form_post':
      return sendPage(reply, formPostPage(response.action, response.fields));
    case 'web_message':
      return sendPage(reply, webMessagePage(response.targetOrigin, response.response));
  }
}

function sendFlow(reply: FastifyReply, outcome: FlowOutcome, screen: 'login' | 'signup'): FastifyReply {
  if (outcome.kind === 'respond') {
    if (outcome.session) setCookie(reply, SESSION_COOKIE, outcome.session.cookie, outcome.session.maxAgeSeconds);
    return sendAuthorizeResponse(reply, outcome.response);
  }
  const { screen: s, error, username, status, retryAfter } = outcome;
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return sendPage(reply, loginPage({ screen, ...s, ...(error !== undefined && { error, status: status ?? 400 }), ...(username !== undefined && { username }) }));
}

/** A single-valued form field (a repeated one counts as absent). */
function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Login CSRF (T-UI-06): a form posted from another site is refused before anything else. Browsers
 * say so in Sec-Fetch-Site, which no page can forge, so when it is present it decides alone: our
 * pages carry Referrer-Policy: no-referrer, under which browsers send `Origin: null` even on our
 * own same-origin form posts (Fetch, "serializing a request origin"). Origin decides only for
 * browsers without Fetch Metadata. The transaction cookie (SameSite=Lax) is the second guard.
 */
function assertSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const ours = new Set([`${request.protocol}://${request.host}`, `https://${request.tenant.domain}`]);
  const allowed = site !== undefined ? site === 'same-origin' || site === 'none' : origin === undefined || ours.has(origin);
  if (!allowed) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.forbiddenOrigin, 403);
}

export const loginPages: FastifyPluginAsync<{ deps: AuthorizeDeps & FlowDeps }> = async (app, { deps }) => {
  app.setErrorHandler(pageErrors);
  app.get('/authorize', async (request, reply) => {
    const browser = browserContext(request, reply);
    const outcome = await handleAuthorize(request.query as Record<string, unknown>, browser, deps);
    if (outcome.kind === 'respond') return sendAuthorizeResponse(reply, outcome.response);
    const screen = outcome.signup ? 'signup' : 'login';
    return reply.code(302).headers({ location: `/u/${screen}?state=${encodeURIComponent(outcome.transaction)}`, 'cache-control': 'no-store' }).send();
  });

  for (const screen of ['login', 'signup'] as const) {
    app.get(`/u/${screen}`, async (request, reply) => {
      const state = (request.query as Record<string, unknown>).state;
      const outcome = await showLogin(browserContext(request, reply), typeof state === 'string' ? state : undefined, deps);
      return sendFlow(reply, outcome, screen);
    });
    // Refused before the body is read when the address already holds its share of the hashing.
    const refuseEarly = async (request: FastifyRequest) => refuseWhileBusy(request.ip, screen, deps);
    app.post(`/u/${screen}`, { bodyLimit: FORM_LIMIT, onRequest: refuseEarly }, async (request, reply) => {
      assertSameOrigin(request);
      const form = { state: field(request.body, 'state'), username: field(request.body, 'username'), password: field(request.body, 'password') };
      const outcome = await submitLogin(browserContext(request, reply), form, deps, screen);
      return sendFlow(reply, outcome, screen);
    });
  }

  app.get('/v2/logout', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const text = (name: string) => (typeof query[name] === 'string' && query[name] !== '' ? query[name] : undefined);
    setCookie(reply, SESSION_COOKIE, '', 0);
    const target = await logout(
      { tenant: request.tenant, session: readCookie(request, SESSION_COOKIE), clientId: text('client_id'), returnTo: text('returnTo'), ip: request.ip, userAgent: request.headers['user-agent'] },
      deps,
    );
    if (target.kind === 'page') return sendPage(reply, loggedOutPage());
    return reply.code(302).headers({ location: target.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send();
  });

  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/authorize',
    handler: async (_request, reply) => sendPage(reply, errorPage('Method not allowed', 'Open this address with GET.', 405)),
  });
};
