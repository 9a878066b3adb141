// Failures before any route is chosen: a request so malformed that HTTP parsing gave up
// (writeClientError, on the socket), and a URL the router cannot decode or a path parameter over
// its limit (renderFrameworkError). Fastify calls the latter in its root context, before any
// audience's plugin, so there the path is the one fact that says whose error page to answer: the
// plugins that own a path space say which (auth-api.ts, dashboard.ts).
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODE, ManagementError, reasonPhrase } from '../management/errors.ts';
import { OAuthError } from '../oauth/errors.ts';
import { errorPage } from '../login/pages.ts';
import { OAUTH_PREFIX } from './auth-api.ts';
import { isDashboardPage } from './dashboard.ts';
import { sendManagementError, sendOAuthError } from './errors.ts';
import { sendPage } from './pages.ts';

/**
 * Errors Fastify raises before routing (a URL that does not decode, a path parameter over the
 * limit): the Authentication API's body under /oauth/, a page where a dashboard page would have
 * answered, the JSON body anywhere else (the login pages' paths are fixed, so none of them can
 * fail to decode); with the status Fastify chose.
 */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  reply.header('x-content-type-options', 'nosniff');
  if (request.url.startsWith(OAUTH_PREFIX)) return sendOAuthError(reply, new OAuthError(400, 'invalid_request', reasonPhrase(status)));
  const message = status === 414 ? 'The request URI is too long' : 'The request URI is malformed';
  if (isDashboardPage(request.method, request.url)) return sendPage(reply, errorPage(reasonPhrase(status), message, status));
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
