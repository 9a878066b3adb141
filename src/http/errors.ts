// The one place errors become responses (docs/style.md §4): one renderer per audience, each installed by
// that audience's plugin, so no renderer is chosen from the URL. The Authentication API answers
// {error, error_description} with RFC 6749 §5.1 headers (oauthErrors), the Management API and
// every other JSON endpoint Auth0's Boom body (jsonErrors), the login pages and the dashboard's
// pages our HTML error page, never a redirect (pageErrors). Everything unexpected is logged and
// answered with a generic 500 that names no library, path or query.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODE, ManagementError, reasonPhrase, TEXT } from '../management/errors.ts';
import { AuthorizePageError, NO_STORE, OAuthError, TOKEN_TEXT } from '../oauth/errors.ts';
import { errorPage } from '../login/pages.ts';
import { sendPage } from './pages.ts';
import { StorageUnavailable } from '../storage/errors.ts';
import { DecryptionError } from '../crypto/envelope.ts';
import { validationMessage } from './validation.ts';
import type { BodyTooDeep } from './body.ts';

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  const body: Record<string, string> = { error: error.error, error_description: error.description };
  if (error.errorUri) body.error_uri = error.errorUri;
  return reply
    .code(error.status)
    .headers({ ...NO_STORE, ...error.headers })
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body));
}

export function sendManagementError(reply: FastifyReply, error: ManagementError): FastifyReply {
  const body: Record<string, unknown> = { statusCode: error.statusCode, error: reasonPhrase(error.statusCode), message: error.message };
  if (error.errorCode) body.errorCode = error.errorCode;
  if (error.attributes) body.attributes = error.attributes;
  return reply.code(error.statusCode).headers(error.headers).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Our HTML error page for a failure on a page route: the status and a sentence, nothing internal. */
function pageFor(error: ManagementError): ReturnType<typeof errorPage> {
  if (error.statusCode >= 500) return errorPage('Something went wrong', 'The server could not complete this request. Please try again.', error.statusCode);
  return errorPage(reasonPhrase(error.statusCode), error.message, error.statusCode);
}

/** A framework or library error in the terms of the Authentication API ('oauth') or of the JSON endpoints ('json'). */
function translate(error: FastifyError, audience: 'oauth'): OAuthError;
function translate(error: FastifyError, audience: 'json'): ManagementError;
function translate(error: FastifyError, audience: 'oauth' | 'json'): OAuthError | ManagementError {
  const oauth = audience === 'oauth';
  if (error.validation) {
    const part = error.validationContext ?? 'body';
    const code = part === 'querystring' ? ERROR_CODE.invalidQuery : part === 'params' ? ERROR_CODE.invalidUri : ERROR_CODE.invalidBody;
    const message = validationMessage(error.validation as never, part);
    return oauth ? new OAuthError(400, 'invalid_request', message) : new ManagementError(400, message, { errorCode: code });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return oauth ? new OAuthError(413, 'invalid_request', TOKEN_TEXT.bodyTooLarge) : new ManagementError(413, 'Payload too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return oauth ? new OAuthError(400, 'invalid_request', TOKEN_TEXT.contentType) : new ManagementError(415, 'Unsupported Media Type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      // A body shorter or longer than its Content-Length is malformed, not of the wrong type (T-TOK-11).
      return oauth ? new OAuthError(400, 'invalid_request', TOKEN_TEXT.malformedBody) : new ManagementError(400, 'The request body does not match its Content-Length', { errorCode: ERROR_CODE.invalidBody });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return oauth ? new OAuthError(400, 'invalid_request', TOKEN_TEXT.malformedBody) : new ManagementError(400, 'Invalid JSON in the request body', { errorCode: ERROR_CODE.invalidBody });
  }
  if (error.name === 'BodySyntaxError') {
    return oauth ? new OAuthError(400, 'invalid_request', TOKEN_TEXT.malformedBody) : new ManagementError(400, 'Invalid JSON in the request body', { errorCode: ERROR_CODE.invalidBody });
  }
  if (error.name === 'BodyTooDeep') {
    // The Authentication API's strict JSON parser refuses far shallower bodies as unparseable already.
    if (oauth) return new OAuthError(400, 'invalid_request', TOKEN_TEXT.malformedBody);
    return new ManagementError(400, TEXT.bodyTooDeep((error as unknown as BodyTooDeep).limit), { errorCode: ERROR_CODE.invalidBody });
  }
  if ((error as unknown) instanceof StorageUnavailable) {
    return oauth ? new OAuthError(503, 'temporarily_unavailable', TOKEN_TEXT.unavailable) : new ManagementError(503, TEXT.unavailable);
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status < 500) {
    return oauth ? new OAuthError(400, 'invalid_request', reasonPhrase(status)) : new ManagementError(status, reasonPhrase(status));
  }
  return oauth ? new OAuthError(500, 'server_error', TOKEN_TEXT.internal) : new ManagementError(500, TEXT.internal);
}

/** Any error as the Authentication API's: a Management-style one keeps its status and text. */
function asOAuthError(error: FastifyError): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof ManagementError) return new OAuthError(error.statusCode, error.statusCode === 401 ? 'access_denied' : 'invalid_request', error.message);
  return translate(error, 'oauth');
}

/** Any error as the JSON endpoints': an OAuth one keeps its status and description. */
function asManagementError(error: FastifyError): ManagementError {
  if (error instanceof ManagementError) return error;
  if (error instanceof OAuthError) return new ManagementError(error.status, error.description);
  return translate(error, 'json');
}

/** What the server log says about a failure: the outage in one line, a 5xx with its stack. */
function logFailure(request: FastifyRequest, error: FastifyError, status: number): void {
  if ((error as unknown) instanceof StorageUnavailable) {
    // One line per refused request while the database is away, without a stack: an outage is
    // an operating condition (readiness and the notification log say more), not a bug.
    request.log.warn({ reason: error.message }, 'database unavailable: answered 503');
  } else if (status >= 500) {
    // A secret that no longer decrypts means a wrong master key or tampered rows: say so in the log.
    const hint = (error as unknown) instanceof DecryptionError ? 'sealed secret did not decrypt (wrong master key or tampered row)' : 'request failed';
    request.log.error({ err: error }, hint);
  }
}

/** The Authentication API's error handler (/oauth/*, /userinfo). */
export function oauthErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const rendered = asOAuthError(error);
  logFailure(request, error, rendered.status);
  return sendOAuthError(reply, rendered);
}

/** The error handler of the Management API and of every other JSON endpoint. */
export function jsonErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const rendered = asManagementError(error);
  logFailure(request, error, rendered.statusCode);
  return sendManagementError(reply, rendered);
}

/** The error handler of the pages (login, logout, /authorize, the dashboard's): an HTML page. */
export function pageErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if ((error as unknown) instanceof AuthorizePageError) {
    const page = error as unknown as AuthorizePageError;
    return sendPage(reply.headers(page.headers), errorPage(page.title, page.message, page.status));
  }
  const rendered = asManagementError(error);
  logFailure(request, error, rendered.statusCode);
  return sendPage(reply, pageFor(rendered));
}

/** A path under /oauth/ that names no endpoint. */
export function oauthNotFound(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendOAuthError(reply, new OAuthError(404, 'not_found', TEXT.notFoundRoute));
}

/** Any other path that names nothing. */
export function jsonNotFound(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendManagementError(reply, new ManagementError(404, TEXT.notFoundRoute));
}
