// The one place errors become responses (STYLE §4). Each route family has its own body shape:
// the Authentication API answers {error, error_description} with RFC 6749 §5.1 headers, the
// Management API answers Auth0's Boom body, the login pages answer our HTML error page (never a
// redirect), everything unexpected is logged and answered with a generic 500 that names no
// library, path or query.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODE, ManagementError, reasonPhrase, TEXT } from '../management/errors.ts';
import { AuthorizePageError, NO_STORE, OAuthError, TOKEN_TEXT } from '../oauth/errors.ts';
import { errorPage } from '../login/pages.ts';
import { sendPage } from './pages.ts';
import { StorageUnavailable } from '../storage/errors.ts';
import { DecryptionError } from '../crypto/envelope.ts';
import { validationMessage } from './validation.ts';
import type { BodyTooDeep } from './body.ts';

export type Family = 'oauth' | 'management' | 'page' | 'other';

export function familyOf(request: FastifyRequest): Family {
  const configured = (request.routeOptions.config as { family?: Family } | undefined)?.family;
  if (configured) return configured;
  if (request.url.startsWith('/api/')) return 'management';
  if (request.url.startsWith('/oauth/')) return 'oauth';
  return 'other';
}

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
function pageFor(error: OAuthError | ManagementError, status: number): ReturnType<typeof errorPage> {
  if (status >= 500) return errorPage('Something went wrong', 'The server could not complete this request. Please try again.', status);
  return errorPage(reasonPhrase(status), error.message, status);
}

/** Translates a framework or library error into the family's error object. */
function translate(error: FastifyError, family: Family): OAuthError | ManagementError {
  const oauth = family === 'oauth';
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

/** Pages under /dashboard/ and /explorer/ (dashboard.ts, not the config and assets): their paths can fail to decode. */
const PAGE_PATH = /^\/(dashboard|explorer)\/(?!config\.json(\?|$)|assets\/)/;

/**
 * Errors Fastify raises before routing (a URL that does not decode, a path parameter over the
 * limit): rendered by the same rules, with the status Fastify chose. No route is known yet, so a
 * browser page is recognized by its path.
 */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  reply.header('x-content-type-options', 'nosniff');
  const family = familyOf(request);
  if (family === 'oauth') return sendOAuthError(reply, new OAuthError(400, 'invalid_request', reasonPhrase(status)));
  const message = status === 414 ? 'The request URI is too long' : 'The request URI is malformed';
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (family === 'page' || (read && PAGE_PATH.test(request.url))) return sendPage(reply, errorPage(reasonPhrase(status), message, status));
  return sendManagementError(reply, new ManagementError(status, message, { errorCode: ERROR_CODE.invalidUri }));
}

/**
 * A request so malformed, or so slow, that HTTP parsing gave up: a bare 400, 408 or 431 with a
 * JSON body, and the socket destroyed once that is written. Anything below HTTP (a TLS handshake
 * that failed or timed out, a reset) is destroyed at once: an HTTP answer written into a TLS
 * socket whose handshake never finished waits for it forever, and keeps the socket open (S7).
 */
export function writeClientError(error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  const code = error.code ?? '';
  const httpLevel = code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (!httpLevel || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'Request headers are too large' : status === 408 ? 'The request did not arrive in time' : 'Malformed HTTP request';
  const body = JSON.stringify({ statusCode: status, error: reasonPhrase(status), message });
  // RFC 9110 §9.3.2: the answer to HEAD has no body (its Content-Length still says what GET's would).
  const head = Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    () => socket.destroy(),
  );
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const family = familyOf(request);
    if ((error as unknown) instanceof AuthorizePageError) {
      const page = error as unknown as AuthorizePageError;
      return sendPage(reply.headers(page.headers), errorPage(page.title, page.message, page.status));
    }
    let rendered: OAuthError | ManagementError;
    if (error instanceof OAuthError || error instanceof ManagementError) rendered = error;
    else rendered = translate(error, family);

    const status = rendered instanceof OAuthError ? rendered.status : rendered.statusCode;
    if ((error as unknown) instanceof StorageUnavailable) {
      // One line per refused request while the database is away, without a stack: an outage is
      // an operating condition (readiness and the notification log say more), not a bug.
      request.log.warn({ reason: error.message }, 'database unavailable: answered 503');
    } else if (status >= 500) {
      // A secret that no longer decrypts means a wrong master key or tampered rows: say so in the log.
      const hint = (error as unknown) instanceof DecryptionError ? 'sealed secret did not decrypt (wrong master key or tampered row)' : 'request failed';
      request.log.error({ err: error }, hint);
    }
    if (family === 'page') return sendPage(reply, pageFor(rendered, status));
    if (rendered instanceof OAuthError) {
      if (family === 'oauth') return sendOAuthError(reply, rendered);
      return sendManagementError(reply, new ManagementError(rendered.status, rendered.description));
    }
    if (family === 'oauth') return sendOAuthError(reply, new OAuthError(rendered.statusCode, rendered.statusCode === 401 ? 'access_denied' : 'invalid_request', rendered.message));
    return sendManagementError(reply, rendered);
  });

  app.setNotFoundHandler((request, reply) => {
    if (familyOf(request) === 'oauth') return sendOAuthError(reply, new OAuthError(404, 'not_found', TEXT.notFoundRoute));
    return sendManagementError(reply, new ManagementError(404, TEXT.notFoundRoute));
  });
}
